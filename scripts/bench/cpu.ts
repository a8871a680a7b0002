/**
 * Rows 1 and 2 of the bench: CPU per request, relay against naive, no I/O, one table row per
 * {@link HOT_PATH_CASES} entry; and signature verification alone, for the record.
 */

import type { APIGatewayProxyEventV2 } from "aws-lambda";
import twilio from "twilio";
import { createIngestHandler } from "../../lib/ingest/handler.ts";
import { verifyTwilioSignature } from "../../lib/ingest/signature.ts";
import { staticSecretMap, staticTokens } from "../../lib/ingest/tokens.ts";
import { signedSinkDelivery } from "../../testing/event-streams.ts";
import { callbackParams, LOCAL_AUTH_TOKEN } from "../../testing/samples.ts";
import { FORGER_AUTH_TOKEN, SECONDARY_AUTH_TOKEN } from "../../testing/tokens.ts";
import {
  cpuPerCall,
  HOT_PATH_CASES,
  type HotPathCase,
  type HotPathOp,
  naiveHotPath,
  relayHotPath,
} from "./hot-path.ts";
import { atMost, fmt, median, noTarget, table } from "./report.ts";

const HOT_ROUNDS = 31;
const EVENTS_PER_CASE = 600;

/**
 * Relay and naive alternate in rounds (which one goes first alternates too), so a busy machine
 * slows both alike; each figure is the median over rounds of CPU time per request.
 */
function compareCpu(
  events: readonly APIGatewayProxyEventV2[],
  passes: number,
  relay: HotPathOp,
  naive: HotPathOp,
): { relay: number; naive: number; ratio: number } {
  for (let warm = 0; warm < 5; warm += 1) {
    cpuPerCall(events, relay, passes);
    cpuPerCall(events, naive, passes);
  }
  const ours: number[] = [];
  const theirs: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < HOT_ROUNDS; round += 1) {
    let a: number;
    let b: number;
    if (round % 2 === 0) {
      a = cpuPerCall(events, relay, passes);
      b = cpuPerCall(events, naive, passes);
    } else {
      b = cpuPerCall(events, naive, passes);
      a = cpuPerCall(events, relay, passes);
    }
    ours.push(a);
    theirs.push(b);
    ratios.push(a / b);
  }
  return { relay: median(ours), naive: median(theirs), ratio: median(ratios) };
}

/** Times one case, after checking that both sides accept (or refuse) every one of its events. */
export function measureCase(c: HotPathCase) {
  const events = c.events(EVENTS_PER_CASE);
  const relay = (c.relay ?? relayHotPath)(c.config);
  const naive = c.naive ?? naiveHotPath;
  // Both sides must agree on every request before their speed means anything.
  for (const event of events) {
    for (const [side, op] of [
      ["relay", relay],
      ["naive", naive],
    ] as const) {
      if ((op(event) !== 0) !== c.accepted) {
        throw new Error(`${c.name}: ${side} ${c.accepted ? "refused" : "accepted"} an event`);
      }
    }
  }
  return compareCpu(events, c.passes ?? 4, relay, naive);
}

/** Prints the CPU table and adds the cases' targets to the summary. */
export function benchHotPath(): void {
  const results = HOT_PATH_CASES.map((c) => ({ c, result: measureCase(c) }));
  console.log("\n## CPU per callback (no I/O; median of", HOT_ROUNDS, "interleaved rounds)\n");
  console.log(
    `${EVENTS_PER_CASE} distinct HTTP API events (base64 body) per case; the status callbacks ` +
      "all six events of both MediaProcessor and PlayerStreamer unless the case names another " +
      "kind. Relay: decodeRequest + signature scheme and secrets + verifyTwilioSignature + " +
      "normaliseCallback + sqsMessage (JSON body); for an Event Streams delivery the body hash, " +
      "parseDelivery and a SendMessageBatch entry per event instead of the last two. Naive: " +
      "base64 decode + URLSearchParams + twilio.validateRequest, unless the case says otherwise.\n",
  );
  table(
    ["request", "relay", "naive", "ratio (median of per-round ratios)"],
    ["l", "r", "r", "r"],
    results.map(({ c, result }) => [
      c.name,
      `${fmt(result.relay, 2)} us`,
      `${fmt(result.naive, 2)} us`,
      fmt(result.ratio, 2),
    ]),
  );
  for (const { c, result } of results) {
    if (c.target === undefined) continue;
    const relay = `${fmt(result.relay, 2)} us`;
    const naive = `${fmt(result.naive, 2)} us`;
    if (c.target.max === undefined) noTarget(c.target.measure, relay, naive, result.ratio);
    else atMost(c.target.measure, relay, naive, result.ratio, c.target.max);
  }
}

/** Signature verification alone, for the record: how many HMACs each side computes. */
export function benchSignature(): void {
  const url = "https://abc123.execute-api.us-east-1.amazonaws.com/status-callbacks";
  const params = callbackParams("media-processor-failed");
  const map = new Map(Object.entries(params).map(([k, v]) => [k, [v]]));
  const valid = twilio.getExpectedTwilioSignature(LOCAL_AUTH_TOKEN, url, params);
  const forged = twilio.getExpectedTwilioSignature(FORGER_AUTH_TOKEN, url, params);
  const tokens = [LOCAL_AUTH_TOKEN];
  const time = (op: () => unknown) => {
    for (let i = 0; i < 5000; i += 1) op();
    const rounds: number[] = [];
    for (let round = 0; round < 9; round += 1) {
      const start = process.cpuUsage();
      for (let i = 0; i < 5000; i += 1) op();
      const used = process.cpuUsage(start);
      rounds.push((used.user + used.system) / 5000);
    }
    return fmt(median(rounds), 2);
  };
  const ours = (signature: string) => () =>
    verifyTwilioSignature({ url, params: map, signature, tokens });
  const theirs = (signature: string) => () =>
    twilio.validateRequest(LOCAL_AUTH_TOKEN, signature, url, params);
  const hmacs = (signature: string) =>
    verifyTwilioSignature({ url, params: map, signature, tokens }).hmacs;
  console.log("\n## Signature verification alone (one token, media-processor-failed)\n");
  table(
    ["request", "relay", "twilio.validateRequest", "relay HMACs", "twilio HMACs"],
    ["l", "r", "r", "r", "r"],
    [
      ["valid", `${time(ours(valid))} us`, `${time(theirs(valid))} us`, `${hmacs(valid)}`, "1"],
      [
        "forged, well-formed",
        `${time(ours(forged))} us`,
        `${time(theirs(forged))} us`,
        `${hmacs(forged)}`,
        "6",
      ],
      [
        "forged, not a signature",
        `${time(ours("garbage"))} us`,
        `${time(theirs("garbage"))} us`,
        "0",
        "6",
      ],
    ],
  );
}

/**
 * What a forged Event Streams delivery costs the relay, through the whole handler, with 40
 * accounts of 5 tokens each and 2 default tokens, on a query chosen so that every URL form
 * differs: the HMACs computed (from the handler's own log line) and CPU per request.
 */
export async function benchForgedSinkDelivery(): Promise<void> {
  const accountAuthTokens = new Map<string, string[]>();
  for (let account = 0; account < 40; account += 1) {
    const tokens = Array.from({ length: 5 }, (_, i) => `${account}-${i}`.padEnd(32, "t"));
    accountAuthTokens.set(`AC${account.toString(16).padStart(32, "0")}`, tokens);
  }
  let hmacs: unknown;
  const quiet = () => {};
  const handler = createIngestHandler({
    config: { publicUrl: undefined },
    tokens: staticTokens([LOCAL_AUTH_TOKEN, SECONDARY_AUTH_TOKEN]),
    accountAuthTokens: staticSecretMap(accountAuthTokens),
    publisher: { publish: async () => {}, publishCloudEvents: async () => {} },
    clock: () => new Date(),
    logger: {
      debug: quiet,
      info: quiet,
      error: quiet,
      warn: (message, attributes) => {
        if (message === "signature does not match") hmacs = attributes?.hmacs;
      },
    },
  });
  const hostile = "x='%7E";
  const cases = [
    ["URL names no account", hostile, FORGER_AUTH_TOKEN],
    [
      "URL names a configured account",
      `AccountSid=AC${"7".padStart(32, "0")}&${hostile}`,
      FORGER_AUTH_TOKEN,
    ],
    ["a header that cannot be a signature", hostile, undefined],
  ] as const;
  const rows: string[][] = [];
  const perRequest: number[] = [];
  for (const [name, query, token] of cases) {
    const event = signedSinkDelivery({
      query,
      token: token ?? LOCAL_AUTH_TOKEN,
      ...(token === undefined ? { signature: "garbage" } : {}),
    });
    hmacs = 0;
    const answer = await handler(event);
    if (answer.statusCode !== 403)
      throw new Error(`${name}: expected 403, got ${answer.statusCode}`);
    const counted = hmacs;
    for (let i = 0; i < 2000; i += 1) await handler(event);
    const rounds: number[] = [];
    for (let round = 0; round < 9; round += 1) {
      const start = process.cpuUsage();
      for (let i = 0; i < 2000; i += 1) await handler(event);
      const used = process.cpuUsage(start);
      rounds.push((used.user + used.system) / 2000);
    }
    perRequest.push(median(rounds));
    rows.push([name, `${counted}`, `${fmt(median(rounds), 2)} us`]);
  }
  console.log(
    "\n## A forged Event Streams delivery (40 accounts x 5 tokens, 2 default tokens, query x='%7E)\n",
  );
  table(["forged delivery", "HMACs", "CPU per request"], ["l", "r", "r"], rows);
  const [none = 0, named = 0, malformed = 1] = perRequest;
  noTarget(
    "2b. CPU to refuse a forged sink delivery naming no account, against a malformed header",
    `${fmt(none, 2)} us`,
    `${fmt(malformed, 2)} us`,
    none / malformed,
  );
  noTarget(
    "2c. CPU to refuse a forged sink delivery naming a configured account, against a malformed header",
    `${fmt(named, 2)} us`,
    `${fmt(malformed, 2)} us`,
    named / malformed,
  );
}
