/**
 * The CPU-bound part of a callback, relay against naive, on the same API Gateway events: what
 * `npm run bench` times and what `--cpu-prof` profiles. No I/O on either side.
 */
import { hash } from "node:crypto";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { sqsMessage } from "../../lib/ingest/aws/sqs-publisher.ts";
import type { Config } from "../../lib/ingest/config.ts";
import { type CallbackRequest, decodeRequest } from "../../lib/ingest/decode.ts";
import { MAX_BODY_BYTES } from "../../lib/ingest/handler.ts";
import { normaliseCallback } from "../../lib/ingest/normalise.ts";
import { verifyTwilioSignature } from "../../lib/ingest/signature.ts";
import {
  ALL_EVENTS,
  callbackParams,
  LOCAL_AUTH_TOKEN,
  MEDIA_PROCESSOR_SID,
  PLAYER_STREAMER_SID,
} from "../../testing/samples.ts";
import { signedCallback } from "../../testing/signed-callback.ts";
import { naiveVerify } from "./naive-handler.ts";

const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/relay.fifo";
const clock = () => new Date();

/** What the relay's hot path reads of the handler's configuration. */
export type HotPathConfig = Pick<Config, "authTokens" | "publicUrl">;

/** The configuration of the status-callback cases: the local auth token, no public URL. */
export const LOCAL_CONFIG: HotPathConfig = { authTokens: [LOCAL_AUTH_TOKEN], publicUrl: undefined };

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
  /** A summary row: its label and the highest relay/naive ratio that meets the target. */
  readonly target?: { readonly measure: string; readonly max: number };
}

/**
 * `count` distinct signed callbacks (the `offset`-th on) (HTTP API payload 2.0, base64 body, as AWS delivers them):
 * every event of both resources in turn, each with its own SID and timestamp.
 */
export function validCallbacks(count: number, offset = 0): APIGatewayProxyEventV2[] {
  return Array.from({ length: count }, (_, index) => {
    const i = offset + index;
    const hex = i.toString(16).padStart(32, "0");
    const params = callbackParams(ALL_EVENTS[i % ALL_EVENTS.length] ?? "stream-ended", {
      timestamp: new Date(Date.UTC(2026, 10, 27, 10, 0, 0, i)).toISOString(),
      mediaProcessorSid: `${MEDIA_PROCESSOR_SID.slice(0, 2)}${hex}`,
      playerStreamerSid: `${PLAYER_STREAMER_SID.slice(0, 2)}${hex}`,
    });
    return signedCallback({ params }) as APIGatewayProxyEventV2;
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
      token: "ffffffffffffffffffffffffffffffff",
    }) as APIGatewayProxyEventV2;
  });
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

// Decode and verify, as the handler does: the request if its signature is valid.
function verifiedRequest(
  event: APIGatewayProxyEventV2,
  config: HotPathConfig,
): CallbackRequest | undefined {
  const request = decodeRequest(event, {
    publicUrl: config.publicUrl,
    maxBodyBytes: MAX_BODY_BYTES,
  });
  const verdict = verifyTwilioSignature({
    url: request.url,
    params: request.signedParams,
    signature: request.signature,
    tokens: config.authTokens,
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
 * The CPU comparison, one row per case. The first two carry the targets; the other two are
 * context: how the relay compares with a naive handler that also builds its message, and what
 * the relay's decode and verify alone cost.
 */
export const HOT_PATH_CASES: readonly HotPathCase[] = [
  {
    name: "valid",
    events: validCallbacks,
    config: LOCAL_CONFIG,
    accepted: true,
    target: {
      measure: "1. CPU per valid callback (decode, verify, normalise, serialise)",
      max: 1.0,
    },
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

// `node scripts/bench/hot-path.ts [relay|naive]`: the hot path alone, for a quick measurement or
// a profile (`node --cpu-prof scripts/bench/hot-path.ts relay`).
if (import.meta.main) {
  const only = process.argv[2];
  const events = validCallbacks(600);
  const sides = [
    { name: "relay", op: relayHotPath(LOCAL_CONFIG), rounds: [] as number[] },
    { name: "naive", op: naiveHotPath, rounds: [] as number[] },
  ].filter((side) => only === undefined || side.name === only);
  for (let round = 0; round < 25; round += 1) {
    for (const side of sides) side.rounds.push(cpuPerCall(events, side.op, 4));
  }
  for (const { name, rounds } of sides) {
    const sorted = rounds.slice(5).sort((a, b) => a - b);
    console.log(`${name}: ${sorted[sorted.length >> 1]?.toFixed(2)} us CPU per valid callback`);
  }
}
