/**
 * `npm run tail` against a local SQS server (fauxqs): prints each event once, leaves messages on
 * the queue by default and consumes them with --delete, and stops cleanly on Ctrl-C.
 */
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqsMessage } from "../../lib/ingest/aws/sqs-publisher.ts";
import { PEEK_VISIBILITY_SECONDS, queueCounts } from "../../testing/local/queue-tail.ts";
import {
  drainQueue,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type LocalSqs,
  startLocalSqs,
} from "../../testing/local/sqs.ts";
import { ALL_EVENTS } from "../../testing/samples.ts";
import { runScript } from "../helpers/child-process.ts";
import { statusEvent } from "../helpers/status-events.ts";

let sqs: LocalSqs;

beforeAll(async () => {
  sqs = await startLocalSqs(0);
});

afterAll(async () => {
  await sqs?.stop();
});

/** A fresh queue (FIFO unless `fifo` is false) holding the six events of two resources. */
async function queueWithSixEvents(name: string, fifo = true): Promise<string> {
  const { queueUrl } = await sqs.createQueues(name, { fifo });
  for (const event of ALL_EVENTS) {
    await sqs.client.send(new SendMessageCommand(sqsMessage(statusEvent(event), queueUrl, fifo)));
  }
  return queueUrl;
}

/** Drains the queue until `count` messages came off it, or `timeoutMs` passed. */
async function drainUntil(queueUrl: string, count: number, timeoutMs: number) {
  const drained = await drainQueue(sqs.client, queueUrl);
  const deadline = Date.now() + timeoutMs;
  while (drained.length < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    drained.push(...(await drainQueue(sqs.client, queueUrl)));
  }
  return drained;
}

function tail(queueUrl: string, ...flags: string[]) {
  return runScript("scripts/tail.ts", ["--queue-url", queueUrl, ...flags], {
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  });
}

const EVENT_LINE =
  /^2026-11-27T10:15:30\.123Z {2}com\.twilio\.media\.(media-processor|player-streamer)\.(started|ended|failed) {2}(ZX|VJ)/;

describe("npm run tail", () => {
  it("prints each event once and leaves every message on the queue by default", async () => {
    // Prepare
    const queueUrl = await queueWithSixEvents("tail-peek", false);

    // Act
    const running = tail(queueUrl);
    await running.waitForLines(EVENT_LINE, 6, 20_000);
    // Long enough for several more polls: a tail that re-printed or re-received would show it.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    running.child.kill("SIGINT");
    const code = await running.exited;

    // Assess
    expect(code).toBe(0);
    const printed = running.lines.filter((line) => EVENT_LINE.test(line));
    expect(printed).toHaveLength(6);
    expect(new Set(printed).size).toBe(6);
    const left = await drainQueue(sqs.client, queueUrl);
    expect(left).toHaveLength(6);
    // Received once to print and once to find nothing new, then no more: drain is the third.
    const receiveCounts = left.map((message) =>
      Number(message.Attributes?.ApproximateReceiveCount),
    );
    expect(Math.max(...receiveCounts)).toBeLessThanOrEqual(3);
  });

  it("notices an event that arrives after it has shown the queue's others", async () => {
    // Prepare
    const queueUrl = await queueWithSixEvents("tail-peek-late", false);
    const running = tail(queueUrl);
    await running.waitForLines(EVENT_LINE, 6, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    // Act
    const late = statusEvent("stream-started", {
      playerStreamerSid: "VJ000000000000000000000000000000ff",
    });
    await sqs.client.send(new SendMessageCommand(sqsMessage(late, queueUrl, false)));
    const line = await running.waitForLine(/VJ000000000000000000000000000000ff/, 10_000);
    running.child.kill("SIGINT");

    // Assess
    expect(line).toContain("com.twilio.media.player-streamer.started");
    expect(await running.exited).toBe(0);
    // Stopped mid-poll, the tail may have held messages; they come back after the peek timeout.
    expect(await drainUntil(queueUrl, 7, (PEEK_VISIBILITY_SECONDS + 3) * 1000)).toHaveLength(7);
  });

  it("on a FIFO queue leaves every message and shows the oldest of each message group", async () => {
    // Prepare
    const queueUrl = await queueWithSixEvents("tail-peek-fifo");

    // Act
    const running = tail(queueUrl);
    await running.waitForLines(EVENT_LINE, 2, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    running.child.kill("SIGINT");
    const code = await running.exited;

    // Assess
    expect(code).toBe(0);
    // SQS hands out a group's next message only once the one before it is deleted.
    const printed = running.lines.filter((line) => EVENT_LINE.test(line));
    expect(printed.map((line) => line.split("  ")[1])).toEqual([
      "com.twilio.media.media-processor.started",
      "com.twilio.media.player-streamer.started",
    ]);
    expect(await drainQueue(sqs.client, queueUrl)).toHaveLength(6);
  });

  it("with --delete consumes every message it prints, every message of a FIFO group in order", async () => {
    // Prepare
    const queueUrl = await queueWithSixEvents("tail-delete");

    // Act
    const running = tail(queueUrl, "--delete");
    await running.waitForLines(EVENT_LINE, 6, 20_000);
    running.child.kill("SIGINT");
    const code = await running.exited;

    // Assess
    expect(code).toBe(0);
    const printed = running.lines.filter((line) => EVENT_LINE.test(line));
    expect(
      printed.filter((line) => line.includes("media-processor")).map((line) => line.split("  ")[1]),
    ).toEqual([
      "com.twilio.media.media-processor.started",
      "com.twilio.media.media-processor.ended",
      "com.twilio.media.media-processor.failed",
    ]);
    expect(printed).toHaveLength(6);
    const { visible, inFlight } = await queueCounts(sqs.client, queueUrl);
    expect({ visible, inFlight }).toEqual({ visible: 0, inFlight: 0 });
  });

  it("with --json prints each message body raw, one per line", async () => {
    // Prepare
    const queueUrl = await queueWithSixEvents("tail-json");

    // Act
    const running = tail(queueUrl, "--json", "--delete");
    const lines = await running.waitForLines(/^\{/, 6, 20_000);
    running.child.kill("SIGINT");
    await running.exited;

    // Assess
    const events = lines.map(
      (line) => JSON.parse(line) as { specversion: string; subject: string },
    );
    expect(events.every((event) => event.specversion === "1.0")).toBe(true);
    expect(events.map((event) => event.subject).sort()).toEqual([
      ...Array(3).fill("VJ0123456789abcdef0123456789abcdef"),
      ...Array(3).fill("ZX0123456789abcdef0123456789abcdef"),
    ]);
  });

  it("says why a foreign message is not an event, and goes on", async () => {
    // Prepare
    const { queueUrl } = await sqs.createQueues("tail-foreign", { fifo: false });
    await sqs.client.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"hello":"world"}' }),
    );
    await sqs.client.send(
      new SendMessageCommand(sqsMessage(statusEvent("stream-ended"), queueUrl, false)),
    );

    // Act
    const running = tail(queueUrl, "--delete");
    const foreign = await running.waitForLine(/^! message /, 20_000);
    await running.waitForLine(EVENT_LINE, 20_000);
    running.child.kill("SIGINT");
    await running.exited;

    // Assess
    expect(foreign).toMatch(
      /^! message [\w-]+: not a twilio-status-relay event: missing specversion, id/,
    );
  });

  it("fails with the reason when the queue does not exist", async () => {
    // Act
    const running = tail(`${sqs.endpoint}/000000000000/no-such-queue`);
    const code = await running.exited;

    // Assess
    expect(code).toBe(1);
    expect(running.output()).toMatch(/cannot read .*no-such-queue/);
  });
});
