import { describe, expect, it } from "vitest";
import type { StatusEvent } from "../../lib/events/schemas.ts";
import { ConfigError } from "../../lib/ingest/errors.ts";
import { createIngestHandler, createUnconfiguredHandler } from "../../lib/ingest/handler.ts";
import type { CallbackPolicy } from "../../lib/ingest/policy.ts";
import type { EventPublisher } from "../../lib/ingest/publisher.ts";
import { staticTokens, type TokenSource } from "../../lib/ingest/tokens.ts";
import { ACCOUNT_SID, callbackParams, PLAYER_STREAMER_SID } from "../../testing/samples.ts";
import { signedCallback } from "../../testing/signed-callback.ts";
import {
  FORGER_AUTH_TOKEN,
  PRIMARY_AUTH_TOKEN,
  SECONDARY_AUTH_TOKEN,
} from "../../testing/tokens.ts";
import { memoryLogger } from "../helpers/memory-logger.ts";

// The queue's own behaviour is tested against fauxqs in test/integration; these tests are about
// what the handler answers and logs, so a publisher that records or fails is enough.
function recordingPublisher(): EventPublisher & { events: StatusEvent[] } {
  const events: StatusEvent[] = [];
  return { events, publish: async (event) => void events.push(event) };
}

function setup(
  overrides: { publisher?: EventPublisher; tokens?: TokenSource; policy?: CallbackPolicy } = {},
) {
  const logger = memoryLogger();
  const publisher = overrides.publisher ?? recordingPublisher();
  const handler = createIngestHandler({
    config: { publicUrl: undefined, ...overrides.policy },
    publisher,
    clock: () => new Date("2026-11-27T12:00:00Z"),
    tokens: overrides.tokens ?? staticTokens([PRIMARY_AUTH_TOKEN]),
    logger,
  });
  return { handler, logger, publisher };
}

describe("ingest handler", () => {
  it("answers 200 with the event id once the event is published", async () => {
    // Prepare
    const publisher = recordingPublisher();
    const { handler } = setup({ publisher });
    // Act
    const response = await handler(signedCallback());
    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({
      id: publisher.events[0]?.id,
      type: "com.twilio.media.media-processor.started",
    });
  });

  it.each([
    ["an empty body", {}],
    ["only parameters no Twilio callback has", { Foo: "bar", Repeated: ["a", "b"] }],
    ["an empty AccountSid", { AccountSid: "", WidgetSid: "WX0123456789abcdef0123456789abcdef" }],
  ])(
    "answers 400 naming AccountSid to a validly signed request with %s, and publishes nothing",
    async (_, params) => {
      // Prepare
      const publisher = recordingPublisher();
      const { handler } = setup({ publisher });
      // Act
      const response = await handler(signedCallback({ params }));
      // Assess
      expect(response.statusCode).toBe(400);
      expect(JSON.parse(response.body).message).toMatch(
        /parameter AccountSid is missing: every Twilio status callback carries one/,
      );
      expect(publisher.events).toEqual([]);
    },
  );

  it("relays a validly signed Message callback as its Event Streams type", async () => {
    // Prepare
    const publisher = recordingPublisher();
    const { handler } = setup({ publisher });
    // Act
    const response = await handler(signedCallback({ event: "message.delivered" }));
    // Assess
    expect(response.statusCode).toBe(200);
    expect(publisher.events[0]?.type).toBe("com.twilio.messaging.message.delivered");
  });

  it("warns when it relays a status of a known resource that it does not know", async () => {
    // Prepare
    const { handler, logger } = setup();
    const params = { ...callbackParams("message.sent"), MessageStatus: "teleported" };
    // Act
    const response = await handler(signedCallback({ params }));
    // Assess
    expect(response.statusCode).toBe(200);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: "warn",
        message: "relaying a callback the relay does not know",
        attributes: expect.objectContaining({
          type: "com.twilio.messaging.message.unknown",
          status: "teleported",
        }),
      }),
    );
  });

  it("answers 401 to a request without a signature and publishes nothing", async () => {
    const publisher = recordingPublisher();
    const { handler } = setup({ publisher });
    const response = await handler(signedCallback({ signature: null }));
    expect(response.statusCode).toBe(401);
    expect(publisher.events).toEqual([]);
  });

  it("answers 403 to a callback signed with another token, never echoing URL or token", async () => {
    const { handler, logger } = setup();
    const response = await handler(signedCallback({ token: FORGER_AUTH_TOKEN }));
    expect(response.statusCode).toBe(403);
    expect(response.body).not.toContain("execute-api");
    expect(response.body).not.toContain(FORGER_AUTH_TOKEN);
    expect(response.body).not.toContain(PRIMARY_AUTH_TOKEN);
    expect(logger.text()).not.toContain(PRIMARY_AUTH_TOKEN);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: "warn", message: "signature does not match" }),
    );
  });

  it("logs the URL it checked a mismatched signature against, without its query string", async () => {
    const { handler, logger } = setup();
    await handler(signedCallback({ query: "key=shared-secret", token: FORGER_AUTH_TOKEN }));
    const line = logger.lines.find((l) => l.message === "signature does not match");
    expect(line?.attributes).toMatchObject({
      url: "https://abc123.execute-api.us-east-1.amazonaws.com/status-callbacks",
      queryString: true,
    });
    expect(logger.text()).not.toContain("shared-secret");
  });

  it("accepts a callback signed with the secondary token and says so in the logs", async () => {
    const { handler, logger } = setup({
      tokens: staticTokens([PRIMARY_AUTH_TOKEN, SECONDARY_AUTH_TOKEN]),
    });
    const response = await handler(signedCallback({ token: SECONDARY_AUTH_TOKEN }));
    expect(response.statusCode).toBe(200);
    expect(logger.lines.map((line) => line.message)).toContain(
      "callback signed with a secondary auth token",
    );
  });

  it("validates parameters only after the signature passes", async () => {
    const { handler } = setup();
    const forged = signedCallback({
      params: { AccountSid: "garbage" },
      signature: "AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    });
    expect((await handler(forged)).statusCode).toBe(403);
  });

  it("answers 400 naming each problem of a signed but invalid callback, and logs it whole", async () => {
    // Prepare
    const { Timestamp: _t, ...params } = callbackParams("stream-started");
    const { handler, logger } = setup();
    // Act
    const response = await handler(signedCallback({ params: { ...params, Url: "nope" } }));
    // Assess
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).problems).toEqual([
      "parameter Timestamp is missing",
      "parameter Url must be an absolute URL",
    ]);
    const line = logger.lines.find((l) => l.level === "error");
    expect(line?.attributes.parameters).toMatchObject({
      PlayerStreamerSid: [params.PlayerStreamerSid],
    });
  });

  it("answers 503 when the queue refuses, logging the event in full without leaking why", async () => {
    // Prepare
    const failing: EventPublisher = {
      publish: async () => Promise.reject(new Error("AccessDenied on arn:aws:sqs:secret")),
    };
    const { handler, logger } = setup({ publisher: failing });
    // Act
    const response = await handler(signedCallback({ event: "stream-failed" }));
    // Assess
    expect(response.statusCode).toBe(503);
    expect(response.body).not.toMatch(/AccessDenied|arn:/);
    const line = logger.lines.find((l) => l.message === "publish failed");
    expect(line?.level).toBe("error");
    expect(line?.attributes.event).toMatchObject({
      type: "com.twilio.media.player-streamer.failed",
      data: { status: "failed" },
    });
  });

  it("answers 503, not 403, when the auth tokens cannot be read", async () => {
    const { handler, logger } = setup({ tokens: () => Promise.reject(new Error("ssm down")) });
    const response = await handler(signedCallback());
    expect(response.statusCode).toBe(503);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: "error", message: "auth tokens unavailable" }),
    );
  });

  it("warns when relaying an event it does not know", async () => {
    const { handler, logger } = setup();
    const params = { ...callbackParams("stream-started"), StatusCallbackEvent: "stream-paused" };
    const response = await handler(signedCallback({ params }));
    expect(response.statusCode).toBe(200);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: "warn",
        message: "relaying a callback the relay does not know",
      }),
    );
  });

  it("puts the event id, type and resource SID on the success log line, at DEBUG", async () => {
    const { handler, logger } = setup();
    await handler(signedCallback({ event: "stream-ended" }));
    const line = logger.lines.find((l) => l.message === "published");
    expect(line?.level).toBe("debug");
    expect(line?.attributes).toMatchObject({
      type: "com.twilio.media.player-streamer.ended",
      subject: callbackParams("stream-ended").PlayerStreamerSid,
    });
    expect(line?.attributes.eventId).toMatch(/^[0-9a-f]{64}$/);
  });

  it("answers 400 to an event that is not an API Gateway HTTP event at all", async () => {
    const publisher = recordingPublisher();
    const { handler } = setup({ publisher });
    const response = await handler(null as never);
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({
      error: "BadRequestError",
      problems: ["not an API Gateway HTTP event: the event is not an object"],
    });
    expect(publisher.events).toEqual([]);
  });
});

describe("ingest handler, optional protections", () => {
  // The handler's clock says 2026-11-27T12:00:00Z.
  const OTHER_ACCOUNT = "ACffffffffffffffffffffffffffffffff";
  const allowOnlyOurs = { allowedAccountSids: new Set([ACCOUNT_SID.toLowerCase()]) };
  const tenMinutes = { maxCallbackAgeMs: 10 * 60_000 };

  it("relays a callback from an allowed account", async () => {
    // Prepare
    const publisher = recordingPublisher();
    const { handler } = setup({ publisher, policy: allowOnlyOurs });
    // Act
    const response = await handler(signedCallback());
    // Assess
    expect(response.statusCode).toBe(200);
    expect(publisher.events).toHaveLength(1);
  });

  it("answers 403 to a validly signed callback from an account not allowed, publishing nothing", async () => {
    // Prepare
    const publisher = recordingPublisher();
    const { handler, logger } = setup({ publisher, policy: allowOnlyOurs });
    const params = { ...callbackParams("stream-started"), AccountSid: OTHER_ACCOUNT };
    // Act
    const response = await handler(signedCallback({ params }));
    // Assess
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body)).toMatchObject({
      error: "AccountNotAllowedError",
      message: expect.stringContaining(`account ${OTHER_ACCOUNT} is not in`),
    });
    expect(publisher.events).toEqual([]);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: "warn",
        message: "callback refused by policy",
        attributes: expect.objectContaining({
          reason: "AccountNotAllowedError",
          event: expect.objectContaining({ subject: PLAYER_STREAMER_SID }),
        }),
      }),
    );
  });

  it("still answers 403 to a forgery before any protection is applied", async () => {
    const { handler } = setup({ policy: allowOnlyOurs });
    const response = await handler(signedCallback({ token: FORGER_AUTH_TOKEN }));
    expect(JSON.parse(response.body)).toMatchObject({ error: "SignatureMismatchError" });
  });

  it("answers 403 to a callback whose Timestamp is older than the maximum age plus skew", async () => {
    // Prepare: 11 minutes and 1 second before the clock
    const publisher = recordingPublisher();
    const { handler } = setup({ publisher, policy: tenMinutes });
    const params = callbackParams("stream-ended", { timestamp: "2026-11-27T11:48:59.000Z" });
    // Act
    const response = await handler(signedCallback({ params }));
    // Assess
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body)).toMatchObject({
      error: "CallbackTooOldError",
      message: expect.stringContaining("is 661 s old, older than the 660 s"),
    });
    expect(publisher.events).toEqual([]);
  });

  it("relays a callback within the maximum age plus skew", async () => {
    // Prepare: 10 minutes and 59 seconds before the clock
    const publisher = recordingPublisher();
    const { handler } = setup({ publisher, policy: tenMinutes });
    const params = callbackParams("stream-ended", { timestamp: "2026-11-27T11:49:01.000Z" });
    // Act
    const response = await handler(signedCallback({ params }));
    // Assess
    expect(response.statusCode).toBe(200);
    expect(publisher.events).toHaveLength(1);
  });
});

describe("unconfigured ingest handler", () => {
  it("answers 503 to every callback and logs the variable at fault each time", async () => {
    // Prepare
    const logger = memoryLogger();
    const handler = createUnconfiguredHandler(new ConfigError("QUEUE_URL is required"), logger);
    // Act
    const responses = [await handler(signedCallback()), await handler(signedCallback())];
    // Assess
    for (const response of responses) {
      expect(response.statusCode).toBe(503);
      expect(response.body).not.toContain("QUEUE_URL");
    }
    const errors = logger.lines.filter((line) => line.level === "error");
    expect(errors).toHaveLength(3);
    expect(logger.text().match(/QUEUE_URL is required/g)?.length).toBeGreaterThanOrEqual(2);
  });
});
