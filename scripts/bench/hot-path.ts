/**
 * The CPU-bound part of a callback, relay against naive, on the same API Gateway events: what
 * `npm run bench` times and what `--cpu-prof` profiles. No I/O on either side.
 */

import { hash } from "node:crypto";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { batchEntry, entryBytes, sqsMessage } from "../../lib/ingest/aws/sqs-publisher.ts";
import { type Config, DEFAULT_CONNECTION_OVERRIDES } from "../../lib/ingest/config.ts";
import { type CallbackRequest, decodeRequest } from "../../lib/ingest/decode.ts";
import {
  cloudEventMessage,
  MAX_SINK_BODY_BYTES,
  parseDelivery,
} from "../../lib/ingest/event-streams.ts";
import { MAX_BODY_BYTES } from "../../lib/ingest/handler.ts";
import { normaliseCallback } from "../../lib/ingest/normalise.ts";
import { bodyMatchesHash, verifyTwilioSignature } from "../../lib/ingest/signature.ts";
import {
  authTokenCandidates,
  type Candidates,
  sharedKeyCandidates,
  signingScheme,
} from "../../lib/ingest/signing-keys.ts";
import {
  benchSharedKeyCallback,
  benchSinkDelivery,
  LOCAL_SHARED_KEY,
  LOCAL_SHARED_KEY_MAP,
} from "../../testing/event-streams.ts";
import {
  ALL_EVENTS,
  callbackParams,
  LOCAL_AUTH_TOKEN,
  MEDIA_PROCESSOR_SID,
  PLAYER_STREAMER_SID,
  sampleSid,
} from "../../testing/samples.ts";
import { signedCallback } from "../../testing/signed-callback.ts";
import { FORGER_AUTH_TOKEN } from "../../testing/tokens.ts";
import { naiveSinkBatch, naiveVerify } from "./naive-handler.ts";

const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/relay.fifo";
const clock = () => new Date();

/**
 * What the relay's hot path reads of the handler's configuration and secrets: the public URL, and
 * the secrets its sources resolve to (the handler's `tokens: staticTokens(authTokens)` and
 * `sharedKeys: staticSecretMap(sharedKeys)`), already resolved: the timed path is synchronous, so
 * it leaves out the handler's `await` of those sources.
 */
export type HotPathConfig = Pick<
  Config,
  "authTokens" | "sharedKeys" | "publicUrl" | "connectionOverrides"
>;

/**
 * The configuration of every case: the local auth token, the local SharedKey, no public URL, no
 * account auth tokens, and the connection overrides the stack deploys by default.
 */
export const LOCAL_CONFIG: HotPathConfig = {
  authTokens: [LOCAL_AUTH_TOKEN],
  sharedKeys: LOCAL_SHARED_KEY_MAP,
  publicUrl: undefined,
  connectionOverrides: DEFAULT_CONNECTION_OVERRIDES,
};

/** One hot path: the work for one API Gateway event, returning 0 when it refuses it. */
export type HotPathOp = (event: APIGatewayProxyEventV2) => number;

/**
 * One row of the CPU comparison: a name, how to build its API Gateway events, the handler's
 * configuration, and the two hot paths timed on them. A new kind of request (another resource, an
 * Event Streams delivery, another signature scheme) is one more entry in {@link HOT_PATH_CASES}.
 */
export interface HotPathCase {
  readonly name: string;
  /** `count` distinct events, the `offset`-th on. */
  readonly events: (count: number, offset?: number) => APIGatewayProxyEventV2[];
  readonly config: HotPathConfig;
  /** Whether both sides must accept every event (valid) or refuse every one (forged). */
  readonly accepted: boolean;
  /** The relay's work; default the whole hot path ({@link relayHotPath}) with `config`. */
  readonly relay?: (config: HotPathConfig) => HotPathOp;
  /** The baseline's work on the same events; default {@link naiveHotPath}. */
  readonly naive?: HotPathOp;
  /** Passes over the events per round (more for cheaper requests); default 4. */
  readonly passes?: number;
  /**
   * A summary row: its label and the highest relay/naive ratio that meets the target (no `max`:
   * a row with no target, its ratio reported for the record).
   */
  readonly target?: { readonly measure: string; readonly max?: number };
}

/**
 * `count` distinct signed callbacks (the `offset`-th on) (HTTP API payload 2.0, base64 body, as AWS delivers them):
 * every event of both resources in turn, each with its own SID and timestamp.
 */
export function validCallbacks(count: number, offset = 0): APIGatewayProxyEventV2[] {
  return Array.from(
    { length: count },
    (_, index) =>
      signedCallback({ params: distinctParams(offset + index) }) as APIGatewayProxyEventV2,
  );
}

// The `i`-th callback of the MediaProcessor and PlayerStreamer cases: its own SID and timestamp.
function distinctParams(i: number): Record<string, string> {
  const hex = i.toString(16).padStart(32, "0");
  return callbackParams(ALL_EVENTS[i % ALL_EVENTS.length] ?? "stream-ended", {
    timestamp: new Date(Date.UTC(2026, 10, 27, 10, 0, 0, i)).toISOString(),
    mediaProcessorSid: `${MEDIA_PROCESSOR_SID.slice(0, 2)}${hex}`,
    playerStreamerSid: `${PLAYER_STREAMER_SID.slice(0, 2)}${hex}`,
  });
}

/**
 * The same callbacks with a forged, well-formed signature: the valid signature of another auth
 * token, as an attacker who knows the URL and the format would send.
 */
export function forgedCallbacks(count: number, offset = 0): APIGatewayProxyEventV2[] {
  return Array.from({ length: count }, (_, index) => {
    const i = offset + index;
    const params = callbackParams(ALL_EVENTS[i % ALL_EVENTS.length] ?? "stream-ended", {
      timestamp: new Date(Date.UTC(2026, 10, 27, 10, 0, 0, i)).toISOString(),
    });
    return signedCallback({
      params,
      token: FORGER_AUTH_TOKEN,
    }) as APIGatewayProxyEventV2;
  });
}

/**
 * `count` distinct signed Message status callbacks (`delivered`, the most common), each with its
 * own MessageSid.
 */
export function messageCallbacks(count: number, offset = 0): APIGatewayProxyEventV2[] {
  return Array.from({ length: count }, (_, index) => {
    const params = callbackParams("message.delivered", { sid: sampleSid("SM", offset + index) });
    return signedCallback({ params }) as APIGatewayProxyEventV2;
  });
}

/**
 * `count` signed Event Streams sink deliveries of 10 fresh Messaging and Voice events each,
 * signed with the local auth token (every call makes new events, so `offset` is not needed).
 */
export function sinkDeliveries(count: number): APIGatewayProxyEventV2[] {
  return Array.from(
    { length: count },
    () => benchSinkDelivery({ count: 10 }) as APIGatewayProxyEventV2,
  );
}

/**
 * The callbacks of {@link validCallbacks}, signed with the local SharedKey (HMAC-SHA256, named in
 * `X-Twilio-Webhooks-Signature-Settings`) instead of the auth token: the one thing that differs.
 */
export function sharedKeyCallbacks(count: number, offset = 0): APIGatewayProxyEventV2[] {
  return Array.from(
    { length: count },
    (_, index) =>
      benchSharedKeyCallback({ params: distinctParams(offset + index) }) as APIGatewayProxyEventV2,
  );
}

/**
 * The relay's hot path for one event: decode, verify, normalise, and the SendMessage input with
 * its JSON body. The op returns the message body's length (a valid callback) or 0 (refused).
 */
export function relayHotPath(config: HotPathConfig): HotPathOp {
  return (event) => {
    const request = verifiedRequest(event, config);
    if (request === undefined) return 0;
    const statusEvent = normaliseCallback(request.params, clock);
    return sqsMessage(statusEvent, QUEUE_URL, true).MessageBody?.length ?? 0;
  };
}

/**
 * The part of the relay's hot path that does what the naive one does (decode and verify), for
 * context: the rest (schema, event id, CloudEvent JSON) is work the naive handler never does.
 */
export function relayDecodeAndVerify(config: HotPathConfig): HotPathOp {
  return (event) => verifiedRequest(event, config)?.params.size ?? 0;
}

/**
 * The relay's hot path for an Event Streams sink delivery: decode, verify the signature and then
 * the body's SHA-256, parse and check the CloudEvents, and build the `SendMessageBatch` entries
 * (with the byte counts the publisher batches by), as the handler and its SQS publisher do. The
 * op returns the entries' bytes, or 0 when it refuses the delivery.
 */
export function relaySinkHotPath(config: HotPathConfig): HotPathOp {
  return (event) => {
    const request = verifiedRequest(event, config);
    if (request?.sink === undefined) return 0;
    if (!bodyMatchesHash(request.sink.body, request.sink.bodySha256)) return 0;
    const account = request.params.get("AccountSid")?.[0];
    let bytes = 0;
    parseDelivery(request.sink.body).forEach((cloudEvent, index) => {
      bytes += entryBytes(batchEntry(cloudEventMessage(cloudEvent, account), `e${index}`, true));
    });
    return bytes;
  };
}

// Decode and verify, as the handler does (its `authenticate`, with the secrets resolved): the
// request if its signature is valid.
function verifiedRequest(
  event: APIGatewayProxyEventV2,
  config: HotPathConfig,
): CallbackRequest | undefined {
  const request = decodeRequest(event, {
    publicUrl: config.publicUrl,
    maxBodyBytes: MAX_BODY_BYTES,
    maxSinkBodyBytes: MAX_SINK_BODY_BYTES,
  });
  const scheme = signingScheme(request.signatureSettings);
  const candidates: Candidates | undefined =
    scheme.kind === "shared-key"
      ? sharedKeyCandidates(scheme.keyId, config.sharedKeys)
      : authTokenCandidates({
          accountSid: request.params.get("AccountSid")?.[0],
          defaults: config.authTokens,
          accountTokens: new Map(),
        });
  if (candidates === undefined) return undefined;
  const verdict = verifyTwilioSignature({
    url: request.url,
    alternativeUrls: request.alternativeUrls,
    // As the handler does: a sink delivery is never verified with the fragment.
    fragment: request.sink === undefined ? config.connectionOverrides : undefined,
    params: request.signedParams,
    signature: request.signature,
    tokens: candidates.secrets,
    algorithm: scheme.kind === "shared-key" ? scheme.hash : "sha1",
  });
  return verdict.valid ? request : undefined;
}

/** The naive handler's hot path: decode, `URLSearchParams`, `twilio.validateRequest`. */
export function naiveHotPath(event: APIGatewayProxyEventV2): number {
  return naiveVerify(event, LOCAL_AUTH_TOKEN)?.body.length ?? 0;
}

/**
 * The naive handler's hot path and the message it then sends: the parameters as JSON, and on a
 * FIFO queue a SHA-256 of the body as deduplication id. For context only: the target compares
 * against {@link naiveHotPath}.
 */
export function naiveHotPathWithMessage(event: APIGatewayProxyEventV2): number {
  const request = naiveVerify(event, LOCAL_AUTH_TOKEN);
  if (!request) return 0;
  return JSON.stringify(request.params).length + hash("sha256", request.body, "hex").length;
}

/**
 * The naive handler's hot path for a callback signed with the local SharedKey: decode,
 * `URLSearchParams`, `twilio.validateRequest(secret, header, url, params, "HMAC_SHA256")`. A
 * user with one SharedKey verifies with it, without reading the signature settings header.
 */
export function naiveSharedKeyHotPath(event: APIGatewayProxyEventV2): number {
  return naiveVerify(event, LOCAL_SHARED_KEY.secret, "HMAC_SHA256")?.body.length ?? 0;
}

/**
 * The naive handler's hot path for a sink delivery: decode, `twilio.validateRequestWithBody`,
 * `JSON.parse`, and one `SendMessageBatch` entry per event, not sent (see
 * `scripts/bench/naive-handler.ts`).
 */
export function naiveSinkHotPath(event: APIGatewayProxyEventV2): number {
  let bytes = 0;
  for (const entry of naiveSinkBatch(event, LOCAL_AUTH_TOKEN) ?? []) {
    bytes += entry.MessageBody?.length ?? 0;
  }
  return bytes;
}

/**
 * The CPU comparison, one row per case. Only the forged callback carries a target (what an
 * attacker costs); the CPU of a valid callback is reported for the record, since a function
 * that waits on `SendMessage` never bills those microseconds (docs/performance.md, "Retired
 * rows"). The next two are context: how the relay compares with a naive handler that also
 * builds its message, and what the relay's decode and verify alone cost. The last three are
 * other kinds of request: a Message status callback, an Event Streams delivery and a
 * SharedKey-signed callback (their ratios are reported).
 */
export const HOT_PATH_CASES: readonly HotPathCase[] = [
  {
    name: "valid",
    events: validCallbacks,
    config: LOCAL_CONFIG,
    accepted: true,
  },
  {
    name: "forged",
    events: forgedCallbacks,
    config: LOCAL_CONFIG,
    accepted: false,
    passes: 2,
    target: { measure: "2. CPU to refuse a forged callback", max: 0.5 },
  },
  {
    name: "valid; naive also builds its message (JSON of the parameters, SHA-256 of the body)",
    events: validCallbacks,
    config: LOCAL_CONFIG,
    accepted: true,
    naive: naiveHotPathWithMessage,
  },
  {
    name: "valid; relay only decodes and verifies (what the naive path does)",
    events: validCallbacks,
    config: LOCAL_CONFIG,
    accepted: true,
    relay: relayDecodeAndVerify,
  },
  {
    name: "Message callback (delivered)",
    events: messageCallbacks,
    config: LOCAL_CONFIG,
    accepted: true,
    target: { measure: "1b. CPU per valid Message status callback" },
  },
  {
    name: "Event Streams delivery of 10 events (naive: validateRequestWithBody, JSON.parse, 10 batch entries)",
    events: sinkDeliveries,
    config: LOCAL_CONFIG,
    accepted: true,
    relay: relaySinkHotPath,
    naive: naiveSinkHotPath,
    passes: 1,
    target: { measure: "1c. CPU per Event Streams sink delivery of 10 events" },
  },
  {
    name: "SharedKey (HMAC-SHA256) callback (naive: validateRequest with HMAC_SHA256)",
    events: sharedKeyCallbacks,
    config: LOCAL_CONFIG,
    accepted: true,
    naive: naiveSharedKeyHotPath,
    target: { measure: "1d. CPU per valid callback signed with a SharedKey (HMAC-SHA256)" },
  },
];

/** CPU microseconds per call of `op` over `events` (one pass), from `process.cpuUsage`. */
export function cpuPerCall(
  events: readonly APIGatewayProxyEventV2[],
  op: HotPathOp,
  passes: number,
): number {
  let sink = 0;
  const start = process.cpuUsage();
  for (let pass = 0; pass < passes; pass += 1) {
    for (const event of events) sink += op(event);
  }
  const used = process.cpuUsage(start);
  if (sink < 0) throw new Error("unreachable");
  return (used.user + used.system) / (events.length * passes);
}

// `node scripts/bench/hot-path.ts [relay|naive] [case]`: one case's hot path alone (the first
// whose name starts with `case`, default "valid"), for a quick measurement or a profile
// (`node --cpu-prof scripts/bench/hot-path.ts relay Message`).
if (import.meta.main) {
  const only = process.argv[2] === "relay" || process.argv[2] === "naive" ? process.argv[2] : "";
  const prefix = (only ? process.argv[3] : process.argv[2]) ?? "valid";
  const c = HOT_PATH_CASES.find((candidate) => candidate.name.startsWith(prefix));
  if (c === undefined) {
    throw new Error(
      `no case starts with "${prefix}"; the cases: ${HOT_PATH_CASES.map((x) => x.name).join(" | ")}`,
    );
  }
  const events = c.events(600);
  const passes = c.passes ?? 4;
  const sides = [
    { name: "relay", op: (c.relay ?? relayHotPath)(c.config), rounds: [] as number[] },
    { name: "naive", op: c.naive ?? naiveHotPath, rounds: [] as number[] },
  ].filter((side) => only === "" || side.name === only);
  for (const side of sides) {
    if (events.some((event) => (side.op(event) !== 0) !== c.accepted)) {
      throw new Error(`${c.name}: ${side.name} ${c.accepted ? "refused" : "accepted"} an event`);
    }
  }
  for (let round = 0; round < 25; round += 1) {
    for (const side of sides) side.rounds.push(cpuPerCall(events, side.op, passes));
  }
  console.log(c.name);
  for (const { name, rounds } of sides) {
    const sorted = rounds.slice(5).sort((a, b) => a - b);
    console.log(`${name}: ${sorted[sorted.length >> 1]?.toFixed(2)} us CPU per request`);
  }
}
