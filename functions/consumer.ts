/**
 * Example consumer, Lambda entry point: SQS (ReportBatchItemFailures) -> one log line per event.
 * Replace the callback with your own work; a throw retries that record alone.
 */

import { createStatusEventBatchHandler } from "../lib/consumer/batch-handler.ts";
import { formatStatusEvent } from "../lib/events/summary.ts";
import { createLogger } from "../lib/ingest/logger.ts";

const logger = createLogger("twilio-status-relay-consumer");

export const handler = createStatusEventBatchHandler(
  (event) => {
    logger.info(formatStatusEvent(event), {
      eventId: event.id,
      type: event.type,
      subject: event.subject,
      status: event.data.status,
    });
  },
  { logger },
);
