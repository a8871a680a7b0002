/**
 * The real handler against a real SQS-compatible server (fauxqs on loopback): every event, both
 * methods, both payload formats, base64 and plain bodies; what reaches the queue is read back.
 */

import type { Message } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { StatusEventSchema } from "../../lib/events/schemas.ts";
import { createSqsPublisher } from "../../lib/ingest/aws/sqs-publisher.ts";
import { systemClock } from "../../lib/ingest/clock.ts";
import { createIngestHandler, type IngestHandler } from "../../lib/ingest/handler.ts";
import { staticTokens } from "../../lib/ingest/tokens.ts";
import { drainQueue, type LocalSqs, startLocalSqs } from "../../testing/local/sqs.ts";
import {
  ACCOUNT_SID,
  ALL_EVENTS,
  type CallbackEventName,
  callbackParams,
  PLAYER_STREAMER_ALIASES,
} from "../../testing/samples.ts";
import { type SignedCallbackOptions, signedCallback } from "../../testing/signed-callback.ts";
import { FORGER_AUTH_TOKEN, PRIMARY_AUTH_TOKEN } from "../../testing/tokens.ts";
import { memoryLogger } from "../helpers/memory-logger.ts";

let sqs: LocalSqs;
let fifoUrl: string;
let standardUrl: string;

function handlerFor(queueUrl: string, timeoutMs?: number): IngestHandler {
  return createIngestHandler({
    config: { publicUrl: undefined },
    tokens: staticTokens([PRIMARY_AUTH_TOKEN]),
    publisher: createSqsPublisher({
      queueUrl,
      client: sqs.client,
      ...(timeoutMs ? { timeoutMs } : {}),
    }),
    clock: systemClock,
    logger: memoryLogger(),
  });
}

beforeAll(async () => {
  sqs = await startLocalSqs();
  fifoUrl = (await sqs.createQueues("relay")).queueUrl;
  standardUrl = (await sqs.createQueues("relay-standard", { fifo: false })).queueUrl;
});

afterAll(async () => {
  await sqs?.stop();
});

beforeEach(async () => {
  await drainQueue(sqs.client, fifoUrl);
  await drainQueue(sqs.client, standardUrl);
});

// FIFO deduplication outlives deletion (five minutes), so each test sends callbacks of its own.
let sequence = 0;
function fresh(name: CallbackEventName): Record<string, string> {
  sequence += 1;
  const timestamp = new Date(Date.UTC(2026, 10, 27, 10, 0, 0, sequence)).toISOString();
  return callbackParams(name, { timestamp });
}

function attribute(message: Message | undefined, name: string): string | undefined {
  return message?.MessageAttributes?.[name]?.StringValue;
}

const EVENTS: CallbackEventName[] = [...ALL_EVENTS, ...PLAYER_STREAMER_ALIASES];
const DELIVERIES: Array<[string, SignedCallbackOptions]> = [
  ["HTTP API POST, base64 body", { version: "2.0", base64: true }],
  ["HTTP API POST, plain body", { version: "2.0", base64: false }],
  ["REST API POST, plain body", { version: "1.0", base64: false }],
  ["REST API POST, base64 body", { version: "1.0", base64: true }],
  ["HTTP API GET", { version: "2.0", method: "GET" }],
  ["REST API GET", { version: "1.0", method: "GET" }],
];

describe.each(DELIVERIES)("%s", (_, delivery) => {
  it.each(EVENTS)(
    "relays %s to the FIFO queue with attributes, group and dedup ids",
    async (name) => {
      // Prepare
      const handler = handlerFor(fifoUrl);
      const sent = fresh(name);
      // Act
      const response = await handler(signedCallback({ ...delivery, params: sent }));
      const messages = await drainQueue(sqs.client, fifoUrl);
      // Assess
      expect(response.statusCode).toBe(200);
      expect(messages).toHaveLength(1);
      const message = messages[0];
      const event = StatusEventSchema.parse(JSON.parse(message?.Body ?? ""));
      const resourceSid = sent.MediaProcessorSid ?? sent.PlayerStreamerSid;
      const status = name.split("-").at(-1);
      expect(event).toMatchObject({
        subject: resourceSid,
        time: sent.Timestamp,
        source: sent.Url,
        data: {
          statusCallbackEvent: name,
          status,
          accountSid: ACCOUNT_SID,
          unrecognizedParameters: {},
        },
      });
      expect(JSON.parse(response.body)).toEqual({ id: event.id, type: event.type });
      expect(attribute(message, "type")).toBe(event.type);
      expect(attribute(message, "resourceType")).toBe(
        sent.MediaProcessorSid ? "MediaProcessor" : "PlayerStreamer",
      );
      expect(attribute(message, "status")).toBe(status);
      expect(attribute(message, "accountSid")).toBe(ACCOUNT_SID);
      expect(message?.Attributes?.MessageGroupId).toBe(resourceSid);
      expect(message?.Attributes?.MessageDeduplicationId).toBe(event.id);
    },
  );
});

describe("queue behaviour", () => {
  it("keeps one message when Twilio delivers the same callback twice", async () => {
    const handler = handlerFor(fifoUrl);
    const params = fresh("stream-ended");
    const first = await handler(signedCallback({ params }));
    const retry = await handler(signedCallback({ params, base64: false }));
    const messages = await drainQueue(sqs.client, fifoUrl);
    expect([first.statusCode, retry.statusCode]).toEqual([200, 200]);
    expect(messages).toHaveLength(1);
  });

  it("keeps each resource's events in order", async () => {
    const handler = handlerFor(fifoUrl);
    for (const name of ["media-processor-started", "media-processor-ended"] as const) {
      await handler(signedCallback({ params: fresh(name) }));
    }
    const messages = await drainQueue(sqs.client, fifoUrl);
    expect(messages.map((m) => attribute(m, "status"))).toEqual(["started", "ended"]);
  });

  it("publishes to a standard queue without FIFO fields", async () => {
    const handler = handlerFor(standardUrl);
    const response = await handler(signedCallback({ params: fresh("stream-started") }));
    const messages = await drainQueue(sqs.client, standardUrl);
    expect(response.statusCode).toBe(200);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.Attributes?.MessageGroupId).toBeUndefined();
  });

  it("relays a validly signed callback from an unknown resource", async () => {
    const handler = handlerFor(fifoUrl);
    const params = {
      AccountSid: ACCOUNT_SID,
      WidgetSid: "WX0123456789abcdef0123456789abcdef",
      StatusCallbackEvent: "widget-available",
    };
    const response = await handler(signedCallback({ params }));
    const messages = await drainQueue(sqs.client, fifoUrl);
    expect(response.statusCode).toBe(200);
    expect(attribute(messages[0], "type")).toBe("com.twilio.status-callback.unknown");
    expect(messages[0]?.Attributes?.MessageGroupId).toBe(params.WidgetSid);
  });

  it("relays characters SQS refuses raw (U+FFFE, U+FFFF, and astral ones in fauxqs) intact", async () => {
    // Prepare: SQS takes only #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF in a body
    const handler = handlerFor(fifoUrl);
    const odd = "\ufffe\uffff \u{1f600} \u0001\u001f \ud7ff\ue000 é";
    const params = { ...fresh("stream-started"), Note: odd };

    // Act
    const response = await handler(signedCallback({ params }));
    const messages = await drainQueue(sqs.client, fifoUrl);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(messages).toHaveLength(1);
    const event = StatusEventSchema.parse(JSON.parse(messages[0]?.Body ?? ""));
    expect(event.data.unrecognizedParameters.Note).toBe(odd);
  });

  it("relays an unknown resource whose AccountSid SQS could not carry as an attribute", async () => {
    // Prepare
    const handler = handlerFor(fifoUrl);
    const params = {
      AccountSid: "AC\uffff\u0001",
      WidgetSid: "WX0123456789abcdef0123456789abcdef",
      StatusCallbackEvent: "widget-done",
    };

    // Act
    const response = await handler(signedCallback({ params }));
    const messages = await drainQueue(sqs.client, fifoUrl);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(attribute(messages[0], "accountSid")).toBeUndefined();
    expect(JSON.parse(messages[0]?.Body ?? "").data.accountSid).toBe(params.AccountSid);
  });

  it("answers 503 when SQS refuses, within the publish budget", async () => {
    const handler = handlerFor(`${sqs.endpoint}/000000000000/missing.fifo`, 3000);
    const started = Date.now();
    const response = await handler(signedCallback());
    expect(response.statusCode).toBe(503);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it.each([
    ["no signature", { signature: null }, 401],
    ["a signature from another token", { token: FORGER_AUTH_TOKEN }, 403],
    ["a signature for another URL", { signedUrl: "https://evil.example/status-callbacks" }, 403],
    ["a DELETE", { method: "DELETE" }, 405],
    ["an oversized body", { body: `A=${"x".repeat(70_000)}` }, 413],
    ["a JSON body", { contentType: "application/json" }, 415],
    [
      "a signed callback missing its SID's account",
      { params: { ...callbackParams("stream-started"), AccountSid: "" } },
      400,
    ],
    ["a signed request with an empty body (not a status callback)", { params: {} }, 400],
    [
      "a signed request with only parameters no Twilio callback has",
      { params: { Foo: "bar", Note: ["a", "b"] } },
      400,
    ],
    [
      "a signed request with only parameters no Twilio callback has, by GET",
      { params: { Foo: "bar" }, method: "GET" },
      400,
    ],
  ] as Array<[string, SignedCallbackOptions, number]>)(
    "refuses %s and publishes nothing",
    async (_, options, status) => {
      const handler = handlerFor(fifoUrl);
      const response = await handler(signedCallback(options));
      expect(response.statusCode).toBe(status);
      expect(await drainQueue(sqs.client, fifoUrl)).toEqual([]);
    },
  );
});
