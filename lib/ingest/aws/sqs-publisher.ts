/**
 * The SQS adapter of the publisher port. FIFO queues get per-resource ordering and
 * deduplication of Twilio's retries; standard queues work too.
 */

import {
  type MessageAttributeValue,
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  type SendMessageBatchRequestEntry,
  SendMessageCommand,
  type SendMessageCommandInput,
  SQSClient,
  type SQSClientConfig,
} from "@aws-sdk/client-sqs";
import type { StatusEvent } from "../../events/schemas.ts";
import { PublishError } from "../errors.ts";
import type { CloudEventMessage, CloudEventPublisher, EventPublisher } from "../publisher.ts";
import { boundedClientSettings } from "./client-settings.ts";

/**
 * Time allowed for one publish, SDK retries included. Twilio gives up after 15 s; with the
 * Lambda timeout (10 s) this leaves room for a cold start and the answer.
 */
export const PUBLISH_TIMEOUT_MS = 6_000;

/**
 * An SQS client for the relay: three attempts, each bounded, so that a failing queue answers
 * 503 well inside Twilio's 15-second limit. Region, endpoint (`AWS_ENDPOINT_URL_SQS`) and
 * credentials come from the SDK's usual settings.
 */
export function createSqsClient(overrides: SQSClientConfig = {}): SQSClient {
  return new SQSClient({ ...boundedClientSettings(2_000), ...overrides });
}

export interface SqsPublisherOptions {
  readonly queueUrl: string;
  readonly client: SQSClient;
  readonly timeoutMs?: number;
}

/**
 * Publishes events to one SQS queue; FIFO when its URL ends in `.fifo`. Status events one by one
 * (`SendMessage`), the CloudEvents of a sink delivery in batches (`SendMessageBatch`).
 */
export function createSqsPublisher(
  options: SqsPublisherOptions,
): EventPublisher & CloudEventPublisher {
  const { queueUrl, client, timeoutMs = PUBLISH_TIMEOUT_MS } = options;
  const fifo = queueUrl.endsWith(".fifo");
  return {
    publishCloudEvents: (messages, deadline) =>
      publishBatches({ client, queueUrl, fifo, messages, deadline }),
    async publish(event) {
      try {
        await client.send(new SendMessageCommand(sqsMessage(event, queueUrl, fifo)), {
          abortSignal: AbortSignal.timeout(timeoutMs),
        });
      } catch (cause) {
        throw new PublishError(`SQS did not accept event ${event.id}`, { cause });
      }
    },
  };
}

/**
 * The SendMessage request for an event: the CloudEvent as JSON body, attributes to filter on
 * without parsing, and on a FIFO queue the resource SID as group (per-resource order) and the
 * event id as deduplication id (Twilio's retries are absorbed).
 */
export function sqsMessage(
  event: StatusEvent,
  queueUrl: string,
  fifo: boolean,
): SendMessageCommandInput {
  const attributes: Record<string, MessageAttributeValue> = {};
  const add = (name: string, value: string | undefined) => {
    // SQS refuses empty values and characters outside its set; the only value not fixed by the
    // relay is an unknown resource's AccountSid, which the body carries anyway.
    if (value && PRINTABLE_ASCII.test(value)) {
      attributes[name] = { DataType: "String", StringValue: value };
    }
  };
  add("type", event.type);
  add("resourceType", event.data.resourceType);
  add("status", event.data.status);
  add("accountSid", event.data.accountSid);
  return {
    QueueUrl: queueUrl,
    MessageBody: sqsJson(event),
    MessageAttributes: attributes,
    ...(fifo ? { MessageGroupId: messageGroupId(event), MessageDeduplicationId: event.id } : {}),
  };
}

const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

// SQS takes only #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF in a message. JSON.stringify
// escapes control characters and lone surrogates but leaves U+FFFE and U+FFFF raw, which SQS
// refuses, and astral characters, which SQS takes but fauxqs (npm start, the tests) refuses.
// As JSON escapes they parse back to the same string.
const RAW_FOR_SQS = /[\ud800-\udfff\ufffe\uffff]/g;

/** JSON that every SQS implementation accepts as a message body, parsing to `value`. */
export function sqsJson(value: unknown): string {
  return JSON.stringify(value).replace(
    RAW_FOR_SQS,
    (unit) => `\\u${unit.charCodeAt(0).toString(16)}`,
  );
}

// SQS takes 1-128 printable ASCII characters as group id. Twilio SIDs always fit; a callback from
// an unknown resource may not, and must still be accepted.
function messageGroupId(event: StatusEvent): string {
  return /^[\x21-\x7e]{1,128}$/.test(event.subject) ? event.subject : "unknown";
}

/** Most entries in one `SendMessageBatch` (an SQS limit). */
export const SQS_BATCH_ENTRIES = 10;
/**
 * Most bytes in one `SendMessageBatch`, bodies and attributes together: 256 KiB, the limit of
 * every SQS queue (newer queues allow up to 1 MiB, older ones do not).
 */
export const SQS_BATCH_BYTES = 256 * 1024;
/** First pause before entries that failed are sent again; doubled each time. */
const ENTRY_RETRY_BASE_MS = 50;

interface Entry {
  readonly index: number;
  readonly request: SendMessageBatchRequestEntry;
  readonly bytes: number;
}

/**
 * Sends every message, in batches of at most ten entries and 256 KiB, all batches at once.
 * Entries SQS refuses for a passing reason (`SenderFault: false`) are sent again, after a short
 * pause that doubles, until `deadline`; an entry refused for the sender's fault, a call that
 * fails (after the SDK's own retries) or the deadline ends it with a PublishError naming the
 * event ids that did not make it.
 */
async function publishBatches(options: {
  client: SQSClient;
  queueUrl: string;
  fifo: boolean;
  messages: readonly CloudEventMessage[];
  deadline: number;
}): Promise<void> {
  const { client, queueUrl, fifo, messages, deadline } = options;
  const entries = messages.map((message, index): Entry => {
    const request = batchEntry(message, `e${index}`, fifo);
    return { index, request, bytes: entryBytes(request) };
  });
  const results = await Promise.allSettled(
    chunk(entries).map((batch) => sendUntilAccepted(client, queueUrl, batch, deadline)),
  );
  const failures = results.flatMap((result) =>
    result.status === "rejected" ? [result.reason as BatchFailure] : [],
  );
  if (failures.length === 0) return;
  const notQueued = failures.flatMap((failure) =>
    failure.entries.map((entry) => messages[entry.index]?.event.id ?? ""),
  );
  throw new PublishError(
    `SQS did not accept ${notQueued.length} of ${messages.length} events: ` +
      `${[...new Set(failures.map((failure) => failure.reason))].join("; ")}`,
    { cause: failures.find((failure) => failure.cause !== undefined)?.cause },
  );
}

class BatchFailure {
  readonly entries: readonly Entry[];
  readonly reason: string;
  readonly cause: unknown;
  constructor(entries: readonly Entry[], reason: string, cause?: unknown) {
    this.entries = entries;
    this.reason = reason;
    this.cause = cause;
  }
}

async function sendUntilAccepted(
  client: SQSClient,
  queueUrl: string,
  batch: readonly Entry[],
  deadline: number,
): Promise<void> {
  let pending = batch;
  for (let attempt = 0; ; attempt += 1) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new BatchFailure(pending, "the time for publishing ran out");
    let output: SendMessageBatchCommandOutput;
    try {
      output = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: pending.map((entry) => entry.request),
        }),
        { abortSignal: AbortSignal.timeout(remaining) },
      );
    } catch (cause) {
      throw new BatchFailure(pending, "SendMessageBatch failed", cause);
    }
    const failed = output.Failed ?? [];
    if (failed.length === 0) return;
    const failedIds = new Set(failed.map((entry) => entry.Id));
    pending = pending.filter((entry) => failedIds.has(entry.request.Id));
    const codes = [...new Set(failed.map((entry) => entry.Code ?? "unknown"))].join(", ");
    if (failed.some((entry) => entry.SenderFault)) {
      throw new BatchFailure(pending, `SQS refused entries (sender fault: ${codes})`);
    }
    const pause = ENTRY_RETRY_BASE_MS * 2 ** attempt;
    if (Date.now() + pause >= deadline) {
      throw new BatchFailure(pending, `SQS kept failing entries (${codes})`);
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

// Batches in order, each at most SQS_BATCH_ENTRIES entries and SQS_BATCH_BYTES bytes.
function chunk(entries: readonly Entry[]): Entry[][] {
  const batches: Entry[][] = [];
  let current: Entry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    if (
      current.length === SQS_BATCH_ENTRIES ||
      (current.length > 0 && bytes + entry.bytes > SQS_BATCH_BYTES)
    ) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += entry.bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * The `SendMessageBatch` entry of one CloudEvent: the event as JSON body, unchanged; its
 * attributes; on a FIFO queue its group and deduplication id.
 */
export function batchEntry(
  message: CloudEventMessage,
  id: string,
  fifo: boolean,
): SendMessageBatchRequestEntry {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(message.attributes)) {
    if (value && PRINTABLE_ASCII.test(value)) {
      attributes[name] = { DataType: "String", StringValue: value };
    }
  }
  return {
    Id: id,
    MessageBody: sqsJson(message.event),
    MessageAttributes: attributes,
    ...(fifo
      ? { MessageGroupId: message.groupId, MessageDeduplicationId: message.deduplicationId }
      : {}),
  };
}

/** What SQS counts of an entry toward its size limits: body, attribute names, types and values. */
export function entryBytes(entry: SendMessageBatchRequestEntry): number {
  let bytes = Buffer.byteLength(entry.MessageBody ?? "");
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? "");
    bytes += Buffer.byteLength(value.StringValue ?? "");
  }
  return bytes;
}
