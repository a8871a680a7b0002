/**
 * Relayed events as the ingest function publishes them, built by the real normaliser from the
 * realistic callback fixtures, and SQS records carrying them as Lambda delivers them.
 */
import type { SQSRecord } from "aws-lambda";
import type { StatusEvent } from "../../lib/events/schemas.ts";
import { BadRequestError } from "../../lib/ingest/errors.ts";
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

/** The time a test's callbacks are received at, unless it says otherwise. */
export const RECEIVED = new Date("2026-11-27T12:00:00.000Z");

/** Parameters as the decoder hands them to the normaliser: each name's values, in order. */
export function paramsMap(values: Record<string, string | string[]>): Map<string, string[]> {
  return new Map(Object.entries(values).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
}

/** The event the normaliser builds for these parameters, received at `at`. */
export function normalise(values: Record<string, string | string[]>, at: Date = RECEIVED) {
  return normaliseCallback(paramsMap(values), () => at);
}

/** The problems the normaliser names for a callback it refuses; throws if it accepts it. */
export function problemsOf(values: Record<string, string | string[]>): readonly string[] {
  try {
    normalise(values);
  } catch (error) {
    if (error instanceof BadRequestError) return error.problems;
    throw error;
  }
  throw new Error("expected a BadRequestError");
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
