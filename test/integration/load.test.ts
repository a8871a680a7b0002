/**
 * Load on the local loop of `npm start --keep`.
 */
import type { Message } from "@aws-sdk/client-sqs";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { sqsMessage } from "../../lib/sqs-publisher.ts";
import { tailQueue } from "../../scripts/local/queue-tail.ts";
import { startLocalSqs } from "../../scripts/local/sqs.ts";
import { drainEverything, queueCounts, total } from "../helpers/queue-contents.ts";
import { statusEvent } from "../helpers/status-events.ts";

function eventIdOf(message: Message): string {
  return (JSON.parse(message.Body ?? "{}") as { id: string }).id;
}

describe("the npm start --keep tail, while events keep arriving", () => {
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
