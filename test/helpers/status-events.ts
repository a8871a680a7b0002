/**
 * Relayed events as the ingest function publishes them, built by the real normaliser from the
 * realistic callback fixtures, and SQS records carrying them as Lambda delivers them.
 */
import type { SQSRecord } from "aws-lambda";
import type { StatusEvent } from "../../lib/events/schemas.ts";
import { normaliseCallback } from "../../lib/ingest/normalise.ts";
import {
  type CallbackEventName,
  type CallbackOverrides,
  callbackParams,
} from "../../testing/samples.ts";

const CLOCK = () => new Date("2026-11-27T10:15:31.000Z");

/** The event the relay publishes for a realistic `name` callback. */
export function statusEvent(
  name: CallbackEventName,
  overrides: CallbackOverrides = {},
): StatusEvent {
  return fromParams(callbackParams(name, overrides));
}

/** The event the relay publishes for a callback with exactly these parameters. */
export function fromParams(params: Record<string, string>): StatusEvent {
  return normaliseCallback(
    new Map(Object.entries(params).map(([name, value]) => [name, [value]])),
    CLOCK,
  );
}

/** An SQS record as Lambda delivers it; `groupId` makes it a FIFO record. */
export function sqsRecord(messageId: string, body: string, groupId?: string): SQSRecord {
  const queue = groupId === undefined ? "status-events" : "status-events.fifo";
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: "1795774530000",
      SenderId: "AROAEXAMPLE",
      ApproximateFirstReceiveTimestamp: "1795774530001",
      ...(groupId === undefined
        ? {}
        : {
            MessageGroupId: groupId,
            MessageDeduplicationId: `dedup-${messageId}`,
            SequenceNumber: "1",
          }),
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: `arn:aws:sqs:us-east-1:123456789012:${queue}`,
    awsRegion: "us-east-1",
  };
}
