/**
 * The relay's SQS calls against moto, an SQS written by nobody here: the ingest handler's
 * publish to a FIFO and to a standard queue (attributes, group, deduplication of a redelivery),
 * a sink delivery's SendMessageBatch, and redrive, whose default method must tell moto's missing
 * message move task (a 500 with an HTML page) from a real failure.
 */
import { type Message, SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRelayedEvent } from "../../lib/events/cloud-event.ts";
import { StatusEventSchema } from "../../lib/events/schemas.ts";
import { type createSqsClient, createSqsPublisher } from "../../lib/ingest/aws/sqs-publisher.ts";
import { systemClock } from "../../lib/ingest/clock.ts";
import { createIngestHandler } from "../../lib/ingest/handler.ts";
import { staticTokens } from "../../lib/ingest/tokens.ts";
import { type RedriveProgress, redrive } from "../../lib/recovery/index.ts";
import { sampleSinkEvents, signedSinkDelivery } from "../../testing/event-streams.ts";
import { createStackQueues, drainQueue, type LocalQueues } from "../../testing/local/sqs.ts";
import { ACCOUNT_SID, callbackParams, LOCAL_AUTH_TOKEN } from "../../testing/samples.ts";
import { signedCallback } from "../../testing/signed-callback.ts";
import { runScript } from "../helpers/child-process.ts";
import { memoryLogger } from "../helpers/memory-logger.ts";
import { type Moto, motoMissing, startMoto } from "../helpers/moto.ts";

describe.skipIf(motoMissing)("SQS as moto runs it", () => {
  let moto: Moto;
  let client: ReturnType<typeof createSqsClient>;
  let queueCount = 0;

  beforeAll(async () => {
    moto = await startMoto();
    client = moto.sqsClient();
  });
  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });

  function freshQueues(fifo = true): Promise<LocalQueues> {
    queueCount += 1;
    return createStackQueues(client, `moto-${queueCount}`, { fifo });
  }

  function relayTo(queueUrl: string) {
    return createIngestHandler({
      config: { publicUrl: undefined },
      tokens: staticTokens([LOCAL_AUTH_TOKEN]),
      publisher: createSqsPublisher({ queueUrl, client }),
      clock: systemClock,
      logger: memoryLogger(),
    });
  }

  const attribute = (message: Message | undefined, name: string) =>
    message?.MessageAttributes?.[name]?.StringValue;

  describe("the ingest handler's publish", () => {
    it("puts a callback on a FIFO queue with its attributes, group and deduplication id", async () => {
      // Prepare
      const { queueUrl } = await freshQueues();
      const params = callbackParams("media-processor-started");

      // Act
      const response = await relayTo(queueUrl)(signedCallback({ params }));
      const messages = await drainQueue(client, queueUrl);

      // Assess
      expect(response.statusCode).toBe(200);
      expect(messages).toHaveLength(1);
      const event = StatusEventSchema.parse(JSON.parse(messages[0]?.Body ?? ""));
      expect(JSON.parse(response.body)).toEqual({ id: event.id, type: event.type });
      expect(attribute(messages[0], "type")).toBe(event.type);
      expect(attribute(messages[0], "resourceType")).toBe("MediaProcessor");
      expect(attribute(messages[0], "status")).toBe("started");
      expect(attribute(messages[0], "accountSid")).toBe(ACCOUNT_SID);
      expect(messages[0]?.Attributes?.MessageGroupId).toBe(params.MediaProcessorSid);
      expect(messages[0]?.Attributes?.MessageDeduplicationId).toBe(event.id);
    });

    it("keeps one message on a FIFO queue when Twilio delivers the same callback twice", async () => {
      // Prepare
      const { queueUrl } = await freshQueues();
      const params = callbackParams("stream-ended");
      const handler = relayTo(queueUrl);

      // Act
      const first = await handler(signedCallback({ params }));
      const retry = await handler(signedCallback({ params, base64: false }));
      const messages = await drainQueue(client, queueUrl);

      // Assess
      expect([first.statusCode, retry.statusCode]).toEqual([200, 200]);
      expect(messages).toHaveLength(1);
    });

    it("puts a callback on a standard queue with its attributes and no FIFO fields", async () => {
      // Prepare
      const { queueUrl } = await freshQueues(false);

      // Act
      const response = await relayTo(queueUrl)(
        signedCallback({ params: callbackParams("stream-started") }),
      );
      const messages = await drainQueue(client, queueUrl);

      // Assess
      expect(response.statusCode).toBe(200);
      expect(messages).toHaveLength(1);
      expect(attribute(messages[0], "status")).toBe("started");
      expect(messages[0]?.Attributes?.MessageGroupId).toBeUndefined();
    });

    it("relays characters SQS refuses raw, and astral ones, intact", async () => {
      // Prepare
      const { queueUrl } = await freshQueues();
      const odd = "\ufffe\uffff \u{1f600} \u0001\u001f \ud7ff\ue000 é";
      const params = { ...callbackParams("stream-started"), Note: odd };

      // Act
      const response = await relayTo(queueUrl)(signedCallback({ params }));
      const messages = await drainQueue(client, queueUrl);

      // Assess
      expect(response.statusCode).toBe(200);
      const event = StatusEventSchema.parse(JSON.parse(messages[0]?.Body ?? ""));
      expect(event.data.unrecognizedParameters.Note).toBe(odd);
    });

    it("puts each of 12 sink events on the FIFO queue once, in SendMessageBatch calls, even delivered twice", async () => {
      // Prepare: more than one batch of ten
      const { queueUrl } = await freshQueues();
      const events = sampleSinkEvents({ count: 12 });
      const delivery = signedSinkDelivery({ events });
      const handler = relayTo(queueUrl);

      // Act
      const first = await handler(delivery);
      const second = await handler(delivery);
      const messages = await drainQueue(client, queueUrl);

      // Assess
      expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
      const byId = new Map(messages.map((message) => [JSON.parse(message.Body ?? "").id, message]));
      expect(messages).toHaveLength(12);
      for (const event of events) {
        const message = byId.get(event.id);
        expect(parseRelayedEvent(message?.Body ?? "")).toEqual({ kind: "event-streams", event });
        expect(message?.Attributes?.MessageDeduplicationId).toBe(event.id);
        expect(attribute(message, "type")).toBe(event.type);
      }
    });

    it("puts every sink event on a standard queue", async () => {
      // Prepare
      const { queueUrl } = await freshQueues(false);
      const events = sampleSinkEvents({ count: 12 });

      // Act
      const response = await relayTo(queueUrl)(signedSinkDelivery({ events }));
      const messages = await drainQueue(client, queueUrl);

      // Assess
      expect(response.statusCode).toBe(200);
      expect(messages.map((message) => JSON.parse(message.Body ?? "").id).sort()).toEqual(
        events.map((event) => event.id).sort(),
      );
    });
  });

  describe("redrive", () => {
    /** `count` messages on the dead-letter queue, FIFO fields and an attribute each. */
    async function deadLettered(queues: LocalQueues, count: number): Promise<void> {
      for (let start = 0; start < count; start += 10) {
        const entries = Array.from({ length: Math.min(10, count - start) }, (_, i) => {
          const n = start + i;
          return {
            Id: String(i),
            MessageBody: JSON.stringify({ id: `event-${n}` }),
            MessageAttributes: { type: { DataType: "String", StringValue: `type-${n % 2}` } },
            MessageGroupId: `group-${n % 3}`,
            MessageDeduplicationId: `event-${n}`,
          };
        });
        await client.send(
          new SendMessageBatchCommand({ QueueUrl: queues.deadLetterQueueUrl, Entries: entries }),
        );
      }
    }

    it("by default falls back to receive-send-delete, saying moto has no message move task", async () => {
      // Prepare
      const queues = await freshQueues();
      await deadLettered(queues, 12);
      const progress: RedriveProgress[] = [];

      // Act
      const result = await redrive({
        client,
        ...queues,
        onProgress: (step) => progress.push(step),
      });
      const back = await drainQueue(client, queues.queueUrl);

      // Assess
      expect(result).toMatchObject({ method: "receive", moved: 12, stopped: false });
      expect(progress[0]?.moveTaskUnsupported).toBe(
        "answered HTTP 500 with a body that is not an SQS answer",
      );
      expect(back.map((message) => message.Attributes?.MessageDeduplicationId).sort()).toEqual(
        Array.from({ length: 12 }, (_, n) => `event-${n}`).sort(),
      );
      expect(back.every((message) => attribute(message, "type")?.startsWith("type-"))).toBe(true);
    });

    it("asked for the move task, says the endpoint has none and moves nothing", async () => {
      // Prepare
      const queues = await freshQueues();
      await deadLettered(queues, 1);

      // Act
      const insisting = redrive({ client, ...queues, method: "move-task" });

      // Assess
      await expect(insisting).rejects.toMatchObject({
        name: "MoveTaskUnsupportedError",
        message: expect.stringMatching(/has no message move task .*HTTP 500/),
      });
      expect(await drainQueue(client, queues.deadLetterQueueUrl)).toHaveLength(1);
    });

    it("npm run redrive says which it met and shows none of the SDK's internals", async () => {
      // Prepare
      const queues = await freshQueues();
      await deadLettered(queues, 3);
      const env = { ...moto.env, AWS_ENDPOINT_URL_SQS: moto.endpoint };
      const redriveScript = async (...args: string[]) => {
        const script = runScript(
          "scripts/redrive.ts",
          ["--queue-url", queues.queueUrl, ...args],
          env,
        );
        const code = await script.exited;
        return { code, output: script.output() };
      };

      // Act
      const insisting = await redriveScript("--method", "move-task");
      const auto = await redriveScript();

      // Assess
      expect(insisting.code).toBe(1);
      expect(insisting.output).toMatch(
        /redrive failed: the SQS endpoint has no message move task \(StartMessageMoveTask answered HTTP 500/,
      );
      expect(auto.code).toBe(0);
      expect(auto.output).toMatch(
        /receiving, sending, deleting \(the endpoint has no message move task: StartMessageMoveTask answered HTTP 500/,
      );
      expect(auto.output).toMatch(/done: moved 3 \(receive\)/);
      for (const { output } of [insisting, auto]) {
        expect(output).not.toMatch(/Deserialization error|hidden field|\$response|<html/i);
      }
    });
  });
});
