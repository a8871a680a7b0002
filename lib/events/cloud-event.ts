/**
 * Twilio Event Streams CloudEvents, as the relay passes them through: each event of a webhook
 * sink delivery becomes one queue message, its envelope and `data` unchanged. Consumers read
 * both kinds of message with `parseRelayedEvent`: a relayed status callback (`StatusEvent`, whose
 * `data` has a `resourceType`) or an Event Streams CloudEvent (`TwilioCloudEvent`).
 */
import * as z from "zod/mini";
import { parseStatusEvent } from "./parse.ts";
import type { StatusEvent } from "./schemas.ts";

/** `type` of the event Twilio sends to test a sink (`POST /v1/Sinks/{Sid}/Test`). */
export const SINK_TEST_EVENT_TYPE = "com.twilio.eventstreams.test-event";

const nonEmpty = z.string().check(z.minLength(1));

/**
 * An Event Streams CloudEvent: the four required CloudEvents attributes, the optional ones Twilio
 * sends, and any others, kept. `data` is whatever Twilio sent (an object; for the sink test event
 * possibly a JSON-encoded string); its shape is the one `dataschema` names.
 */
export const TwilioCloudEventSchema = z.looseObject({
  specversion: nonEmpty,
  id: nonEmpty,
  source: nonEmpty,
  type: nonEmpty,
  subject: z.optional(z.string()),
  time: z.optional(z.string()),
  dataschema: z.optional(z.string()),
  datacontenttype: z.optional(z.string()),
  data: z.optional(z.unknown()),
});

export type TwilioCloudEvent = z.infer<typeof TwilioCloudEventSchema>;

/** A message the relay put on the queue, by origin. */
export type RelayedEvent =
  | { readonly kind: "status-callback"; readonly event: StatusEvent }
  | { readonly kind: "event-streams"; readonly event: TwilioCloudEvent };

/**
 * Parses an SQS message body the relay published: a status callback event when its `data` has a
 * `resourceType` (validated by {@link parseStatusEvent}), otherwise an Event Streams CloudEvent.
 * @throws InvalidEventError starting `not a twilio-status-relay event:` naming what is wrong
 *   (for a body that is neither, what a status callback event lacks)
 */
export function parseRelayedEvent(body: string): RelayedEvent {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    // parseStatusEvent words the error for a body that is not JSON.
    return { kind: "status-callback", event: parseStatusEvent(body) };
  }
  const data = (value as { data?: unknown } | null)?.data;
  if (typeof data === "object" && data !== null && "resourceType" in data) {
    return { kind: "status-callback", event: parseStatusEvent(body) };
  }
  const result = TwilioCloudEventSchema.safeParse(value);
  if (result.success) return { kind: "event-streams", event: result.data };
  // Neither: the status event's errors name what is missing, as they always have.
  return { kind: "status-callback", event: parseStatusEvent(body) };
}

/**
 * One readable line for an Event Streams CloudEvent: `<time>  <type>  id=<id>  source=<source>`,
 * values with blanks or quotes JSON-quoted, never a newline.
 */
export function formatTwilioCloudEvent(event: TwilioCloudEvent): string {
  const quote = (value: string) => (/[\s"=]/.test(value) ? JSON.stringify(value) : value);
  return [event.time ?? "", event.type, `id=${quote(event.id)}`, `source=${quote(event.source)}`]
    .filter((part) => part !== "")
    .map((part) => part.replace(/[\r\n]+/g, " "))
    .join("  ");
}
