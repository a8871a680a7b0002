import { describe, expect, it } from "vitest";
import { InvalidEventError } from "../../lib/events/errors.ts";
import { parseStatusEvent } from "../../lib/events/parse.ts";
import { ACCOUNT_SID, ALL_EVENTS, PLAYER_STREAMER_SID } from "../../testing/samples.ts";
import { fromParams, statusEvent } from "../helpers/status-events.ts";

function errorOf(body: string): InvalidEventError {
  try {
    parseStatusEvent(body);
  } catch (error) {
    if (error instanceof InvalidEventError) return error;
    throw error;
  }
  throw new Error("parseStatusEvent accepted the body");
}

describe("parseStatusEvent", () => {
  it.each(ALL_EVENTS)("returns the published %s event unchanged, typed", (name) => {
    // Prepare
    const published = statusEvent(name);

    // Act
    const parsed = parseStatusEvent(JSON.stringify(published));

    // Assess
    expect(parsed).toEqual(published);
  });

  it("narrows data by resourceType so a consumer reads resource fields with types", () => {
    // Prepare
    const body = JSON.stringify(statusEvent("stream-ended"));

    // Act
    const event = parseStatusEvent(body);

    // Assess
    expect(event.data.resourceType).toBe("PlayerStreamer");
    if (event.data.resourceType !== "PlayerStreamer") throw new Error("not narrowed");
    expect(event.data.playerStreamerSid).toBe(PLAYER_STREAMER_SID);
    expect(event.data.durationSeconds).toBe(3600);
  });

  it("accepts the event of a resource the relay does not know", () => {
    // Prepare
    const published = fromParams({
      AccountSid: ACCOUNT_SID,
      WidgetSid: "WX0123456789abcdef0123456789abcdef",
      StatusCallbackEvent: "widget-done",
    });

    // Act
    const event = parseStatusEvent(JSON.stringify(published));

    // Assess
    expect(event.type).toBe("com.twilio.status-callback.unknown");
    expect(event.data.resourceType).toBe("unknown");
    expect(event.data.unrecognizedParameters).toEqual({
      WidgetSid: "WX0123456789abcdef0123456789abcdef",
    });
  });

  it("refuses a body that is not JSON, quoting its start", () => {
    // Act
    const error = errorOf(`<xml>${"x".repeat(200)}</xml>`);

    // Assess
    expect(error.message).toMatch(
      /^not a twilio-status-relay event: the body is not JSON: "<xml>x+…"$/,
    );
    expect(error.message.length).toBeLessThan(160);
  });

  it("refuses JSON that is not an object", () => {
    // Act
    const error = errorOf("[1,2]");

    // Assess
    expect(error.message).toBe("not a twilio-status-relay event: the body must be a JSON object");
  });

  it("names every missing envelope field of a foreign message", () => {
    // Act
    const error = errorOf(JSON.stringify({ Type: "Notification", Message: "hello" }));

    // Assess
    expect(error.message).toBe(
      "not a twilio-status-relay event: missing specversion, id, source, subject, type, time, " +
        "datacontenttype, dataschema, data",
    );
  });

  it("names each field that does not match, with what it must be", () => {
    // Prepare
    const event = statusEvent("media-processor-started");
    const body = JSON.stringify({
      ...event,
      specversion: "0.3",
      type: "org.example.thing",
      data: { ...event.data, status: "begun" },
    });

    // Act
    const error = errorOf(body);

    // Assess
    expect(error.message).toContain('specversion must be "1.0"');
    expect(error.message).toContain("type must match /^com\\.twilio\\./");
    expect(error.message).toContain(
      'data.status must be "started" or "ended" or "failed" or "unknown"',
    );
  });

  it("names the resource types it knows when data.resourceType is foreign", () => {
    // Prepare
    const event = statusEvent("media-processor-started");
    const body = JSON.stringify({ ...event, data: { ...event.data, resourceType: "Widget" } });

    // Act
    const error = errorOf(body);

    // Assess
    expect(error.message).toBe(
      'not a twilio-status-relay event: data.resourceType must be one of "MediaProcessor", ' +
        '"PlayerStreamer", "Composition", "Room", "Recording", "Conference", "Call", "Message", "unknown"',
    );
  });

  it("names a missing field inside data", () => {
    // Prepare
    const { data, ...envelope } = statusEvent("stream-started");
    const { playerStreamerSid: _dropped, ...rest } = data as typeof data & {
      playerStreamerSid: string;
    };
    const body = JSON.stringify({ ...envelope, data: rest });

    // Act
    const error = errorOf(body);

    // Assess
    expect(error.message).toBe("not a twilio-status-relay event: missing data.playerStreamerSid");
  });

  it("refuses an event whose type belongs to another resource than its data", () => {
    // Prepare
    const event = statusEvent("media-processor-started");
    const body = JSON.stringify({ ...event, type: "com.twilio.media.player-streamer.started" });

    // Act
    const error = errorOf(body);

    // Assess
    expect(error.message).toBe(
      'not a twilio-status-relay event: type "com.twilio.media.player-streamer.started" is not ' +
        'an event type of resourceType "MediaProcessor"',
    );
  });
});
