/**
 * Event Streams sink deliveries through the ingest handler: what it answers, what it hands the
 * publisher, and what it refuses (with nothing published). The queue itself is tested against
 * fauxqs in test/integration/event-streams.test.ts.
 */

import { describe, expect, it } from "vitest";
import type { StatusEvent } from "../../lib/events/schemas.ts";
import {
  MAX_SINK_BODY_BYTES,
  MAX_SINK_EVENTS,
  SINK_DEADLINE_MS,
} from "../../lib/ingest/event-streams.ts";
import { createIngestHandler } from "../../lib/ingest/handler.ts";
import type { CallbackPolicy } from "../../lib/ingest/policy.ts";
import type { CloudEventMessage, CloudEventPublisher } from "../../lib/ingest/publisher.ts";
import type { SecretMap } from "../../lib/ingest/secret-maps.ts";
import { staticSecretMap, staticTokens } from "../../lib/ingest/tokens.ts";
import {
  callStatusEvent,
  LOCAL_SHARED_KEY,
  messageStatusEvent,
  SINK_TEST_EVENT_TYPE,
  sampleSinkEvents,
  signedSinkDelivery,
  sinkTestEvent,
} from "../../testing/event-streams.ts";
import { ACCOUNT_SID, LOCAL_AUTH_TOKEN } from "../../testing/samples.ts";
import { signedCallback } from "../../testing/signed-callback.ts";
import { memoryLogger } from "../helpers/memory-logger.ts";

const OTHER_ACCOUNT = "AC99999999999999999999999999999999";
const OTHER_TOKEN = "99999999999999999999999999999999";

interface Recorded {
  readonly batches: { messages: readonly CloudEventMessage[]; deadline: number }[];
  readonly events: StatusEvent[];
}

function recordingPublisher(
  fail?: Error,
): { publish(event: StatusEvent): Promise<void> } & CloudEventPublisher & Recorded {
  const batches: Recorded["batches"] = [];
  const events: StatusEvent[] = [];
  return {
    batches,
    events,
    publish: async (event) => void events.push(event),
    publishCloudEvents: async (messages, deadline) => {
      if (fail) throw fail;
      batches.push({ messages, deadline });
    },
  };
}

function setup(
  overrides: {
    fail?: Error;
    policy?: CallbackPolicy;
    accountAuthTokens?: SecretMap;
    authTokens?: string[];
  } = {},
) {
  const logger = memoryLogger();
  const publisher = recordingPublisher(overrides.fail);
  const handler = createIngestHandler({
    config: { publicUrl: undefined, ...overrides.policy },
    tokens: staticTokens(overrides.authTokens ?? [LOCAL_AUTH_TOKEN]),
    sharedKeys: staticSecretMap(new Map([[LOCAL_SHARED_KEY.id, [LOCAL_SHARED_KEY.secret]]])),
    accountAuthTokens: staticSecretMap(overrides.accountAuthTokens ?? new Map()),
    publisher,
    clock: () => new Date("2026-11-27T12:00:00Z"),
    logger,
  });
  return { handler, logger, publisher };
}

function published(publisher: Recorded): CloudEventMessage[] {
  return publisher.batches.flatMap((batch) => batch.messages);
}

describe("an Event Streams sink delivery", () => {
  it("hands every CloudEvent to the publisher unchanged and answers 200 with their ids", async () => {
    // Prepare
    const { handler, publisher } = setup();
    const events = sampleSinkEvents({ count: 5 });
    // Act
    const response = await handler(signedSinkDelivery({ events }));
    // Assess
    expect(response.statusCode).toBe(200);
    expect(published(publisher).map((message) => message.event)).toEqual(events);
    expect(JSON.parse(response.body)).toEqual({
      accepted: 5,
      ids: events.map((event) => event.id),
    });
    expect(publisher.events).toEqual([]);
  });

  it("relays the sink test event, grouped and deduplicated on its id", async () => {
    // Prepare
    const { handler, publisher } = setup();
    const test = sinkTestEvent();
    // Act
    const response = await handler(signedSinkDelivery({ events: [test] }));
    // Assess
    expect(response.statusCode).toBe(200);
    const [message] = published(publisher);
    expect(message?.event.type).toBe(SINK_TEST_EVENT_TYPE);
    expect(message?.groupId).toBe(test.id);
    expect(message?.deduplicationId).toBe(test.id);
  });

  it("groups the events of one resource together and different resources apart", async () => {
    // Prepare
    const { handler, publisher } = setup();
    const messageSid = "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const callSid = "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    const events = [
      messageStatusEvent("queued", { messageSid }),
      callStatusEvent("ringing", { callSid }),
      messageStatusEvent("delivered", { messageSid }),
      { ...callStatusEvent("completed", { callSid }), subject: "a-subject" },
    ];
    // Act
    await handler(signedSinkDelivery({ events }));
    // Assess
    expect(published(publisher).map((message) => message.groupId)).toEqual([
      messageSid,
      callSid,
      messageSid,
      "a-subject",
    ]);
    expect(published(publisher).map((message) => message.deduplicationId)).toEqual(
      events.map((event) => event.id),
    );
  });

  it("gives each message the attributes status callbacks carry", async () => {
    // Prepare
    const { handler, publisher } = setup();
    const events = [messageStatusEvent("delivered"), callStatusEvent("answered")];
    // Act
    await handler(signedSinkDelivery({ events }));
    // Assess
    expect(published(publisher).map((message) => message.attributes)).toEqual([
      {
        type: "com.twilio.messaging.message.delivered",
        resourceType: "Message",
        status: "delivered",
        accountSid: ACCOUNT_SID,
      },
      {
        type: "com.twilio.voice.status-callback.call.answered",
        resourceType: "Call",
        status: "in-progress",
        accountSid: ACCOUNT_SID,
      },
    ]);
  });

  it("gives the publisher a deadline inside Event Streams' 5 s", async () => {
    // Prepare
    const { handler, publisher } = setup();
    const before = Date.now();
    // Act
    await handler(signedSinkDelivery());
    // Assess
    const deadline = publisher.batches[0]?.deadline ?? 0;
    expect(deadline).toBeGreaterThanOrEqual(before + SINK_DEADLINE_MS);
    expect(deadline).toBeLessThanOrEqual(Date.now() + SINK_DEADLINE_MS);
    expect(SINK_DEADLINE_MS).toBeLessThan(5_000);
  });

  it("accepts a delivery signed with a SharedKey (HMAC-SHA256)", async () => {
    // Prepare
    const { handler, publisher } = setup();
    // Act
    const response = await handler(signedSinkDelivery({ sharedKey: LOCAL_SHARED_KEY }));
    // Assess
    expect(response.statusCode).toBe(200);
    expect(published(publisher)).toHaveLength(4);
  });

  it("accepts a delivery in a REST API (payload 1.0) event with a plain body", async () => {
    // Prepare
    const { handler, publisher } = setup();
    // Act
    const response = await handler(signedSinkDelivery({ version: "1.0", base64: false }));
    // Assess
    expect(response.statusCode).toBe(200);
    expect(published(publisher)).toHaveLength(4);
  });

  it("answers 503 and logs the ids when the publisher fails", async () => {
    // Prepare
    const { handler, logger } = setup({ fail: new Error("SQS is down") });
    const events = sampleSinkEvents();
    // Act
    const response = await handler(signedSinkDelivery({ events }));
    // Assess
    expect(response.statusCode).toBe(503);
    expect(response.body).not.toContain("SQS is down");
    const line = logger.lines.find((l) => l.message === "publish failed");
    expect(line?.attributes.ids).toEqual(events.map((event) => event.id));
  });
});

describe("a sink delivery that is refused", () => {
  it("is 403 when the body does not match bodySHA256, without parsing it", async () => {
    // Prepare
    const { handler, publisher } = setup();
    // Act
    const response = await handler(signedSinkDelivery({ tamperedBody: "not even json" }));
    // Assess
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body)).toMatchObject({ error: "BodyHashMismatchError" });
    expect(published(publisher)).toEqual([]);
  });

  it("is 403 when the URL was not signed with a configured token", async () => {
    // Prepare
    const { handler, publisher } = setup();
    // Act
    const response = await handler(signedSinkDelivery({ token: OTHER_TOKEN }));
    // Assess
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body)).toMatchObject({ error: "SignatureMismatchError" });
    expect(published(publisher)).toEqual([]);
  });

  it("is 415 when a JSON body comes without bodySHA256 in the URL", async () => {
    // Prepare
    const { handler } = setup();
    // Act
    const response = await handler(signedCallback({ contentType: "application/json" }));
    // Assess
    expect(response.statusCode).toBe(415);
  });

  it("is 415 when a URL with bodySHA256 carries a form body", async () => {
    // Prepare
    const { handler } = setup();
    // Act
    const response = await handler(
      signedSinkDelivery({ contentType: "application/x-www-form-urlencoded" }),
    );
    // Assess
    expect(response.statusCode).toBe(415);
    expect(JSON.parse(response.body).message).toMatch(/application\/json/);
  });

  const BAD: Array<[string, string, RegExp]> = [
    ["a body that is not JSON", "{not json", /the body is not JSON/],
    ["an object instead of an array", JSON.stringify(sinkTestEvent()), /JSON array of CloudEvents/],
    ["an empty array", "[]", /holds no event/],
    [
      "an element without an id",
      JSON.stringify([{ ...sinkTestEvent(), id: undefined }]),
      /event 0 is not a CloudEvent: id missing/,
    ],
    [
      "an element without type, source and specversion",
      JSON.stringify([sinkTestEvent(), { id: "EZ1" }]),
      /event 1 is not a CloudEvent: type, source, specversion missing/,
    ],
    ["an element that is not an object", JSON.stringify([sinkTestEvent(), 3]), /event 1 is not/],
    [
      `more than ${MAX_SINK_EVENTS} events`,
      JSON.stringify(Array.from({ length: MAX_SINK_EVENTS + 1 }, () => sinkTestEvent())),
      /101 events, more than the 100 allowed/,
    ],
    [
      "an event too large for one SQS message",
      JSON.stringify([{ ...sinkTestEvent(), data: { pad: "x".repeat(300_000) } }]),
      /event 0 is \d+ bytes, more than the 261120 allowed/,
    ],
  ];

  it.each(BAD)(
    "is 400 for %s, naming the problem, with nothing published",
    async (_, body, problem) => {
      // Prepare
      const { handler, publisher } = setup();
      // Act
      const response = await handler(signedSinkDelivery({ body }));
      // Assess
      expect(response.statusCode).toBe(400);
      const answer = JSON.parse(response.body);
      expect(answer.message).toMatch(/^invalid Event Streams delivery: /);
      expect(answer.message).toMatch(problem);
      expect(published(publisher)).toEqual([]);
    },
  );

  it("is 400 for a body larger than the relay accepts, naming the limit", async () => {
    // Prepare
    const { handler, publisher } = setup();
    const body = JSON.stringify([{ ...sinkTestEvent(), data: "x".repeat(MAX_SINK_BODY_BYTES) }]);
    // Act
    const response = await handler(signedSinkDelivery({ body }));
    // Assess
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).message).toContain(`larger than ${MAX_SINK_BODY_BYTES} bytes`);
    expect(published(publisher)).toEqual([]);
  });

  it("is 403 under ALLOWED_ACCOUNT_SIDS when one event names another account", async () => {
    // Prepare
    const { handler, publisher } = setup({
      policy: { allowedAccountSids: new Set([ACCOUNT_SID.toLowerCase()]) },
    });
    const events = [
      messageStatusEvent(),
      messageStatusEvent("sent", { accountSid: OTHER_ACCOUNT }),
    ];
    // Act
    const response = await handler(signedSinkDelivery({ events }));
    // Assess
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body).message).toContain(OTHER_ACCOUNT);
    expect(published(publisher)).toEqual([]);
  });
});

describe("the auth tokens a sink delivery is verified with", () => {
  it("are the tokens of the account its URL names (AccountSid), then the defaults", async () => {
    // Prepare
    const { handler, publisher } = setup({
      accountAuthTokens: new Map([[OTHER_ACCOUNT, [OTHER_TOKEN]]]),
    });
    // Act
    const response = await handler(
      signedSinkDelivery({
        query: `AccountSid=${OTHER_ACCOUNT}`,
        token: OTHER_TOKEN,
        events: sampleSinkEvents({ accountSid: OTHER_ACCOUNT }),
      }),
    );
    // Assess
    expect(response.statusCode).toBe(200);
    expect(published(publisher)).toHaveLength(4);
  });

  it("are the default tokens only when the URL names no account, however many accounts are configured", async () => {
    // Prepare
    const { handler, logger, publisher } = setup({
      authTokens: [],
      accountAuthTokens: new Map([[OTHER_ACCOUNT, [OTHER_TOKEN]]]),
    });
    // Act
    const response = await handler(
      signedSinkDelivery({
        token: OTHER_TOKEN,
        events: sampleSinkEvents({ accountSid: OTHER_ACCOUNT }),
      }),
    );
    // Assess
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body).error).toBe("SignatureMismatchError");
    expect(published(publisher)).toEqual([]);
    expect(
      logger.lines.find((line) => line.message.includes("names no account"))?.attributes,
    ).toMatchObject({
      fix: expect.stringContaining("?AccountSid="),
    });
  });

  it("exclude other accounts' tokens when the URL names an account", async () => {
    // Prepare
    const { handler } = setup({
      authTokens: [],
      accountAuthTokens: new Map([[OTHER_ACCOUNT, [OTHER_TOKEN]]]),
    });
    // Act
    const response = await handler(
      signedSinkDelivery({ query: `AccountSid=${ACCOUNT_SID}`, token: OTHER_TOKEN }),
    );
    // Assess
    expect(response.statusCode).toBe(403);
  });
});
