/**
 * Replay from logs, end to end: the ingest handler (real SQS publisher, real Powertools logger,
 * its output kept in a file as Lambda would keep it) against fauxqs; fauxqs stopped, so callbacks
 * are answered 503 and logged; fauxqs restarted on the same port; `npm run replay` fed the log.
 * Every event must end on the queue exactly once, however often the log is replayed.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetQueueAttributesCommand, type Message, type SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { StatusEvent } from "../../lib/events/schemas.ts";
import { createSqsClient, createSqsPublisher } from "../../lib/ingest/aws/sqs-publisher.ts";
import { createIngestHandler } from "../../lib/ingest/handler.ts";
import { createLogger } from "../../lib/ingest/logger.ts";
import { normaliseCallback } from "../../lib/ingest/normalise.ts";
import { staticTokens } from "../../lib/ingest/tokens.ts";
import { freePort } from "../../testing/local/loop.ts";
import {
  drainQueue,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type LocalSqs,
  startLocalSqs,
} from "../../testing/local/sqs.ts";
import {
  ACCOUNT_SID,
  ALL_EVENTS,
  callbackParams,
  LOCAL_AUTH_TOKEN,
} from "../../testing/samples.ts";
import { signedCallback } from "../../testing/signed-callback.ts";
import { captureOutput } from "../helpers/captured-output.ts";
import { runScript } from "../helpers/child-process.ts";

const QUEUE_NAME = "relay-replay";

let sqs: LocalSqs;
let port: number;
let queueUrl: string;
let logFile: string;
let events: StatusEvent[];
/** The event whose retry got through once SQS was back. */
let retried: StatusEvent;
let statuses: number[];

function replay(...args: string[]) {
  return runScript("scripts/replay.ts", args, {
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  });
}

beforeAll(async () => {
  // Prepare: the relay on a queue that works, then stops working.
  port = await freePort();
  sqs = await startLocalSqs(port);
  queueUrl = (await sqs.createQueues(QUEUE_NAME)).queueUrl;
  const publisherClient: SQSClient = createSqsClient({
    endpoint: sqs.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  // Deployed with logLevel=DEBUG: its `published` lines let the replay leave out the event a
  // retry published.
  vi.stubEnv("POWERTOOLS_LOG_LEVEL", "DEBUG");
  const logger = createLogger();
  vi.unstubAllEnvs();
  const handler = createIngestHandler({
    config: {
      publicUrl: undefined,
      allowedAccountSids: new Set([ACCOUNT_SID.toLowerCase()]),
    },
    publisher: createSqsPublisher({ queueUrl, client: publisherClient }),
    clock: () => new Date(),
    tokens: staticTokens([LOCAL_AUTH_TOKEN]),
    logger,
  });
  const params = ALL_EVENTS.map((name, index) =>
    callbackParams(name, {
      timestamp: new Date(Date.UTC(2026, 11, 2, 16, 0, index)).toISOString(),
    }),
  );
  const asMap = (p: Record<string, string>) => new Map(Object.entries(p).map(([k, v]) => [k, [v]]));
  events = params.map((p) => normaliseCallback(asMap(p), () => new Date()));
  retried = events[1] as StatusEvent;
  statuses = [];
  const output = captureOutput();
  try {
    await sqs.stop();
    // Act: every callback while SQS is down, the first one twice (Twilio retries).
    for (const p of [params[0], ...params]) {
      statuses.push((await handler(signedCallback({ params: p }))).statusCode);
    }
    // A signed callback the relay cannot read: logged for a human, not replayable.
    const malformed = { ...callbackParams("stream-ended"), Timestamp: "yesterday" };
    statuses.push((await handler(signedCallback({ params: malformed }))).statusCode);
    // A callback from an account the policy does not allow: refused, logged whole.
    const stranger = { ...callbackParams("stream-started"), AccountSid: `AC${"e".repeat(32)}` };
    statuses.push((await handler(signedCallback({ params: stranger }))).statusCode);
    // SQS back, on the same port; a retry of one event gets through on its own.
    sqs = await startLocalSqs(port);
    const again = await sqs.createQueues(QUEUE_NAME);
    expect(again.queueUrl).toBe(queueUrl);
    statuses.push((await handler(signedCallback({ params: params[1] }))).statusCode);
  } finally {
    output.restore();
    publisherClient.destroy();
    logFile = join(mkdtempSync(join(tmpdir(), "relay-replay-")), "ingest.log");
    writeFileSync(logFile, output.text());
  }
}, 60_000);

afterAll(async () => {
  await sqs?.stop();
});

describe("npm run replay, after SQS was down", () => {
  it("the relay answered 503 to every callback it could not queue, 400 and 403 to those it refused", () => {
    // Assess
    expect(statuses).toEqual([503, 503, 503, 503, 503, 503, 503, 400, 403, 200]);
  });

  it("without --send lists what it would send, counted by type, and sends nothing", async () => {
    // Act
    const dry = replay("--from", logFile, "--queue-url", queueUrl);

    // Assess
    expect(await dry.exited).toBe(0);
    const out = dry.lines.join("\n");
    expect(out).toContain("would send 5 events");
    expect(out).toContain("not counted: 1 that a retry published later");
    expect(out).toContain(
      "callbacks refused as malformed (not replayable; fix, then have Twilio resend): 1",
    );
    expect(out).toMatch(/^ +1 {2}com\.twilio\.media\.player-streamer\.ended$/m);
    expect(out).toMatch(/^ +1 {2}com\.twilio\.media\.media-processor\.started$/m);
    expect(out).toContain("dry run: nothing sent");
    for (const event of events) {
      if (event.id === retried.id) expect(out).not.toContain(event.id);
      else expect(out).toContain(event.id);
    }
    expect(out).toMatch(/^callbacks refused by policy: 1 \(not replayed; /m);
    expect(out).toMatch(
      /^ {2}\S+ {2}AccountNotAllowedError {2}com\.twilio\.media\.player-streamer\.started {2}[0-9a-f]{64}$/m,
    );
    // Only the retry that got through is on the queue.
    expect(await messagesOnQueue()).toBe(1);
  });

  it("with --send, twice, leaves every event on the queue exactly once, as the relay sends it", async () => {
    // Act
    const first = replay("--from", logFile, "--queue-url", queueUrl, "--send");
    expect(await first.exited).toBe(0);
    const second = replay("--from", logFile, "--queue-url", queueUrl, "--send");
    expect(await second.exited).toBe(0);
    const onQueue = await drainAll();

    // Assess
    expect(first.lines).toContain("sent 5 of 5 events; 0 failed");
    expect(onQueue.map((message) => message.MessageDeduplicationId).sort()).toEqual(
      events.map((event) => event.id).sort(),
    );
    for (const event of events) {
      const message = onQueue.find((m) => m.MessageDeduplicationId === event.id);
      expect(JSON.parse(message?.Body ?? "null")).toEqual(JSON.parse(JSON.stringify(event)));
      expect(message?.MessageGroupId).toBe(event.subject);
      expect(message?.MessageAttributes?.type?.StringValue).toBe(event.type);
      expect(message?.MessageAttributes?.status?.StringValue).toBe(event.data.status);
    }
  });

  it("with --include-refused, would also send the event refused by policy", async () => {
    // Act
    const dry = replay("--from", logFile, "--include-refused");

    // Assess
    expect(await dry.exited).toBe(0);
    expect(dry.lines).toContain("would send 6 events:");
  });

  it("reads the same log as `aws logs filter-log-events` prints it", async () => {
    // Prepare
    const lines = readFileSync(logFile, "utf8")
      .split("\n")
      .filter((line) => line !== "");
    const exported = join(mkdtempSync(join(tmpdir(), "relay-replay-")), "events.json");
    writeFileSync(
      exported,
      JSON.stringify({
        events: lines.map((message, index) => ({
          logStreamName: "2026/12/02/[$LATEST]0123456789abcdef",
          timestamp: 1_796_227_200_000 + index,
          message: `${message}\n`,
          ingestionTime: 1_796_227_200_500 + index,
          eventId: String(index),
        })),
        searchedLogStreams: [],
      }),
    );

    // Act
    const dry = replay("--from", exported);

    // Assess
    expect(await dry.exited).toBe(0);
    expect(dry.lines).toContain("would send 5 events:");
  });
});

// The FIFO queue hands out one message per group until it is deleted: drain in a loop.
async function drainAll(): Promise<
  (Message & { MessageGroupId?: string; MessageDeduplicationId?: string })[]
> {
  const messages = await drainQueue(sqs.client, queueUrl);
  return messages.map((message) => ({
    ...message,
    MessageGroupId: message.Attributes?.MessageGroupId,
    MessageDeduplicationId: message.Attributes?.MessageDeduplicationId,
  }));
}

async function messagesOnQueue(): Promise<number> {
  const { Attributes } = await sqs.client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
  );
}
