/**
 * Redrive: moves the messages of a dead-letter queue back to its source queue. Through SQS's own
 * message move task where the endpoint has one; otherwise by receiving, sending and deleting, in
 * that order, so that an interruption at any point loses nothing (a message sent but not yet
 * deleted is sent again by the next run, and a FIFO queue drops that copy as a duplicate). Used by
 * `npm run redrive`.
 */
import {
  CancelMessageMoveTaskCommand,
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
  SQSServiceException,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { MoveTaskFailedError, MoveTaskUnsupportedError } from "./errors.ts";

/** How messages are moved: SQS's message move task, or receive-send-delete by this process. */
export type RedriveMethod = "move-task" | "receive";

export interface RedriveProgress {
  readonly method: RedriveMethod;
  /** Messages moved so far (approximate with a move task, as SQS reports it). */
  readonly moved: number;
  /** Messages on the dead-letter queue when the redrive started (approximate). */
  readonly total: number;
  /** Messages on the dead-letter queue that cannot be received yet (another run's, in flight). */
  readonly waitingFor?: number;
  /**
   * `receive` under `auto` because the endpoint has no message move task: what it answered to
   * `StartMessageMoveTask` (its error code, or the HTTP status of an answer that is not SQS's).
   */
  readonly moveTaskUnsupported?: string;
}

export interface RedriveOptions {
  readonly client: SQSClient;
  /** The source queue: where the messages go back to. */
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  /** `auto` (default): the move task where the endpoint supports it, else receive-send-delete. */
  readonly method?: RedriveMethod | "auto";
  /** Stops after the batch in hand (receive) or cancels the move task. */
  readonly signal?: AbortSignal;
  /** How long a received message stays hidden on the dead-letter queue (receive; default 30 s). */
  readonly visibilityTimeoutSeconds?: number;
  /** At most this many messages a second (both methods; default: as fast as SQS allows). */
  readonly maxPerSecond?: number;
  /** How often a move task's progress is read (default 2 s). */
  readonly pollIntervalMs?: number;
  readonly onProgress?: (progress: RedriveProgress) => void;
}

export interface RedriveResult {
  readonly method: RedriveMethod;
  readonly moved: number;
  /** Stopped by the signal before the dead-letter queue was empty. */
  readonly stopped: boolean;
}

/** Error codes by which an SQS-compatible endpoint says it has no such action (fauxqs: InvalidAction). */
const UNSUPPORTED_CODES = new Set([
  "InvalidAction",
  "UnsupportedOperation",
  "UnknownOperationException",
  "InvalidActionException",
  "NotImplemented",
]);

/**
 * Moves every message of `deadLetterQueueUrl` to `queueUrl`, FIFO included (message group,
 * deduplication id and message attributes kept), and resolves once the dead-letter queue is
 * empty or `signal` stopped it.
 */
export async function redrive(options: RedriveOptions): Promise<RedriveResult> {
  const { client, queueUrl, deadLetterQueueUrl } = options;
  const fifo = deadLetterQueueUrl.endsWith(".fifo");
  if (queueUrl.endsWith(".fifo") !== fifo) {
    throw new Error(
      `${deadLetterQueueUrl} and ${queueUrl} must both be FIFO queues or both standard queues`,
    );
  }
  const [source, deadLetter] = await Promise.all([
    queueAttributes(client, queueUrl),
    queueAttributes(client, deadLetterQueueUrl),
  ]);
  const target = redrivePolicyTarget(source.RedrivePolicy);
  if (target !== undefined && target !== deadLetter.QueueArn) {
    throw new Error(
      `${queueUrl} sends its dead letters to ${target}, not to ${deadLetterQueueUrl}: check --dlq-url`,
    );
  }
  const total =
    Number(deadLetter.ApproximateNumberOfMessages ?? 0) +
    Number(deadLetter.ApproximateNumberOfMessagesNotVisible ?? 0);
  const method = options.method ?? "auto";
  if (method === "receive") return receiveSendDelete(options, fifo, total);
  try {
    return await moveTask(options, deadLetter.QueueArn ?? "", source.QueueArn ?? "", total);
  } catch (error) {
    if (method === "auto" && error instanceof MoveTaskUnsupportedError) {
      return receiveSendDelete(options, fifo, total, error.answer);
    }
    throw error;
  }
}

/**
 * What the endpoint answered to `StartMessageMoveTask` when that answer means it has no such
 * action; `undefined` when the error is a real failure. An SQS error code of "no such action" is
 * one way (fauxqs); an answer that is no SQS answer at all is the other (moto: HTTP 500 with an
 * HTML page). Real SQS always has the action and always answers in its own protocol, so a 502, 503
 * or 504 page is a proxy or network fault, not a missing action: a failure.
 */
function unsupportedAnswer(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  if (UNSUPPORTED_CODES.has(error.name)) return `answered ${error.name}`;
  if (error instanceof SQSServiceException) return undefined;
  const status = httpStatusOf(error);
  if (status === undefined || !NOT_AN_ACTION_STATUS.has(status)) return undefined;
  return `answered HTTP ${status} with a body that is not an SQS answer`;
}

/** Statuses with which a server that is not SQS refuses an action it does not know. */
const NOT_AN_ACTION_STATUS = new Set([400, 404, 405, 500, 501]);

function httpStatusOf(error: Error): number | undefined {
  const metadata = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata;
  return typeof metadata?.httpStatusCode === "number" ? metadata.httpStatusCode : undefined;
}

/**
 * An SQS error in SQS's words: its code and message, or for an answer that is not SQS's, its
 * HTTP status. The SDK's own hints ("Deserialization error: ... hidden field") never reach a user.
 */
export function describeSqsError(error: unknown): string {
  if (error instanceof SQSServiceException) return `${error.name}: ${error.message}`;
  if (error instanceof Error) {
    const status = httpStatusOf(error);
    if (status !== undefined)
      return `SQS answered HTTP ${status} with a body that is not an SQS answer`;
    return error.message;
  }
  return String(error);
}

async function moveTask(
  options: RedriveOptions,
  sourceArn: string,
  destinationArn: string,
  total: number,
): Promise<RedriveResult> {
  const { client, signal, pollIntervalMs = 2_000 } = options;
  const { TaskHandle } = await client
    .send(
      new StartMessageMoveTaskCommand({
        SourceArn: sourceArn,
        DestinationArn: destinationArn,
        ...(options.maxPerSecond ? { MaxNumberOfMessagesPerSecond: options.maxPerSecond } : {}),
      }),
    )
    .catch((error: unknown) => {
      const unsupported = unsupportedAnswer(error);
      throw unsupported === undefined
        ? new MoveTaskFailedError(
            `the message move task could not start: ${describeSqsError(error)}`,
            { cause: error },
          )
        : new MoveTaskUnsupportedError(unsupported, { cause: error });
    });
  let moved = 0;
  for (;;) {
    if (signal?.aborted && TaskHandle) {
      await client.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
      const cancelled = await latestTask(client, sourceArn);
      return {
        method: "move-task",
        moved: Number(cancelled?.ApproximateNumberOfMessagesMoved ?? moved),
        stopped: true,
      };
    }
    const task = await latestTask(client, sourceArn);
    moved = Number(task?.ApproximateNumberOfMessagesMoved ?? moved);
    options.onProgress?.({
      method: "move-task",
      moved,
      total: Number(task?.ApproximateNumberOfMessagesToMove ?? total),
    });
    if (task?.Status === "FAILED") {
      throw new MoveTaskFailedError(
        `the message move task failed: ${task.FailureReason ?? "no reason given"}`,
      );
    }
    if (task?.Status === "COMPLETED" || task?.Status === "CANCELLED") {
      return { method: "move-task", moved, stopped: task.Status === "CANCELLED" };
    }
    await sleep(pollIntervalMs, signal);
  }
}

async function latestTask(client: SQSClient, sourceArn: string) {
  const { Results = [] } = await client.send(
    new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 1 }),
  );
  return Results[0];
}

async function receiveSendDelete(
  options: RedriveOptions,
  fifo: boolean,
  total: number,
  moveTaskUnsupported?: string,
): Promise<RedriveResult> {
  const { client, queueUrl, deadLetterQueueUrl, signal } = options;
  const visibility = options.visibilityTimeoutSeconds ?? 30;
  const batchSize = Math.max(1, Math.min(10, Math.floor(options.maxPerSecond ?? 10)));
  const started = Date.now();
  let moved = 0;
  const report = (waitingFor?: number) =>
    options.onProgress?.({
      method: "receive",
      moved,
      total,
      ...(waitingFor ? { waitingFor } : {}),
      ...(moveTaskUnsupported ? { moveTaskUnsupported } : {}),
    });
  while (!signal?.aborted) {
    const { Messages: messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: deadLetterQueueUrl,
        MaxNumberOfMessages: batchSize,
        WaitTimeSeconds: 1,
        VisibilityTimeout: visibility,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["All"],
      }),
    );
    if (messages.length === 0) {
      const left = await queueAttributes(client, deadLetterQueueUrl);
      const visible = Number(left.ApproximateNumberOfMessages ?? 0);
      const inFlight = Number(left.ApproximateNumberOfMessagesNotVisible ?? 0);
      if (visible + inFlight === 0) return { method: "receive", moved, stopped: false };
      // Messages an interrupted run received reappear when their visibility timeout ends.
      report(inFlight);
      await sleep(1_000, signal);
      continue;
    }
    if (signal?.aborted) {
      // Received but not sent: hand them back now rather than at the end of the timeout.
      await release(client, deadLetterQueueUrl, messages);
      break;
    }
    // From here the batch is finished whatever happens to the signal: sent, then deleted.
    const { sent, refused, failures } = await sendAll(client, queueUrl, fifo, messages);
    await deleteAll(client, deadLetterQueueUrl, sent);
    moved += sent.length;
    report();
    if (refused.length > 0) {
      await release(client, deadLetterQueueUrl, refused);
      throw new Error(
        `SQS refused ${refused.length} messages (left on the dead-letter queue): ${failures.join("; ")}`,
      );
    }
    if (options.maxPerSecond) {
      await sleep(started + (moved / options.maxPerSecond) * 1_000 - Date.now(), signal);
    }
  }
  return { method: "receive", moved, stopped: true };
}

/** Sends a batch; resolves with the messages sent and, for the others, why SQS refused them. */
async function sendAll(
  client: SQSClient,
  queueUrl: string,
  fifo: boolean,
  messages: readonly Message[],
): Promise<{ sent: Message[]; refused: Message[]; failures: string[] }> {
  const entries = messages.map((message, index) => sendEntry(message, index, fifo));
  const result = await client.send(
    new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
  );
  const successful = result.Successful ?? [];
  const sentIndexes = new Set(successful.map((entry) => Number(entry.Id)));
  const outcome = {
    sent: messages.filter((_, index) => sentIndexes.has(index)),
    refused: messages.filter((_, index) => !sentIndexes.has(index)),
    failures: (result.Failed ?? []).map((entry) =>
      `${messages[Number(entry.Id)]?.MessageId}: ${entry.Code} ${entry.Message ?? ""}`.trim(),
    ),
  };
  if (!fifo) return outcome;
  // A FIFO queue drops a message whose deduplication id it saw in the last five minutes, and
  // answers with the earlier message's id. When that earlier message is this very one (an SQS
  // implementation that keeps the id when dead-lettering, like fauxqs, and a message dead-lettered
  // within five minutes of being sent), the copy was dropped although the original is gone: send
  // it again under its message id, which is what Amazon SQS itself gives a dead-lettered message.
  const droppedAsItself = successful.flatMap((entry) => {
    const index = Number(entry.Id);
    const message = messages[index];
    const original = entries[index];
    return message && original && entry.MessageId === message.MessageId
      ? [{ ...original, MessageDeduplicationId: message.MessageId }]
      : [];
  });
  if (droppedAsItself.length > 0) {
    const again = await client.send(
      new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: droppedAsItself }),
    );
    const failedAgain = new Set((again.Failed ?? []).map((entry) => Number(entry.Id)));
    outcome.sent = outcome.sent.filter((message) => !failedAgain.has(messages.indexOf(message)));
    outcome.refused.push(...messages.filter((_, index) => failedAgain.has(index)));
    outcome.failures.push(
      ...(again.Failed ?? []).map((entry) => `${entry.Code} ${entry.Message ?? ""}`.trim()),
    );
  }
  return outcome;
}

function sendEntry(message: Message, index: number, fifo: boolean): SendMessageBatchRequestEntry {
  const attributes = message.Attributes ?? {};
  return {
    Id: String(index),
    MessageBody: message.Body ?? "",
    MessageAttributes: messageAttributes(message.MessageAttributes),
    ...(fifo
      ? {
          MessageGroupId: attributes.MessageGroupId,
          MessageDeduplicationId: attributes.MessageDeduplicationId ?? message.MessageId,
        }
      : {}),
  };
}

// What a receive returns, as a send takes it (without the empty list fields).
function messageAttributes(
  received: Record<string, MessageAttributeValue> | undefined,
): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(received ?? {})) {
    attributes[name] = {
      DataType: value.DataType,
      ...(value.StringValue !== undefined ? { StringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { BinaryValue: value.BinaryValue } : {}),
    };
  }
  return attributes;
}

async function deleteAll(client: SQSClient, queueUrl: string, messages: readonly Message[]) {
  if (messages.length === 0) return;
  const { Failed = [] } = await client.send(
    new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: messages.map((message, index) => ({
        Id: String(index),
        ReceiptHandle: message.ReceiptHandle,
      })),
    }),
  );
  if (Failed.length > 0) {
    // Sent but still on the dead-letter queue: the next run sends them again, deduplicated.
    throw new Error(
      `could not delete ${Failed.length} redriven messages from ${queueUrl}: ${Failed.map((entry) => entry.Code).join(", ")}; run again`,
    );
  }
}

async function release(client: SQSClient, queueUrl: string, messages: readonly Message[]) {
  await client.send(
    new ChangeMessageVisibilityBatchCommand({
      QueueUrl: queueUrl,
      Entries: messages.map((message, index) => ({
        Id: String(index),
        ReceiptHandle: message.ReceiptHandle,
        VisibilityTimeout: 0,
      })),
    }),
  );
}

async function queueAttributes(client: SQSClient, queueUrl: string) {
  const { Attributes = {} } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["All"] }),
  );
  return Attributes;
}

function redrivePolicyTarget(policy: string | undefined): string | undefined {
  if (!policy) return undefined;
  try {
    const parsed = JSON.parse(policy) as { deadLetterTargetArn?: unknown };
    return typeof parsed.deadLetterTargetArn === "string" ? parsed.deadLetterTargetArn : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The dead-letter queue's URL from the source queue's redrive policy, on the source queue's
 * endpoint (`https://sqs.<region>.amazonaws.com/<account>/<name>`, or a local server's).
 */
export async function deadLetterQueueUrlOf(
  client: SQSClient,
  queueUrl: string,
): Promise<string | undefined> {
  const target = redrivePolicyTarget((await queueAttributes(client, queueUrl)).RedrivePolicy);
  if (!target) return undefined;
  // arn:aws:sqs:<region>:<account>:<name>
  const [, , , , account, name] = target.split(":");
  if (!account || !name) return undefined;
  return `${new URL(queueUrl).origin}/${account}/${name}`;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(finish, ms);
    function finish() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", finish);
      done();
    }
    signal?.addEventListener("abort", finish, { once: true });
  });
}
