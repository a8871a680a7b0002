/**
 * The recover function on its own: CloudWatch Logs payloads built as CloudWatch Logs builds them
 * (base64 of gzipped JSON) around the ingest handler's real `publish failed` lines, a sender that
 * records or fails, a fake clock.
 */
import { gzipSync } from "node:zlib";
import type { SendMessageCommandInput } from "@aws-sdk/client-sqs";
import { beforeAll, describe, expect, it } from "vitest";
import { createIngestHandler } from "../../lib/ingest/handler.ts";
import { createLogger } from "../../lib/ingest/logger.ts";
import { staticTokens } from "../../lib/ingest/tokens.ts";
import {
  createRecoverHandler,
  type MessageSender,
  RETRY_SAFETY_MARGIN_MS,
  RecoveryIncompleteError,
  type RecoveryMetrics,
} from "../../lib/recovery/index.ts";
import { ALL_EVENTS, callbackParams, LOCAL_AUTH_TOKEN } from "../../testing/samples.ts";
import { signedCallback } from "../../testing/signed-callback.ts";
import { captureOutput } from "../helpers/captured-output.ts";
import { memoryLogger } from "../helpers/memory-logger.ts";

const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/relay.fifo";

/** The ingest handler's real `publish failed` lines, one per sample event. */
let lines: string[];
let eventIds: string[];

beforeAll(async () => {
  // Prepare: a queue that refuses everything.
  const handler = createIngestHandler({
    config: { publicUrl: undefined },
    publisher: { publish: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:9")) },
    clock: () => new Date(),
    tokens: staticTokens([LOCAL_AUTH_TOKEN]),
    logger: createLogger(),
  });
  const output = captureOutput();
  try {
    for (const [index, name] of ALL_EVENTS.entries()) {
      const timestamp = new Date(Date.UTC(2026, 11, 7, 8, 0, index)).toISOString();
      await handler(signedCallback({ params: callbackParams(name, { timestamp }) }));
    }
  } finally {
    output.restore();
  }
  lines = output
    .text()
    .split("\n")
    .filter((line) => line.includes('"publish failed"'));
  eventIds = lines.map((line) => (JSON.parse(line) as { eventId: string }).eventId);
  expect(lines).toHaveLength(ALL_EVENTS.length);
});

function payload(messages: readonly string[], messageType = "DATA_MESSAGE") {
  return {
    messageType,
    owner: "123456789012",
    logGroup: "/aws/lambda/relay-ingest",
    logStream: "2026/12/07/[$LATEST]0123456789abcdef",
    subscriptionFilters: ["recover"],
    logEvents: messages.map((message, index) => ({
      id: `3${String(index).padStart(55, "0")}`,
      timestamp: 1_796_630_400_000 + index,
      message,
    })),
  };
}

function awslogs(value: unknown) {
  return { awslogs: { data: gzipSync(JSON.stringify(value)).toString("base64") } };
}

function recorder() {
  const counts = { recovered: 0, failed: 0, flushes: 0 };
  const metrics: RecoveryMetrics = {
    recovered: (n) => {
      counts.recovered += n;
    },
    failed: (n) => {
      counts.failed += n;
    },
    flush: () => {
      counts.flushes += 1;
    },
  };
  return { counts, metrics };
}

function recover(send: MessageSender, remainingMs = 60_000) {
  let now = 0;
  const sleeps: number[] = [];
  const logger = memoryLogger();
  const { counts, metrics } = recorder();
  const handler = createRecoverHandler({
    config: { queueUrl: QUEUE_URL },
    send,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    random: () => 0.5,
    logger,
    metrics,
  });
  const context = { getRemainingTimeInMillis: () => remainingMs - now };
  return { handler, context, logger, counts, sleeps };
}

function sentTo(messages: SendMessageCommandInput[]): MessageSender {
  return async (message) => {
    messages.push(message);
  };
}

describe("the recover handler", () => {
  it("republishes every event of a DATA_MESSAGE with its id as deduplication id and its group", async () => {
    // Prepare
    const messages: SendMessageCommandInput[] = [];
    const { handler, context, counts, logger } = recover(sentTo(messages));

    // Act
    const summary = await handler(awslogs(payload(lines)), context);

    // Assess
    expect(summary).toEqual({ recovered: lines.length, failed: 0, skipped: 0 });
    expect(messages.map((message) => message.MessageDeduplicationId)).toEqual(eventIds);
    for (const message of messages) {
      const body = JSON.parse(message.MessageBody ?? "null") as { subject: string };
      expect(message.MessageGroupId).toBe(body.subject);
    }
    expect(counts).toEqual({ recovered: lines.length, failed: 0, flushes: 1 });
    expect(logger.lines.find((line) => line.message === "recovered")?.attributes.eventIds).toEqual(
      eventIds,
    );
  });

  it("reads lines in Lambda's Text format, with time, request id and level before the JSON", async () => {
    // Prepare
    const messages: SendMessageCommandInput[] = [];
    const { handler, context } = recover(sentTo(messages));
    const text = lines.map(
      (line) => `2026-12-07T08:00:00.000Z\t0f0e0d0c-0000-4000-8000-000000000000\tERROR\t${line}\n`,
    );

    // Act
    await handler(awslogs(payload(text)), context);

    // Assess
    expect(messages.map((message) => message.MessageDeduplicationId)).toEqual(eventIds);
  });

  it("acknowledges a CONTROL_MESSAGE and sends nothing", async () => {
    // Prepare
    const messages: SendMessageCommandInput[] = [];
    const { handler, context, counts } = recover(sentTo(messages));

    // Act
    const summary = await handler(
      awslogs(
        payload(["CWL CONTROL MESSAGE: Checking health of destination Lambda."], "CONTROL_MESSAGE"),
      ),
      context,
    );

    // Assess
    expect(summary).toEqual({ recovered: 0, failed: 0, skipped: 0 });
    expect(messages).toEqual([]);
    expect(counts.failed).toBe(0);
  });

  it.each([
    ["not base64", { awslogs: { data: "not base64!" } }, "not base64"],
    ["not gzip", { awslogs: { data: Buffer.from("plain text").toString("base64") } }, "not gzip"],
    [
      "not JSON",
      { awslogs: { data: gzipSync("{not json").toString("base64") } },
      "does not hold JSON",
    ],
    ["the wrong shape", awslogs({ messageType: "DATA_MESSAGE", logEvents: "none" }), "logEvents"],
    ["no awslogs at all", { records: [] }, "no awslogs.data"],
  ])(
    "logs a payload that is %s at error, counts one failure and returns",
    async (_, input, reason) => {
      // Prepare
      const messages: SendMessageCommandInput[] = [];
      const { handler, context, counts, logger } = recover(sentTo(messages));

      // Act
      const summary = await handler(input as never, context);

      // Assess
      expect(summary.failed).toBe(1);
      expect(counts).toEqual({ recovered: 0, failed: 1, flushes: 1 });
      const error = logger.lines.find((line) => line.level === "error");
      expect(JSON.stringify(error?.attributes)).toContain(reason);
      expect(messages).toEqual([]);
    },
  );

  it("skips a line that is not a relay publish failed line with a warning and recovers the others", async () => {
    // Prepare
    const messages: SendMessageCommandInput[] = [];
    const { handler, context, logger } = recover(sentTo(messages));
    const [first = "", ...rest] = lines;
    const mixed = [
      first,
      "START RequestId: 0f0e Version: $LATEST",
      '{"message":"published"}',
      ...rest,
    ];

    // Act
    const summary = await handler(awslogs(payload(mixed)), context);

    // Assess
    expect(summary).toEqual({ recovered: lines.length, failed: 0, skipped: 2 });
    expect(logger.lines.filter((line) => line.level === "warn")).toHaveLength(2);
  });

  it("skips an Event Streams publish failed line, which holds only ids, quietly", async () => {
    // Prepare
    const messages: SendMessageCommandInput[] = [];
    const { handler, context, logger, counts } = recover(sentTo(messages));
    const sink = JSON.stringify({
      level: "ERROR",
      message: "publish failed",
      delivery: "event-streams",
      ids: ["a", "b"],
      error: { name: "PublishError", message: "SQS did not accept 2 of 2 events" },
    });

    // Act
    const summary = await handler(awslogs(payload([sink])), context);

    // Assess
    expect(summary).toEqual({ recovered: 0, failed: 0, skipped: 1 });
    expect(counts.failed).toBe(0);
    expect(logger.lines.filter((line) => line.level === "warn" || line.level === "error")).toEqual(
      [],
    );
  });

  it("logs an event that fails the event schema at error, counts it and recovers the rest", async () => {
    // Prepare
    const messages: SendMessageCommandInput[] = [];
    const { handler, context, logger, counts } = recover(sentTo(messages));
    const broken = JSON.parse(lines[0] ?? "{}") as { event: { data: { status?: unknown } } };
    delete broken.event.data.status;
    const [, ...rest] = lines;

    // Act
    const summary = await handler(awslogs(payload([JSON.stringify(broken), ...rest])), context);

    // Assess
    expect(summary).toEqual({ recovered: rest.length, failed: 1, skipped: 0 });
    expect(counts.failed).toBe(1);
    const error = logger.lines.find((line) => line.level === "error");
    expect(error?.attributes.reason).toMatch(/not a twilio-status-relay event/);
    expect(messages.map((message) => message.MessageDeduplicationId)).toEqual(eventIds.slice(1));
  });

  it("with SQS failing the whole time, retries with growing pauses within the time left, then throws", async () => {
    // Prepare
    let calls = 0;
    const failing: MessageSender = async () => {
      calls += 1;
      throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
    };
    const { handler, context, counts, sleeps } = recover(failing, RETRY_SAFETY_MARGIN_MS + 5_000);

    // Act
    const failure = await handler(awslogs(payload(lines)), context).catch(
      (error: unknown) => error,
    );

    // Assess
    expect(failure).toBeInstanceOf(RecoveryIncompleteError);
    expect((failure as RecoveryIncompleteError).eventIds).toEqual(eventIds);
    expect(sleeps.length).toBeGreaterThan(2);
    expect(sleeps).toEqual([...sleeps].sort((a, b) => a - b));
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(5_000);
    // One failing call per round: the rest of the round waits for the next one.
    expect(calls).toBe(sleeps.length + 1);
    expect(counts).toEqual({ recovered: 0, failed: lines.length, flushes: 1 });
  });

  it("does not retry an SQS error that is the sender's fault, and returns", async () => {
    // Prepare
    let calls = 0;
    const refusing: MessageSender = async () => {
      calls += 1;
      throw Object.assign(new Error("The specified queue does not exist."), {
        name: "QueueDoesNotExist",
        $fault: "client",
      });
    };
    const { handler, context, counts, sleeps } = recover(refusing);

    // Act
    const summary = await handler(awslogs(payload(lines)), context);

    // Assess
    expect(summary.failed).toBe(lines.length);
    expect(calls).toBe(lines.length);
    expect(sleeps).toEqual([]);
    expect(counts.failed).toBe(lines.length);
  });
});
