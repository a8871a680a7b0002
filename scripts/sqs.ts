/**
 * `npm run sqs -- [--port N]`: the local SQS server of `npm start` on its own, for running
 * serverless-offline by hand: fauxqs on 127.0.0.1 (port 9324 by default) with the stack's queues
 * for stage `local`, and the shell lines that point serverless-offline (or any SDK) at them.
 * Ctrl-C (or SIGTERM, SIGHUP, or npm going away) stops it and exits 0; the queues live in memory.
 */
import { LOCAL_QUEUE_NAME } from "../testing/local/loop.ts";
import { LOCAL_CREDENTIALS, LOCAL_REGION, startLocalSqs } from "../testing/local/sqs.ts";
import { commandLine } from "./local/cli.ts";
import { onStopRequest } from "./local/stop.ts";

/** The port the by-hand recipe (docs/local-development.md) uses. */
const DEFAULT_SQS_PORT = 9324;

const USAGE = `usage: npm run sqs -- [--port N]

--port  port of the local SQS server on 127.0.0.1 (default ${DEFAULT_SQS_PORT})`;

const cli = commandLine(USAGE, { port: { type: "string" } });
const text = cli.parsed.values.port;
const port = text === undefined ? DEFAULT_SQS_PORT : Number(text);
if (!Number.isInteger(port) || port < 1 || port > 65_535) cli.fail("--port must be a port number");

let stop: ((why: string) => void) | undefined;
let requested: string | undefined;
onStopRequest((why) => {
  requested = why;
  stop?.(why);
});

const sqs = await startLocalSqs(port).catch((error: unknown) => {
  const busy = (error as NodeJS.ErrnoException).code === "EADDRINUSE";
  console.error(
    busy
      ? `npm run sqs: port ${port} on 127.0.0.1 is in use (another npm run sqs?): choose one with --port`
      : `npm run sqs failed: ${(error as Error).message}`,
  );
  process.exit(1);
});
const { queueUrl, deadLetterQueueUrl } = await sqs.createQueues(LOCAL_QUEUE_NAME);

stop = (why) => {
  console.error(`stopping (${why}) ...`);
  sqs.client.destroy();
  void sqs.stop().then(() => {
    console.error("stopped: the SQS server");
    process.exit(0);
  });
};
if (requested !== undefined) stop(requested);
else {
  console.error(`local SQS server on ${sqs.endpoint}, with the queues of stage local:
  Queue               ${queueUrl}
  Dead-letter queue   ${deadLetterQueueUrl}
Point serverless-offline (or any AWS SDK) at it with these, in the shell that runs it:
`);
  console.log(
    [
      `export QUEUE_URL=${queueUrl}`,
      `export AWS_ENDPOINT_URL_SQS=${sqs.endpoint} AWS_REGION=${LOCAL_REGION}`,
      `export AWS_ACCESS_KEY_ID=${LOCAL_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${LOCAL_CREDENTIALS.secretAccessKey}`,
    ].join("\n"),
  );
  console.error("\nCtrl-C stops it.");
}
