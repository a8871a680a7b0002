import { parseStatusEvent } from "twilio-status-relay";

/** One SQS message body to a typed event; anything else throws an InvalidEventError saying why. */
export function describeMessage(message: { Body?: string }): string {
  const event = parseStatusEvent(message.Body ?? "");
  if (event.data.resourceType === "MediaProcessor") return event.data.extension; // typed
  // not a twilio-status-relay event: missing specversion, id, source, ... (a foreign message)
  // not a twilio-status-relay event: data.status must be "started" or "ended" or "failed" or "unknown"
  return event.type;
}
