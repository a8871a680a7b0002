// A Lambda function that consumes the relay's queue, in plain JavaScript (an ES module).
//
//   npm install twilio-status-relay @aws-lambda-powertools/batch
import { formatStatusEvent, parseStatusEvent } from "twilio-status-relay";
import { createStatusEventBatchHandler } from "twilio-status-relay/consumer";

/** The Lambda handler: a throw in the callback retries that record alone. */
export const handler = createStatusEventBatchHandler(
  async (event) => {
    console.log(formatStatusEvent(event));
    if (event.data.resourceType === "Message" && event.data.status === "undelivered") {
      console.error(`message ${event.subject} undelivered: error ${event.data.errorCode}`);
    }
  },
  { logger: console },
);

/** Without the batch handler: one message body (from any SQS client), parsed and validated. */
export function eventOf(body) {
  // Throws InvalidEventError, naming what is wrong, for a body that is not a relayed event.
  return parseStatusEvent(body);
}
