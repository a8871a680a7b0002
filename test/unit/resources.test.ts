/**
 * The newer resources through normalisation: which resource a callback belongs to (each
 * ambiguous pair), its type per status, how parameters are typed, its time and its id.
 */
import { describe, expect, it } from "vitest";
import { resources, statusEventTypes } from "../../lib/events/registry.ts";
import { StatusEventSchema } from "../../lib/events/schemas.ts";
import { ACCOUNT_SID, callbackParams, SAMPLE_EVENTS } from "../../testing/samples.ts";
import { normalise, problemsOf, RECEIVED } from "../helpers/status-events.ts";

describe("telling resources apart", () => {
  it.each([
    ["a Recording's callback, which carries CallSid too", "recording.completed", "Recording"],
    ["a Call's callback that names its recording", "call.completed", "Call"],
    ["a Conference's participant event, which carries CallSid", "participant-join", "Conference"],
    ["a Room's recording event, which carries RecordingSid", "room.recording-completed", "Room"],
    [
      "a Composition's callback, which carries RoomSid",
      "composition.composition-available",
      "Composition",
    ],
    [
      "a Composition Hook's failure, with HookSid and RoomSid only",
      "composition-hook-failed",
      "Composition",
    ],
  ])("knows %s", (_, name, resourceType) => {
    // Prepare
    const sent = callbackParams(name);
    const withRecording =
      resourceType === "Call"
        ? { ...sent, RecordingSid: "RE0123456789abcdef0123456789abcdef", RecordingDuration: "47" }
        : sent;
    // Act
    const event = normalise(withRecording);
    // Assess
    expect(event.data.resourceType).toBe(resourceType);
    expect(event.data.unrecognizedParameters).toEqual({});
  });

  it("takes a conference recording's callback (ConferenceSid and RecordingStatus) for a Recording", () => {
    // Prepare
    const withConference: Record<string, string> = {
      ...callbackParams("recording.completed"),
      ConferenceSid: "CF0123456789abcdef0123456789abcdef",
      RecordingSource: "Conference",
    };
    const { CallSid: _, ...sent } = withConference;
    // Act
    const event = normalise(sent);
    // Assess
    expect(event.data).toMatchObject({
      resourceType: "Recording",
      conferenceSid: "CF0123456789abcdef0123456789abcdef",
    });
  });

  it("takes a callback carrying both a Call's and a Recording's status for the Recording, the earlier in the registry", () => {
    // Prepare
    const sent = { ...callbackParams("recording.completed"), CallStatus: "completed" };
    // Act
    const event = normalise(sent);
    // Assess
    expect(event.data.resourceType).toBe("Recording");
    expect(event.data.unrecognizedParameters).toEqual({ CallStatus: "completed" });
  });

  it("relays a Message SID without a MessageStatus (an incoming message's webhook) as an unknown resource", () => {
    // Prepare
    const { MessageStatus: _, ...sent } = callbackParams("message.received");
    // Act
    const event = normalise(sent);
    // Assess
    expect(event.type).toBe("com.twilio.status-callback.unknown");
  });

  it("lists the registry in an order where each ambiguous pair's more specific resource comes first", () => {
    const order = resources.map((resource) => resource.resourceType);
    expect(order.indexOf("Composition")).toBeLessThan(order.indexOf("Room"));
    expect(order.indexOf("Recording")).toBeLessThan(order.indexOf("Call"));
    expect(order.indexOf("Conference")).toBeLessThan(order.indexOf("Call"));
  });
});

describe("event types", () => {
  it.each([
    ["call.initiated", "com.twilio.voice.status-callback.call.initiated", "initiated"],
    ["call.in-progress", "com.twilio.voice.status-callback.call.answered", "in-progress"],
    ["call.busy", "com.twilio.voice.status-callback.call.completed", "busy"],
    ["call.no-answer", "com.twilio.voice.status-callback.call.completed", "no-answer"],
    ["call.queued", "com.twilio.voice.call.queued", "queued"],
    ["message.delivered", "com.twilio.messaging.message.delivered", "delivered"],
    [
      "message.partially_delivered",
      "com.twilio.messaging.message.partially_delivered",
      "partially_delivered",
    ],
    ["recording.absent", "com.twilio.voice.recording.absent", "absent"],
    [
      "conference.participant-speech-start",
      "com.twilio.voice.conference.participant-speech-start",
      "participant-speech-start",
    ],
    ["room.track-disabled", "com.twilio.video.room.track-disabled", "track-disabled"],
    [
      "composition.composition-failed",
      "com.twilio.video.composition.composition-failed",
      "composition-failed",
    ],
  ])("relays %s as %s with data.status %s", (name, type, status) => {
    // Act
    const event = normalise(callbackParams(name));
    // Assess
    expect(event.type).toBe(type);
    expect(event.data.status).toBe(status);
    expect(StatusEventSchema.parse(event)).toEqual(event);
  });

  it.each([
    ["message.sent", "MessageStatus", "com.twilio.messaging.message.unknown"],
    ["call.ringing", "CallStatus", "com.twilio.voice.call.unknown"],
    ["recording.completed", "RecordingStatus", "com.twilio.voice.recording.unknown"],
    ["conference.conference-start", "StatusCallbackEvent", "com.twilio.voice.conference.unknown"],
    ["room.room-created", "StatusCallbackEvent", "com.twilio.video.room.unknown"],
    [
      "composition.composition-started",
      "StatusCallbackEvent",
      "com.twilio.video.composition.unknown",
    ],
  ])(
    "relays an unknown status of %s as <prefix>.unknown, the status kept as sent",
    (name, parameter, type) => {
      // Act
      const event = normalise({ ...callbackParams(name), [parameter]: "teleported" });
      // Assess
      expect(event.type).toBe(type);
      expect(event.data.status).toBe("teleported");
      expect(StatusEventSchema.parse(event)).toEqual(event);
    },
  );

  it("lists every type an event of any sample can have in statusEventTypes, each once", () => {
    const emitted = SAMPLE_EVENTS.map((sample) => normalise(callbackParams(sample.name)).type);
    for (const type of emitted) expect(statusEventTypes).toContain(type);
    expect(new Set(statusEventTypes).size).toBe(statusEventTypes.length);
    expect(statusEventTypes).toContain("com.twilio.status-callback.unknown");
    for (const resource of resources)
      expect(statusEventTypes).toContain(`${resource.typePrefix}.unknown`);
  });
});

describe("typed parameters", () => {
  it("types a Conference participant's numbers and booleans and converts its RFC 2822 Timestamp", () => {
    // Prepare: Twilio's own example has a one-digit day
    const sent = {
      ...callbackParams("participant-mute"),
      Timestamp: "Thu, 1 Jun 2017 20:48:32 +0000",
    };
    // Act
    const event = normalise(sent);
    // Assess
    expect(event.time).toBe("2017-06-01T20:48:32.000Z");
    expect(event.data).toMatchObject({
      timestamp: "2017-06-01T20:48:32.000Z",
      sequenceNumber: 3,
      muted: true,
      hold: false,
      startConferenceOnEnter: true,
    });
  });

  it("types a Recording's EncryptionDetails as an object", () => {
    // Prepare
    const details = { type: "rsa-aes", public_key_sid: "CR0123", encrypted_cek: "abc", iv: "def" };
    const sent = {
      ...callbackParams("recording.completed"),
      EncryptionDetails: JSON.stringify(details),
    };
    // Act
    const event = normalise(sent);
    // Assess
    expect(event.data).toMatchObject({
      encryptionDetails: details,
      recordingDuration: 47,
      errorCode: 0,
    });
  });

  it("keeps a Room's ISO 8601 Timestamp as sent, as the event time", () => {
    const event = normalise(callbackParams("room.room-ended"));
    expect(event.time).toBe("2026-11-27T10:15:30.123Z");
    expect(event.data).toMatchObject({ roomDuration: 1390, roomStatus: "completed" });
  });

  it("takes an empty typed parameter as not given, and keeps an empty text one", () => {
    // Act
    const event = normalise({
      ...callbackParams("call.completed"),
      SipResponseCode: "",
      ParentCallSid: "",
    });
    // Assess
    expect(event.data).not.toHaveProperty("sipResponseCode");
    expect(event.data).not.toHaveProperty("parentCallSid");
    expect(event.data).toHaveProperty("toZip", "");
  });

  it("keeps a phone number's + and a WhatsApp address as sent", () => {
    const event = normalise(callbackParams("message.read"));
    expect(event.data).toMatchObject({
      from: "whatsapp:+14155238886",
      to: "whatsapp:+15558675310",
      eventType: "READ",
    });
  });

  it.each([
    ["message.undelivered", "ErrorCode", "30003x", "parameter ErrorCode must be an integer"],
    ["participant-join", "Muted", "yes", "parameter Muted must be true or false"],
    [
      "call.completed",
      "Timestamp",
      "yesterday",
      "parameter Timestamp must be an RFC 2822 date such as Tue, 15 Oct 2024 12:34:56 +0000",
    ],
    [
      "room.room-created",
      "Timestamp",
      "Fri, 27 Nov 2026 10:15:30 +0000",
      "parameter Timestamp must be an ISO 8601 timestamp such as 2024-10-15T12:58:03.412Z",
    ],
    [
      "recording.completed",
      "EncryptionDetails",
      "[1]",
      "parameter EncryptionDetails must be a JSON object nested at most 100 levels deep",
    ],
    [
      "message.sent",
      "MessageSid",
      "SM123",
      "parameter MessageSid must be a Twilio SID (two capital letters and 32 hex digits)",
    ],
    ["message.sent", "AccountSid", "", "parameter AccountSid must not be empty"],
    ["call.ringing", "SequenceNumber", "1e3", "parameter SequenceNumber must be an integer"],
  ])("refuses %s with %s=%s, naming it", (name, parameter, value, problem) => {
    expect(problemsOf({ ...callbackParams(name), [parameter]: value })).toContain(problem);
  });
});

describe("time and id", () => {
  it("times a Message by the relay's clock, yet gives its redelivery the same id", () => {
    // Act
    const first = normalise(callbackParams("message.delivered"), RECEIVED);
    const redelivered = normalise(
      callbackParams("message.delivered"),
      new Date("2026-11-27T12:00:05Z"),
    );
    // Assess
    expect(first.time).toBe(RECEIVED.toISOString());
    expect(redelivered.time).toBe("2026-11-27T12:00:05.000Z");
    expect(redelivered.id).toBe(first.id);
  });

  it.each([
    [
      "a message's sent and delivered",
      "message.sent",
      { MessageStatus: "delivered", SmsStatus: "delivered" },
    ],
    [
      "a WhatsApp message's delivered and its READ event",
      "message.read",
      { EventType: "DELIVERED" },
    ],
    [
      "two participant-joins of one conference for different calls",
      "participant-join",
      { CallSid: "CA9923456789abcdef0123456789abcdef" },
    ],
    ["two composition-progress events", "composition-progress", { PercentageDone: "50" }],
    [
      "two callbacks of one call with another SequenceNumber",
      "call.ringing",
      { SequenceNumber: "7" },
    ],
    [
      "two track events of one room for different tracks",
      "track-added",
      { TrackSid: "MT9923456789abcdef0123456789abcdef" },
    ],
    ["a recording's completed and failed", "recording.completed", { RecordingStatus: "failed" }],
  ])("gives %s two ids", (_, name, change) => {
    // Act
    const one = normalise(callbackParams(name));
    const other = normalise({ ...callbackParams(name), ...change });
    // Assess
    expect(other.id).not.toBe(one.id);
  });

  it("names every event by its resource's SID, and a hook's failure by its HookSid", () => {
    for (const sample of SAMPLE_EVENTS) {
      const sent = callbackParams(sample.name);
      const event = normalise(sent);
      const sid = sample.resource.subjectParameters.map((name) => sent[name]).find(Boolean);
      expect(event.subject).toBe(sid);
    }
    expect(normalise(callbackParams("composition-hook-failed")).subject).toMatch(/^HK/);
    expect(normalise(callbackParams("message.sent")).data.accountSid).toBe(ACCOUNT_SID);
  });
});
