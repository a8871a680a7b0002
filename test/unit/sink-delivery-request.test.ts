/**
 * The sink delivery `npm run trigger -- event-streams` sends: signed as Twilio signs it, as the
 * official `twilio` package checks it, with several events including the sink test event.
 */

import twilio from "twilio";
import { describe, expect, it } from "vitest";
import { createIngestHandler } from "../../lib/ingest/handler.ts";
import { staticSecretMap, staticTokens } from "../../lib/ingest/tokens.ts";
import {
  benchSharedKeyCallback,
  benchSinkDelivery,
  LOCAL_SHARED_KEY,
  LOCAL_SHARED_KEY_MAP,
  SINK_TEST_EVENT_TYPE,
  sampleSinkEvents,
  sinkDeliveryRequest,
} from "../../testing/event-streams.ts";
import { LOCAL_AUTH_TOKEN } from "../../testing/samples.ts";
import { memoryLogger } from "../helpers/memory-logger.ts";

const URL_ = "http://127.0.0.1:3000/status-callbacks";

describe("sinkDeliveryRequest", () => {
  it("signs the URL with bodySHA256 appended as twilio.validateRequestWithBody expects", () => {
    // Act
    const request = sinkDeliveryRequest({
      url: URL_,
      token: LOCAL_AUTH_TOKEN,
      events: sampleSinkEvents(),
    });
    // Assess
    expect(request.url).toMatch(
      /^http:\/\/127\.0\.0\.1:3000\/status-callbacks\?bodySHA256=[0-9a-f]{64}$/,
    );
    expect(request.headers["content-type"]).toBe("application/json");
    expect(
      twilio.validateRequestWithBody(
        LOCAL_AUTH_TOKEN,
        request.headers["x-twilio-signature"] ?? "",
        request.url,
        request.body,
      ),
    ).toBe(true);
  });

  it("signs with a SharedKey (HMAC-SHA256) and names it in the settings header", () => {
    // Act
    const request = sinkDeliveryRequest({
      url: `${URL_}?tenant=a`,
      sharedKey: LOCAL_SHARED_KEY,
      events: sampleSinkEvents(),
    });
    const settings = request.headers["x-twilio-webhooks-signature-settings"] ?? "";
    // Assess
    expect(settings).toBe(`key=${LOCAL_SHARED_KEY.id},algorithm=HMAC_SHA256`);
    expect(
      twilio.validateRequestWithBody(
        LOCAL_SHARED_KEY.secret,
        request.headers["x-twilio-signature"] ?? "",
        request.url,
        request.body,
        twilio.getSignatureAlgorithm(settings),
      ),
    ).toBe(true);
  });

  it("carries several events, the sink test event among them, each with fresh ids", () => {
    // Act
    const first = sampleSinkEvents({ count: 5 });
    const second = sampleSinkEvents({ count: 5 });
    // Assess
    expect(first).toHaveLength(5);
    expect(first.map((event) => event.type)).toContain(SINK_TEST_EVENT_TYPE);
    expect(new Set(first.map((event) => event.type)).size).toBeGreaterThan(3);
    const realIds = (events: typeof first) =>
      events.filter((event) => event.type !== SINK_TEST_EVENT_TYPE).map((event) => event.id);
    expect(realIds(first).filter((id) => realIds(second).includes(id))).toEqual([]);
  });
});

describe("what the bench builds", () => {
  it("a signed sink delivery of 10 events and a SHA-256 callback, both accepted by a relay holding the local secrets", async () => {
    // Prepare
    const batches: number[] = [];
    const handler = createIngestHandler({
      config: { publicUrl: undefined },
      tokens: staticTokens([LOCAL_AUTH_TOKEN]),
      sharedKeys: staticSecretMap(LOCAL_SHARED_KEY_MAP),
      publisher: {
        publish: async () => {},
        publishCloudEvents: async (messages) => void batches.push(messages.length),
      },
      clock: () => new Date(),
      logger: memoryLogger(),
    });

    // Act
    const delivery = await handler(benchSinkDelivery());
    const callback = await handler(benchSharedKeyCallback());

    // Assess
    expect(delivery.statusCode).toBe(200);
    expect(batches).toEqual([10]);
    expect(callback.statusCode).toBe(200);
  });
});
