/**
 * `npm run tail -- [--queue-url URL] [--json] [--delete]`: long-polls a queue of relayed events
 * and prints each one as it arrives. Endpoint, region and credentials are the AWS SDK's usual
 * settings (AWS_ENDPOINT_URL_SQS, AWS_REGION, AWS_PROFILE, ...). Ctrl-C stops it.
 */
import { SQSClient } from "@aws-sdk/client-sqs";
import { tailQueue } from "../testing/local/queue-tail.ts";
import { commandLine } from "./local/cli.ts";

const USAGE = `usage: npm run tail -- [--queue-url URL] [--json] [--delete]

--queue-url  the queue to tail (default: $QUEUE_URL)
--json       print each message body raw (the CloudEvent JSON), one per line
--delete     consume: delete each message once printed. Without it messages stay on the queue;
             SQS has no peek, so each receive still counts towards the queue's maxReceiveCount`;

const cli = commandLine(USAGE, {
  "queue-url": { type: "string" },
  json: { type: "boolean", default: false },
  delete: { type: "boolean", default: false },
});
// Annotated so that TypeScript narrows after a call that never returns.
const usage: (problem: string) => never = cli.fail;
const { values } = cli.parsed;
const queueUrl = values["queue-url"] ?? process.env.QUEUE_URL;
if (!queueUrl) usage("give --queue-url, or set QUEUE_URL");
if (!URL.canParse(queueUrl)) usage(`--queue-url must be a URL, not ${queueUrl}`);

// Without a configured region, take it from an AWS queue URL (https://sqs.<region>.amazonaws.com/...).
const regionInUrl = /^sqs\.([a-z0-9-]+)\.amazonaws\.com/.exec(new URL(queueUrl).hostname)?.[1];
const client = new SQSClient(
  !process.env.AWS_REGION && !process.env.AWS_DEFAULT_REGION && regionInUrl
    ? { region: regionInUrl }
    : {},
);

const stop = new AbortController();
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(signal, () => stop.abort());
}

console.error(
  `tailing ${queueUrl} (${values.delete ? "consuming: messages are deleted once printed" : "messages stay on the queue; --delete consumes them"}); Ctrl-C stops`,
);
try {
  await tailQueue({
    client,
    queueUrl,
    json: values.json,
    delete: values.delete,
    signal: stop.signal,
    write: (line) => console.log(line),
    warn: (line) => console.error(line),
  });
} catch (error) {
  console.error(`tail: cannot read ${queueUrl}: ${(error as Error).message ?? error}`);
  process.exitCode = 1;
} finally {
  client.destroy();
}
