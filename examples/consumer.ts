/**
 * A Lambda function that consumes the relay's queue, in TypeScript. Deploy it with an SQS event
 * source mapping whose `functionResponseType` is `ReportBatchItemFailures`.
 *
 *   npm install twilio-status-relay @aws-lambda-powertools/batch
 */
import { formatStatusEvent, type StatusEvent } from "twilio-status-relay";
import { createStatusEventBatchHandler } from "twilio-status-relay/consumer";

/** Your own work for one event: here, one log line, and a page when something fails. */
export async function onStatusEvent(event: StatusEvent): Promise<void> {
  console.log(formatStatusEvent(event));
  // Narrowing on `type` gives the resource's own fields, typed; data.status is Twilio's value.
  switch (event.type) {
    case "com.twilio.messaging.message.undelivered":
    case "com.twilio.messaging.message.failed":
      await page(`message ${event.subject} to ${event.data.to}: error ${event.data.errorCode}`);
      return;
    case "com.twilio.voice.status-callback.call.completed":
      // One type for every way a call ends: completed, busy, failed, no-answer, canceled.
      if (event.data.status !== "completed") console.log(`${event.data.to}: ${event.data.status}`);
      return;
    case "com.twilio.video.composition.composition-available":
      console.log(`composition of ${event.data.roomSid} ready: ${event.data.mediaUri}`);
      return;
    case "com.twilio.status-callback.unknown":
      // A resource the relay does not know yet: every parameter, verbatim.
      console.log(event.data.unrecognizedParameters);
      return;
    default:
      // A type added in a later minor version lands here: accept it.
      return;
  }
}

/** The Lambda handler: a throw in `onStatusEvent` retries that record alone. */
export const handler = createStatusEventBatchHandler(onStatusEvent, { logger: console });

async function page(message: string): Promise<void> {
  console.error(message);
}
