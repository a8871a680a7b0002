/**
 * `npm run trigger -- <event|all> [--method GET|POST] [--port N | --url URL] [--token TOKEN]`: sends a
 * signed, realistic Twilio status callback to the local loop (default) or to a deployed stack,
 * and prints each status code and response. Exits 1 if any answer is not 2xx.
 * `npm run trigger -- event-streams` sends an Event Streams sink delivery instead: several
 * events, the sink test event among them, signed as Twilio signs them (`bodySHA256`).
 */
import { sampleSinkEvents, sinkDeliveryRequest } from "../testing/event-streams.ts";

import {
  DEFAULT_LOCAL_PORT,
  eventsNamed,
  LOCAL_AUTH_TOKEN,
  localCallbackUrl,
  sendTrigger,
  splitFragment,
  TRIGGER_EVENTS,
  triggerRequest,
} from "../testing/local/trigger-request.ts";
import { commandLine } from "./local/cli.ts";

const USAGE = `usage: npm run trigger -- <event|all> [--method GET|POST] [--port N | --url URL] [--token TOKEN]

events: ${TRIGGER_EVENTS.join(", ")}, or all;
        or event-streams (a signed Event Streams sink delivery, POST only)
--port    the port npm start serves on (default ${DEFAULT_LOCAL_PORT}; npm start -- --port N prints it)
--url     the StatusCallback URL, #connection overrides included (default ${localCallbackUrl()},
          served by npm start); signed with them, as Twilio may sign it
--token   the auth token to sign with (default the local token npm start uses)
--method  POST (default) or GET`;

const EVENT_STREAMS = "event-streams";

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
const eventStreams = positionals[0] === EVENT_STREAMS;
if (eventStreams && method !== "POST") usage("event-streams deliveries are POSTs");
const events = eventStreams ? [] : eventsNamed(positionals[0] ?? "");
if (!events) usage(`unknown event ${positionals[0]}`);
if (values.port !== undefined && values.url !== undefined) usage("give --port or --url, not both");
const port = values.port === undefined ? DEFAULT_LOCAL_PORT : Number(values.port);
if (!Number.isInteger(port) || port < 1 || port > 65_535)
  usage(`--port must be a port number, not ${values.port}`);
const url = values.url ?? localCallbackUrl(port);
if (!URL.canParse(url)) usage(`--url must be an absolute URL, not ${url}`);
const local = values.url === undefined;

let failures = 0;
const requests = eventStreams
  ? [
      {
        label: `POST ${EVENT_STREAMS} (5 events)`,
        request: sinkDeliveryRequest({
          // A sink has its own retries: its destination carries no connection overrides.
          url: splitFragment(url).url,
          token: values.token,
          events: sampleSinkEvents({ count: 5 }),
        }),
      },
    ]
  : events.map((event) => ({
      label: `${method} ${event}`,
      request: triggerRequest({
        event,
        method,
        url,
        token: values.token,
        timestamp: new Date().toISOString(),
      }),
    }));
for (const { label, request } of requests) {
  try {
    const result = await sendTrigger(request);
    if (result.status < 200 || result.status > 299) failures += 1;
    console.log(`${label} -> ${result.status} ${result.body}`);
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
      `${label} -> no answer from ${url}: ${(cause as Error).message ?? cause}` +
        (local ? " (is npm start running?)" : ""),
    );
  }
}
process.exitCode = failures === 0 ? 0 : 1;
