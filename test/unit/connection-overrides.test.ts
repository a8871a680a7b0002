/**
 * Twilio's connection overrides travel as the fragment of the configured URL (`#rc=3&rp=all`),
 * which no HTTP request carries. Whether Twilio signs the URL with its fragment or without it,
 * the relay accepts it; no other fragment is accepted. Signed with the `twilio` package's own
 * signer.
 */

import twilio from "twilio";
import { describe, expect, it } from "vitest";
import type { StatusEvent } from "../../lib/events/schemas.ts";
import { parseConfig } from "../../lib/ingest/config.ts";
import { ConfigError } from "../../lib/ingest/errors.ts";
import { createIngestHandler } from "../../lib/ingest/handler.ts";
import { staticTokens } from "../../lib/ingest/tokens.ts";
import { signedSinkDelivery } from "../../testing/event-streams.ts";
import { callbackParams } from "../../testing/samples.ts";
import { callbackUrl, signedCallback } from "../../testing/signed-callback.ts";
import { PRIMARY_AUTH_TOKEN } from "../../testing/tokens.ts";
import { memoryLogger } from "../helpers/memory-logger.ts";

const OVERRIDES = "rc=3&rp=all";

function setup(connectionOverrides: string | undefined) {
  const events: StatusEvent[] = [];
  let cloudEvents = 0;
  const handler = createIngestHandler({
    config: { publicUrl: undefined, connectionOverrides },
    tokens: staticTokens([PRIMARY_AUTH_TOKEN]),
    publisher: {
      publish: async (event) => void events.push(event),
      publishCloudEvents: async (messages) => {
        cloudEvents += messages.length;
      },
    },
    clock: () => new Date("2026-11-27T12:00:00Z"),
    logger: memoryLogger(),
  });
  return { handler, events, cloudEvents: () => cloudEvents };
}

// A Message callback signed by the twilio package over `signedUrl`, sent to the plain URL.
function callbackSignedOver(signedUrl: string, query?: string) {
  const params = callbackParams("message.delivered");
  const signature = twilio.getExpectedTwilioSignature(PRIMARY_AUTH_TOKEN, signedUrl, params);
  return signedCallback({ params, signature, ...(query ? { query } : {}) });
}

describe("a status callback URL with connection overrides", () => {
  it.each([
    ["with its fragment", `${callbackUrl()}#${OVERRIDES}`],
    ["without its fragment", callbackUrl()],
  ])("is accepted when Twilio signs it %s", async (_, signedUrl) => {
    // Prepare
    const { handler, events } = setup(OVERRIDES);
    // Act
    const response = await handler(callbackSignedOver(signedUrl));
    // Assess
    expect(response.statusCode).toBe(200);
    expect(events).toHaveLength(1);
  });

  it("is accepted signed with its fragment when the configured URL has a query", async () => {
    // Prepare
    const { handler, events } = setup(OVERRIDES);
    const query = "tenant=acme";
    // Act
    const response = await handler(
      callbackSignedOver(`${callbackUrl({ query })}#${OVERRIDES}`, query),
    );
    // Assess
    expect(response.statusCode).toBe(200);
    expect(events).toHaveLength(1);
  });

  it.each([
    ["another fragment", `${callbackUrl()}#rc=5&rp=all`],
    ["an empty fragment", `${callbackUrl()}#`],
  ])("is 403 when signed with %s", async (_, signedUrl) => {
    // Prepare
    const { handler, events } = setup(OVERRIDES);
    // Act
    const response = await handler(callbackSignedOver(signedUrl));
    // Assess
    expect(response.statusCode).toBe(403);
    expect(events).toEqual([]);
  });

  it("is 403 signed with the fragment when the relay is configured without overrides", async () => {
    // Prepare
    const { handler, events } = setup(undefined);
    // Act
    const response = await handler(callbackSignedOver(`${callbackUrl()}#${OVERRIDES}`));
    // Assess
    expect(response.statusCode).toBe(403);
    expect(events).toEqual([]);
  });
});

describe("an Event Streams sink delivery", () => {
  it("is not verified with the connection-override fragment, which sinks do not use", async () => {
    // Prepare: signed over the sink URL with the fragment appended
    const { handler, cloudEvents } = setup(OVERRIDES);
    const plain = signedSinkDelivery();
    const query = "rawQueryString" in plain ? plain.rawQueryString : "";
    const signature = twilio.getExpectedTwilioSignature(
      PRIMARY_AUTH_TOKEN,
      `${callbackUrl({ query })}#${OVERRIDES}`,
      {},
    );
    // Act
    const response = await handler({
      ...plain,
      headers: { ...plain.headers, "x-twilio-signature": signature },
    });
    // Assess
    expect(response.statusCode).toBe(403);
    expect(cloudEvents()).toBe(0);
  });
});

describe("TWILIO_CONNECTION_OVERRIDES", () => {
  const base = {
    QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/1/q.fifo",
    TWILIO_AUTH_TOKEN: "t",
  };

  it("is read as the fragment, without #", () => {
    // Act
    const config = parseConfig({ ...base, TWILIO_CONNECTION_OVERRIDES: "ct=1000&rc=2&rp=5xx" });
    // Assess
    expect(config.connectionOverrides).toBe("ct=1000&rc=2&rp=5xx");
  });

  it("is off when empty, as serverless renders an empty parameter", () => {
    // Act
    const config = parseConfig({ ...base, TWILIO_CONNECTION_OVERRIDES: "" });
    // Assess
    expect(config.connectionOverrides).toBeUndefined();
  });

  it.each(["#rc=3", "rc=3&", "retries=3", "rc=3&rp=all#x", "rc=3 rp=all"])(
    "fails naming the variable for %s",
    (value) => {
      // Act
      const act = () => parseConfig({ ...base, TWILIO_CONNECTION_OVERRIDES: value });
      // Assess
      expect(act).toThrow(ConfigError);
      expect(act).toThrow(/TWILIO_CONNECTION_OVERRIDES must be Twilio connection overrides/);
    },
  );
});
