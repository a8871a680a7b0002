/**
 * SQS-triggered consumers of relayed events: each record parsed with `parseStatusEvent` and
 * handed to the consumer's callback, failures reported one by one (`batchItemFailures`, for
 * `functionResponseType: ReportBatchItemFailures`) through Powertools batch, so one bad message
 * never redelivers the whole batch.
 */
import {
  BatchProcessor,
  EventType,
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
} from "@aws-lambda-powertools/batch";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { parseRelayedEvent, type RelayedEvent } from "../events/cloud-event.ts";
import { describeError } from "../events/errors.ts";
import { parseStatusEvent } from "../events/parse.ts";
import type { StatusEvent } from "../events/schemas.ts";

/** The consumer's work for one event; a rejection (or throw) fails that record alone. */
export type StatusEventCallback = (event: StatusEvent, record: SQSRecord) => Promise<void> | void;

/** An SQS-triggered Lambda handler answering with the records to retry. */
export type StatusEventBatchHandler = (
  event: SQSEvent,
  context?: Context,
) => Promise<SQSBatchResponse>;

/**
 * The logging the batch handler needs: one structured line per failed record. A Powertools
 * Logger has it, and so does `console`.
 */
export interface StatusEventBatchLogger {
  error(message: string, attributes?: Record<string, unknown>): void;
}

export interface StatusEventBatchOptions {
  /** Where each failed record is logged (message id, group, error); none by default. */
  readonly logger?: StatusEventBatchLogger;
}

/**
 * Creates the handler of an SQS-triggered consumer. On a standard queue, records are processed
 * concurrently and each failure is reported alone. On a FIFO queue, records are processed in
 * order and the first failure in a message group fails every later record of that group
 * unprocessed, so the group is redelivered in order; other groups go on. A message that is not a
 * relayed event fails too (and reaches the dead-letter queue after `maxReceiveCount` tries).
 * A batch with no failure answers `{ batchItemFailures: [] }`.
 */
export function createStatusEventBatchHandler(
  callback: StatusEventCallback,
  options: StatusEventBatchOptions = {},
): StatusEventBatchHandler {
  return createBatchHandler(parseStatusEvent, callback, options);
}

/** The consumer's work for one message of either kind (status callback or Event Streams). */
export type RelayedEventCallback = (event: RelayedEvent, record: SQSRecord) => Promise<void> | void;

/**
 * Like {@link createStatusEventBatchHandler}, for a queue that also receives Event Streams
 * CloudEvents: each record parsed with `parseRelayedEvent`, the callback told which kind it is.
 */
export function createRelayedEventBatchHandler(
  callback: RelayedEventCallback,
  options: StatusEventBatchOptions = {},
): StatusEventBatchHandler {
  return createBatchHandler(parseRelayedEvent, callback, options);
}

function createBatchHandler<T>(
  parse: (body: string) => T,
  callback: (event: T, record: SQSRecord) => Promise<void> | void,
  options: StatusEventBatchOptions,
): StatusEventBatchHandler {
  const { logger } = options;
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    try {
      await callback(parse(record.body), record);
    } catch (error) {
      logger?.error("record failed", {
        messageId: record.messageId,
        messageGroupId: record.attributes?.MessageGroupId,
        error: describeError(error),
      });
      throw error;
    }
  };

  return async (event, context) => {
    // One event source mapping reads one queue, so the first record tells them all. Processors
    // keep per-batch state: a new one per invocation.
    if (isFifo(event.Records[0])) {
      return processPartialResponse(event, recordHandler, new SqsFifoPartialProcessorAsync(), {
        ...(context ? { context } : {}),
        skipGroupOnError: true,
        throwOnFullBatchFailure: false,
      });
    }
    return processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
      ...(context ? { context } : {}),
      throwOnFullBatchFailure: false,
    });
  };
}

function isFifo(record: SQSRecord | undefined): boolean {
  return (
    record !== undefined &&
    (record.eventSourceARN.endsWith(".fifo") || record.attributes?.MessageGroupId !== undefined)
  );
}
