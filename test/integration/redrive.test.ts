/**
 * Redrive against fauxqs with the stack's queues (FIFO, and a dead-letter queue behind a redrive
 * policy): messages dead-lettered the way SQS does it (received too often), then moved back, by
 * the module and by `npm run redrive` as a user runs it, interrupted midway and run again.
 */
import {
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redrive } from "../../lib/recovery/index.ts";
import {
  drainQueue,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type LocalQueues,
  type LocalSqs,
  startLocalSqs,
} from "../../testing/local/sqs.ts";
import { runScript } from "../helpers/child-process.ts";

let sqs: LocalSqs;
let queueCount = 0;

beforeAll(async () => {
  sqs = await startLocalSqs();
});

afterAll(async () => {
  await sqs?.stop();
});

/** A fresh pair of queues, FIFO unless `fifo` is false, as the stack creates them. */
function freshQueues(fifo = true): Promise<LocalQueues> {
  queueCount += 1;
  return sqs.createQueues(`redrive-${queueCount}`, { fifo });
}

const GROUPS = ["ZX01", "VJ02", "ZX03"];

/** Message `n`: a body naming it, in group `n mod 3`, deduplicated by its own id. */
function entry(n: number, fifo = true) {
  return {
    Id: String(n % 10),
    MessageBody: JSON.stringify({ id: `event-${n}`, n }),
    MessageAttributes: { type: { DataType: "String", StringValue: `type-${n % 2}` } },
    ...(fifo ? { MessageGroupId: GROUPS[n % 3], MessageDeduplicationId: `event-${n}` } : {}),
  };
}

async function send(queueUrl: string, count: number, fifo = true): Promise<void> {
  for (let start = 0; start < count; start += 10) {
    const batch = Array.from({ length: Math.min(10, count - start) }, (_, i) =>
      entry(start + i, fifo),
    );
    await sqs.client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch }));
  }
}

/** Sends `count` messages to the queue and receives them until SQS dead-letters them all. */
async function deadLettered(queues: LocalQueues, count: number): Promise<void> {
  await send(queues.queueUrl, count);
  // A consumer that fails every message, and gives it back at once.
  while ((await depth(queues.queueUrl)) > 0) {
    await sqs.client.send(
      new ReceiveMessageCommand({
        QueueUrl: queues.queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
      }),
    );
  }
  expect(await depth(queues.deadLetterQueueUrl)).toBe(count);
}

async function depth(queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible)
  );
}

/** The `n` of each message, per group in the order the queue gives them. */
function byGroup(messages: readonly Message[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const message of messages) {
    const group = message.Attributes?.MessageGroupId ?? "";
    const { n } = JSON.parse(message.Body ?? "{}") as { n: number };
    groups.set(group, [...(groups.get(group) ?? []), n]);
  }
  return groups;
}

/** What each group should hold: its messages, each once, in the order they were sent. */
function expectedGroups(count: number): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (let n = 0; n < count; n += 1) {
    const group = GROUPS[n % 3] ?? "";
    groups.set(group, [...(groups.get(group) ?? []), n]);
  }
  return groups;
}

function redriveScript(...args: string[]) {
  return runScript("scripts/redrive.ts", args, {
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  });
}

describe("redrive", () => {
  it("moves dead-lettered messages back, each once, in group order, with their attributes", async () => {
    // Prepare: dead-lettered within seconds of being sent, so the queue still remembers their
    // deduplication ids; sending them under those ids alone would be dropped as duplicates.
    const queues = await freshQueues();
    await deadLettered(queues, 25);

    // Act
    const result = await redrive({ client: sqs.client, ...queues });
    const back = await drainQueue(sqs.client, queues.queueUrl);

    // Assess
    expect(result).toEqual({ method: "receive", moved: 25, stopped: false });
    expect(byGroup(back)).toEqual(expectedGroups(25));
    for (const message of back) {
      const { n } = JSON.parse(message.Body ?? "{}") as { n: number };
      expect(message.MessageAttributes?.type?.StringValue).toBe(`type-${n % 2}`);
    }
    expect(await depth(queues.deadLetterQueueUrl)).toBe(0);
  });

  it("keeps each message's deduplication id when the queue has not seen it lately", async () => {
    // Prepare: dead letters that never went through this queue.
    const queues = await freshQueues();
    await send(queues.deadLetterQueueUrl, 12);

    // Act
    await redrive({ client: sqs.client, ...queues });
    const back = await drainQueue(sqs.client, queues.queueUrl);

    // Assess
    expect(back.map((message) => message.Attributes?.MessageDeduplicationId).sort()).toEqual(
      Array.from({ length: 12 }, (_, n) => `event-${n}`).sort(),
    );
    expect(byGroup(back)).toEqual(expectedGroups(12));
  });

  it("uses no message move task on fauxqs, which has none: asked for one, it says so", async () => {
    // Prepare
    const queues = await freshQueues();
    await send(queues.deadLetterQueueUrl, 1);

    // Act
    const insisting = redrive({ client: sqs.client, ...queues, method: "move-task" });

    // Assess
    await expect(insisting).rejects.toMatchObject({
      name: "MoveTaskUnsupportedError",
      answer: "answered InvalidAction",
    });
    expect(await depth(queues.deadLetterQueueUrl)).toBe(1);
  });

  it("after a crash between sending and deleting, the next run leaves each message once", async () => {
    // Prepare: a run that received and sent a batch, then died before deleting it.
    const queues = await freshQueues();
    await send(queues.deadLetterQueueUrl, 10);
    const { Messages = [] } = await sqs.client.send(
      new ReceiveMessageCommand({
        QueueUrl: queues.deadLetterQueueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 1,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
    );
    expect(Messages.length).toBeGreaterThan(0);
    for (const message of Messages) {
      await sqs.client.send(
        new SendMessageCommand({
          QueueUrl: queues.queueUrl,
          MessageBody: message.Body,
          MessageAttributes: message.MessageAttributes,
          MessageGroupId: message.Attributes?.MessageGroupId,
          MessageDeduplicationId: message.Attributes?.MessageDeduplicationId,
        }),
      );
    }

    // Act: the next run waits for them to reappear, sends them again, deletes them.
    const result = await redrive({ client: sqs.client, ...queues });
    const back = await drainQueue(sqs.client, queues.queueUrl);

    // Assess
    expect(result.moved).toBe(10);
    expect(byGroup(back)).toEqual(expectedGroups(10));
    expect(await depth(queues.deadLetterQueueUrl)).toBe(0);
  });

  it("moves a standard dead-letter queue back to its standard queue", async () => {
    // Prepare
    const queues = await freshQueues(false);
    await send(queues.deadLetterQueueUrl, 15, false);

    // Act
    await redrive({ client: sqs.client, ...queues });
    const back = await drainQueue(sqs.client, queues.queueUrl);

    // Assess
    expect(back.map((message) => JSON.parse(message.Body ?? "{}").n).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 15 }, (_, n) => n),
    );
  });

  it("refuses to move a FIFO dead-letter queue into a standard queue", async () => {
    // Prepare
    const fifo = await freshQueues();
    const standard = await freshQueues(false);

    // Act
    const mixed = redrive({
      client: sqs.client,
      queueUrl: standard.queueUrl,
      deadLetterQueueUrl: fifo.deadLetterQueueUrl,
    });

    // Assess
    await expect(mixed).rejects.toThrow(/both be FIFO queues or both standard/);
  });
});

describe("npm run redrive", () => {
  const COUNT = 150;

  it("killed midway, then run again: every message on the queue exactly once, none left behind", async () => {
    // Prepare
    const queues = await freshQueues();
    await deadLettered(queues, COUNT);

    // Act: killed outright (no chance to finish its batch) once it has moved some.
    const first = redriveScript(
      "--queue-url",
      queues.queueUrl,
      "--dlq-url",
      queues.deadLetterQueueUrl,
      "--max-per-second",
      "50",
      "--visibility-timeout",
      "2",
    );
    await first.waitForLine(/^moved [1-9]\d* of 150$/, 20_000, "stderr");
    first.child.kill("SIGKILL");
    await first.exited;
    const leftAfterKill = await depth(queues.deadLetterQueueUrl);
    const second = redriveScript(
      "--queue-url",
      queues.queueUrl,
      "--dlq-url",
      queues.deadLetterQueueUrl,
    );
    const code = await second.exited;
    const back = await drainQueue(sqs.client, queues.queueUrl);

    // Assess
    expect(leftAfterKill).toBeGreaterThan(0);
    expect(leftAfterKill).toBeLessThan(COUNT);
    expect(code, second.output()).toBe(0);
    expect(second.lines.at(-1)).toMatch(
      /^done: moved \d+ \(receive\); the dead-letter queue is empty$/,
    );
    expect(byGroup(back)).toEqual(expectedGroups(COUNT));
    expect(await depth(queues.deadLetterQueueUrl)).toBe(0);
  }, 60_000);

  it("stops cleanly on SIGINT, leaving the rest for the next run, which finds the dead-letter queue itself", async () => {
    // Prepare
    const queues = await freshQueues();
    await deadLettered(queues, COUNT);

    // Act
    const first = redriveScript("--queue-url", queues.queueUrl, "--max-per-second", "50");
    await first.waitForLine(/^moved [1-9]\d* of 150$/, 20_000, "stderr");
    first.child.kill("SIGINT");
    const firstCode = await first.exited;
    const stoppedLine = first.lines.at(-1) ?? "";
    const moved = Number(/^stopped: moved (\d+);/.exec(stoppedLine)?.[1]);
    const left = await depth(queues.deadLetterQueueUrl);
    const second = redriveScript("--queue-url", queues.queueUrl);
    const secondCode = await second.exited;
    const back = await drainQueue(sqs.client, queues.queueUrl);

    // Assess
    expect(firstCode, first.output()).toBe(130);
    expect(moved).toBeGreaterThan(0);
    expect(moved + left).toBe(COUNT);
    expect(secondCode, second.output()).toBe(0);
    expect(byGroup(back)).toEqual(expectedGroups(COUNT));
    expect(await depth(queues.deadLetterQueueUrl)).toBe(0);
  }, 60_000);
});
