/**
 * A Lambda function that consumes the relay's queue, in TypeScript. Deploy it with an SQS event
 * source mapping whose `functionResponseType` is `ReportBatchItemFailures`.
 *
 *   npm install twilio-status-relay @aws-lambda-powertools/batch
 */
import { formatStatusEvent, type StatusEvent } from "twilio-status-relay";
import { createStatusEventBatchHandler } from "twilio-status-relay/consumer";

/** Your own work for one event: here, one log line, and a page when a media processor fails. */
export async function onStatusEvent(event: StatusEvent): Promise<void> {
  console.log(formatStatusEvent(event));
  // Narrowing on `type` gives the resource's own fields, typed.
  switch (event.type) {
    case "com.twilio.media.media-processor.failed":
      await page(`media processor ${event.subject} (${event.data.extension}) failed`);
      return;
    case "com.twilio.media.player-streamer.ended":
      console.log(`stream from ${event.data.source} ran ${event.data.durationSeconds ?? 0} s`);
      return;
    case "com.twilio.status-callback.unknown":
      // A resource the relay does not know yet: every parameter, verbatim.
      console.log(event.data.unrecognizedParameters);
      return;
  }
}

/** The Lambda handler: a throw in `onStatusEvent` retries that record alone. */
export const handler = createStatusEventBatchHandler(onStatusEvent, { logger: console });

async function page(message: string): Promise<void> {
  console.error(message);
}
