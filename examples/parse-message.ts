import { InvalidEventError, parseStatusEvent } from "twilio-status-relay";

/** One SQS message body (from any reader of the queue) to a line about the event it holds. */
export function describeMessage(message: { Body?: string }): string {
  try {
    const event = parseStatusEvent(message.Body ?? "");
    // Narrowing on `type` gives that resource's fields, typed.
    if (event.type === "com.twilio.messaging.message.undelivered") {
      return `${event.data.to}: error ${event.data.errorCode}`; // errorCode is a number
    }
    // So does narrowing `data` on its `resourceType`.
    const { data } = event;
    if (data.resourceType === "Call") return `${data.callSid} ${data.status} ${data.callDuration}s`;
    return `${event.type} ${event.subject}`;
  } catch (error) {
    // Not a relayed event: the message says what is wrong ("missing specversion, id, ...").
    if (error instanceof InvalidEventError) return `skipped: ${error.message}`;
    throw error;
  }
}
