/**
 * {@link QueueWatcher} over SQS. Looks without consuming: every message it receives is kept
 * hidden only until the wait ends (so each is received once, one count towards the queue's
 * maxReceiveCount) and then made visible again for the queue's real consumers.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import {
  parseRelayedEvent,
  SINK_TEST_EVENT_TYPE,
  type TwilioCloudEvent,
} from "../../events/cloud-event.ts";
import type { QueueWatcher } from "../queue.ts";

/** How far the test event's `time` may be behind this machine's clock and still count. */
const CLOCK_SKEW_MS = 30_000;

export function sqsQueueWatcher(client: SQSClient, queueUrl: string): QueueWatcher {
  return {
    queueUrl,
    async waitForTestEvent({ accountSid, since, timeoutMs }) {
      const deadline = Date.now() + timeoutMs;
      const held: { Id: string; ReceiptHandle: string }[] = [];
      let earlier: TwilioCloudEvent | undefined;
      try {
        while (Date.now() < deadline) {
          const left = deadline - Date.now();
          const { Messages: messages = [] } = await client.send(
            new ReceiveMessageCommand({
              QueueUrl: queueUrl,
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: Math.max(0, Math.min(20, Math.floor(left / 1_000))),
              VisibilityTimeout: Math.ceil(left / 1_000) + 5,
            }),
          );
          for (const message of messages) {
            if (message.ReceiptHandle) {
              held.push({ Id: String(held.length), ReceiptHandle: message.ReceiptHandle });
            }
          }
          for (const message of messages) {
            const event = testEventIn(message.Body ?? "");
            if (event === undefined || event.id !== accountSid) continue;
            if (Date.parse(String(event.time ?? "")) >= since.getTime() - CLOCK_SKEW_MS) {
              return { event };
            }
            earlier = event;
          }
        }
        return earlier === undefined ? {} : { earlier };
      } finally {
        for (let i = 0; i < held.length; i += 10) {
          await client
            .send(
              new ChangeMessageVisibilityBatchCommand({
                QueueUrl: queueUrl,
                Entries: held.slice(i, i + 10).map((entry) => ({ ...entry, VisibilityTimeout: 0 })),
              }),
            )
            .catch(() => {});
        }
      }
    },
  };
}

function testEventIn(body: string) {
  try {
    const relayed = parseRelayedEvent(body);
    return relayed.kind === "event-streams" && relayed.event.type === SINK_TEST_EVENT_TYPE
      ? relayed.event
      : undefined;
  } catch {
    return undefined;
  }
}
