/**
 * fauxqs in a process of its own for the benches (`fauxqs.ts` starts it), so that the queue does not share
 * the event loop of the handlers it serves (SQS is another machine for a real Lambda). Creates
 * one FIFO queue per name given, prints `{ endpoint, queueUrls }` as one JSON line, and stops when
 * its standard input closes.
 */
import { startLocalSqs } from "../../testing/local/sqs.ts";

const names = process.argv.slice(2);
const sqs = await startLocalSqs();
const queueUrls: string[] = [];
for (const name of names) queueUrls.push((await sqs.createQueues(name, { fifo: true })).queueUrl);
console.log(JSON.stringify({ endpoint: sqs.endpoint, queueUrls }));
process.stdin.resume();
process.stdin.on("end", () => {
  void sqs.stop().then(() => process.exit(0));
});
