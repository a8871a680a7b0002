/**
 * Load through the local HTTP endpoint that `npm start --keep` serves (the built ingest bundle
 * behind serverless-offline, fauxqs with the stack's FIFO queues, the tail only looking): 5,000
 * distinct signed callbacks at concurrency 100 become exactly 5,000 messages, none lost and none
 * duplicated; the same 5,000 delivered again (Twilio's retries) add none.
 */
import type { Message } from "@aws-sdk/client-sqs";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqsMessage } from "../../lib/ingest/aws/sqs-publisher.ts";
import { freePort, type LocalLoop, startLocalLoop } from "../../testing/local/loop.ts";
import { tailQueue } from "../../testing/local/queue-tail.ts";
import { LOCAL_CREDENTIALS, LOCAL_REGION, startLocalSqs } from "../../testing/local/sqs.ts";
import {
  type CallbackHttpRequest,
  httpRequest,
  type LifecycleCallback,
  lifecycleCallbacks,
  mapConcurrently,
} from "../helpers/load-callbacks.ts";
import { drainEverything, queueCounts, total } from "../helpers/queue-contents.ts";
import { statusEvent } from "../helpers/status-events.ts";

const CALLBACKS = 5_000;
const CONCURRENCY = 100;
/**
 * serverless-offline starts one worker thread, a cold start of the bundle, per concurrent request:
 * 100 at once on 2 cores starve each other for tens of seconds, and publishes made meanwhile run
 * out of time (503). So the senders start one every RAMP_MS, 10 s to reach 100.
 */
const RAMP_MS = 100;
/** What a retrying sender (Twilio) does with a 503: deliver the callback again, a little later. */
const ATTEMPTS = 5;
const RETRY_AFTER_MS = 1_000;

/** A callback's last answer, and how many deliveries it took. */
interface Answer {
  readonly status: number;
  readonly body: string;
  readonly attempts: number;
}

let loop: LocalLoop;
let client: SQSClient;
let callbacks: LifecycleCallback[];
let requests: CallbackHttpRequest[];
const problems: string[] = [];
let tailLines = 0;

/** Delivers one callback, and again after a 503 (the relay's "not queued, try again"). */
async function deliver(request: CallbackHttpRequest): Promise<Answer> {
  for (let attempt = 1; ; attempt += 1) {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      redirect: "manual",
      signal: AbortSignal.timeout(60_000),
    });
    const answer = { status: response.status, body: await response.text(), attempts: attempt };
    if (answer.status !== 503 || attempt === ATTEMPTS) return answer;
    await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_MS));
  }
}

/** Delivers every request at CONCURRENCY, and how long it took. */
async function deliverAll(): Promise<{ answers: Answer[]; seconds: number }> {
  const started = performance.now();
  const answers = await mapConcurrently(requests, CONCURRENCY, deliver, { rampMs: RAMP_MS });
  return { answers, seconds: (performance.now() - started) / 1000 };
}

/** How many callbacks got each final answer; a 200 without an event id is not the relay's. */
function statuses(answers: readonly Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const answer of answers) {
    const name =
      answer.status === 200 && idOf(answer) === ""
        ? "200 without an event id"
        : String(answer.status);
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/** The first answer that is not the relay's 200, and what serverless-offline said. */
function unexpected(answers: readonly Answer[]): string {
  const odd = answers.find((answer) => answer.status !== 200 || idOf(answer) === "");
  return `first unexpected answer: ${JSON.stringify(odd)}\n${problems.slice(0, 20).join("\n")}`;
}

/** Deliveries answered 503 before the one that was not. */
function retried(answers: readonly Answer[]): number {
  return answers.reduce((sum, answer) => sum + answer.attempts - 1, 0);
}

function idOf(answer: Pick<Answer, "body">): string {
  try {
    const { id } = JSON.parse(answer.body) as { id?: unknown };
    return typeof id === "string" ? id : "";
  } catch {
    return "";
  }
}

/** How many messages the queue and its dead-letter queue hold, read from their counters. */
async function heldNow(): Promise<{ queue: number; deadLetters: number }> {
  return {
    queue: total(await queueCounts(client, loop.queueUrl)),
    deadLetters: total(await queueCounts(client, loop.deadLetterQueueUrl)),
  };
}

/**
 * Reads and deletes every message of the queue, then of its dead-letter queue. Reading is
 * receiving (the --keep tail only watches the server): a message received 5 times moves to the
 * dead-letter queue on its next receive, this one included, and is counted there.
 */
async function drainBoth(): Promise<{ queue: Message[]; deadLetters: Message[] }> {
  const queue = await drainEverything(client, loop.queueUrl);
  return { queue, deadLetters: await drainEverything(client, loop.deadLetterQueueUrl) };
}

/** `<subject> <StatusCallbackEvent> <Timestamp>` of a relayed event: which callback it came from. */
function keyOf(message: Message): string {
  const event = JSON.parse(message.Body ?? "{}") as {
    subject: string;
    data: { statusCallbackEvent: string; timestamp: string };
  };
  return `${event.subject} ${event.data.statusCallbackEvent} ${event.data.timestamp}`;
}

function eventIdOf(message: Message): string {
  return (JSON.parse(message.Body ?? "{}") as { id: string }).id;
}

describe(`${CALLBACKS} distinct signed callbacks at concurrency ${CONCURRENCY} through npm start --keep`, () => {
  beforeAll(async () => {
    callbacks = lifecycleCallbacks(CALLBACKS);
    loop = await startLocalLoop({
      port: await freePort(),
      keep: true,
      write: () => {
        tailLines += 1;
      },
      warn: (line) => problems.push(line),
    });
    client = new SQSClient({
      endpoint: loop.sqsEndpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    requests = callbacks.map((callback) => httpRequest(callback, loop.callbackUrl, loop.token));
  }, 90_000);

  afterAll(async () => {
    client?.destroy();
    await loop?.stop();
  });

  let firstIds: string[] = [];
  let queued: Message[] = [];

  it("answers every callback 200 with its event id and queues each exactly once", async () => {
    // Prepare
    expect(new Set(callbacks.map((callback) => callback.key)).size).toBe(CALLBACKS);

    // Act
    const { answers, seconds } = await Promise.race([deliverAll(), loop.failed]);
    const held = await heldNow();
    const drained = await drainBoth();
    queued = [...drained.queue, ...drained.deadLetters];

    // Assess
    firstIds = answers.map(idOf);
    const eventIds = queued.map(eventIdOf);
    console.log(
      `load, first delivery: ${answers.length} callbacks in ${seconds.toFixed(1)} s ` +
        `(${(answers.length / seconds).toFixed(0)}/s), answers ${JSON.stringify(statuses(answers))} ` +
        `after ${retried(answers)} deliveries answered 503 and made again; the queue then held ` +
        `${held.queue} (dead-letter queue ${held.deadLetters}); read ${drained.queue.length} off ` +
        `the queue and ${drained.deadLetters.length} off the dead-letter queue: ${queued.length} ` +
        `messages, ${new Set(eventIds).size} distinct event ids, ` +
        `${new Set(queued.map((m) => m.Attributes?.MessageGroupId)).size} message groups`,
    );
    expect(statuses(answers), unexpected(answers)).toEqual({ "200": CALLBACKS });
    expect(held.queue + held.deadLetters).toBe(CALLBACKS);
    expect(queued).toHaveLength(CALLBACKS);
    expect(new Set(eventIds).size).toBe(CALLBACKS);
    expect(new Set(eventIds)).toEqual(new Set(firstIds));
    expect(new Set(queued.map(keyOf))).toEqual(new Set(callbacks.map((callback) => callback.key)));
    expect(queued.filter((m) => m.Attributes?.MessageDeduplicationId !== eventIdOf(m))).toEqual([]);
    expect(new Set(queued.map((m) => m.Attributes?.MessageGroupId))).toEqual(
      new Set(callbacks.map((callback) => callback.sid)),
    );
  }, 420_000);

  it("answers every second delivery 200 with the same event id, and queues none of them", async () => {
    // Prepare: the first delivery was queued, and read and deleted by the test above, as a
    // consumer would; SQS deduplicates for 5 minutes after sending, deleted or not (so does fauxqs).
    expect(queued).toHaveLength(CALLBACKS);

    // Act
    const { answers, seconds } = await Promise.race([deliverAll(), loop.failed]);
    const held = await heldNow();
    const more = await drainBoth();

    // Assess
    const overall = queued.length + more.queue.length + more.deadLetters.length;
    console.log(
      `load, second delivery: ${answers.length} callbacks in ${seconds.toFixed(1)} s, ` +
        `answers ${JSON.stringify(statuses(answers))} after ${retried(answers)} deliveries ` +
        `answered 503 and made again; the queue then held ${held.queue} (dead-letter queue ` +
        `${held.deadLetters}): ${overall} messages in total for ${CALLBACKS} callbacks delivered ` +
        `twice; the tail printed ${tailLines} lines`,
    );
    expect(statuses(answers), unexpected(answers)).toEqual({ "200": CALLBACKS });
    expect(answers.map(idOf)).toEqual(firstIds);
    expect(held).toEqual({ queue: 0, deadLetters: 0 });
    expect(more).toEqual({ queue: [], deadLetters: [] });
    expect(overall).toBe(CALLBACKS);
  }, 420_000);
});

describe("the look-only npm run tail, while events keep arriving", () => {
  it("leaves every message on the queue and moves none to the dead-letter queue", async () => {
    // Prepare: the stack's FIFO queue, whose messages go to the dead-letter queue on their 6th receive.
    const sqs = await startLocalSqs();
    const stop = new AbortController();
    try {
      const { queueUrl, deadLetterQueueUrl } = await sqs.createQueues("tail-under-load");
      const printed: string[] = [];
      const tail = tailQueue({
        client: sqs.client,
        queueUrl,
        signal: stop.signal,
        write: (line) => printed.push(line),
        waitTimeSeconds: 1,
        recheckMs: 100,
      });

      // Act: an arrival every 50 ms for 3 s, about 30 times the tail's recheck interval.
      const sent: string[] = [];
      for (let n = 0; n < 60; n += 1) {
        const event = statusEvent("stream-started", {
          playerStreamerSid: `VJ${String(n % 6).padStart(32, "0")}`,
          timestamp: new Date(Date.UTC(2026, 10, 27, 10, 0, n)).toISOString(),
        });
        await sqs.client.send(new SendMessageCommand(sqsMessage(event, queueUrl, true)));
        sent.push(event.id);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      stop.abort();
      await tail;

      // Assess
      expect(printed.length).toBeGreaterThan(0);
      expect(total(await queueCounts(sqs.client, deadLetterQueueUrl))).toBe(0);
      const left = await drainEverything(sqs.client, queueUrl);
      expect(left.map(eventIdOf).sort()).toEqual([...sent].sort());
    } finally {
      stop.abort();
      await sqs.stop();
      sqs.client.destroy();
    }
  }, 30_000);
});
