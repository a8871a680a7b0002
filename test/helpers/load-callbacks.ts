/**
 * Many distinct, realistic status callbacks for load and memory tests: one lifecycle per resource
 * (started, then ended or failed), MediaProcessors and PlayerStreamers, each with its own SID and
 * timestamps, some resources configured with `StatusCallbackMethod=GET`. Signed with the official
 * `twilio` package, the oracle, so that no code under test signs its own input.
 */
import { createHash } from "node:crypto";
import twilio from "twilio";
import { type CallbackEventName, callbackParams } from "../../testing/samples.ts";
import {
  formBody,
  type SignedCallbackOptions,
  signedCallback,
} from "../../testing/signed-callback.ts";

/** One callback of a lifecycle: what Twilio sends, and what identifies the event it becomes. */
export interface LifecycleCallback {
  readonly event: CallbackEventName;
  readonly method: "GET" | "POST";
  /** The callback parameters, as Twilio sends them. */
  readonly params: Record<string, string>;
  /** `<resource SID> <StatusCallbackEvent> <Timestamp>`: one event, whatever its id. */
  readonly key: string;
  /** The resource SID, the FIFO message group. */
  readonly sid: string;
}

/** Every `GET_EVERY`-th resource calls back with GET (StatusCallbackMethod=GET). */
const GET_EVERY = 10;
/** Every `FAIL_EVERY`-th resource fails instead of ending. */
const FAIL_EVERY = 7;
/** How many callbacks later a resource's end follows its start in the sending order. */
const END_LAG = 250;
const EPOCH_MS = Date.parse("2026-11-27T10:00:00.000Z");

/** A Twilio-looking SID (`prefix` + 32 hex digits) that differs for every `n`. */
export function sidFor(prefix: "ZX" | "VJ", n: number): string {
  return prefix + createHash("md5").update(`${prefix}${n}`).digest("hex");
}

/**
 * `count` distinct callbacks (`count` even) from `count / 2` resources, half MediaProcessors and
 * half PlayerStreamers, in a realistic interleaved order: each resource's end comes a few hundred
 * callbacks after its start, among other resources' starts and ends.
 */
export function lifecycleCallbacks(count: number): LifecycleCallback[] {
  const resources = count / 2;
  if (!Number.isInteger(resources)) throw new Error(`count must be even, not ${count}`);
  const starts: LifecycleCallback[] = [];
  const ends: LifecycleCallback[] = [];
  for (let n = 0; n < resources; n += 1) {
    const mediaProcessor = n % 2 === 0;
    const sid = sidFor(mediaProcessor ? "ZX" : "VJ", n);
    const method = n % GET_EVERY === 0 ? "GET" : "POST";
    // Starts a few ms apart, at odd milliseconds; each ends within the hour after.
    const startedAt = EPOCH_MS + n * 37 + (n % 3);
    const endedAt = startedAt + 1_000 * (60 + ((n * 131) % 3_540)) + (n % 997);
    const ending = n % FAIL_EVERY === 0 ? "failed" : "ended";
    const prefix = mediaProcessor ? "media-processor" : "stream";
    starts.push(callback(`${prefix}-started`, sid, method, startedAt));
    ends.push(callback(`${prefix}-${ending}` as CallbackEventName, sid, method, endedAt));
  }
  const ordered: LifecycleCallback[] = [];
  for (let i = 0; i < resources + END_LAG; i += 1) {
    const start = starts[i];
    const end = ends[i - END_LAG];
    if (start) ordered.push(start);
    if (end) ordered.push(end);
  }
  return ordered;
}

function callback(
  event: CallbackEventName,
  sid: string,
  method: "GET" | "POST",
  atMs: number,
): LifecycleCallback {
  const timestamp = new Date(atMs).toISOString();
  const params = callbackParams(event, {
    timestamp,
    mediaProcessorSid: sid,
    playerStreamerSid: sid,
  });
  return { event, method, params, key: `${sid} ${event} ${timestamp}`, sid };
}

/** An HTTP request as Twilio sends it to a StatusCallback URL. */
export interface CallbackHttpRequest {
  readonly method: "GET" | "POST";
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
}

/**
 * The request Twilio would send for `callback` to `callbackUrl`: a signed form POST, or a GET
 * with the parameters in the query string (the whole URL signed, no body).
 */
export function httpRequest(
  callback: LifecycleCallback,
  callbackUrl: string,
  token: string,
): CallbackHttpRequest {
  const headers = { "user-agent": "TwilioProxy/1.1" };
  // The configured URL's connection overrides (#rc=...) are signed, never sent.
  const fragmentAt = callbackUrl.indexOf("#");
  const requested = fragmentAt === -1 ? callbackUrl : callbackUrl.slice(0, fragmentAt);
  const fragment = fragmentAt === -1 ? "" : callbackUrl.slice(fragmentAt);
  if (callback.method === "GET") {
    const url = `${requested}?${formBody(callback.params)}`;
    const signature = twilio.getExpectedTwilioSignature(token, url + fragment, {});
    return {
      method: "GET",
      url,
      headers: { ...headers, "x-twilio-signature": signature },
      body: undefined,
    };
  }
  return {
    method: "POST",
    url: requested,
    headers: {
      ...headers,
      "content-type": "application/x-www-form-urlencoded",
      "x-twilio-signature": twilio.getExpectedTwilioSignature(token, callbackUrl, callback.params),
    },
    body: formBody(callback.params),
  };
}

/** The API Gateway (HTTP API) event Lambda would be invoked with for `callback`. */
export function apiGatewayEvent(
  callback: LifecycleCallback,
  options: SignedCallbackOptions = {},
): ReturnType<typeof signedCallback> {
  return signedCallback({ ...options, method: callback.method, params: callback.params });
}

/**
 * Runs `task` over `items` with at most `limit` in flight, and resolves with the results in the
 * order of `items`. With `rampMs`, the `limit` senders start one every `rampMs` instead of all at
 * once. The first rejection rejects the whole (the tasks in flight still finish).
 */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
  { rampMs = 0 }: { rampMs?: number } = {},
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const sender = async (_: unknown, position: number) => {
    if (rampMs > 0) await new Promise((resolve) => setTimeout(resolve, position * rampMs));
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, sender));
  return results;
}
