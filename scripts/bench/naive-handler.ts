/**
 * The handler a user would write without this project, for the benchmark only: decode the body,
 * `URLSearchParams`, `twilio.validateRequest`, then `SendMessage` of the parameters as JSON. On a
 * FIFO queue it needs a group id and a deduplication id: the resource SID and a SHA-256 of the
 * body, what a user would naturally reach for. No schema, no event id, no logging.
 */
import { hash } from "node:crypto";
import {
  type SendMessageBatchRequestEntry,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import twilio from "twilio";

export interface NaiveRequest {
  readonly body: string;
  readonly params: Record<string, string>;
}

/**
 * Decodes and verifies an HTTP API (payload 2.0) event as a user would: the parameters if the
 * signature is valid, `undefined` if not. The benchmark's baseline for the relay's hot path.
 */
export function naiveVerify(
  event: APIGatewayProxyEventV2,
  authToken: string,
  algorithm?: "HMAC_SHA1" | "HMAC_SHA256",
): NaiveRequest | undefined {
  const body = bodyOf(event);
  const params = Object.fromEntries(new URLSearchParams(body));
  const signature = event.headers["x-twilio-signature"] ?? "";
  return twilio.validateRequest(authToken, signature, urlOf(event), params, algorithm)
    ? { body, params }
    : undefined;
}

/**
 * An Event Streams sink delivery as a user would take it: `twilio.validateRequestWithBody`
 * (signature over the URL, then the body's SHA-256 against `bodySHA256`), `JSON.parse`, and one
 * `SendMessageBatch` entry per event for a FIFO queue (body the event's JSON, group its `source`,
 * which names the resource, deduplication id its `id`); `undefined` if the signature or the hash
 * does not match. The entries are built, not sent.
 */
export function naiveSinkBatch(
  event: APIGatewayProxyEventV2,
  authToken: string,
): SendMessageBatchRequestEntry[] | undefined {
  const body = bodyOf(event);
  const signature = event.headers["x-twilio-signature"] ?? "";
  if (!twilio.validateRequestWithBody(authToken, signature, urlOf(event), body)) return undefined;
  const events = JSON.parse(body) as { id: string; source: string }[];
  return events.map((cloudEvent, index) => ({
    Id: `e${index}`,
    MessageBody: JSON.stringify(cloudEvent),
    MessageGroupId: cloudEvent.source,
    MessageDeduplicationId: cloudEvent.id,
  }));
}

function bodyOf(event: APIGatewayProxyEventV2): string {
  return event.isBase64Encoded
    ? Buffer.from(event.body ?? "", "base64").toString("utf8")
    : (event.body ?? "");
}

function urlOf(event: APIGatewayProxyEventV2): string {
  const query = event.rawQueryString ? `?${event.rawQueryString}` : "";
  return `https://${event.headers.host}${event.rawPath}${query}`;
}

export interface NaiveHandlerOptions {
  readonly authToken: string;
  readonly queueUrl: string;
  readonly client: SQSClient;
}

/** The naive Lambda handler: 403 on a bad signature, 200 once SQS accepted the parameters. */
export function createNaiveHandler(options: NaiveHandlerOptions) {
  const { authToken, queueUrl, client } = options;
  const fifo = queueUrl.endsWith(".fifo");
  return async (event: APIGatewayProxyEventV2) => {
    const request = naiveVerify(event, authToken);
    if (!request) return { statusCode: 403, body: "Forbidden" };
    const { body, params } = request;
    await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(params),
        ...(fifo
          ? {
              MessageGroupId: params.MediaProcessorSid ?? params.PlayerStreamerSid ?? "twilio",
              MessageDeduplicationId: hash("sha256", body, "hex"),
            }
          : {}),
      }),
    );
    return { statusCode: 200, body: "" };
  };
}
