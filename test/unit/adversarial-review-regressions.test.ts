/**
 * The seven holes an adversarial review of the ingest handler found, each reproduced with the
 * official `twilio` package's own signer (the oracle) against the handler, and kept closed. Each
 * test failed before its fix. docs/reliability.md lists them in its hostile-input tables.
 */

import twilio from "twilio";
import { describe, expect, it } from "vitest";
import type { StatusEvent } from "../../lib/events/schemas.ts";
import { createIngestHandler } from "../../lib/ingest/handler.ts";
import { eventIdText } from "../../lib/ingest/normalise.ts";
import type { CallbackPolicy } from "../../lib/ingest/policy.ts";
import type { CloudEventMessage, CloudEventPublisher } from "../../lib/ingest/publisher.ts";
import type { SecretMap } from "../../lib/ingest/secret-maps.ts";
import { staticSecretMap, staticTokens } from "../../lib/ingest/tokens.ts";
import {
  LOCAL_SHARED_KEY,
  messageStatusEvent,
  sampleSinkEvents,
  signedSinkDelivery,
} from "../../testing/event-streams.ts";
import { ACCOUNT_SID, callbackParams, MESSAGE_SID } from "../../testing/samples.ts";
import { callbackUrl, type FormParams, signedCallback } from "../../testing/signed-callback.ts";
import {
  FORGER_AUTH_TOKEN,
  PRIMARY_AUTH_TOKEN,
  SECONDARY_AUTH_TOKEN,
} from "../../testing/tokens.ts";
import { memoryLogger } from "../helpers/memory-logger.ts";

const ACCOUNT_A = "AC0000000000000000000000000000000a";
const TOKEN_A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const ACCOUNT_B = "AC0000000000000000000000000000000b";
const TOKEN_B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

function setup(
  overrides: { policy?: CallbackPolicy; accountAuthTokens?: SecretMap; authTokens?: string[] } = {},
) {
  const logger = memoryLogger();
  const statusEvents: StatusEvent[] = [];
  const cloudEvents: CloudEventMessage[] = [];
  const publisher: { publish(event: StatusEvent): Promise<void> } & CloudEventPublisher = {
    publish: async (event) => void statusEvents.push(event),
    publishCloudEvents: async (messages) => void cloudEvents.push(...messages),
  };
  const handler = createIngestHandler({
    config: { publicUrl: undefined, ...overrides.policy },
    tokens: staticTokens(overrides.authTokens ?? [PRIMARY_AUTH_TOKEN]),
    accountAuthTokens: staticSecretMap(overrides.accountAuthTokens ?? new Map()),
    sharedKeys: staticSecretMap(new Map([[LOCAL_SHARED_KEY.id, [LOCAL_SHARED_KEY.secret]]])),
    publisher,
    clock: () => new Date("2026-11-27T12:00:00Z"),
    logger,
  });
  const published = () => statusEvents.length + cloudEvents.length;
  return { handler, logger, statusEvents, cloudEvents, published };
}

// The sink URL and signature of a delivery, as an observer of one genuine delivery sees them.
function capturedDelivery(options: { query?: string; token?: string } = {}) {
  const delivery = signedSinkDelivery(options);
  if (!("rawQueryString" in delivery)) throw new Error("expected an HTTP API event");
  const signature = delivery.headers["x-twilio-signature"] ?? "";
  return { query: delivery.rawQueryString, signature };
}

describe("1. a captured Event Streams delivery replayed as a GET", () => {
  it.each(["2.0", "1.0"] as const)(
    "is 405 (Allow: POST) and publishes nothing, though its signature is valid (payload %s)",
    async (version) => {
      // Prepare
      const { handler, published } = setup();
      const { query, signature } = capturedDelivery();
      const url = callbackUrl({ query });
      expect(twilio.validateRequest(PRIMARY_AUTH_TOKEN, signature, url, {})).toBe(true);
      // Act
      const response = await handler(signedCallback({ version, method: "GET", query, signature }));
      // Assess
      expect(response.statusCode).toBe(405);
      expect(response.headers).toMatchObject({ allow: "POST" });
      const answer = JSON.parse(response.body);
      expect(answer.error).toBe("MethodNotAllowedError");
      expect(answer.message).toContain("bodySHA256");
      expect(published()).toBe(0);
    },
  );

  it("is 403 as a POST without its body, and publishes nothing", async () => {
    // Prepare
    const { handler, published } = setup();
    const { query, signature } = capturedDelivery();
    // Act
    const response = await handler(
      signedCallback({
        method: "POST",
        query,
        signature,
        body: "",
        contentType: "application/json",
      }),
    );
    // Assess
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body).error).toBe("BodyHashMismatchError");
    expect(published()).toBe(0);
  });
});

describe("2. a sink delivery signed with one subaccount's token, claiming another's events", () => {
  const accountAuthTokens = new Map([
    [ACCOUNT_A, [TOKEN_A]],
    [ACCOUNT_B, [TOKEN_B]],
  ]);
  const policy = { allowedAccountSids: new Set([ACCOUNT_B.toLowerCase()]) };

  it.each([
    ["with ?AccountSid=A in its URL", `AccountSid=${ACCOUNT_A}`, "AccountMismatchError"],
    ["without an account in its URL", undefined, "SignatureMismatchError"],
  ])("is 403 %s, and publishes nothing", async (_, query, error) => {
    // Prepare
    const { handler, published } = setup({ accountAuthTokens, policy, authTokens: [] });
    const events = sampleSinkEvents({ accountSid: ACCOUNT_B });
    // Act
    const response = await handler(signedSinkDelivery({ query, token: TOKEN_A, events }));
    // Assess
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body).error).toBe(error);
    expect(published()).toBe(0);
  });

  it("is 403 when the URL names B but A's events come signed with the default token", async () => {
    // Prepare
    const { handler, published } = setup({ accountAuthTokens });
    const events = sampleSinkEvents({ accountSid: ACCOUNT_A });
    // Act
    const response = await handler(
      signedSinkDelivery({ query: `AccountSid=${ACCOUNT_B}`, token: PRIMARY_AUTH_TOKEN, events }),
    );
    // Assess
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body).error).toBe("AccountMismatchError");
    expect(published()).toBe(0);
  });

  it("applies ALLOWED_ACCOUNT_SIDS to the account that signed: A's own events are 403", async () => {
    // Prepare
    const { handler, published } = setup({ accountAuthTokens, policy });
    const events = sampleSinkEvents({ accountSid: ACCOUNT_A });
    // Act
    const response = await handler(
      signedSinkDelivery({ query: `AccountSid=${ACCOUNT_A}`, token: TOKEN_A, events }),
    );
    // Assess
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body).error).toBe("AccountNotAllowedError");
    expect(published()).toBe(0);
  });

  it("relays B's own events signed with B's token, each with attribute accountSid=B", async () => {
    // Prepare
    const { handler, cloudEvents } = setup({ accountAuthTokens, policy });
    const events = sampleSinkEvents({ accountSid: ACCOUNT_B });
    // Act
    const response = await handler(
      signedSinkDelivery({ query: `AccountSid=${ACCOUNT_B}`, token: TOKEN_B, events }),
    );
    // Assess
    expect(response.statusCode).toBe(200);
    expect(cloudEvents.map((message) => message.attributes.accountSid)).toEqual(
      events.map(() => ACCOUNT_B),
    );
  });
});

describe("3. a sink event nested 20,000 levels deep", () => {
  function nested(depth: number) {
    let data: unknown = "leaf";
    for (let i = 0; i < depth; i += 1) data = { a: data };
    return { ...messageStatusEvent("delivered"), data };
  }

  it("is 400 naming the event, with nothing published, instead of a 500 on every retry", async () => {
    // Prepare: the nesting is written by hand, as JSON.stringify would overflow on it too
    const { handler, published } = setup();
    const event = JSON.stringify(messageStatusEvent("delivered"));
    const deep = `${'{"a":'.repeat(20_000)}1${"}".repeat(20_000)}`;
    const body = `[${event},${event.replace(/"data":\{/, `"data":{"deep":${deep},`)}]`;
    // Act
    const response = await handler(signedSinkDelivery({ body }));
    // Assess
    expect(response.statusCode).toBe(400);
    const answer = JSON.parse(response.body);
    expect(answer.error).toBe("BadRequestError");
    expect(answer.message).toContain("event 1 is nested more than 100 levels deep");
    expect(published()).toBe(0);
  });

  it("relays an event nested exactly 100 levels deep (the envelope counted)", async () => {
    // Prepare: the envelope is level 1, so data holds 99 levels
    const { handler, cloudEvents } = setup();
    const event = nested(99);
    // Act
    const response = await handler(signedSinkDelivery({ events: [event] }));
    // Assess
    expect(response.statusCode).toBe(200);
    expect(cloudEvents.map((message) => message.event)).toEqual([event]);
  });

  it("refuses one level more", async () => {
    // Prepare
    const { handler, published } = setup();
    // Act
    const response = await handler(signedSinkDelivery({ events: [nested(100)] }));
    // Assess
    expect(response.statusCode).toBe(400);
    expect(published()).toBe(0);
  });
});

describe("4. REST API (payload 1.0) callbacks whose configured URL's query holds / or :", () => {
  // Each configured query, signed by Twilio as configured (HTTP API hands it over raw).
  const WORKS_ON_BOTH = [
    "tenant=acme&next=/done",
    "return=https://example.com",
    "return=https://example.com/a/b?c",
    "at=user@example.com&list=a,b;c&cost=$5",
    "next=%2Fdone",
    "return=https%3A%2F%2Fexample.com",
    "q=a+b&x=%21%27%28%29",
    "q=a%20b&x=!'()*~",
    "name=J%C3%BCrgen&next=/d",
  ];
  // Twilio signs these too, but payload 1.0 decodes them into the same parameters as another
  // spelling, and only the two spellings the relay rebuilds can be tried.
  const ONLY_ON_HTTP_API = [
    "next=/done&back=%2Fhome",
    "a=b=c",
    "flag",
    "a=1&b=2&a=3",
    "q=a%20b&x=%21",
  ];

  it.each(WORKS_ON_BOTH)("accepts ?%s on both payload formats", async (query) => {
    // Prepare
    const { handler, statusEvents } = setup();
    const params = callbackParams("message.delivered");
    const url = callbackUrl({ query });
    const signature = twilio.getExpectedTwilioSignature(PRIMARY_AUTH_TOKEN, url, params);
    expect(twilio.validateRequest(PRIMARY_AUTH_TOKEN, signature, url, params)).toBe(true);
    // Act
    const v2 = await handler(signedCallback({ version: "2.0", params, query, signature }));
    const v1 = await handler(signedCallback({ version: "1.0", params, query, signature }));
    // Assess
    expect([v2.statusCode, v1.statusCode]).toEqual([200, 200]);
    expect(statusEvents).toHaveLength(2);
  });

  it.each(ONLY_ON_HTTP_API)(
    "accepts ?%s on HTTP API, and on payload 1.0 answers 403 as docs/http-endpoint.md says",
    async (query) => {
      // Prepare
      const { handler } = setup();
      const params: FormParams = callbackParams("message.delivered");
      const signature = twilio.getExpectedTwilioSignature(
        PRIMARY_AUTH_TOKEN,
        callbackUrl({ query }),
        params as Record<string, string>,
      );
      // Act
      const v2 = await handler(signedCallback({ version: "2.0", params, query, signature }));
      const v1 = await handler(signedCallback({ version: "1.0", params, query, signature }));
      // Assess
      expect([v2.statusCode, v1.statusCode]).toEqual([200, 403]);
    },
  );

  it("answers 403 on payload 1.0 to a GET callback whose configured query holds / typed raw, as docs/http-endpoint.md says", async () => {
    // Prepare: Twilio appends its parameters form-encoded (the Timestamp's ":" as %3A, its spaces
    // as +) to the configured query, which keeps "/" as typed: a mix neither spelling the relay
    // rebuilds can match
    const { handler, statusEvents } = setup();
    const params = callbackParams("call.completed");
    const query = "next=/done";
    const url = callbackUrl({ query: `${query}&${new URLSearchParams(params).toString()}` });
    const signature = twilio.getExpectedTwilioSignature(PRIMARY_AUTH_TOKEN, url, {});
    const get = { method: "GET", params, query, signature } as const;
    // Act
    const v2 = await handler(signedCallback({ ...get, version: "2.0" }));
    const v1 = await handler(signedCallback({ ...get, version: "1.0" }));
    // Assess
    expect([v2.statusCode, v1.statusCode]).toEqual([200, 403]);
    expect(statusEvents).toHaveLength(1);
  });

  it("accepts on payload 1.0 a GET callback whose configured query holds / and whose parameters need no escaping", async () => {
    // Prepare: a Message callback's values are letters, digits and "+" (written %2B either way)
    const { handler, statusEvents } = setup();
    const params = callbackParams("message.delivered");
    const query = "next=/done";
    const url = callbackUrl({ query: `${query}&${new URLSearchParams(params).toString()}` });
    const signature = twilio.getExpectedTwilioSignature(PRIMARY_AUTH_TOKEN, url, {});
    // Act
    const v1 = await handler(
      signedCallback({ method: "GET", params, query, signature, version: "1.0" }),
    );
    // Assess
    expect(v1.statusCode).toBe(200);
    expect(statusEvents).toHaveLength(1);
  });
});

describe("5. two different Message callbacks whose free text holds a newline", () => {
  it("get different event ids, so FIFO deduplication drops neither", async () => {
    // Prepare: the two parameter sets the review found, joined by "\n" to the same text before
    const { handler, statusEvents } = setup();
    const base = callbackParams("message.delivered", { sid: MESSAGE_SID });
    const first = {
      ...base,
      MessageStatus: "delivered",
      EventType: "READ",
      ErrorCode: "1",
      RawDlrDoneDate: "2\n3",
    };
    const second = {
      ...base,
      MessageStatus: "delivered\nREAD",
      EventType: "1",
      ErrorCode: "2",
      RawDlrDoneDate: "3",
    };
    // Act
    const answers = [
      await handler(signedCallback({ params: first })),
      await handler(signedCallback({ params: second })),
    ];
    // Assess
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200]);
    const [a, b] = statusEvents;
    expect(a?.id).toMatch(/^[0-9a-f]{64}$/);
    expect(a?.id).not.toBe(b?.id);
  });

  it("keeps the id of every callback without a newline in its id parameters", () => {
    // Assess: the text is the newline join it always was
    expect(eventIdText([ACCOUNT_SID, MESSAGE_SID, "delivered", "", "", "2611271015"])).toBe(
      `${ACCOUNT_SID}\n${MESSAGE_SID}\ndelivered\n\n\n2611271015`,
    );
  });
});

describe("6. what a forged sink delivery costs, with 40 accounts of 5 tokens and 2 default tokens", () => {
  const accountAuthTokens = new Map<string, string[]>();
  for (let account = 0; account < 40; account += 1) {
    const sid = `AC${account.toString(16).padStart(32, "0")}`;
    accountAuthTokens.set(
      sid,
      Array.from({ length: 5 }, (_, i) => `${account}-${i}`.padEnd(32, "t")),
    );
  }
  // A query chosen so that all six URL forms differ (port, WHATWG, legacy encoding).
  const hostile = "x='%7E";

  async function forgedCost(query: string) {
    const { handler, logger, published } = setup({
      accountAuthTokens,
      authTokens: [PRIMARY_AUTH_TOKEN, SECONDARY_AUTH_TOKEN],
    });
    const response = await handler(signedSinkDelivery({ query, token: FORGER_AUTH_TOKEN }));
    const line = logger.lines.find((l) => l.message === "signature does not match");
    return { status: response.statusCode, hmacs: line?.attributes.hmacs, published: published() };
  }

  it("is at most 2 tokens x 6 URL forms when the URL names no account (was 1,212)", async () => {
    // Act
    const cost = await forgedCost(hostile);
    // Assess
    expect(cost).toEqual({ status: 403, hmacs: 12, published: 0 });
  });

  it("is at most (5 + 2) tokens x 6 URL forms when the URL names a configured account", async () => {
    // Act
    const cost = await forgedCost(`AccountSid=AC${"7".padStart(32, "0")}&${hostile}`);
    // Assess
    expect(cost).toEqual({ status: 403, hmacs: 42, published: 0 });
  });
});

describe("7. a forged SharedKey signature", () => {
  it("gets the same answer whether or not the relay holds the key id it names", async () => {
    // Prepare
    const { handler, published } = setup();
    const signature = `${"A".repeat(43)}=`;
    const forged = (id: string) =>
      signedCallback({ signature, sharedKey: { ...LOCAL_SHARED_KEY, id } });
    // Act
    const held = await handler(forged(LOCAL_SHARED_KEY.id));
    const unknown = await handler(forged("webhooks_sharedkey_guess"));
    // Assess
    expect(unknown).toEqual(held);
    expect(held.statusCode).toBe(403);
    expect(published()).toBe(0);
  });
});
