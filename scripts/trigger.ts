/**
 * `npm run trigger -- <event|all> [--method GET|POST] [--port N | --url URL] [--token TOKEN]`: sends a
 * signed, realistic Twilio status callback to the local loop (default) or to a deployed stack,
 * and prints each status code and response. Exits 1 if any answer is not 2xx.
 */

import {
  DEFAULT_LOCAL_PORT,
  eventsNamed,
  LOCAL_AUTH_TOKEN,
  localCallbackUrl,
  sendTrigger,
  TRIGGER_EVENTS,
  triggerRequest,
} from "../testing/local/trigger-request.ts";
import { commandLine } from "./local/cli.ts";

const USAGE = `usage: npm run trigger -- <event|all> [--method GET|POST] [--port N | --url URL] [--token TOKEN]

events: ${TRIGGER_EVENTS.join(", ")}, or all
--port    the port npm start serves on (default ${DEFAULT_LOCAL_PORT}; npm start -- --port N prints it)
--url     the StatusCallback URL (default ${localCallbackUrl()}, served by npm start)
--token   the auth token to sign with (default the local token npm start uses)
--method  POST (default) or GET`;

const cli = commandLine(
  USAGE,
  {
    port: { type: "string" },
    url: { type: "string" },
    token: { type: "string", default: LOCAL_AUTH_TOKEN },
    method: { type: "string", default: "POST" },
  },
  { positionals: true },
);
// Annotated so that TypeScript narrows after a call that never returns.
const usage: (problem: string) => never = cli.fail;
const { values, positionals } = cli.parsed;
const method = values.method.toUpperCase();
if (method !== "GET" && method !== "POST")
  usage(`--method must be GET or POST, not ${values.method}`);
if (positionals.length !== 1) usage("name one event, or all");
const events = eventsNamed(positionals[0] ?? "");
if (!events) usage(`unknown event ${positionals[0]}`);
if (values.port !== undefined && values.url !== undefined) usage("give --port or --url, not both");
const port = values.port === undefined ? DEFAULT_LOCAL_PORT : Number(values.port);
if (!Number.isInteger(port) || port < 1 || port > 65_535)
  usage(`--port must be a port number, not ${values.port}`);
const url = values.url ?? localCallbackUrl(port);
if (!URL.canParse(url)) usage(`--url must be an absolute URL, not ${url}`);
const local = values.url === undefined;

let failures = 0;
for (const event of events) {
  const request = triggerRequest({
    event,
    method,
    url,
    token: values.token,
    timestamp: new Date().toISOString(),
  });
  try {
    const result = await sendTrigger(request);
    if (result.status < 200 || result.status > 299) failures += 1;
    console.log(`${method} ${event} -> ${result.status} ${result.body}`);
  } catch (error) {
    failures += 1;
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    if ((cause as NodeJS.ErrnoException).code === "ECONNREFUSED") {
      // The same for every event that would follow: say it once, with the fix.
      console.log(
        local
          ? `nothing is listening on port ${port} (${(cause as Error).message}): start the relay ` +
              "with npm start, or pass the port it serves on with --port"
          : `nothing is listening at ${new URL(url).host} (${(cause as Error).message}): check --url`,
      );
      break;
    }
    console.log(
      `${method} ${event} -> no answer from ${url}: ${(cause as Error).message ?? cause}` +
        (local ? " (is npm start running?)" : ""),
    );
  }
}
process.exitCode = failures === 0 ? 0 : 1;
