/**
 * Every event of every registered resource through the real handler into a real SQS-compatible
 * server (fauxqs on loopback), POST and GET: each lands once, with its type, subject, group,
 * status and typed fields; a redelivery lands once; distinct events of one resource land apart.
 */

import type { Message } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resources } from "../../lib/events/registry.ts";
import type { ResourceDefinition } from "../../lib/events/resources/define.ts";
import { camelCase } from "../../lib/events/resources/define.ts";
import { StatusEventSchema } from "../../lib/events/schemas.ts";
import { createSqsPublisher } from "../../lib/ingest/aws/sqs-publisher.ts";
import { createIngestHandler, type IngestHandler } from "../../lib/ingest/handler.ts";
import { staticTokens } from "../../lib/ingest/tokens.ts";
import { drainQueue, type LocalSqs, startLocalSqs } from "../../testing/local/sqs.ts";
import {
  ACCOUNT_SID,
  callbackParams,
  LOCAL_AUTH_TOKEN,
  SAMPLE_EVENTS,
  sampleSid,
} from "../../testing/samples.ts";
import { type SignedCallbackOptions, signedCallback } from "../../testing/signed-callback.ts";
import { memoryLogger } from "../helpers/memory-logger.ts";

let sqs: LocalSqs;
let queueUrl: string;
let handler: IngestHandler;

beforeAll(async () => {
  sqs = await startLocalSqs();
  queueUrl = (await sqs.createQueues("resources")).queueUrl;
  handler = createIngestHandler({
    config: { publicUrl: undefined },
    tokens: staticTokens([LOCAL_AUTH_TOKEN]),
    publisher: createSqsPublisher({ queueUrl, client: sqs.client }),
    clock: () => new Date(),
    logger: memoryLogger(),
  });
});

afterAll(async () => {
  await sqs?.stop();
});

beforeEach(async () => {
  await drainQueue(sqs.client, queueUrl);
});

// FIFO deduplication outlives deletion (five minutes): each test names resources of its own.
let sequence = 0;
function fresh(name: string, overrides: Record<string, string> = {}): Record<string, string> {
  sequence += 1;
  const sample = SAMPLE_EVENTS.find((event) => event.name === name);
  const subject = sample?.resource.sample({}, sample.status)[sample.resource.subjectParameters[0]];
  const timestamp = new Date(Date.UTC(2026, 10, 27, 10, 0, sequence)).toISOString();
  return {
    ...callbackParams(name, {
      timestamp,
      ...(subject ? { sid: sampleSid(subject.slice(0, 2), sequence) } : {}),
    }),
    ...overrides,
  };
}

function attribute(message: Message | undefined, name: string): string | undefined {
  return message?.MessageAttributes?.[name]?.StringValue;
}

/** What each documented parameter sent must be in `data`, by its type in the field table. */
function expectTypedFields(
  resource: ResourceDefinition,
  sent: Record<string, string>,
  data: object,
) {
  const fields = data as Record<string, unknown>;
  for (const field of resource.fields) {
    const value = sent[field.parameter];
    if (value === undefined || field.parameter === resource.statusParameter) continue;
    const name = camelCase(field.parameter);
    if (resource.resourceType === "MediaProcessor" || resource.resourceType === "PlayerStreamer") {
      continue; // The Twilio Live fields keep their own names; normalise.test.ts covers them.
    }
    if (value === "" && field.type !== "string") {
      expect(fields).not.toHaveProperty(name);
    } else if (field.type === "integer") {
      expect(fields[name]).toBe(Number(value));
    } else if (field.type === "boolean") {
      expect(fields[name]).toBe(value === "true");
    } else if (field.type === "ISO 8601 (sent as RFC 2822)") {
      expect(fields[name]).toBe(new Date(value).toISOString());
    } else if (field.type === "JSON object") {
      expect(fields[name]).toEqual(JSON.parse(value));
    } else {
      expect(fields[name]).toBe(value);
    }
  }
}

const METHODS: Array<[string, SignedCallbackOptions]> = [
  ["POST", { version: "2.0", base64: true }],
  ["GET", { version: "2.0", method: "GET" }],
];

describe.each(METHODS)("%s", (_, delivery) => {
  it.each(SAMPLE_EVENTS.map((event) => [event.name, event] as const))(
    "relays %s once, with its type, subject, group, status and typed fields",
    async (name, sample) => {
      // Prepare
      const { resource, status } = sample;
      const sent = fresh(name);
      const subject = resource.subjectParameters.map((p) => sent[p]).find((sid) => sid);

      // Act
      const response = await handler(signedCallback({ ...delivery, params: sent }));
      const messages = await drainQueue(sqs.client, queueUrl);

      // Assess
      expect(response.statusCode).toBe(200);
      expect(messages).toHaveLength(1);
      const message = messages[0];
      const event = StatusEventSchema.parse(JSON.parse(message?.Body ?? ""));
      const known = resource.events[status];
      expect(event.type).toBe(known?.type);
      expect(event.subject).toBe(subject);
      expect(event.data.resourceType).toBe(resource.resourceType);
      expect(event.data.status).toBe(known?.status ?? status);
      expect(event.data.accountSid).toBe(ACCOUNT_SID);
      expect(event.data.unrecognizedParameters).toEqual({});
      expectTypedFields(resource, sent, event.data);
      expect(message?.Attributes?.MessageGroupId).toBe(subject);
      expect(message?.Attributes?.MessageDeduplicationId).toBe(event.id);
      expect(attribute(message, "type")).toBe(event.type);
      expect(attribute(message, "status")).toBe(event.data.status);
    },
  );
});

describe.each(resources.map((resource) => [resource.resourceType, resource] as const))(
  "%s",
  (_, resource) => {
    it("keeps one message when Twilio delivers the same callback twice, by POST then GET", async () => {
      // Prepare
      const [status] = Object.keys(resource.events);
      const sample = SAMPLE_EVENTS.find((e) => e.resource === resource && e.status === status);
      const sent = fresh(sample?.name ?? "");

      // Act
      const first = await handler(signedCallback({ params: sent }));
      const retry = await handler(signedCallback({ params: sent, method: "GET" }));
      const messages = await drainQueue(sqs.client, queueUrl);

      // Assess
      expect([first.statusCode, retry.statusCode]).toEqual([200, 200]);
      expect(JSON.parse(retry.body)).toEqual(JSON.parse(first.body));
      expect(messages).toHaveLength(1);
    });
  },
);

describe("distinct events of one resource", () => {
  async function relay(...callbacks: Record<string, string>[]): Promise<Set<string>> {
    for (const params of callbacks) {
      expect((await handler(signedCallback({ params }))).statusCode).toBe(200);
    }
    const messages = await drainQueue(sqs.client, queueUrl);
    expect(messages).toHaveLength(callbacks.length);
    return new Set(messages.map((message) => JSON.parse(message.Body ?? "").id as string));
  }

  it("gives a message's sent and delivered callbacks two ids", async () => {
    const sent = fresh("message.sent");
    const delivered = {
      ...sent,
      MessageStatus: "delivered",
      SmsStatus: "delivered",
      RawDlrDoneDate: "2611271015",
    };
    expect((await relay(sent, delivered)).size).toBe(2);
  });

  it("gives two participants joining one conference two ids", async () => {
    const first = fresh("conference.participant-join");
    const second = { ...first, CallSid: "CA9923456789abcdef0123456789abcdef", SequenceNumber: "2" };
    expect((await relay(first, second)).size).toBe(2);
  });

  it("gives two progress callbacks of one composition two ids", async () => {
    const forty = fresh("composition.composition-progress");
    const fifty = { ...forty, PercentageDone: "50", SecondsRemaining: "80" };
    expect((await relay(forty, fifty)).size).toBe(2);
  });

  it("gives two callbacks of one call with the same status but another SequenceNumber two ids", async () => {
    const ringing = fresh("call.ringing");
    const again = { ...ringing, SequenceNumber: "2" };
    expect((await relay(ringing, again)).size).toBe(2);
  });
});
