import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { StatusEventSchema } from "../../lib/events/schemas.ts";
import { normaliseCallback } from "../../lib/ingest/normalise.ts";
import { computeTwilioSignature } from "../../lib/ingest/signature.ts";
import {
  ACCOUNT_SID,
  type CallbackEventName,
  callbackParams,
  MEDIA_PROCESSOR_SID,
  PLAYER_STREAMER_ALIASES,
  PLAYER_STREAMER_SID,
  ROOM_SID,
} from "../../testing/samples.ts";
import {
  RECEIVED as NOW,
  normalise,
  paramsMap as params,
  problemsOf,
} from "../helpers/status-events.ts";

describe("normaliseCallback", () => {
  it.each([
    ["media-processor-started", "com.twilio.media.media-processor.started"],
    ["media-processor-ended", "com.twilio.media.media-processor.ended"],
    ["media-processor-failed", "com.twilio.media.media-processor.failed"],
    ["stream-started", "com.twilio.media.player-streamer.started"],
    ["stream-ended", "com.twilio.media.player-streamer.ended"],
    ["stream-failed", "com.twilio.media.player-streamer.failed"],
    ["player-streamer-started", "com.twilio.media.player-streamer.started"],
    ["player-streamer-ended", "com.twilio.media.player-streamer.ended"],
    ["player-streamer-failed", "com.twilio.media.player-streamer.failed"],
  ] as const)("types %s as %s and the event matches the exported schema", (name, type) => {
    // Act
    const event = normalise(callbackParams(name as CallbackEventName));
    // Assess
    expect(event.type).toBe(type);
    expect(event.data).toHaveProperty("statusCallbackEvent", name);
    expect(StatusEventSchema.parse(event)).toEqual(event);
  });

  it("builds the full MediaProcessor envelope and data from a failed callback", () => {
    const sent = callbackParams("media-processor-failed");
    const event = normalise(sent);
    expect(event).toEqual({
      specversion: "1.0",
      id: createHash("sha256")
        .update(`${ACCOUNT_SID}\n${MEDIA_PROCESSOR_SID}\nmedia-processor-failed\n${sent.Timestamp}`)
        .digest("hex"),
      source: sent.Url,
      subject: MEDIA_PROCESSOR_SID,
      type: "com.twilio.media.media-processor.failed",
      time: sent.Timestamp,
      datacontenttype: "application/json",
      dataschema: "urn:twilio-status-relay:schema:media-processor:v1",
      data: {
        resourceType: "MediaProcessor",
        status: "failed",
        statusCallbackEvent: "media-processor-failed",
        accountSid: ACCOUNT_SID,
        mediaProcessorSid: MEDIA_PROCESSOR_SID,
        extension: "video-composer-v1-preview",
        extensionContext: { room: { name: ROOM_SID }, outputs: [PLAYER_STREAMER_SID] },
        timestamp: sent.Timestamp,
        url: sent.Url,
        durationSeconds: 3600,
        endedReason: "error",
        errorMessage: "The extension stopped responding",
        unrecognizedParameters: {},
      },
    });
  });

  it("builds PlayerStreamer data with its source and without MediaProcessor fields", () => {
    const event = normalise(callbackParams("stream-ended"));
    expect(event.subject).toBe(PLAYER_STREAMER_SID);
    expect(event.data).toMatchObject({
      resourceType: "PlayerStreamer",
      status: "ended",
      playerStreamerSid: PLAYER_STREAMER_SID,
      source: "video-composer",
      durationSeconds: 3600,
      endedReason: "ended-via-api",
    });
    expect(event.data).not.toHaveProperty("extension");
    expect(event.data).not.toHaveProperty("errorMessage");
  });

  it("gives the same callback delivered twice the same id, and another event another id", () => {
    const first = normalise(callbackParams("stream-started"));
    const again = normalise(callbackParams("stream-started"));
    const later = normalise(
      callbackParams("stream-started", { timestamp: "2026-11-27T10:15:31Z" }),
    );
    expect(again.id).toBe(first.id);
    expect(later.id).not.toBe(first.id);
  });

  it("gives an unknown resource's callback one id for every body with the same signature", () => {
    // Prepare: Twilio signs each distinct value of a repeated parameter once, in sorted order
    const url = "https://relay.example/status-callbacks";
    const bodies = [
      { AccountSid: ACCOUNT_SID, WidgetSid: "WX0123456789abcdef0123456789abcdef", Tag: ["b", "a"] },
      { AccountSid: ACCOUNT_SID, WidgetSid: "WX0123456789abcdef0123456789abcdef", Tag: ["a", "b"] },
      {
        AccountSid: ACCOUNT_SID,
        WidgetSid: "WX0123456789abcdef0123456789abcdef",
        Tag: ["b", "a", "b"],
      },
    ];
    const signatures = bodies.map((body) => computeTwilioSignature("token", url, params(body)));
    // Act
    const ids = bodies.map((body) => normalise(body).id);
    const other = normalise({ ...bodies[0], Tag: ["a", "c"] }).id;
    // Assess
    expect(new Set(signatures).size).toBe(1);
    expect(new Set(ids).size).toBe(1);
    expect(other).not.toBe(ids[0]);
  });

  it("carries parameters the schema does not know verbatim, repeated ones as lists", () => {
    const event = normalise({
      ...callbackParams("stream-started"),
      NewThing: "1",
      Tag: ["a", "b"],
      __proto__x: "",
    });
    expect(event.data.unrecognizedParameters).toEqual({
      NewThing: "1",
      Tag: ["a", "b"],
      __proto__x: "",
    });
  });

  it("keeps a parameter named __proto__ as an ordinary field", () => {
    const values = params(callbackParams("stream-started"));
    values.set("__proto__", ["kept"]);
    const event = normaliseCallback(values, () => NOW);
    expect(
      Object.getOwnPropertyDescriptor(event.data.unrecognizedParameters, "__proto__")?.value,
    ).toBe("kept");
    expect(
      Object.getOwnPropertyDescriptor(
        JSON.parse(JSON.stringify(event)).data.unrecognizedParameters,
        "__proto__",
      )?.value,
    ).toBe("kept");
  });

  it("relays an unknown StatusCallbackEvent of a known resource as <resource>.unknown", () => {
    const event = normalise({
      ...callbackParams("media-processor-started"),
      StatusCallbackEvent: "media-processor-paused",
    });
    expect(event.type).toBe("com.twilio.media.media-processor.unknown");
    expect(event.data).toMatchObject({
      status: "unknown",
      statusCallbackEvent: "media-processor-paused",
    });
  });

  it("relays a callback from a resource the relay does not know, keeping every parameter", () => {
    // Prepare
    const sent = {
      AccountSid: ACCOUNT_SID,
      WidgetSid: "WX0123456789abcdef0123456789abcdef",
      StatusCallbackEvent: "widget-available",
      Timestamp: "2026-11-27T10:15:30Z",
      MediaUri: "/v1/Widgets/WX/Media",
    };
    // Act
    const event = normalise(sent);
    // Assess
    expect(event).toMatchObject({
      type: "com.twilio.status-callback.unknown",
      subject: sent.WidgetSid,
      time: sent.Timestamp,
      source: "urn:twilio-status-relay:unknown-source",
      dataschema: "urn:twilio-status-relay:schema:unknown-resource:v1",
      data: {
        resourceType: "unknown",
        status: "unknown",
        accountSid: ACCOUNT_SID,
        statusCallbackEvent: "widget-available",
        timestamp: sent.Timestamp,
        unrecognizedParameters: { WidgetSid: sent.WidgetSid, MediaUri: sent.MediaUri },
      },
    });
    expect(normalise(sent).id).toBe(event.id);
    expect(StatusEventSchema.parse(event)).toEqual(event);
  });

  it("times an unknown callback without Timestamp by the clock, and names it by its account", () => {
    const event = normalise({ AccountSid: ACCOUNT_SID, Anything: "1" });
    expect(event.time).toBe(NOW.toISOString());
    expect(event.subject).toBe(ACCOUNT_SID);
  });

  it("omits durationSeconds when Duration is empty", () => {
    const event = normalise({ ...callbackParams("stream-ended"), Duration: "" });
    expect(event.data).not.toHaveProperty("durationSeconds");
  });

  it("parses a fractional Duration as a number", () => {
    const event = normalise({ ...callbackParams("stream-ended"), Duration: "12.5" });
    expect(event.data).toHaveProperty("durationSeconds", 12.5);
  });

  it("names every missing parameter of a known resource", () => {
    const { AccountSid: _a, Timestamp: _t, ...rest } = callbackParams("media-processor-started");
    expect(problemsOf(rest)).toEqual([
      "parameter AccountSid is missing",
      "parameter Timestamp is missing",
    ]);
  });

  it("refuses an ExtensionContext that is not a JSON object", () => {
    const problems = problemsOf({
      ...callbackParams("media-processor-started"),
      ExtensionContext: "{nope",
    });
    expect(problems).toEqual(["parameter ExtensionContext must be a JSON object"]);
  });

  it("refuses malformed SIDs, timestamps, URLs and durations, naming each", () => {
    const problems = problemsOf({
      ...callbackParams("stream-ended"),
      AccountSid: "AC123",
      PlayerStreamerSid: "nope",
      Timestamp: "yesterday",
      Url: "not a url",
      Duration: "ten",
    });
    expect(problems).toEqual([
      expect.stringMatching(/^parameter AccountSid must be an account SID/),
      expect.stringMatching(/^parameter Timestamp must be an ISO 8601/),
      "parameter Url must be an absolute URL",
      "parameter Duration must be a number of seconds",
      "parameter PlayerStreamerSid must be a Twilio SID",
    ]);
  });

  it("refuses a known parameter sent twice", () => {
    const problems = problemsOf({
      ...callbackParams("stream-started"),
      StatusCallbackEvent: ["stream-started", "stream-ended"],
    });
    expect(problems).toEqual(["parameter StatusCallbackEvent is sent 2 times"]);
  });
});

describe("player-streamer spellings", () => {
  it.each(PLAYER_STREAMER_ALIASES)("treats %s like its stream-* twin", (alias) => {
    const twin = alias.replace("player-streamer-", "stream-") as CallbackEventName;
    const a = normalise(callbackParams(alias));
    const b = normalise(callbackParams(twin));
    expect(a.type).toBe(b.type);
    expect(a.data.status).toBe(b.data.status);
  });
});
