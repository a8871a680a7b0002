/**
 * `npm run trigger -- <event|all> [--method GET|POST] [--url URL] [--token TOKEN]`: sends a
 * signed, realistic Twilio status callback to the local loop (default) or to a deployed stack,
 * and prints each status code and response. Exits 1 if any answer is not 2xx.
 * `npm run trigger -- event-streams` sends an Event Streams sink delivery instead: several
 * events, the sink test event among them, signed as Twilio signs them (`bodySHA256`).
 */
import { sampleSinkEvents, sinkDeliveryRequest } from "../testing/event-streams.ts";

import {
  eventsNamed,
  LOCAL_AUTH_TOKEN,
  localCallbackUrl,
  sendTrigger,
  TRIGGER_EVENTS,
  triggerRequest,
} from "../testing/local/trigger-request.ts";
import { commandLine } from "./local/cli.ts";

const USAGE = `usage: npm run trigger -- <event|all> [--method GET|POST] [--url URL] [--token TOKEN]

events: ${TRIGGER_EVENTS.join(", ")}, or all;
        or event-streams (a signed Event Streams sink delivery, POST only)
--url     the StatusCallback URL (default ${localCallbackUrl()}, served by npm start)
--token   the auth token to sign with (default the local token npm start uses)
--method  POST (default) or GET`;

const EVENT_STREAMS = "event-streams";

const cli = commandLine(
  USAGE,
  {
    url: { type: "string", default: localCallbackUrl() },
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
if (!URL.canParse(values.url)) usage(`--url must be an absolute URL, not ${values.url}`);

let failures = 0;
if (eventStreams) {
  const request = sinkDeliveryRequest({
    url: values.url,
    token: values.token,
    events: sampleSinkEvents({ count: 5 }),
  });
  await send(`POST ${EVENT_STREAMS} (5 events)`, () => sendTrigger(request));
}
for (const event of events) {
  const request = triggerRequest({
    event,
    method,
    url: values.url,
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
    console.log(
      `${method} ${event} -> no answer from ${values.url}: ${(cause as Error).message ?? cause}` +
        (values.url === localCallbackUrl() ? " (is npm start running?)" : ""),
    );
  }
}
process.exitCode = failures === 0 ? 0 : 1;

async function send(label: string, act: () => ReturnType<typeof sendTrigger>): Promise<void> {
  try {
    const result = await act();
    if (result.status < 200 || result.status > 299) failures += 1;
    console.log(`${label} -> ${result.status} ${result.body}`);
  } catch (error) {
    failures += 1;
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    console.log(
      `${label} -> no answer from ${values.url}: ${(cause as Error).message ?? cause}` +
        (values.url === localCallbackUrl() ? " (is npm start running?)" : ""),
    );
  }
}
