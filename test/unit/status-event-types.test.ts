/**
 * `statusEventTypes` lists every event `type` the relay emits: each one a callback can produce,
 * and no other.
 */
import { describe, expect, it } from "vitest";
import { statusEventTypes } from "../../lib/events/registry.ts";
import { ALL_EVENTS, callbackParams, PLAYER_STREAMER_ALIASES } from "../../testing/samples.ts";
import { fromParams, statusEvent } from "../helpers/status-events.ts";

describe("statusEventTypes", () => {
  it("lists the type of every sample callback, aliases included", () => {
    // Act
    const types = [...ALL_EVENTS, ...PLAYER_STREAMER_ALIASES].map((name) => statusEvent(name).type);
    // Assess
    expect(statusEventTypes).toEqual(expect.arrayContaining(types));
  });

  it("lists the type of a known resource's unknown event, and of an unknown resource", () => {
    // Prepare
    const unknownEvent = fromParams({
      ...callbackParams("stream-ended"),
      StatusCallbackEvent: "stream-paused",
    });
    const unknownResource = fromParams({ WidgetSid: "WX1", AccountSid: "AC1" });
    // Assess
    expect(statusEventTypes).toContain(unknownEvent.type);
    expect(statusEventTypes).toContain(unknownResource.type);
  });

  it("lists each type once, each a com.twilio. type", () => {
    expect(new Set(statusEventTypes).size).toBe(statusEventTypes.length);
    for (const type of statusEventTypes) expect(type).toMatch(/^com\.twilio\.[a-z._-]+$/);
  });
});
