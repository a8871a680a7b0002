/**
 * `npm run connect -- --url <StatusCallbackUrl> [what to connect] [--dry-run] [--queue-url URL]`
 * and `npm run connect -- --undo`: points Twilio at the relay (docs/connecting-twilio.md).
 * Credentials from TWILIO_ACCOUNT_SID with TWILIO_API_KEY/TWILIO_API_SECRET or
 * TWILIO_AUTH_TOKEN; AWS ones (for --queue-url) the SDK's usual way. Exits 0 when connected
 * (and, with --queue-url, the test event seen), 1 on a failure, 2 on a bad argument.
 */
import { SQSClient } from "@aws-sdk/client-sqs";
import {
  ConnectError,
  type ConnectTargets,
  connect,
  createTwilioPort,
  credentialsFrom,
  DEFAULT_WAIT_MS,
  fileRecordStore,
  PRESETS,
  type Preset,
  sqsQueueWatcher,
  undo,
} from "../lib/connect/index.ts";
import { commandLine } from "./local/cli.ts";

const USAGE = `usage: npm run connect -- --url <StatusCallbackUrl> [what to connect] [--dry-run] [--queue-url URL]
       npm run connect -- --undo [--dry-run]

what to connect (each flag may be repeated; at least one):
--messaging-service MG...|all   the StatusCallback of a Messaging Service, or of all of them
--phone-number PN...|+E164|all  the call StatusCallback (method POST) of an incoming number, or all
--sink                          an Event Streams webhook sink to the relay (POST, batch_events on);
                                one with the same destination is reused
--subscribe TYPE[,TYPE...]      subscribe the sink to these event types (implies --sink)
--preset messaging|voice        subscribe the sink to every available type of the preset (implies --sink)

--url        the relay's StatusCallbackUrl (sls info prints it), #connection overrides included
--dry-run    print the plan (each resource, current value, new value) and change nothing
--undo       put back what the last run changed (from .twilio-status-relay/connect-<AccountSid>.json)
--queue-url  the relay's queue: wait there for the sink test event and print it (AWS credentials)
--wait N     seconds to wait for it (default ${DEFAULT_WAIT_MS / 1_000})

credentials: TWILIO_ACCOUNT_SID, and TWILIO_API_KEY + TWILIO_API_SECRET or TWILIO_AUTH_TOKEN`;

const cli = commandLine(USAGE, {
  url: { type: "string" },
  "messaging-service": { type: "string", multiple: true, default: [] },
  "phone-number": { type: "string", multiple: true, default: [] },
  sink: { type: "boolean", default: false },
  subscribe: { type: "string", multiple: true, default: [] },
  preset: { type: "string", multiple: true, default: [] },
  "dry-run": { type: "boolean", default: false },
  undo: { type: "boolean", default: false },
  "queue-url": { type: "string" },
  wait: { type: "string" },
});
// Annotated so that TypeScript narrows after a call that never returns.
const usage: (problem: string) => never = cli.fail;
const { values } = cli.parsed;

function allOr(list: string[], flag: string): string[] | "all" {
  const items = list
    .flatMap((item) => item.split(","))
    .map((item) => item.trim())
    .filter(Boolean);
  if (!items.includes("all")) return items;
  if (items.length > 1) usage(`--${flag} all connects every one: give it alone`);
  return "all";
}

const presets = values.preset.map((name) => {
  if (!Object.hasOwn(PRESETS, name)) usage(`--preset must be messaging or voice, not ${name}`);
  return name as Preset;
});
const targets: ConnectTargets = {
  messagingServices: allOr(values["messaging-service"], "messaging-service"),
  phoneNumbers: allOr(values["phone-number"], "phone-number"),
  sink: values.sink,
  types: values.subscribe
    .flatMap((item) => item.split(","))
    .map((t) => t.trim())
    .filter(Boolean),
  presets,
};
const waitSeconds = values.wait === undefined ? DEFAULT_WAIT_MS / 1_000 : Number(values.wait);
if (!Number.isFinite(waitSeconds) || waitSeconds < 1) usage("--wait must be a number of seconds");
const nothingNamed =
  targets.messagingServices.length === 0 &&
  targets.phoneNumbers.length === 0 &&
  !targets.sink &&
  targets.types.length === 0 &&
  targets.presets.length === 0;
if (values.undo) {
  if (values.url !== undefined || !nothingNamed) usage("--undo takes no --url nor what to connect");
} else {
  if (values.url === undefined)
    usage("give --url: the relay's StatusCallbackUrl (sls info prints it)");
  if (nothingNamed)
    usage(
      "say what to connect: --messaging-service, --phone-number, --sink, --subscribe or --preset",
    );
  if (values["queue-url"] !== undefined && !URL.canParse(values["queue-url"]))
    usage(`--queue-url must be a URL, not ${values["queue-url"]}`);
}

const write = (line: string) => console.log(line);
let sqs: SQSClient | undefined;
try {
  const twilio = createTwilioPort({
    credentials: credentialsFrom(process.env),
    backoff: {
      onWait: ({ ms, retry }) =>
        console.error(
          `Twilio's rate limit (429): waiting ${(ms / 1_000).toFixed(1)} s, retry ${retry}`,
        ),
    },
  });
  const records = fileRecordStore(process.cwd());
  if (values.undo) {
    await undo({ twilio, records, dryRun: values["dry-run"], write });
  } else {
    const queueUrl = values["queue-url"];
    if (queueUrl !== undefined) {
      // Without a configured region, take it from an AWS queue URL (https://sqs.<region>.amazonaws.com/...).
      const region = /^sqs\.([a-z0-9-]+)\.amazonaws\.com/.exec(new URL(queueUrl).hostname)?.[1];
      sqs = new SQSClient(
        !process.env.AWS_REGION && !process.env.AWS_DEFAULT_REGION && region ? { region } : {},
      );
    }
    await connect({
      url: values.url ?? "",
      targets,
      dryRun: values["dry-run"],
      twilio,
      records,
      ...(sqs && queueUrl ? { queue: sqsQueueWatcher(sqs, queueUrl) } : {}),
      waitMs: waitSeconds * 1_000,
      write,
    });
  }
} catch (error) {
  if (error instanceof ConnectError) console.error(`npm run connect: ${error.message}`);
  else console.error(`npm run connect failed: ${(error as Error).message ?? error}`);
  process.exitCode = 1;
} finally {
  sqs?.destroy();
}
