/**
 * `npm run redrive [-- --queue-url URL --dlq-url URL]`: moves the messages of the dead-letter
 * queue back to the relay's queue, FIFO included, showing progress. Ctrl-C (or SIGTERM) stops it
 * cleanly: the batch in hand is finished (or the move task cancelled), nothing is lost, and
 * running it again carries on. See docs/recovering-events.md.
 */
import {
  deadLetterQueueUrlOf,
  describeSqsError,
  type RedriveMethod,
  redrive,
  sqsClientForQueue,
} from "../lib/recovery/index.ts";
import { commandLine } from "./local/cli.ts";

const USAGE = `usage: npm run redrive -- [--queue-url URL] [--dlq-url URL] [--method auto|move-task|receive]
                          [--max-per-second N] [--visibility-timeout SECONDS]

--queue-url           the relay's queue, where messages go back to (default: $QUEUE_URL)
--dlq-url             its dead-letter queue (default: the one in the queue's redrive policy)
--method              auto (default): SQS's message move task where the endpoint has it, else
                      receive-send-delete; move-task or receive to insist on one
--max-per-second      move at most N messages a second (spares the consumer; default: no limit)
--visibility-timeout  receive: seconds a message in hand stays hidden on the dead-letter queue,
                      which is how long a killed run's messages wait before the next run (default 30)

Endpoint, region and credentials are the AWS SDK's usual settings (AWS_PROFILE, AWS_REGION,
AWS_ENDPOINT_URL_SQS, ...). Ctrl-C stops cleanly; run it again to carry on.`;

const cli = commandLine(USAGE, {
  "queue-url": { type: "string" },
  "dlq-url": { type: "string" },
  method: { type: "string", default: "auto" },
  "max-per-second": { type: "string" },
  "visibility-timeout": { type: "string", default: "30" },
});
// Annotated so that TypeScript narrows after a call that never returns.
const usage: (problem: string) => never = cli.fail;
const { values } = cli.parsed;

const queueUrl = values["queue-url"] ?? process.env.QUEUE_URL;
if (!queueUrl) usage("give --queue-url, or set QUEUE_URL");
for (const [name, url] of [
  ["--queue-url", queueUrl],
  ["--dlq-url", values["dlq-url"]],
] as const) {
  if (url !== undefined && !URL.canParse(url)) usage(`${name} must be a URL, not ${url}`);
}
const method = values.method;
if (method !== "auto" && method !== "move-task" && method !== "receive") {
  usage(`--method must be auto, move-task or receive, not ${method}`);
}
const positive = (name: string, text: string | undefined, max: number): number | undefined => {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    usage(`${name} must be a whole number from 1 to ${max}`);
  }
  return value;
};
const maxPerSecond = positive("--max-per-second", values["max-per-second"], 500);
const visibilityTimeoutSeconds = positive(
  "--visibility-timeout",
  values["visibility-timeout"],
  43_200,
);

const client = sqsClientForQueue(queueUrl, process.env);
const stop = new AbortController();
const onSignal = (signal: NodeJS.Signals) => {
  if (stop.signal.aborted) {
    // Safe at any point (receive, send, delete in that order): a duplicate at worst.
    console.error(`${signal} again: stopping now`);
    process.exit(130);
  }
  console.error(`${signal}: finishing the batch in hand, then stopping (again to stop now)`);
  stop.abort();
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

try {
  const deadLetterQueueUrl = values["dlq-url"] ?? (await deadLetterQueueUrlOf(client, queueUrl));
  if (!deadLetterQueueUrl) {
    usage(`${queueUrl} has no redrive policy: give --dlq-url`);
  }
  console.error(`redriving ${deadLetterQueueUrl}\n       to ${queueUrl}`);
  let lastMethod: RedriveMethod | undefined;
  const result = await redrive({
    client,
    queueUrl,
    deadLetterQueueUrl,
    method,
    signal: stop.signal,
    ...(maxPerSecond ? { maxPerSecond } : {}),
    ...(visibilityTimeoutSeconds ? { visibilityTimeoutSeconds } : {}),
    onProgress: (progress) => {
      if (progress.method !== lastMethod) {
        lastMethod = progress.method;
        console.error(
          progress.method === "move-task"
            ? "using SQS's message move task"
            : `receiving, sending, deleting${progress.moveTaskUnsupported ? ` (the endpoint has no message move task: StartMessageMoveTask ${progress.moveTaskUnsupported})` : ""}`,
        );
      }
      const waiting = progress.waitingFor
        ? ` (waiting for ${progress.waitingFor} in flight to reappear)`
        : "";
      console.error(`moved ${progress.moved} of ${progress.total}${waiting}`);
    },
  });
  if (result.stopped) {
    console.log(
      `stopped: moved ${result.moved}; the rest is still on the dead-letter queue, run again to carry on`,
    );
    process.exitCode = 130;
  } else {
    console.log(`done: moved ${result.moved} (${result.method}); the dead-letter queue is empty`);
  }
} catch (error) {
  console.error(`redrive failed: ${describeSqsError(error)}`);
  process.exitCode = 1;
} finally {
  client.destroy();
}
