/**
 * Event Streams sink deliveries, SharedKey callbacks and subaccount callbacks through the real
 * handler into a real SQS-compatible server (fauxqs on loopback): what reaches the queue is read
 * back, bodies, attributes, groups and deduplication ids.
 */

import type { Message } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRelayedEvent } from "../../lib/events/cloud-event.ts";
import { createSqsClient, createSqsPublisher } from "../../lib/ingest/aws/sqs-publisher.ts";
import { createIngestHandler, type IngestHandler } from "../../lib/ingest/handler.ts";
import { staticSecretMap, staticTokens } from "../../lib/ingest/tokens.ts";
import {
  callStatusEvent,
  LOCAL_SHARED_KEY,
  messageStatusEvent,
  sampleSinkEvents,
  signedSinkDelivery,
  sinkTestEvent,
} from "../../testing/event-streams.ts";
import {
  drainQueue,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type LocalSqs,
  startLocalSqs,
} from "../../testing/local/sqs.ts";
import { ACCOUNT_SID, callbackParams, LOCAL_AUTH_TOKEN } from "../../testing/samples.ts";
import { signedCallback } from "../../testing/signed-callback.ts";
import { startFaultProxy } from "../helpers/fault-proxy.ts";
import { memoryLogger } from "../helpers/memory-logger.ts";

const SUBACCOUNT = "AC11111111111111111111111111111111";
const SUBACCOUNT_TOKEN = "11111111111111111111111111111111";

let sqs: LocalSqs;
let queues = 0;

beforeAll(async () => {
  sqs = await startLocalSqs();
});

afterAll(async () => {
  await sqs?.stop();
});

async function relay(fifo = true): Promise<{ handler: IngestHandler; queueUrl: string }> {
  queues += 1;
  const { queueUrl } = await sqs.createQueues(`event-streams-${queues}`, { fifo });
  const handler = createIngestHandler({
    config: { publicUrl: undefined },
    tokens: staticTokens([LOCAL_AUTH_TOKEN]),
    sharedKeys: staticSecretMap(new Map([[LOCAL_SHARED_KEY.id, [LOCAL_SHARED_KEY.secret]]])),
    accountAuthTokens: staticSecretMap(new Map([[SUBACCOUNT, [SUBACCOUNT_TOKEN]]])),
    publisher: createSqsPublisher({ queueUrl, client: sqs.client }),
    clock: () => new Date(),
    logger: memoryLogger(),
  });
  return { handler, queueUrl };
}

function attributes(message: Message | undefined): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(message?.MessageAttributes ?? {}).map(([name, value]) => [
      name,
      value.StringValue,
    ]),
  );
}

// fauxqs returns a FIFO queue's messages in group order, not send order: compare by id.
function byId(messages: Message[]): Map<string, Message> {
  return new Map(messages.map((message) => [JSON.parse(message.Body ?? "{}").id, message]));
}

describe("an Event Streams sink delivery into fauxqs", () => {
  it("puts each of 12 events on the FIFO queue as its own message, unchanged, with attributes, group and dedup id", async () => {
    // Prepare: more than one SendMessageBatch (10 entries each)
    const { handler, queueUrl } = await relay();
    const events = sampleSinkEvents({ count: 12 });

    // Act
    const response = await handler(signedSinkDelivery({ events }));
    const messages = byId(await drainQueue(sqs.client, queueUrl));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(messages.size).toBe(12);
    for (const event of events) {
      const message = messages.get(event.id);
      expect(JSON.parse(message?.Body ?? "null")).toEqual(event);
      expect(parseRelayedEvent(message?.Body ?? "")).toEqual({ kind: "event-streams", event });
      expect(message?.Attributes?.MessageDeduplicationId).toBe(event.id);
      expect(attributes(message).type).toBe(event.type);
      expect(attributes(message).accountSid).toBe(ACCOUNT_SID);
    }
    const test = events.at(-1);
    expect(messages.get(test?.id ?? "")?.Attributes?.MessageGroupId).toBe(test?.id);
    const groups = new Set([...messages.values()].map((m) => m.Attributes?.MessageGroupId));
    // One message resource, one call, and the test event.
    expect(groups.size).toBe(3);
  });

  it("keeps one message per event when Event Streams delivers the same array twice", async () => {
    // Prepare
    const { handler, queueUrl } = await relay();
    const delivery = signedSinkDelivery({ events: sampleSinkEvents({ count: 6 }) });

    // Act
    const first = await handler(delivery);
    const second = await handler(delivery);
    const messages = await drainQueue(sqs.client, queueUrl);

    // Assess
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    expect(messages).toHaveLength(6);
  });

  it("puts every event on a standard queue", async () => {
    // Prepare
    const { handler, queueUrl } = await relay(false);
    const events = [messageStatusEvent("sent"), callStatusEvent("completed"), sinkTestEvent()];

    // Act
    const response = await handler(signedSinkDelivery({ events }));
    const messages = await drainQueue(sqs.client, queueUrl);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(messages.map((m) => JSON.parse(m.Body ?? "")).sort(byEventId)).toEqual(
      [...events].sort(byEventId),
    );
  });

  it("relays 100 events of 9 KiB, the most a delivery may hold", async () => {
    // Prepare: 900 KiB, ten batches
    const { handler, queueUrl } = await relay();
    const events = Array.from({ length: 100 }, () => ({
      ...messageStatusEvent("delivered"),
      extension: "x".repeat(9 * 1024),
    }));

    // Act
    const response = await handler(signedSinkDelivery({ events }));
    const messages = await drainQueue(sqs.client, queueUrl);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(messages).toHaveLength(100);
  });

  it("splits large events into batches of at most 256 KiB, which every SQS queue takes", async (context) => {
    // Prepare: ten events of 60 KiB (600 KiB): four fit in one batch's 256 KiB
    const proxy = await startFaultProxy({ upstream: sqs.endpoint });
    const client = createSqsClient({
      endpoint: proxy.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    context.onTestFinished(async () => {
      client.destroy();
      await proxy.close();
    });
    queues += 1;
    const { queueUrl } = await sqs.createQueues(`event-streams-${queues}`);
    const handler = createIngestHandler({
      config: { publicUrl: undefined },
      tokens: staticTokens([LOCAL_AUTH_TOKEN]),
      publisher: createSqsPublisher({ queueUrl, client }),
      clock: () => new Date(),
      logger: memoryLogger(),
    });
    const events = Array.from({ length: 10 }, () => ({
      ...messageStatusEvent("delivered"),
      extension: "x".repeat(60 * 1024),
    }));

    // Act
    const response = await handler(signedSinkDelivery({ events }));
    const batches = proxy.requests
      .filter((request) => request.target === "AmazonSQS.SendMessageBatch")
      .map((request) => (JSON.parse(request.body) as { Entries: unknown[] }).Entries.length);
    const messages = await drainQueue(sqs.client, queueUrl);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(batches.sort()).toEqual([2, 4, 4]);
    expect(messages).toHaveLength(10);
  });

  it("relays a delivery signed with a SharedKey (HMAC-SHA256)", async () => {
    // Prepare
    const { handler, queueUrl } = await relay();

    // Act
    const response = await handler(signedSinkDelivery({ sharedKey: LOCAL_SHARED_KEY }));
    const messages = await drainQueue(sqs.client, queueUrl);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(messages).toHaveLength(4);
  });

  it("publishes nothing for a delivery whose body does not match its hash", async () => {
    // Prepare
    const { handler, queueUrl } = await relay();
    const events = sampleSinkEvents();

    // Act
    const response = await handler(
      signedSinkDelivery({ events, tamperedBody: JSON.stringify(events.slice(1)) }),
    );
    const messages = await drainQueue(sqs.client, queueUrl);

    // Assess
    expect(response.statusCode).toBe(403);
    expect(messages).toEqual([]);
  });
});

describe("form callbacks with the new secrets into fauxqs", () => {
  it("relays a callback signed with a SharedKey (HMAC-SHA256)", async () => {
    // Prepare
    const { handler, queueUrl } = await relay();

    // Act
    const response = await handler(signedCallback({ sharedKey: LOCAL_SHARED_KEY }));
    const messages = await drainQueue(sqs.client, queueUrl);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(messages).toHaveLength(1);
    expect(parseRelayedEvent(messages[0]?.Body ?? "").kind).toBe("status-callback");
  });

  it("relays a subaccount's callback signed with its own token", async () => {
    // Prepare
    const { handler, queueUrl } = await relay();
    const params = { ...callbackParams("stream-started"), AccountSid: SUBACCOUNT };

    // Act
    const response = await handler(signedCallback({ params, token: SUBACCOUNT_TOKEN }));
    const messages = await drainQueue(sqs.client, queueUrl);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(attributes(messages[0]).accountSid).toBe(SUBACCOUNT);
  });
});

function byEventId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
