/**
 * Reading a queue exactly, for tests that count messages: how many it holds (exact on fauxqs,
 * where SQS says "approximate"), and every message on it, even while another reader (the
 * `npm start --keep` tail) briefly holds some of them.
 */
import type { Message, SQSClient } from "@aws-sdk/client-sqs";
import { queueCounts, total } from "../../testing/local/queue-tail.ts";
import { takeBatch } from "../../testing/local/sqs.ts";

export { type QueueCounts, queueCounts, total } from "../../testing/local/queue-tail.ts";

/**
 * Receives and deletes every message on the queue, with all attributes, until the queue holds
 * none at all. On a FIFO queue a receive hands out one message per unlocked group (fauxqs) and a
 * message in flight hides its group, so `readers` receive side by side, and a group another
 * reader holds for a moment is waited for rather than taken as empty. Rejects after `timeoutMs`.
 */
export async function drainEverything(
  client: SQSClient,
  queueUrl: string,
  { readers = 4, timeoutMs = 60_000 }: { readers?: number; timeoutMs?: number } = {},
): Promise<Message[]> {
  const messages: Message[] = [];
  const deadline = Date.now() + timeoutMs;
  const reader = async () => {
    for (;;) {
      const batch = await takeBatch(client, queueUrl, 60);
      if (batch.length > 0) {
        messages.push(...batch);
        continue;
      }
      if (total(await queueCounts(client, queueUrl)) === 0) return;
      if (Date.now() > deadline) {
        throw new Error(`${queueUrl} still holds messages after ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  await Promise.all(Array.from({ length: readers }, reader));
  return messages;
}
