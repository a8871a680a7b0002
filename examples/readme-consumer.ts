import { parseStatusEvent, type StatusEvent } from "twilio-status-relay";
import { createStatusEventBatchHandler } from "twilio-status-relay/consumer";

async function onEvent(event: StatusEvent): Promise<void> {
  console.log(event.type, event.subject, event.data.status); // validated and typed
  if (event.type === "com.twilio.messaging.message.undelivered") {
    throw new Error(`to ${event.data.to}: error ${event.data.errorCode}`); // retried alone
  }
}
// An SQS-triggered Lambda function (functionResponseType: ReportBatchItemFailures) ...
export const handler = createStatusEventBatchHandler(onEvent);
// ... or any other reader of the queue: a message body to a typed event, or an InvalidEventError.
export const onMessage = (body: string) => onEvent(parseStatusEvent(body));
