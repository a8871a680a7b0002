/**
 * Reading a queue exactly, for tests that count messages: how many it holds (exact on fauxqs,
 * where SQS says "approximate"), and every message on it, even while another reader (the
 * `npm start --keep` tail) briefly holds some of them.
 */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";

export interface QueueCounts {
  readonly visible: number;
  /** Received by someone and not yet deleted or released. */
  readonly inFlight: number;
  readonly delayed: number;
}

/** The queue's message counts, from its attributes (no receive, so nothing is counted against them). */
export async function queueCounts(client: SQSClient, queueUrl: string): Promise<QueueCounts> {
  const { Attributes: a = {} } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
      ],
    }),
  );
  return {
    visible: Number(a.ApproximateNumberOfMessages ?? Number.NaN),
    inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? Number.NaN),
    delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? Number.NaN),
  };
}

/** All messages the queue holds: visible, in flight and delayed. */
export function total(counts: QueueCounts): number {
  return counts.visible + counts.inFlight + counts.delayed;
}

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
      const { Messages = [] } = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          VisibilityTimeout: 60,
          MessageAttributeNames: ["All"],
          MessageSystemAttributeNames: ["All"],
        }),
      );
      if (Messages.length > 0) {
        messages.push(...Messages);
        await client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Messages.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.ReceiptHandle,
            })),
          }),
        );
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
