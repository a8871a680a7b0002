/**
 * `npm start`: the whole pipeline on this machine, on embedded defaults: a local SQS server with
 * the stack's queues, the ingest function behind serverless-offline, and a live tail printing
 * each event as it arrives. Ctrl-C (or SIGTERM, SIGHUP, or npm going away) stops everything and
 * exits 0; a failure to start, or serverless-offline dying, exits 1; a bad argument exits 2.
 */

import { startLocalLoop } from "../testing/local/loop.ts";
import { DEFAULT_LOCAL_PORT } from "../testing/local/trigger-request.ts";
import { commandLine } from "./local/cli.ts";
import { onStopRequest } from "./local/stop.ts";

const USAGE = `usage: npm start -- [--port N] [--json] [--keep] [--sqs-port N] [--verbose]

--port        port of the StatusCallback URL (default ${DEFAULT_LOCAL_PORT})
--json        print each event as raw JSON instead of one readable line
--keep        leave events on the queue for your own consumer (default: the tail consumes them)
--sqs-port    port of the local SQS server (default: any free port)
--verbose     also show serverless-offline's output and the function's info logs`;

function port(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65_535)
    usage(`${name} must be a port number`);
  return value;
}

const cli = commandLine(USAGE, {
  port: { type: "string" },
  json: { type: "boolean", default: false },
  keep: { type: "boolean", default: false },
  "sqs-port": { type: "string" },
  verbose: { type: "boolean", default: false },
});
// Annotated so that TypeScript narrows after a call that never returns.
const usage: (problem: string) => never = cli.fail;
const { values } = cli.parsed;

const listenPort = port(values.port, DEFAULT_LOCAL_PORT, "--port");
const portFlag = listenPort === DEFAULT_LOCAL_PORT ? "" : ` --port ${listenPort}`;

// Whatever asks this process to stop stops everything it started and exits 0: a requested stop
// is not a failure. A request during start-up is kept until the loop is up.
let stopRequested: string | undefined;
let stopNow: ((why: string) => void) | undefined;
onStopRequest((why) => {
  stopRequested = why;
  stopNow?.(why);
});

const started = performance.now();
console.error("starting: local SQS, serverless-offline (stage local), tail ...");
const loop = await startLocalLoop({
  port: listenPort,
  sqsPort: port(values["sqs-port"], 0, "--sqs-port"),
  json: values.json,
  keep: values.keep,
  verbose: values.verbose,
  write: (line) => console.log(line),
  warn: (line) => console.error(line),
}).catch((error: unknown) => {
  console.error(`npm start failed: ${(error as Error).message}`);
  process.exit(1);
});

let stopping = false;
async function shutdown(code: number, why: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.error(`stopping (${why}) ...`);
  await loop.stop();
  console.error("stopped: serverless-offline, the SQS server and the tail");
  process.exit(code);
}
stopNow = (why) => void shutdown(0, why);
if (stopRequested !== undefined) stopNow(stopRequested);
loop.failed.catch((error: unknown) => {
  console.error(`npm start: ${(error as Error).message}`);
  void shutdown(1, "serverless-offline failed");
});

if (!stopping) {
  console.error(`
twilio-status-relay is running locally (ready in ${((performance.now() - started) / 1000).toFixed(1)} s)

  StatusCallback URL  ${loop.callbackUrl}
  Auth token          ${loop.token}
  Queue               ${loop.queueUrl}
  Dead-letter queue   ${loop.deadLetterQueueUrl}
  SQS endpoint        ${loop.sqsEndpoint}   (AWS_ENDPOINT_URL_SQS, region us-east-1, any credentials)

Send a signed callback for each event:  npm run trigger -- all${portFlag}
Events ${values.keep ? "stay on the queue (this tail only watches)" : "are consumed by this tail"} and print below. Ctrl-C stops everything.
`);
}
