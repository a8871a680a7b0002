import twilio from "twilio";
import { describe, expect, it } from "vitest";
import {
  eventsNamed,
  localCallbackUrl,
  triggerRequest,
} from "../../testing/local/trigger-request.ts";
import { ALL_EVENTS, callbackParams } from "../../testing/samples.ts";
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
    expect(twilio.validateRequest(PRIMARY_AUTH_TOKEN, signature, request.url, {})).toBe(true);
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
  it("expands all to the six events, in lifecycle order per resource", () => {
    // Act
    const events = eventsNamed("all");

    // Assess
    expect(events).toEqual([...ALL_EVENTS]);
    expect(events).toHaveLength(6);
  });

  it("names one known event, and nothing for an unknown one", () => {
    // Act
    const known = eventsNamed("stream-failed");
    const unknown = eventsNamed("room-ended");

    // Assess
    expect(known).toEqual(["stream-failed"]);
    expect(unknown).toBeUndefined();
  });
});
