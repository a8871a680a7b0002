/**
 * Recovery from the logs, end to end: the real ingest handler (production SQS publisher) answers
 * 503 while SQS is unreachable and logs through the real Powertools logger; its lines, captured,
 * are wrapped as CloudWatch Logs wraps them (base64 of gzip of JSON) and given to the real recover
 * handler with SQS back (fauxqs). And a chaos run: SQS gone for a window while signed callbacks
 * arrive, retried only as Twilio's default settings retry them; the recovery path alone must leave
 * every callback on the queue exactly once.
 */
import { gzipSync } from "node:zlib";
import type { Message } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSqsClient, createSqsPublisher } from "../../lib/ingest/aws/sqs-publisher.ts";
import { createIngestHandler } from "../../lib/ingest/handler.ts";
import { createLogger } from "../../lib/ingest/logger.ts";
import { staticTokens } from "../../lib/ingest/tokens.ts";
import {
  type CloudWatchLogsEvent,
  createRecoverHandler,
  noRecoveryMetrics,
  sqsSender,
} from "../../lib/recovery/index.ts";
import { freePort } from "../../testing/local/loop.ts";
import {
  drainQueue,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type LocalSqs,
  startLocalSqs,
} from "../../testing/local/sqs.ts";
import { ALL_EVENTS, callbackParams, LOCAL_AUTH_TOKEN } from "../../testing/samples.ts";
import { signedCallback } from "../../testing/signed-callback.ts";
import { captureOutput } from "../helpers/captured-output.ts";
import { type FaultProxy, PASS, startFaultProxy } from "../helpers/fault-proxy.ts";
import { memoryLogger } from "../helpers/memory-logger.ts";

const context = { getRemainingTimeInMillis: () => 60_000 };
let sqs: LocalSqs;

beforeAll(async () => {
  sqs = await startLocalSqs();
});
afterAll(async () => {
  await sqs?.stop();
});

function client(endpoint: string) {
  return createSqsClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}

function ingestTo(queueUrl: string, endpoint: string) {
  const sqsClient = client(endpoint);
  return {
    sqsClient,
    handler: createIngestHandler({
      config: { publicUrl: undefined },
      publisher: createSqsPublisher({ queueUrl, client: sqsClient }),
      clock: () => new Date(),
      tokens: staticTokens([LOCAL_AUTH_TOKEN]),
      logger: createLogger(),
    }),
  };
}

function recoverTo(queueUrl: string) {
  const sqsClient = client(sqs.endpoint);
  const logger = memoryLogger();
  const handler = createRecoverHandler({
    config: { queueUrl },
    send: sqsSender(sqsClient),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    logger,
    metrics: noRecoveryMetrics,
  });
  return { handler, logger, sqsClient };
}

/** The lines as CloudWatch Logs delivers them to a subscription, `size` log events a payload. */
function asSubscriptionPayloads(lines: readonly string[], size: number): CloudWatchLogsEvent[] {
  const payloads: CloudWatchLogsEvent[] = [];
  for (let start = 0; start < lines.length; start += size) {
    const json = {
      messageType: "DATA_MESSAGE",
      owner: "123456789012",
      logGroup: "/aws/lambda/twilio-status-relay-dev-ingest",
      logStream: "2026/12/07/[$LATEST]0123456789abcdef",
      subscriptionFilters: ["recover"],
      logEvents: lines.slice(start, start + size).map((message, index) => ({
        id: String(start + index),
        timestamp: Date.now(),
        message: `${message}\n`,
      })),
    };
    payloads.push({ awslogs: { data: gzipSync(JSON.stringify(json)).toString("base64") } });
  }
  return payloads;
}

function publishFailedLines(text: string): string[] {
  return text.split("\n").filter((line) => line.includes('"message":"publish failed"'));
}

function dedupIds(messages: readonly Message[]): string[] {
  return messages.map((message) => message.Attributes?.MessageDeduplicationId ?? "");
}

function bodyIds(messages: readonly Message[]): string[] {
  return messages.map((message) => (JSON.parse(message.Body ?? "{}") as { id: string }).id);
}

describe("recover, after the ingest handler answered 503", () => {
  it.each([
    ["a FIFO queue", true],
    ["a standard queue", false],
  ])(
    "puts every event on %s once per delivery of the payload, with the id the relay would have published",
    async (_, fifo) => {
      // Prepare
      const { queueUrl } = await sqs.createQueues(`recover-${fifo ? "fifo" : "std"}`, { fifo });
      const unreachable = `http://127.0.0.1:${await freePort()}`;
      const ingest = ingestTo(queueUrl, unreachable);
      const output = captureOutput();
      const statuses: number[] = [];
      try {
        for (const [index, name] of ALL_EVENTS.entries()) {
          const timestamp = new Date(Date.UTC(2026, 11, 7, 9, fifo ? 0 : 1, index)).toISOString();
          const response = await ingest.handler(
            signedCallback({ params: callbackParams(name, { timestamp }) }),
          );
          statuses.push(response.statusCode);
        }
      } finally {
        output.restore();
        ingest.sqsClient.destroy();
      }
      const lines = publishFailedLines(output.text());
      const expectedIds = lines.map((line) => (JSON.parse(line) as { eventId: string }).eventId);
      const [payload] = asSubscriptionPayloads(lines, lines.length);
      const recover = recoverTo(queueUrl);

      // Act
      await recover.handler(payload as CloudWatchLogsEvent, context);
      await recover.handler(payload as CloudWatchLogsEvent, context);
      const onQueue = await drainQueue(sqs.client, queueUrl);
      recover.sqsClient.destroy();

      // Assess
      expect(statuses).toEqual(ALL_EVENTS.map(() => 503));
      expect(expectedIds).toHaveLength(ALL_EVENTS.length);
      if (fifo) {
        expect(bodyIds(onQueue).sort()).toEqual([...expectedIds].sort());
        expect(dedupIds(onQueue).sort()).toEqual([...expectedIds].sort());
      } else {
        // Two deliveries, two copies: consumers dedupe on the id, the same on each copy.
        expect(bodyIds(onQueue).sort()).toEqual([...expectedIds, ...expectedIds].sort());
      }
    },
  );
});

/** How Twilio retries an answer by default: not at all for a 5xx (no `#rc=` in the URL). */
type RetryRule = (statusCode: number) => number;
const TWILIO_DEFAULT_RETRIES: RetryRule = () => 0;

describe("chaos: SQS gone for a window, recovery from the logs alone", () => {
  it("leaves every callback on the queue exactly once", async () => {
    // Prepare
    const CALLBACKS = 200;
    const retries = TWILIO_DEFAULT_RETRIES;
    const { queueUrl } = await sqs.createQueues("recover-chaos");
    const proxy: FaultProxy = await startFaultProxy({ upstream: sqs.endpoint, mode: PASS });
    const ingest = ingestTo(queueUrl, proxy.endpoint);
    const callbacks = Array.from({ length: CALLBACKS }, (_, index) => {
      const name = ALL_EVENTS[index % ALL_EVENTS.length] ?? "stream-ended";
      const timestamp = new Date(Date.UTC(2026, 11, 7, 10, 0, 0, index)).toISOString();
      return signedCallback({ params: callbackParams(name, { timestamp }) });
    });
    const statuses: number[] = [];
    const output = captureOutput();
    try {
      for (let start = 0; start < CALLBACKS; start += 20) {
        // The outage: the second and third fifths of the traffic meet no SQS at all.
        const down = start >= CALLBACKS / 5 && start < (3 * CALLBACKS) / 5;
        await proxy.setMode(down ? "refuse" : PASS);
        const batch = callbacks.slice(start, start + 20);
        const answers = await Promise.all(
          batch.map(async (callback) => {
            let response = await ingest.handler(callback);
            for (let retry = 0; retry < retries(response.statusCode); retry += 1) {
              response = await ingest.handler(callback);
            }
            return response.statusCode;
          }),
        );
        statuses.push(...answers);
      }
    } finally {
      output.restore();
      ingest.sqsClient.destroy();
    }
    await proxy.setMode(PASS);
    const lines = publishFailedLines(output.text());
    const recover = recoverTo(queueUrl);

    // Act
    let recovered = 0;
    for (const payload of asSubscriptionPayloads(lines, 25)) {
      recovered += (await recover.handler(payload, context)).recovered;
    }
    const onQueue = await drainQueue(sqs.client, queueUrl);
    recover.sqsClient.destroy();
    await proxy.close();

    // Assess
    const ids = bodyIds(onQueue);
    const distinct = new Set(ids);
    const answered503 = statuses.filter((status) => status === 503).length;
    const figures = {
      callbacks: CALLBACKS,
      answered503,
      recovered,
      lost: CALLBACKS - distinct.size,
      duplicated: ids.length - distinct.size,
    };
    console.log(`recover chaos figures: ${JSON.stringify(figures)}`);
    expect(answered503).toBeGreaterThan(0);
    expect(recovered).toBe(answered503);
    expect(figures.lost).toBe(0);
    expect(figures.duplicated).toBe(0);
    expect(ids).toHaveLength(CALLBACKS);
  }, 30_000);
});
