/**
 * `npm run replay -- --from <file> [--queue-url URL] [--send] [--json]`: finds in the relay's logs
 * the events it could not publish and republishes them, with their original id, FIFO group and
 * attributes. Dry run unless `--send`. See docs/recovering-events.md.
 */
import { readFileSync } from "node:fs";
import {
  countByType,
  type LoggedEvent,
  readRelayLog,
  replayEvents,
  sqsClientForQueue,
  sqsSender,
} from "../lib/recovery/index.ts";
import { commandLine } from "./local/cli.ts";

const USAGE = `usage: npm run replay -- --from <file> [--queue-url URL] [--send] [--include-refused]

--from             the relay's log output: JSON lines (Lambda, npm start), \`sls logs\` output,
                   or \`aws logs filter-log-events\` / \`get-log-events\` JSON (pages appended one
                   after the other are fine); gzipped is fine
--queue-url        the queue to publish to (default: $QUEUE_URL)
--send             publish; without it, only show what would be sent (dry run)
--include-refused  also republish the events refused by policy (allowed accounts, maximum age)

Endpoint, region and credentials are the AWS SDK's usual settings (AWS_PROFILE, AWS_REGION,
AWS_ENDPOINT_URL_SQS, ...). Replaying twice within 5 minutes publishes nothing new on a FIFO queue.`;

const cli = commandLine(USAGE, {
  from: { type: "string" },
  "queue-url": { type: "string" },
  send: { type: "boolean", default: false },
  "include-refused": { type: "boolean", default: false },
});
// Annotated so that TypeScript narrows after a call that never returns.
const usage: (problem: string) => never = cli.fail;
const { values } = cli.parsed;
if (!values.from) usage("give --from <file>: the relay's log output");
const queueUrl = values["queue-url"] ?? process.env.QUEUE_URL;
if (values.send && !queueUrl) usage("--send needs --queue-url, or QUEUE_URL set");
if (queueUrl !== undefined && !URL.canParse(queueUrl)) {
  usage(`--queue-url must be a URL, not ${queueUrl}`);
}

let content: Buffer;
try {
  content = readFileSync(values.from);
} catch (error) {
  console.error(`replay: cannot read ${values.from}: ${(error as Error).message}`);
  process.exit(1);
}
const log = readRelayLog(content);
const events: LoggedEvent[] = [
  ...log.unpublished,
  ...(values["include-refused"] ? log.refusedByPolicy : []),
];

const out = (line = "") => console.log(line);
out(`read ${values.from}: ${log.records} log records, ${log.skippedLines} other lines skipped`);
for (const note of log.incomplete) {
  out(`warning: ${values.from} may not hold every log event: ${note}`);
}
out();
out(`events not published (logged "publish failed"): ${log.unpublished.length}`);
if (log.publishedOnRetry.length > 0) {
  out(
    `  not counted: ${log.publishedOnRetry.length} that a retry published later (logged "published")`,
  );
}
out();
out(
  `callbacks refused as malformed (not replayable; fix, then have Twilio resend): ${log.malformed.length}`,
);
for (const callback of log.malformed) {
  out(`  ${callback.loggedAt ?? "-"}  problems: ${JSON.stringify(callback.problems)}`);
  out(`    parameters: ${JSON.stringify(callback.parameters)}`);
}
out();
out(
  `callbacks refused by policy: ${log.refusedByPolicy.length}${values["include-refused"] ? " (included: --include-refused)" : " (not replayed; --include-refused replays them)"}`,
);
for (const refused of log.refusedByPolicy) {
  out(`  ${refused.loggedAt ?? "-"}  ${refused.reason}  ${refused.type}  ${refused.id}`);
}
out();
out(
  `${values.send ? "sending" : "would send"} ${events.length} events${queueUrl ? ` to ${queueUrl}` : ""}:`,
);
for (const [type, count] of countByType(events)) out(`  ${String(count).padStart(5)}  ${type}`);
for (const logged of events) {
  out(
    `  ${logged.loggedAt ?? "-"}  ${logged.type}  ${String(logged.event.subject ?? "-")}  ${logged.id}`,
  );
}

if (!values.send) {
  out();
  out("dry run: nothing sent. Add --send to publish.");
  process.exit(0);
}
if (!queueUrl) usage("--send needs --queue-url, or QUEUE_URL set");

const client = sqsClientForQueue(queueUrl, process.env);
const stop = new AbortController();
process.once("SIGINT", () => stop.abort());
process.once("SIGTERM", () => stop.abort());
const outcome = await replayEvents({
  send: sqsSender(client),
  queueUrl,
  events,
  signal: stop.signal,
  onSent: (logged, index) => console.error(`sent ${index + 1}/${events.length}  ${logged.id}`),
});
client.destroy();
out();
out(`sent ${outcome.sent.length} of ${events.length} events; ${outcome.failed.length} failed`);
for (const { logged, error } of outcome.failed) out(`  failed ${logged.id}: ${error}`);
if (stop.signal.aborted) {
  out(`stopped: ${outcome.unsent.length} not sent (run again: what was sent is deduplicated)`);
  process.exitCode = 130;
} else if (outcome.failed.length > 0) {
  process.exitCode = 1;
}
