/**
 * How `npm run connect --queue-url` looks for the sink test event (lib/connect/aws/sqs-watcher.ts)
 * on a real SQS-compatible server (fauxqs): it finds the event, leaves every message on the queue
 * for its consumers, and names an earlier test event that a FIFO queue holds the new one behind.
 */
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqsQueueWatcher } from "../../lib/connect/index.ts";
import { messageStatusEvent, sinkTestEvent } from "../../testing/event-streams.ts";
import { drainQueue, type LocalSqs, startLocalSqs } from "../../testing/local/sqs.ts";

const ACCOUNT = "AC0123456789abcdef0123456789abcdef";
let sqs: LocalSqs;

beforeAll(async () => {
  sqs = await startLocalSqs();
});

afterAll(async () => {
  await sqs.stop();
  sqs.client.destroy();
});

async function put(queueUrl: string, event: { id: string }, group: string) {
  await sqs.client.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(event),
      MessageGroupId: group,
      MessageDeduplicationId: `${event.id}-${Math.random()}`,
    }),
  );
}

describe("waiting for the sink test event on the queue", () => {
  it("finds it among other events and leaves every message on the queue", async () => {
    // Prepare
    const { queueUrl } = await sqs.createQueues("connect-finds", { fifo: true });
    const since = new Date();
    await put(queueUrl, messageStatusEvent("delivered", { accountSid: ACCOUNT }), "SM1");
    await put(queueUrl, sinkTestEvent({ accountSid: ACCOUNT }), ACCOUNT);

    // Act
    const seen = await sqsQueueWatcher(sqs.client, queueUrl).waitForTestEvent({
      accountSid: ACCOUNT,
      since,
      timeoutMs: 5_000,
    });
    const left = await drainQueue(sqs.client, queueUrl);

    // Assess
    expect(seen.event?.type).toBe("com.twilio.eventstreams.test-event");
    expect(left).toHaveLength(2);
    expect(left.map((m) => m.Attributes?.ApproximateReceiveCount)).toEqual(["2", "2"]);
  });

  it("names an earlier, unconsumed test event instead of waiting in silence", async () => {
    // Prepare: a test event from ten minutes ago is still on the queue.
    const { queueUrl } = await sqs.createQueues("connect-earlier", { fifo: true });
    const old = new Date(Date.now() - 600_000).toISOString();
    await put(queueUrl, sinkTestEvent({ accountSid: ACCOUNT, time: old }), ACCOUNT);

    // Act
    const seen = await sqsQueueWatcher(sqs.client, queueUrl).waitForTestEvent({
      accountSid: ACCOUNT,
      since: new Date(),
      timeoutMs: 2_000,
    });

    // Assess
    expect(seen.event).toBeUndefined();
    expect(seen.earlier?.time).toBe(old);
  });
});
