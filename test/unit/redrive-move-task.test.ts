/**
 * The message move task path of redrive, which fauxqs cannot run (it has no StartMessageMoveTask):
 * what redrive asks SQS and how it follows the task, against a scripted double of the SQS API.
 * The moving itself is Amazon SQS's; the receive-send-delete path is tested on fauxqs.
 */
import { type SQSClient, SQSServiceException } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { type RedriveProgress, redrive } from "../../lib/recovery/index.ts";

const QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/relay-prod.fifo";
const DLQ_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/relay-prod-dlq.fifo";
const QUEUE_ARN = "arn:aws:sqs:eu-west-1:123456789012:relay-prod.fifo";
const DLQ_ARN = "arn:aws:sqs:eu-west-1:123456789012:relay-prod-dlq.fifo";

type Reply = (input: Record<string, unknown>) => unknown;

/** An SQS API that answers each command by name from `replies`, and records what it was asked. */
function scriptedSqs(replies: Record<string, Reply>) {
  const calls: { name: string; input: Record<string, unknown> }[] = [];
  const client = {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      const name = command.constructor.name.replace(/Command$/, "");
      calls.push({ name, input: command.input });
      const reply = replies[name];
      if (!reply) throw new Error(`unexpected ${name}`);
      return reply(command.input);
    },
  };
  return { client: client as unknown as SQSClient, calls };
}

const OTHER_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/other-dlq.fifo";

const attributes: Reply = (input) =>
  input.QueueUrl === OTHER_URL
    ? { Attributes: { QueueArn: "arn:aws:sqs:eu-west-1:123456789012:other-dlq.fifo" } }
    : input.QueueUrl === QUEUE_URL
      ? {
          Attributes: {
            QueueArn: QUEUE_ARN,
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: DLQ_ARN, maxReceiveCount: 5 }),
          },
        }
      : {
          Attributes: {
            QueueArn: DLQ_ARN,
            ApproximateNumberOfMessages: "7",
            ApproximateNumberOfMessagesNotVisible: "0",
          },
        };

describe("redrive through SQS's message move task", () => {
  it("starts a task from the dead-letter queue to the queue and follows it to completion", async () => {
    // Prepare
    const states = [
      {
        Status: "RUNNING",
        ApproximateNumberOfMessagesMoved: 3,
        ApproximateNumberOfMessagesToMove: 7,
      },
      {
        Status: "COMPLETED",
        ApproximateNumberOfMessagesMoved: 7,
        ApproximateNumberOfMessagesToMove: 7,
      },
    ];
    const { client, calls } = scriptedSqs({
      GetQueueAttributes: attributes,
      StartMessageMoveTask: () => ({ TaskHandle: "task-1" }),
      ListMessageMoveTasks: () => ({ Results: [states.shift()] }),
    });
    const progress: RedriveProgress[] = [];

    // Act
    const result = await redrive({
      client,
      queueUrl: QUEUE_URL,
      deadLetterQueueUrl: DLQ_URL,
      maxPerSecond: 50,
      pollIntervalMs: 1,
      onProgress: (step) => progress.push(step),
    });

    // Assess
    expect(result).toEqual({ method: "move-task", moved: 7, stopped: false });
    expect(calls.find((call) => call.name === "StartMessageMoveTask")?.input).toEqual({
      SourceArn: DLQ_ARN,
      DestinationArn: QUEUE_ARN,
      MaxNumberOfMessagesPerSecond: 50,
    });
    expect(progress.map((step) => step.moved)).toEqual([3, 7]);
  });

  it("cancels the task when stopped, and reports what it moved", async () => {
    // Prepare
    const stop = new AbortController();
    let cancelled = false;
    const { client, calls } = scriptedSqs({
      GetQueueAttributes: attributes,
      StartMessageMoveTask: () => ({ TaskHandle: "task-2" }),
      ListMessageMoveTasks: () => {
        stop.abort();
        return {
          Results: [
            {
              Status: cancelled ? "CANCELLED" : "RUNNING",
              ApproximateNumberOfMessagesMoved: 2,
            },
          ],
        };
      },
      CancelMessageMoveTask: () => {
        cancelled = true;
        return { ApproximateNumberOfMessagesMoved: 2 };
      },
    });

    // Act
    const result = await redrive({
      client,
      queueUrl: QUEUE_URL,
      deadLetterQueueUrl: DLQ_URL,
      signal: stop.signal,
      pollIntervalMs: 1,
    });

    // Assess
    expect(result).toEqual({ method: "move-task", moved: 2, stopped: true });
    expect(calls.find((call) => call.name === "CancelMessageMoveTask")?.input).toEqual({
      TaskHandle: "task-2",
    });
  });

  it("reports a failed task with SQS's reason", async () => {
    // Prepare
    const { client } = scriptedSqs({
      GetQueueAttributes: attributes,
      StartMessageMoveTask: () => ({ TaskHandle: "task-3" }),
      ListMessageMoveTasks: () => ({
        Results: [{ Status: "FAILED", FailureReason: "AWS.SimpleQueueService.NonExistentQueue" }],
      }),
    });

    // Act
    const run = redrive({ client, queueUrl: QUEUE_URL, deadLetterQueueUrl: DLQ_URL });

    // Assess
    await expect(run).rejects.toThrow(
      /move task failed: AWS\.SimpleQueueService\.NonExistentQueue/,
    );
  });

  it("under auto, a real refusal to start the task is a failure in SQS's words, not a fallback", async () => {
    // Prepare
    const refusal = new SQSServiceException({
      name: "AccessDenied",
      $fault: "client",
      $metadata: { httpStatusCode: 403 },
      message: "User is not authorized to perform sqs:StartMessageMoveTask",
    });
    const { client, calls } = scriptedSqs({
      GetQueueAttributes: attributes,
      StartMessageMoveTask: () => {
        throw refusal;
      },
    });

    // Act
    const run = redrive({ client, queueUrl: QUEUE_URL, deadLetterQueueUrl: DLQ_URL });

    // Assess
    await expect(run).rejects.toMatchObject({
      name: "MoveTaskFailedError",
      message:
        "the message move task could not start: AccessDenied: User is not authorized to perform sqs:StartMessageMoveTask",
    });
    expect(calls.map((call) => call.name)).not.toContain("ReceiveMessage");
  });

  it("under auto, a gateway's 502 page is a failure, not a missing action", async () => {
    // Prepare: what the SDK throws for a body it cannot read
    const unreadable = Object.assign(new SyntaxError("Unexpected token '<'"), {
      $metadata: { httpStatusCode: 502 },
    });
    const { client, calls } = scriptedSqs({
      GetQueueAttributes: attributes,
      StartMessageMoveTask: () => {
        throw unreadable;
      },
    });

    // Act
    const run = redrive({ client, queueUrl: QUEUE_URL, deadLetterQueueUrl: DLQ_URL });

    // Assess
    await expect(run).rejects.toMatchObject({
      name: "MoveTaskFailedError",
      message:
        "the message move task could not start: SQS answered HTTP 502 with a body that is not an SQS answer",
    });
    expect(calls.map((call) => call.name)).not.toContain("ReceiveMessage");
  });

  it("refuses a dead-letter queue that is not the queue's own, and moves nothing", async () => {
    // Prepare
    const { client, calls } = scriptedSqs({ GetQueueAttributes: attributes });

    // Act
    const run = redrive({ client, queueUrl: QUEUE_URL, deadLetterQueueUrl: OTHER_URL });

    // Assess
    await expect(run).rejects.toThrow(/sends its dead letters to .*relay-prod-dlq\.fifo, not to/);
    expect(calls.map((call) => call.name)).toEqual(["GetQueueAttributes", "GetQueueAttributes"]);
  });
});
