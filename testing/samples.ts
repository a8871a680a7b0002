/**
 * Realistic status callback parameters, as Twilio sends them, for every event of every resource in
 * the registry: each resource definition carries its sample (`sample`, and each event's `sample`),
 * so a resource added to the registry is sampled here, triggered by `npm run trigger` and covered
 * by the property tests without another edit. One source for the tests and for `npm run trigger`.
 *
 * Sample events are named `<resource>.<status>` (`message.delivered`, `call.busy`,
 * `player-streamer.stream-ended`); a status that only one resource has may be named alone
 * (`delivered`, `participant-join`, `stream-ended`).
 */
import { resources } from "../lib/events/registry.ts";
import type { ResourceDefinition, SampleOverrides } from "../lib/events/resources/define.ts";
import { computeTwilioSignature } from "../lib/ingest/signature.ts";

export const ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
export const MEDIA_PROCESSOR_SID = "ZX0123456789abcdef0123456789abcdef";
export const PLAYER_STREAMER_SID = "VJ0123456789abcdef0123456789abcdef";
export const ROOM_SID = "RM0123456789abcdef0123456789abcdef";
export const MESSAGE_SID = "SM0123456789abcdef0123456789abcdef";
/** The local loop's auth token (`npm start`): the primary test token. */
export { PRIMARY_AUTH_TOKEN as LOCAL_AUTH_TOKEN } from "./tokens.ts";

import { PRIMARY_AUTH_TOKEN } from "./tokens.ts";

export const MEDIA_PROCESSOR_EVENTS = [
  "media-processor-started",
  "media-processor-ended",
  "media-processor-failed",
] as const;
export const PLAYER_STREAMER_EVENTS = ["stream-started", "stream-ended", "stream-failed"] as const;
/** The other spelling of the PlayerStreamer events in Twilio's reference. */
export const PLAYER_STREAMER_ALIASES = [
  "player-streamer-started",
  "player-streamer-ended",
  "player-streamer-failed",
] as const;
/** The six Twilio Live events (MediaProcessor and PlayerStreamer), by their bare names. */
export const ALL_EVENTS = [...MEDIA_PROCESSOR_EVENTS, ...PLAYER_STREAMER_EVENTS] as const;

/** A sample event's full name: `<resource>.<status>`. */
export type SampleEventName = `${string}.${string}`;
export type CallbackEventName =
  | (typeof ALL_EVENTS)[number]
  | (typeof PLAYER_STREAMER_ALIASES)[number]
  | SampleEventName
  // Any other status only one resource has, named alone (`delivered`).
  | (string & {});

/** `MediaProcessor` -> `media-processor`: a resource's name in sample event names. */
export function resourceKey(resourceType: string): string {
  return resourceType.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}

/** One event of one resource, as the samples know it. */
export interface SampleEvent {
  /** `<resource>.<status>`. */
  readonly name: SampleEventName;
  readonly resource: ResourceDefinition;
  /** The status value Twilio sends. */
  readonly status: string;
}

/**
 * Every known event of every resource in `list`, in registry order. With `spellings: false`, a
 * second spelling of an event (PlayerStreamer's `player-streamer-*`, the same type and status as
 * `stream-*`) is left out.
 */
export function sampleEventsOf(
  list: readonly ResourceDefinition[],
  { spellings = false }: { spellings?: boolean } = {},
): SampleEvent[] {
  return list.flatMap((resource) => {
    const seen = new Set<string>();
    return Object.entries(resource.events).flatMap(([status, event]) => {
      const key = `${event.type} ${event.status ?? status}`;
      if (seen.has(key) && !spellings) return [];
      seen.add(key);
      const name = `${resourceKey(resource.resourceType)}.${status}` as SampleEventName;
      return [{ name, resource, status }];
    });
  });
}

const REGISTRY = resources as unknown as readonly ResourceDefinition[];
/** Every known event of every registered resource. */
export const SAMPLE_EVENTS: readonly SampleEvent[] = sampleEventsOf(REGISTRY);
// Every spelling, for looking a name up.
const EVERY_SPELLING: readonly SampleEvent[] = sampleEventsOf(REGISTRY, { spellings: true });

/**
 * The sample event a name means in `list`: `<resource>.<status>`, or a status only one resource
 * has; undefined for any other name.
 */
export function findSampleEvent(
  name: string,
  list: readonly SampleEvent[] = EVERY_SPELLING,
): SampleEvent | undefined {
  const full = list.find((event) => event.name === name);
  if (full) return full;
  const bare = list.filter((event) => event.status === name);
  return bare.length === 1 ? bare[0] : undefined;
}

export interface CallbackOverrides {
  /** The event time (ISO 8601), written in the resource's own format where its callback has one. */
  readonly timestamp?: string;
  /** The resource SID (the subject). */
  readonly sid?: string;
  readonly mediaProcessorSid?: string;
  readonly playerStreamerSid?: string;
}

/** The parameters Twilio sends for `status` of `resource`: its sample, then the event's own. */
export function sampleParams(
  resource: ResourceDefinition,
  status: string,
  overrides: SampleOverrides = {},
): Record<string, string> {
  return {
    ...resource.sample(overrides, status),
    [resource.statusParameter]: status,
    ...(resource.events[status]?.sample ?? {}),
  };
}

/**
 * The parameters Twilio sends for `event` (any sample event name; see {@link findSampleEvent}).
 * @throws Error for a name no sample event has
 */
export function callbackParams(
  event: CallbackEventName,
  overrides: CallbackOverrides = {},
): Record<string, string> {
  const sample = findSampleEvent(event);
  if (sample === undefined) throw new Error(`no sample event is named ${event}`);
  const sid =
    overrides.sid ??
    (sample.resource.resourceType === "MediaProcessor" ? overrides.mediaProcessorSid : undefined) ??
    (sample.resource.resourceType === "PlayerStreamer" ? overrides.playerStreamerSid : undefined);
  return sampleParams(sample.resource, sample.status, { sid, timestamp: overrides.timestamp });
}

/** A SID of `prefix` (two letters) whose last digits are `n`: distinct resources for tests. */
export function sampleSid(prefix: string, n: number): string {
  return `${prefix}${n.toString(16).padStart(32, "0")}`;
}

/**
 * A realistic Message status callback (`delivered` by default) signed as Twilio signs it: the
 * parameters, the URL, and the `X-Twilio-Signature` for `token` (for a benchmark or a test of the
 * Message hot path).
 */
export function signedMessageCallback(
  options: {
    readonly status?: string;
    readonly url?: string;
    readonly token?: string;
    readonly sid?: string;
  } = {},
): { params: Record<string, string>; url: string; signature: string; body: string } {
  const url = options.url ?? "https://abc123.execute-api.us-east-1.amazonaws.com/status-callbacks";
  const params = callbackParams(`message.${options.status ?? "delivered"}`, {
    sid: options.sid ?? MESSAGE_SID,
  });
  const signature = computeTwilioSignature(
    options.token ?? PRIMARY_AUTH_TOKEN,
    url,
    new Map(Object.entries(params).map(([name, value]) => [name, [value]])),
  );
  return { params, url, signature, body: new URLSearchParams(params).toString() };
}
