/**
 * The requests `npm run trigger` sends: a realistic status callback for one event, signed as
 * Twilio signs it (`X-Twilio-Signature` over the URL, plus the form body of a POST).
 */
import { computeTwilioSignature } from "../../lib/ingest/signature.ts";
import {
  ALL_EVENTS,
  type CallbackEventName,
  callbackParams,
  LOCAL_AUTH_TOKEN,
} from "../samples.ts";

/** Port of the local endpoint `npm start` serves (and `--port` changes). */
export const DEFAULT_LOCAL_PORT = 3000;
/** The route the stack serves callbacks on. */
export const CALLBACK_PATH = "/status-callbacks";

/** The StatusCallback URL of the local loop on `port`. */
export function localCallbackUrl(port: number = DEFAULT_LOCAL_PORT): string {
  return `http://127.0.0.1:${port}${CALLBACK_PATH}`;
}

/** The events `trigger` knows: the six Twilio sends for MediaProcessor and PlayerStreamer. */
export const TRIGGER_EVENTS: readonly CallbackEventName[] = ALL_EVENTS;

export interface TriggerOptions {
  readonly event: CallbackEventName;
  readonly method: "GET" | "POST";
  /** The StatusCallback URL, exactly as it would be configured in Twilio. */
  readonly url: string;
  /** The auth token to sign with. */
  readonly token: string;
  /** The callback's `Timestamp`; a fresh one makes a new event (not a deduplicated retry). */
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
  const params = callbackParams(options.event, { timestamp: options.timestamp });
  const form = new URLSearchParams(params).toString();
  const headers = { "user-agent": "TwilioProxy/1.1 (npm run trigger)" };
  if (options.method === "GET") {
    const url = `${options.url}${options.url.includes("?") ? "&" : "?"}${form}`;
    const signature = computeTwilioSignature(options.token, url, new Map());
    return {
      method: "GET",
      url,
      headers: { ...headers, "x-twilio-signature": signature },
      body: undefined,
    };
  }
  const signed = new Map(Object.entries(params).map(([name, value]) => [name, [value]]));
  return {
    method: "POST",
    url: options.url,
    headers: {
      ...headers,
      "content-type": "application/x-www-form-urlencoded",
      "x-twilio-signature": computeTwilioSignature(options.token, options.url, signed),
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

/** The events a `trigger` argument names: one event, or `all` of them in order. */
export function eventsNamed(name: string): CallbackEventName[] | undefined {
  if (name === "all") return [...TRIGGER_EVENTS];
  return (TRIGGER_EVENTS as readonly string[]).includes(name)
    ? [name as CallbackEventName]
    : undefined;
}

export { LOCAL_AUTH_TOKEN };
