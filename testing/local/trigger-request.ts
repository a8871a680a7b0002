/**
 * The requests `npm run trigger` sends: a realistic status callback for one event of any resource
 * in the registry, signed as Twilio signs it (`X-Twilio-Signature` over the URL, plus the form
 * body of a POST).
 */
import { DEFAULT_CONNECTION_OVERRIDES } from "../../lib/ingest/config.ts";
import { computeTwilioSignature } from "../../lib/ingest/signature.ts";
import {
  type CallbackEventName,
  callbackParams,
  findSampleEvent,
  LOCAL_AUTH_TOKEN,
  resourceKey,
  SAMPLE_EVENTS,
  sampleSid,
} from "../samples.ts";

/** Port of the local endpoint `npm start` serves (and `--port` changes). */
export const DEFAULT_LOCAL_PORT = 3000;
/** The route the stack serves callbacks on. */
export const CALLBACK_PATH = "/status-callbacks";

/**
 * The StatusCallback URL of the local loop on `port`, with the connection overrides `npm start`
 * configures (the deployed default) as its fragment.
 */
export function localCallbackUrl(
  port: number = DEFAULT_LOCAL_PORT,
  connectionOverrides: string = DEFAULT_CONNECTION_OVERRIDES,
): string {
  const fragment = connectionOverrides ? `#${connectionOverrides}` : "";
  return `http://127.0.0.1:${port}${CALLBACK_PATH}${fragment}`;
}

/** `url` without its fragment, and the fragment (without `#`; undefined when none). */
export function splitFragment(url: string): { readonly url: string; readonly fragment?: string } {
  const at = url.indexOf("#");
  return at === -1 ? { url } : { url: url.slice(0, at), fragment: url.slice(at + 1) };
}

/** The events `trigger` knows: every event of every resource, as `<resource>.<status>`. */
export const TRIGGER_EVENTS: readonly CallbackEventName[] = SAMPLE_EVENTS.map(
  (event) => event.name,
);

/** The resources `trigger` knows, by the name that sends all their events (`message`, `call`...). */
export const TRIGGER_RESOURCES: readonly string[] = [
  ...new Set(SAMPLE_EVENTS.map((event) => resourceKey(event.resource.resourceType))),
];

export interface TriggerOptions {
  readonly event: CallbackEventName;
  readonly method: "GET" | "POST";
  /**
   * The StatusCallback URL, exactly as it would be configured in Twilio, connection overrides
   * (`#rc=...`) included: the request is signed over it, fragment and all, and sent without it.
   */
  readonly url: string;
  /** The auth token to sign with. */
  readonly token: string;
  /**
   * The callback's `Timestamp`; a fresh one makes a new event (not a deduplicated retry). A
   * resource whose callbacks carry no Timestamp (Message, Recording) gets a SID made from it instead.
   */
  readonly timestamp: string;
}

export interface TriggerRequest {
  readonly method: "GET" | "POST";
  /** The URL requested: the StatusCallback URL, plus the parameters of a GET. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The form body of a POST. */
  readonly body: string | undefined;
}

/**
 * Builds the signed request Twilio would send for `event`: a form POST, or a GET with the
 * parameters appended to the URL's query string (Twilio then signs the whole URL, no body).
 */
export function triggerRequest(options: TriggerOptions): TriggerRequest {
  const params = callbackParams(options.event, {
    timestamp: options.timestamp,
    sid: freshSid(options.event, options.timestamp),
  });
  const form = new URLSearchParams(params).toString();
  const headers = { "user-agent": "TwilioProxy/1.1 (npm run trigger)" };
  // No HTTP request carries a fragment: Twilio reads its connection overrides from it.
  const { url: requested, fragment } = splitFragment(options.url);
  const signed = (url: string) => (fragment === undefined ? url : `${url}#${fragment}`);
  if (options.method === "GET") {
    const url = `${requested}${requested.includes("?") ? "&" : "?"}${form}`;
    const signature = computeTwilioSignature(options.token, signed(url), new Map());
    return {
      method: "GET",
      url,
      headers: { ...headers, "x-twilio-signature": signature },
      body: undefined,
    };
  }
  const signedParams = new Map(Object.entries(params).map(([name, value]) => [name, [value]]));
  return {
    method: "POST",
    url: requested,
    headers: {
      ...headers,
      "content-type": "application/x-www-form-urlencoded",
      "x-twilio-signature": computeTwilioSignature(options.token, options.url, signedParams),
    },
    body: form,
  };
}

export interface TriggerResult {
  readonly status: number;
  readonly body: string;
}

/** Sends a request built by {@link triggerRequest}; gives up after `timeoutMs`. */
export async function sendTrigger(
  request: TriggerRequest,
  timeoutMs = 20_000,
): Promise<TriggerResult> {
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
    redirect: "manual",
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, body: await response.text() };
}

// The same SID and status again would be a redelivery of a callback without a Timestamp, which
// the FIFO queue deduplicates: a trigger of such a resource names a resource of its own.
function freshSid(event: CallbackEventName, timestamp: string): string | undefined {
  const sample = findSampleEvent(event);
  if (sample === undefined || sample.resource.idParameters.includes("Timestamp")) return undefined;
  const prefix = sample.resource.sample({}, sample.status)[sample.resource.subjectParameters[0]];
  const ms = Date.parse(timestamp);
  return prefix && Number.isFinite(ms) ? sampleSid(prefix.slice(0, 2), ms) : undefined;
}

/**
 * The events a `trigger` argument names: one event (`<resource>.<status>`, or a status only one
 * resource has, as typed), every event of one resource (`call`), `all` of them in order, or
 * several of these separated by commas (`media-processor,player-streamer`).
 */
export function eventsNamed(name: string): CallbackEventName[] | undefined {
  if (name.includes(",")) {
    const parts = name.split(",").map((part) => eventsNamed(part.trim()));
    return parts.every((part) => part !== undefined) ? parts.flat() : undefined;
  }
  if (name === "all") return [...TRIGGER_EVENTS];
  const ofResource = SAMPLE_EVENTS.filter(
    (event) => resourceKey(event.resource.resourceType) === name,
  );
  if (ofResource.length > 0) return ofResource.map((event) => event.name);
  return findSampleEvent(name) ? [name] : undefined;
}

export { LOCAL_AUTH_TOKEN };
