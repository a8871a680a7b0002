import { describe, expect, it } from "vitest";
import type { StatusEvent } from "../../lib/events/schemas.ts";
import { formatStatusEvent } from "../../lib/events/summary.ts";
import {
  ACCOUNT_SID,
  callbackParams,
  MEDIA_PROCESSOR_SID,
  PLAYER_STREAMER_SID,
} from "../../testing/samples.ts";
import { fromParams, statusEvent } from "../helpers/status-events.ts";

describe("formatStatusEvent", () => {
  it("prints time, type, SID and the extension of a MediaProcessor start", () => {
    // Prepare
    const event = statusEvent("media-processor-started");

    // Act
    const line = formatStatusEvent(event);

    // Assess
    expect(line).toBe(
      `2026-11-27T10:15:30.123Z  com.twilio.media.media-processor.started  ${MEDIA_PROCESSOR_SID}  ` +
        "extension=video-composer-v1-preview",
    );
  });

  it("adds duration, ended reason and a quoted error message to a failure", () => {
    // Prepare
    const event = statusEvent("stream-failed");

    // Act
    const line = formatStatusEvent(event);

    // Assess
    expect(line).toBe(
      `2026-11-27T10:15:30.123Z  com.twilio.media.player-streamer.failed  ${PLAYER_STREAMER_SID}  ` +
        'source=video-composer duration=3600s endedReason=error error="The extension stopped responding"',
    );
  });

  it("names the event of a known resource when its status is unknown", () => {
    // Prepare
    const event = statusEvent("media-processor-started");
    const unknownStatus = {
      ...event,
      type: "com.twilio.media.media-processor.unknown",
      data: { ...event.data, status: "unknown", statusCallbackEvent: "media-processor-paused" },
    } as StatusEvent;

    // Act
    const line = formatStatusEvent(unknownStatus);

    // Assess
    expect(line).toContain("  event=media-processor-paused extension=video-composer-v1-preview");
  });

  it("prints the event, account and parameter names of an unknown resource", () => {
    // Prepare
    const event = fromParams({
      AccountSid: ACCOUNT_SID,
      WidgetSid: "WX0123456789abcdef0123456789abcdef",
      StatusCallbackEvent: "widget-done",
      Timestamp: "2026-11-27T10:15:30Z",
      WidgetName: "daily standup",
    });

    // Act
    const line = formatStatusEvent(event);

    // Assess
    expect(line).toBe(
      "2026-11-27T10:15:30Z  com.twilio.status-callback.unknown  WX0123456789abcdef0123456789abcdef  " +
        `event=widget-done account=${ACCOUNT_SID} params=WidgetName,WidgetSid`,
    );
  });

  it("keeps one line whatever a sender puts in the fields", () => {
    // Prepare
    const event = statusEvent("stream-failed");
    const hostile = {
      ...event,
      subject: "VJ\u0007bell\rreturn",
      data: { ...event.data, errorMessage: "line one\nline two", source: "a=b" },
    } as StatusEvent;

    // Act
    const line = formatStatusEvent(hostile);

    // Assess
    expect([...line].filter((c) => c < " ")).toEqual([]);
    expect(line).toContain("VJ\\u0007bell\\rreturn");
    expect(line).toContain('source="a=b"');
    expect(line).toContain('error="line one\\nline two"');
  });

  it.each([
    [
      "message.undelivered",
      "com.twilio.messaging.message.undelivered  SM0123456789abcdef0123456789abcdef  to=+15558675310 errorCode=30003",
    ],
    [
      "call.busy",
      "com.twilio.voice.status-callback.call.completed  CA0123456789abcdef0123456789abcdef  status=busy to=+551135892112 sequenceNumber=3 callDuration=0 sipResponseCode=486",
    ],
    [
      "conference.participant-join",
      "com.twilio.voice.conference.participant-join  CF0123456789abcdef0123456789abcdef  friendlyName=support-room-42 sequenceNumber=1 callSid=CA0123456789abcdef0123456789abcdef participantLabel=customer",
    ],
    [
      "composition.composition-progress",
      "com.twilio.video.composition.composition-progress  CJ0123456789abcdef0123456789abcdef  roomSid=RM0123456789abcdef0123456789abcdef percentageDone=40",
    ],
  ])(
    "prints %s with the fields that tell its events apart, and the status where the type hides it",
    (name, expected) => {
      // Act
      const line = formatStatusEvent(statusEvent(name));
      // Assess
      expect(line.slice(line.indexOf("  ") + 2)).toBe(expected);
    },
  );

  it("prints the status a known resource's unknown type stands for", () => {
    // Prepare
    const event = fromParams({ ...callbackParams("message.sent"), MessageStatus: "teleported" });
    // Act
    const line = formatStatusEvent(event);
    // Assess
    expect(line).toContain(
      "com.twilio.messaging.message.unknown  SM0123456789abcdef0123456789abcdef  status=teleported",
    );
  });
});
