/**
 * The SQS adapter of the publisher port. FIFO queues get per-resource ordering and
 * deduplication of Twilio's retries; standard queues work too.
 */
import {
  type MessageAttributeValue,
  SendMessageCommand,
  type SendMessageCommandInput,
  SQSClient,
  type SQSClientConfig,
} from "@aws-sdk/client-sqs";
import type { StatusEvent } from "../../events/schemas.ts";
import { PublishError } from "../errors.ts";
import type { EventPublisher } from "../publisher.ts";

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
  return new SQSClient({
    maxAttempts: 3,
    // Without throwOnRequestTimeout the SDK only warns when requestTimeout passes: one hung
    // attempt would then use the whole publish budget, with no retry.
    requestHandler: {
      connectionTimeout: 1_000,
      requestTimeout: 2_000,
      throwOnRequestTimeout: true,
    },
    ...overrides,
  });
}

export interface SqsPublisherOptions {
  readonly queueUrl: string;
  readonly client: SQSClient;
  readonly timeoutMs?: number;
}

/** Publishes events to one SQS queue; FIFO when its URL ends in `.fifo`. */
export function createSqsPublisher(options: SqsPublisherOptions): EventPublisher {
  const { queueUrl, client, timeoutMs = PUBLISH_TIMEOUT_MS } = options;
  const fifo = queueUrl.endsWith(".fifo");
  return {
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
