/**
 * `npm run connect`: point Twilio at the relay. Reads what is set now, prints the plan (each
 * resource, its current value, the value it would set), changes only what differs, records what
 * it replaced (for `--undo`), and proves the connection with the sink test event.
 */
import { formatTwilioCloudEvent } from "../events/cloud-event.ts";
import { type Clock, systemClock } from "../ingest/clock.ts";
import { ConnectError, ProofError, UnknownResourceError } from "./errors.ts";
import type {
  AccountView,
  MessagingServiceView,
  PhoneNumberView,
  SinkView,
  SubscriptionView,
  TwilioPort,
} from "./port.ts";
import { probeRelay, withoutFragment } from "./probe.ts";
import type { QueueWatcher } from "./queue.ts";
import type { ConnectRecord, RecordedChange, RecordStore } from "./record.ts";

/** Named sets of Event Streams types: every available type under the prefix (`GET /v1/Types`). */
export const PRESETS = {
  messaging: "com.twilio.messaging.",
  voice: "com.twilio.voice.",
} as const;
export type Preset = keyof typeof PRESETS;

/** The description connect gives the sink and the subscription it creates. */
export const CONNECT_DESCRIPTION = "twilio-status-relay";
/** The method connect sets for a phone number's status callback. */
export const PHONE_NUMBER_CALLBACK_METHOD = "POST";
/** How long the proof waits for the test event on the queue by default. */
export const DEFAULT_WAIT_MS = 60_000;

/** What to connect; each list may be `"all"`. */
export interface ConnectTargets {
  /** `MG...` SIDs, or all of the account's Messaging Services. */
  readonly messagingServices: readonly string[] | "all";
  /** `PN...` SIDs or E.164 numbers, or all incoming phone numbers. */
  readonly phoneNumbers: readonly string[] | "all";
  /** A webhook sink whose destination is the relay (implied by `types` and `presets`). */
  readonly sink: boolean;
  /** Event types to subscribe the sink to. */
  readonly types: readonly string[];
  readonly presets: readonly Preset[];
}

export interface ConnectOptions {
  /** The relay's StatusCallback URL, connection overrides (`#...`) included if wanted. */
  readonly url: string;
  readonly targets: ConnectTargets;
  readonly dryRun?: boolean;
  readonly twilio: TwilioPort;
  readonly records: RecordStore;
  /** Checks the URL answers as the relay does; default {@link probeRelay}. */
  readonly probe?: (url: string) => Promise<void>;
  /** Where to wait for the sink test event; without it, connect says what to run instead. */
  readonly queue?: QueueWatcher;
  readonly waitMs?: number;
  readonly clock?: Clock;
  /** One line at a time, no newline. */
  readonly write: (line: string) => void;
}

/** One line of the plan. */
export interface PlanItem {
  /** `Messaging Service MG... "Name"`, `phone number PN... +1...`, `Event Streams sink`, ... */
  readonly resource: string;
  readonly current: string;
  readonly next: string;
  readonly change: boolean;
}

export interface ConnectResult {
  readonly accountSid: string;
  readonly plan: readonly PlanItem[];
  /** Changes made (0 on a dry run or when everything was set already). */
  readonly changed: number;
  /** The sink used (created or reused), if any. */
  readonly sinkSid?: string;
  /** `seen`: the test event arrived on the queue; `requested`: asked for, not watched; `none`: no sink. */
  readonly proof: "seen" | "requested" | "none" | "skipped";
}

const NONE = "(none)";

/** The destination a sink for `url` gets: no fragment, and `AccountSid=` for a subaccount. */
export function sinkDestination(url: string, account: AccountView): string {
  const bare = withoutFragment(url);
  if (account.ownerAccountSid === account.sid || account.ownerAccountSid === "") return bare;
  const parsed = new URL(bare);
  if (parsed.searchParams.get("AccountSid") === account.sid) return bare;
  return `${bare}${parsed.search === "" ? "?" : "&"}AccountSid=${account.sid}`;
}

interface Gathered {
  readonly services: readonly MessagingServiceView[];
  readonly numbers: readonly PhoneNumberView[];
  readonly sink?: {
    readonly destination: string;
    readonly existing?: SinkView;
    readonly subscriptions: readonly SubscriptionView[];
    readonly types: readonly string[];
  };
}

/** Connects what `targets` names to the relay at `url`; see the module comment. */
export async function connect(options: ConnectOptions): Promise<ConnectResult> {
  const { url, targets, twilio, write } = options;
  const clock = options.clock ?? systemClock;
  const started = clock();
  await (options.probe ?? probeRelay)(url);
  write(`${withoutFragment(url)} answers as the relay does`);
  if (LOOPBACK.test(new URL(url).hostname)) {
    write(
      "note: Twilio's servers cannot reach this machine's loopback address; expose the port " +
        "(a tunnel) and give that URL for real callbacks",
    );
  }
  const account = await twilio.account();
  const subaccount = account.ownerAccountSid !== "" && account.ownerAccountSid !== account.sid;
  write(
    `account ${account.sid}${subaccount ? ` (a subaccount of ${account.ownerAccountSid})` : ""}`,
  );

  const gathered = await gather(twilio, account, url, targets);
  const plan = planOf(gathered, url);
  write("");
  write(options.dryRun ? "plan (dry run: nothing is changed)" : "plan");
  for (const line of planLines(plan)) write(line);
  const changes = plan.filter((item) => item.change).length;
  write("");
  if (options.dryRun) {
    write(
      changes === 0
        ? "dry run: nothing would change; everything named already points at the relay"
        : `dry run: ${changes} change${changes === 1 ? "" : "s"} would be made; nothing changed`,
    );
    return { accountSid: account.sid, plan, changed: 0, proof: "skipped" };
  }

  let sinkSid = gathered.sink?.existing?.sid;
  if (changes === 0) {
    write("nothing to change: everything named already points at the relay");
  } else {
    sinkSid = await apply(gathered, url, account, options, started);
    write(
      `${changes === 1 ? "1 change" : `${changes} changes`} made; npm run connect -- --undo ` +
        `puts ${changes === 1 ? "it" : "them"} back`,
    );
  }
  const proof = await prove(account, sinkSid, options);
  return {
    accountSid: account.sid,
    plan,
    changed: changes,
    ...(sinkSid === undefined ? {} : { sinkSid }),
    proof,
  };
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;
const SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;
const NUMBER_SID = /^PN[0-9a-fA-F]{32}$/;
const E164 = /^\+[1-9]\d{1,14}$/;

async function gather(
  twilio: TwilioPort,
  account: AccountView,
  url: string,
  targets: ConnectTargets,
): Promise<Gathered> {
  const services: MessagingServiceView[] = [];
  if (targets.messagingServices === "all") {
    services.push(...(await twilio.messagingServices()));
  } else {
    for (const sid of new Set(targets.messagingServices)) {
      if (!SERVICE_SID.test(sid)) {
        throw new UnknownResourceError(
          `--messaging-service ${JSON.stringify(sid)} is not a Messaging Service SID (MG followed ` +
            "by 32 hex digits; Console, Messaging > Services), nor all",
        );
      }
      services.push(await twilio.messagingService(sid));
    }
  }

  const numbers: PhoneNumberView[] = [];
  if (targets.phoneNumbers === "all") {
    numbers.push(...(await twilio.phoneNumbers()));
  } else {
    for (const given of new Set(targets.phoneNumbers)) {
      if (NUMBER_SID.test(given)) {
        numbers.push(await twilio.phoneNumber(given));
      } else if (E164.test(given)) {
        const found = await twilio.phoneNumbers(given);
        const first = found[0];
        if (first === undefined) {
          throw new UnknownResourceError(
            `account ${account.sid} has no incoming phone number ${given}: check the number ` +
              "(E.164, as +15017122661) or give its SID (PN...)",
          );
        }
        numbers.push(first);
      } else {
        throw new UnknownResourceError(
          `--phone-number ${JSON.stringify(given)} is neither a phone number SID (PN...) nor an ` +
            "E.164 number (+15017122661), nor all",
        );
      }
    }
  }
  const uniqueNumbers = [...new Map(numbers.map((n) => [n.sid, n])).values()];

  const wantsSink = targets.sink || targets.types.length > 0 || targets.presets.length > 0;
  if (!wantsSink) return { services, numbers: uniqueNumbers };
  const types = await eventTypesFor(twilio, targets);
  const destination = sinkDestination(url, account);
  const candidates = (await twilio.sinks()).filter(
    (sink) => sink.sinkType === "webhook" && sink.destination === destination,
  );
  // A sink cannot be reconfigured; one that would deliver single events or by GET is not the
  // relay's (the relay wants POSTed arrays) and is left alone.
  const existing = candidates.find(
    (sink) => sink.batchEvents !== false && (sink.method ?? "POST").toUpperCase() === "POST",
  );
  const subscriptions = existing ? await twilio.subscriptions(existing.sid) : [];
  return {
    services,
    numbers: uniqueNumbers,
    sink: { destination, ...(existing ? { existing } : {}), subscriptions, types },
  };
}

async function eventTypesFor(twilio: TwilioPort, targets: ConnectTargets): Promise<string[]> {
  if (targets.types.length === 0 && targets.presets.length === 0) return [];
  const offered = await twilio.eventTypes();
  const known = new Set(offered.map((t) => t.type));
  const wanted = new Set<string>();
  for (const preset of targets.presets) {
    const prefix = PRESETS[preset];
    for (const t of offered)
      if (t.type.startsWith(prefix) && t.status === "available") wanted.add(t.type);
  }
  for (const type of targets.types) {
    if (!known.has(type)) {
      throw new UnknownResourceError(
        `Event Streams has no event type ${JSON.stringify(type)}: pick from GET /v1/Types ` +
          "(https://www.twilio.com/docs/events/event-types), or use --preset messaging or voice",
      );
    }
    wanted.add(type);
  }
  return [...wanted].sort();
}

function shown(value: string | null | undefined): string {
  return value === null || value === undefined || value === "" ? NONE : value;
}

function planOf(gathered: Gathered, url: string): PlanItem[] {
  const plan: PlanItem[] = [];
  for (const service of gathered.services) {
    plan.push({
      resource: `Messaging Service ${service.sid} ${JSON.stringify(service.friendlyName)} StatusCallback`,
      current: shown(service.statusCallback),
      next: url,
      change: service.statusCallback !== url,
    });
  }
  for (const number of gathered.numbers) {
    const method = (number.statusCallbackMethod ?? "").toUpperCase();
    const current = `${shown(number.statusCallback)} (${method || NONE})`;
    plan.push({
      resource: `phone number ${number.sid} ${number.phoneNumber} StatusCallback (StatusCallbackMethod)`,
      current,
      next: `${url} (${PHONE_NUMBER_CALLBACK_METHOD})`,
      change: number.statusCallback !== url || method !== PHONE_NUMBER_CALLBACK_METHOD,
    });
  }
  const sink = gathered.sink;
  if (sink) {
    const wanted = `webhook sink, POST, batch_events on, to ${sink.destination}`;
    plan.push({
      resource: "Event Streams sink",
      current: sink.existing ? `${sink.existing.sid}: ${wanted}` : NONE,
      next: sink.existing ? `${sink.existing.sid} (reused)` : `new ${wanted}`,
      change: sink.existing === undefined,
    });
    if (sink.types.length > 0) {
      const have = new Set(sink.subscriptions.flatMap((s) => s.types));
      const missing = sink.types.filter((type) => !have.has(type));
      const first = sink.subscriptions[0];
      plan.push({
        resource: `Event Streams subscription${first ? ` ${first.sid}` : ""} of the sink`,
        current:
          have.size === 0
            ? NONE
            : `${sink.types.length - missing.length} of the ${sink.types.length} types named`,
        next:
          missing.length === 0 ? `all ${sink.types.length} types named` : `+ ${missing.join(", ")}`,
        change: missing.length > 0,
      });
    }
  }
  return plan;
}

/** The plan as printed: each resource, its current value and what it would be set to. */
export function planLines(plan: readonly PlanItem[]): string[] {
  if (plan.length === 0) return ["  (nothing named)"];
  return plan.flatMap((item) => [
    `  ${item.change ? "change" : "keep  "}  ${item.resource}`,
    `            current: ${item.current}`,
    item.change ? `            new:     ${item.next}` : "            (already set: unchanged)",
  ]);
}

/** Makes the changes, recording each as soon as it is made; resolves with the sink's SID. */
async function apply(
  gathered: Gathered,
  url: string,
  account: AccountView,
  options: ConnectOptions,
  started: Date,
): Promise<string | undefined> {
  const { twilio, records, write } = options;
  const before: ConnectRecord = (await records.read(account.sid)) ?? {
    version: 1,
    accountSid: account.sid,
    runs: [],
  };
  const made: RecordedChange[] = [];
  const record = async (change: RecordedChange) => {
    made.push(change);
    await records.write({
      ...before,
      runs: [...before.runs, { at: started.toISOString(), url, changes: made }],
    });
  };

  for (const service of gathered.services) {
    if (service.statusCallback === url) continue;
    await twilio.setMessagingServiceCallback(service.sid, url);
    await record({
      kind: "messaging-service-callback",
      sid: service.sid,
      previous: service.statusCallback,
      set: url,
    });
    write(`set the StatusCallback of Messaging Service ${service.sid}`);
  }
  for (const number of gathered.numbers) {
    const method = (number.statusCallbackMethod ?? "").toUpperCase();
    if (number.statusCallback === url && method === PHONE_NUMBER_CALLBACK_METHOD) continue;
    await twilio.setPhoneNumberCallback(number.sid, url, PHONE_NUMBER_CALLBACK_METHOD);
    await record({
      kind: "phone-number-callback",
      sid: number.sid,
      previous: { url: number.statusCallback, method: number.statusCallbackMethod },
      set: { url, method: PHONE_NUMBER_CALLBACK_METHOD },
    });
    write(`set the status callback of phone number ${number.sid} ${number.phoneNumber}`);
  }
  const sink = gathered.sink;
  if (!sink) return undefined;
  let sinkSid = sink.existing?.sid;
  if (sinkSid === undefined) {
    const created = await twilio.createSink({
      description: CONNECT_DESCRIPTION,
      destination: sink.destination,
    });
    sinkSid = created.sid;
    await record({ kind: "sink-created", sid: sinkSid, destination: sink.destination });
    write(`created Event Streams sink ${sinkSid}`);
  }
  const have = new Set(sink.subscriptions.flatMap((s) => s.types));
  const missing = sink.types.filter((type) => !have.has(type));
  if (missing.length === 0) return sinkSid;
  const first = sink.subscriptions[0];
  if (first === undefined) {
    const created = await twilio.createSubscription({
      sinkSid,
      description: CONNECT_DESCRIPTION,
      types: missing,
    });
    await record({ kind: "subscription-created", sid: created.sid, sinkSid, types: missing });
    write(
      `created subscription ${created.sid} of sink ${sinkSid} to ${missing.length} event types`,
    );
  } else {
    const added: string[] = [];
    for (const type of missing) {
      await twilio.addSubscribedEvent(first.sid, type);
      added.push(type);
      // Recorded type by type: an interrupted run can still be undone exactly.
      if (added.length > 1) made.pop();
      await record({
        kind: "subscribed-events-added",
        subscriptionSid: first.sid,
        types: [...added],
      });
    }
    write(`added ${added.length} event types to subscription ${first.sid}`);
  }
  return sinkSid;
}

async function prove(
  account: AccountView,
  sinkSid: string | undefined,
  options: ConnectOptions,
): Promise<ConnectResult["proof"]> {
  const { write, twilio, queue } = options;
  const clock = options.clock ?? systemClock;
  const tail = `npm run tail -- --queue-url ${queue?.queueUrl ?? "<the stack's QueueUrl output>"}`;
  write("");
  if (sinkSid === undefined) {
    write(
      "no sink connected, so no test event to ask for: status callbacks arrive with the next " +
        `message or call; watch them with ${tail}`,
    );
    return "none";
  }
  const since = clock();
  const result = await twilio.testSink(sinkSid);
  write(`asked Event Streams for sink ${sinkSid}'s test event (Twilio: ${result})`);
  if (queue === undefined) {
    write(`to see it arrive: ${tail} (or give npm run connect --queue-url and AWS credentials)`);
    return "requested";
  }
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  write(`waiting up to ${Math.round(waitMs / 1_000)} s for it on ${queue.queueUrl} ...`);
  const seen = await queue
    .waitForTestEvent({ accountSid: account.sid, since, timeoutMs: waitMs })
    .catch((error: unknown) => {
      throw new ProofError(
        `Twilio is connected, but ${queue.queueUrl} cannot be read ` +
          `(${(error as Error).name}: ${(error as Error).message}): give AWS credentials that may ` +
          `receive from it (AWS_PROFILE, AWS_REGION, ...), or leave out --queue-url and run ${tail}`,
        { cause: error },
      );
    });
  const { event, earlier } = seen;
  if (event === undefined && earlier !== undefined) {
    throw new ProofError(
      `Twilio is connected, but the sink test event did not reach ${queue.queueUrl} within ` +
        `${Math.round(waitMs / 1_000)} s, and an earlier one (${earlier.time ?? "no time"}) is still there, unconsumed: on a FIFO ` +
        "queue the new one waits behind it (same message group). Consume the queue (your " +
        `consumer, or npm run tail -- --queue-url ${queue.queueUrl} --delete) and run again`,
    );
  }
  if (event === undefined) {
    throw new ProofError(
      `Twilio is connected, but the sink test event did not reach ${queue.queueUrl} within ` +
        `${Math.round(waitMs / 1_000)} s. ` +
        "The relay's logs say why it refused a delivery (a 403 is a token it does not hold: " +
        "TWILIO_AUTH_TOKEN, or TWILIO_ACCOUNT_AUTH_TOKENS for a subaccount). On a FIFO queue a " +
        "second test event within five minutes is dropped as a duplicate (its id is the account " +
        `SID): look with ${tail}`,
    );
  }
  write(`arrived: ${formatTwilioCloudEvent(event)}`);
  write(JSON.stringify(event));
  return "seen";
}

export interface UndoOptions {
  readonly twilio: TwilioPort;
  readonly records: RecordStore;
  readonly dryRun?: boolean;
  readonly write: (line: string) => void;
}

/**
 * Puts back what the last run that changed something changed, from its record, last change
 * first. A value changed since by someone else is left alone and said so.
 */
export async function undo(options: UndoOptions): Promise<{ readonly reverted: number }> {
  const { twilio, records, write } = options;
  const account = await twilio.account();
  const record = await records.read(account.sid);
  const run = record?.runs.at(-1);
  if (record === undefined || run === undefined) {
    throw new ConnectError(
      `nothing to undo for account ${account.sid}: no record at ${records.where(account.sid)} ` +
        "(npm run connect writes it in the folder it runs in, when it changes something)",
    );
  }
  write(`undoing the run of ${run.at} (${run.changes.length} changes, to ${run.url})`);
  const left = [...run.changes];
  let reverted = 0;
  const save = () =>
    records.write({
      ...record,
      runs:
        left.length === 0
          ? record.runs.slice(0, -1)
          : [...record.runs.slice(0, -1), { ...run, changes: left }],
    });
  while (left.length > 0) {
    const change = left[left.length - 1] as RecordedChange;
    const line = await revert(twilio, change, options.dryRun ?? false);
    write(`  ${options.dryRun ? "would " : ""}${line}`);
    left.pop();
    if (options.dryRun) continue;
    reverted += 1;
    await save();
  }
  if (options.dryRun) write("dry run: nothing changed");
  else write(`undone: ${reverted} change${reverted === 1 ? "" : "s"}`);
  return { reverted };
}

async function revert(
  twilio: TwilioPort,
  change: RecordedChange,
  dryRun: boolean,
): Promise<string> {
  switch (change.kind) {
    case "messaging-service-callback": {
      const now = await twilio.messagingService(change.sid);
      if (now.statusCallback !== change.set) {
        return `leave Messaging Service ${change.sid} alone: its StatusCallback was changed since (${shown(now.statusCallback)})`;
      }
      if (!dryRun) await twilio.setMessagingServiceCallback(change.sid, change.previous);
      return `put back the StatusCallback of Messaging Service ${change.sid}: ${shown(change.previous)}`;
    }
    case "phone-number-callback": {
      const now = await twilio.phoneNumber(change.sid);
      if (now.statusCallback !== change.set.url) {
        return `leave phone number ${change.sid} alone: its StatusCallback was changed since (${shown(now.statusCallback)})`;
      }
      if (!dryRun)
        await twilio.setPhoneNumberCallback(
          change.sid,
          change.previous.url,
          change.previous.method,
        );
      return `put back the status callback of phone number ${change.sid}: ${shown(change.previous.url)} (${shown(change.previous.method)})`;
    }
    case "subscribed-events-added":
      if (!dryRun) {
        for (const type of change.types)
          await twilio.removeSubscribedEvent(change.subscriptionSid, type);
      }
      return `remove ${change.types.length} event types from subscription ${change.subscriptionSid}`;
    case "subscription-created":
      if (!dryRun) await twilio.deleteSubscription(change.sid);
      return `delete subscription ${change.sid}`;
    case "sink-created":
      if (!dryRun) await twilio.deleteSink(change.sid);
      return `delete sink ${change.sid}`;
  }
}
