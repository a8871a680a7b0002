import twilio from "twilio";
import { describe, expect, it } from "vitest";
import { resources } from "../../lib/events/registry.ts";
import { DEFAULT_CONNECTION_OVERRIDES } from "../../lib/ingest/config.ts";
import { normaliseCallback } from "../../lib/ingest/normalise.ts";
import {
  eventsNamed,
  localCallbackUrl,
  TRIGGER_EVENTS,
  triggerRequest,
} from "../../testing/local/trigger-request.ts";
import {
  ALL_EVENTS,
  callbackParams,
  findSampleEvent,
  resourceKey,
  signedMessageCallback,
} from "../../testing/samples.ts";
import { PRIMARY_AUTH_TOKEN, SECONDARY_AUTH_TOKEN } from "../../testing/tokens.ts";

const TIMESTAMP = "2026-11-27T11:00:00.000Z";
const DEPLOYED = "https://abc123.execute-api.us-east-1.amazonaws.com/status-callbacks";

describe("triggerRequest", () => {
  it.each(ALL_EVENTS)("signs a POST of %s that the twilio package validates", (event) => {
    // Prepare
    const options = {
      event,
      method: "POST",
      url: DEPLOYED,
      token: SECONDARY_AUTH_TOKEN,
      timestamp: TIMESTAMP,
    } as const;

    // Act
    const request = triggerRequest(options);

    // Assess
    const body = Object.fromEntries(new URLSearchParams(request.body));
    expect(request.url).toBe(DEPLOYED);
    expect(request.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(body).toEqual(callbackParams(event, { timestamp: TIMESTAMP }));
    const signature = request.headers["x-twilio-signature"] ?? "";
    expect(twilio.validateRequest(SECONDARY_AUTH_TOKEN, signature, DEPLOYED, body)).toBe(true);
    expect(twilio.validateRequest(PRIMARY_AUTH_TOKEN, signature, DEPLOYED, body)).toBe(false);
  });

  it("signs a GET with the parameters in the URL and no body, as Twilio does", () => {
    // Prepare
    const options = {
      event: "stream-ended",
      method: "GET",
      url: localCallbackUrl(),
      token: PRIMARY_AUTH_TOKEN,
      timestamp: TIMESTAMP,
    } as const;

    // Act
    const request = triggerRequest(options);

    // Assess
    const url = new URL(request.url);
    expect(`${url.origin}${url.pathname}`).toBe("http://127.0.0.1:3000/status-callbacks");
    expect(Object.fromEntries(url.searchParams)).toEqual(
      callbackParams("stream-ended", { timestamp: TIMESTAMP }),
    );
    expect(request.body).toBeUndefined();
    expect(request.headers["content-type"]).toBeUndefined();
    const signature = request.headers["x-twilio-signature"] ?? "";
    expect(request.url).not.toContain("#");
    expect(
      twilio.validateRequest(
        PRIMARY_AUTH_TOKEN,
        signature,
        `${request.url}#${DEFAULT_CONNECTION_OVERRIDES}`,
        {},
      ),
    ).toBe(true);
  });

  it("signs over the configured URL with its connection overrides and sends it without them", () => {
    // Prepare
    const options = {
      event: "stream-ended",
      method: "POST",
      url: `${DEPLOYED}#rc=2&rp=all`,
      token: PRIMARY_AUTH_TOKEN,
      timestamp: TIMESTAMP,
    } as const;
    // Act
    const request = triggerRequest(options);
    // Assess
    expect(request.url).toBe(DEPLOYED);
    const body = Object.fromEntries(new URLSearchParams(request.body));
    const signature = request.headers["x-twilio-signature"] ?? "";
    expect(twilio.validateRequest(PRIMARY_AUTH_TOKEN, signature, options.url, body)).toBe(true);
    expect(twilio.validateRequest(PRIMARY_AUTH_TOKEN, signature, DEPLOYED, body)).toBe(false);
  });

  it("keeps the query string of a configured URL and appends a GET's parameters after it", () => {
    // Prepare
    const configured = `${DEPLOYED}?tenant=acme`;

    // Act
    const request = triggerRequest({
      event: "media-processor-started",
      method: "GET",
      url: configured,
      token: SECONDARY_AUTH_TOKEN,
      timestamp: TIMESTAMP,
    });

    // Assess
    expect(request.url.startsWith(`${configured}&AccountSid=`)).toBe(true);
    expect(
      twilio.validateRequest(
        SECONDARY_AUTH_TOKEN,
        request.headers["x-twilio-signature"] ?? "",
        request.url,
        {},
      ),
    ).toBe(true);
  });

  it("stamps the callback with the given timestamp, so each trigger is a new event", () => {
    // Act
    const first = triggerRequest({
      event: "stream-started",
      method: "POST",
      url: DEPLOYED,
      token: SECONDARY_AUTH_TOKEN,
      timestamp: TIMESTAMP,
    });
    const second = triggerRequest({
      event: "stream-started",
      method: "POST",
      url: DEPLOYED,
      token: SECONDARY_AUTH_TOKEN,
      timestamp: "2026-11-27T11:00:01.000Z",
    });

    // Assess
    expect(new URLSearchParams(first.body).get("Timestamp")).toBe(TIMESTAMP);
    expect(second.body).not.toBe(first.body);
  });
});

describe("eventsNamed", () => {
  it("expands all to every event of every registered resource, each once", () => {
    // Act
    const events = eventsNamed("all") ?? [];

    // Assess
    const expected = resources.flatMap((resource) =>
      Object.keys(resource.events)
        .filter((status) => !status.startsWith("player-streamer-"))
        .map((status) => `${resourceKey(resource.resourceType)}.${status}`),
    );
    expect(events).toEqual(expected);
    expect(new Set(events).size).toBe(events.length);
    expect(events).toContain("message.delivered");
    expect(events).toContain("composition.composition-progress");
  });

  it("expands a resource's name to its events, in the order the resource lists them", () => {
    // Act
    const call = eventsNamed("call");

    // Assess
    expect(call).toEqual([
      "call.queued",
      "call.initiated",
      "call.ringing",
      "call.in-progress",
      "call.completed",
      "call.busy",
      "call.failed",
      "call.no-answer",
      "call.canceled",
    ]);
  });

  it("names one known event, and nothing for an unknown one", () => {
    // Act
    const known = eventsNamed("stream-failed");
    const full = eventsNamed("room.room-ended");
    const unknown = eventsNamed("widget-ended");

    // Assess
    expect(known).toEqual(["stream-failed"]);
    expect(full).toEqual(["room.room-ended"]);
    expect(unknown).toBeUndefined();
  });

  it("names several resources' events separated by commas, and nothing if one name is unknown", () => {
    // Act
    const live = eventsNamed("media-processor,player-streamer");
    const partly = eventsNamed("media-processor,widget");

    // Assess
    expect(live).toEqual([
      "media-processor.media-processor-started",
      "media-processor.media-processor-ended",
      "media-processor.media-processor-failed",
      "player-streamer.stream-started",
      "player-streamer.stream-ended",
      "player-streamer.stream-failed",
    ]);
    expect(partly).toBeUndefined();
  });

  it("refuses a status that several resources share unless its resource is named", () => {
    // Act
    const ambiguous = eventsNamed("completed");
    const named = eventsNamed("recording.completed");

    // Assess
    expect(ambiguous).toBeUndefined();
    expect(named).toEqual(["recording.completed"]);
  });
});

describe("triggerRequest of every event", () => {
  it.each(TRIGGER_EVENTS)("sends %s as a callback the relay relays as that event", (name) => {
    // Prepare
    const options = {
      event: name,
      method: "POST",
      url: DEPLOYED,
      token: PRIMARY_AUTH_TOKEN,
      timestamp: TIMESTAMP,
    } as const;

    // Act
    const request = triggerRequest(options);
    const params = new URLSearchParams(request.body);
    const event = normaliseCallback(
      new Map([...params.keys()].map((key) => [key, params.getAll(key)])),
      () => new Date(TIMESTAMP),
    );

    // Assess
    const [resource, status] = name.split(".") as [string, string];
    expect(resourceKey(event.data.resourceType)).toBe(resource);
    expect(event.type).not.toMatch(/\.unknown$/);
    expect(params.get(findSampleEvent(name)?.resource.statusParameter ?? "")).toBe(status);
  });

  it("names a fresh Message for each time, since a Message callback carries no Timestamp", () => {
    // Act
    const first = triggerRequest({
      event: "message.sent",
      method: "POST",
      url: DEPLOYED,
      token: PRIMARY_AUTH_TOKEN,
      timestamp: TIMESTAMP,
    });
    const later = triggerRequest({
      event: "message.sent",
      method: "POST",
      url: DEPLOYED,
      token: PRIMARY_AUTH_TOKEN,
      timestamp: "2026-11-27T11:00:00.001Z",
    });

    // Assess
    const sid = (body: string | undefined) => new URLSearchParams(body).get("MessageSid");
    expect(sid(first.body)).toMatch(/^SM[0-9a-f]{32}$/);
    expect(sid(later.body)).not.toBe(sid(first.body));
  });
});

describe("signedMessageCallback", () => {
  it("gives a Message callback the twilio package validates and the relay relays as delivered", () => {
    // Act
    const sample = signedMessageCallback();
    // Assess
    expect(
      twilio.validateRequest(PRIMARY_AUTH_TOKEN, sample.signature, sample.url, sample.params),
    ).toBe(true);
    expect(Object.fromEntries(new URLSearchParams(sample.body))).toEqual(sample.params);
    const event = normaliseCallback(
      new Map(Object.entries(sample.params).map(([k, v]) => [k, [v]])),
      () => new Date(TIMESTAMP),
    );
    expect(event.type).toBe("com.twilio.messaging.message.delivered");
  });
});
