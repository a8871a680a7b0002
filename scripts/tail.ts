/**
 * `npm run tail -- [--queue-url URL] [--json] [--delete]`: long-polls a queue of relayed events
 * and prints each one as it arrives. Endpoint, region and credentials are the AWS SDK's usual
 * settings (AWS_ENDPOINT_URL_SQS, AWS_REGION, AWS_PROFILE, ...). Ctrl-C stops it.
 */
import { parseArgs } from "node:util";
import { SQSClient } from "@aws-sdk/client-sqs";
import { tailQueue } from "./local/queue-tail.ts";

const USAGE = `usage: npm run tail -- [--queue-url URL] [--json] [--delete]

--queue-url  the queue to tail (default: $QUEUE_URL)
--json       print each message body raw (the CloudEvent JSON), one per line
--delete     consume: delete each message once printed. Without it messages stay on the queue;
             SQS has no peek, so each receive still counts towards the queue's maxReceiveCount`;

function usage(problem: string): never {
  console.error(`${problem}\n\n${USAGE}`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        "queue-url": { type: "string" },
        json: { type: "boolean", default: false },
        delete: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    return usage((error as Error).message);
  }
})();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
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
process.once("SIGINT", () => stop.abort());
process.once("SIGTERM", () => stop.abort());

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
