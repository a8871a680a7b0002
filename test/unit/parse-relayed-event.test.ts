/**
 * Consumers read both kinds of queue message with `parseRelayedEvent`: relayed status callbacks
 * and Event Streams CloudEvents passed through unchanged.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  formatTwilioCloudEvent,
  parseRelayedEvent,
  type RelayedEvent,
  type TwilioCloudEvent,
} from "../../lib/events/cloud-event.ts";
import { InvalidEventError } from "../../lib/events/errors.ts";
import type { StatusEvent } from "../../lib/events/schemas.ts";
import { messageStatusEvent, sinkTestEvent } from "../../testing/event-streams.ts";
import { statusEvent } from "../helpers/status-events.ts";

describe("parseRelayedEvent", () => {
  it("reads a relayed status callback as a StatusEvent", () => {
    // Prepare
    const event = statusEvent("stream-ended");
    // Act
    const relayed = parseRelayedEvent(JSON.stringify(event));
    // Assess
    expect(relayed).toEqual({ kind: "status-callback", event });
  });

  it("reads an Event Streams CloudEvent unchanged, extension attributes kept", () => {
    // Prepare
    const event = { ...messageStatusEvent("delivered"), traceparent: "00-abc-01" };
    // Act
    const relayed = parseRelayedEvent(JSON.stringify(event));
    // Assess
    expect(relayed).toEqual({ kind: "event-streams", event });
  });

  it("reads the sink test event, whose data may be a JSON-encoded string", () => {
    // Prepare
    const event = { ...sinkTestEvent(), data: '{"test_id":"x"}' };
    // Act
    const relayed = parseRelayedEvent(JSON.stringify(event));
    // Assess
    expect(relayed.kind).toBe("event-streams");
    expect(relayed.event.data).toBe('{"test_id":"x"}');
  });

  it("refuses a status callback event that does not match its schema, naming the field", () => {
    // Prepare
    const event = { ...statusEvent("stream-ended"), subject: undefined };
    // Act
    const attempt = () => parseRelayedEvent(JSON.stringify(event));
    // Assess
    expect(attempt).toThrow(InvalidEventError);
    expect(attempt).toThrow(/missing subject/);
  });

  it("refuses a body that is neither, as parseStatusEvent does", () => {
    // Act
    const attempt = () => parseRelayedEvent('{"hello":"world"}');
    // Assess
    expect(attempt).toThrow(/^not a twilio-status-relay event: missing specversion, id/);
  });

  it("types the two kinds apart", () => {
    expectTypeOf<
      Extract<RelayedEvent, { kind: "status-callback" }>["event"]
    >().toEqualTypeOf<StatusEvent>();
    expectTypeOf<
      Extract<RelayedEvent, { kind: "event-streams" }>["event"]
    >().toEqualTypeOf<TwilioCloudEvent>();
  });
});

describe("formatTwilioCloudEvent", () => {
  it("prints one line: time, type, id and source", () => {
    // Prepare
    const event = sinkTestEvent({ time: "2026-12-02T16:00:00.000Z" });
    // Act
    const line = formatTwilioCloudEvent(event);
    // Assess
    expect(line).toBe(
      `2026-12-02T16:00:00.000Z  com.twilio.eventstreams.test-event  id=${event.id}  source=Sink`,
    );
  });
});
