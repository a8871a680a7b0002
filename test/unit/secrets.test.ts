/**
 * Secrets end to end through the ingest handler: tokens read from SSM, a secret that cannot be
 * read answers 503 (never 2xx, never 403) and says so in the logs, and a rotation is accepted
 * once the cache expires, without a deploy; the same for account auth tokens and SharedKey
 * secrets (JSON SecureStrings), whose values never reach a log or a response.
 */

import { describe, expect, it, vi } from "vitest";
import type { StatusEvent } from "../../lib/events/schemas.ts";
import type { GetParameterClient, GetParameterOutput } from "../../lib/ingest/aws/ssm-client.ts";
import { ssmSecretMapSource, ssmTokenSource } from "../../lib/ingest/aws/ssm-tokens.ts";
import { parseConfig } from "../../lib/ingest/config.ts";
import { createIngestHandler } from "../../lib/ingest/handler.ts";
import type { EventPublisher } from "../../lib/ingest/publisher.ts";
import { type SecretMapSource, staticTokens } from "../../lib/ingest/tokens.ts";
import { ingestHandlerFromEnvironment, tokensFromConfig } from "../../lib/ingest/wiring.ts";
import { LOCAL_SHARED_KEY } from "../../testing/event-streams.ts";
import { callbackParams } from "../../testing/samples.ts";
import { signedCallback } from "../../testing/signed-callback.ts";
import {
  FORGER_AUTH_TOKEN,
  PRIMARY_AUTH_TOKEN,
  SECONDARY_AUTH_TOKEN,
} from "../../testing/tokens.ts";
import { memoryLogger } from "../helpers/memory-logger.ts";

const PARAMETER = "/twilio-status-relay/test/auth-token";
const TTL_MS = 300_000;

// A Parameter Store holding one value that the test changes, or that refuses every read.
function parameterStore(initial: string | Error) {
  const store = { value: initial, reads: 0 };
  const client: GetParameterClient = {
    async getParameter() {
      store.reads += 1;
      if (store.value instanceof Error) throw store.value;
      return {
        Parameter: { Name: PARAMETER, Value: store.value },
      } satisfies GetParameterOutput;
    },
  };
  return { store, client };
}

// The queue is not what these tests are about (fauxqs covers it elsewhere): record what is sent.
function recordingPublisher(): EventPublisher & { events: StatusEvent[] } {
  const events: StatusEvent[] = [];
  return { events, publish: async (event) => void events.push(event) };
}

function relay(client: GetParameterClient, clock: { now: number }) {
  const logger = memoryLogger();
  const publisher = recordingPublisher();
  const handler = createIngestHandler({
    config: { publicUrl: undefined },
    publisher,
    clock: () => new Date("2026-11-27T12:00:00Z"),
    tokens: ssmTokenSource({
      client,
      parameterName: PARAMETER,
      ttlMs: TTL_MS,
      clock: () => new Date(clock.now),
    }),
    logger,
  });
  return { handler, logger, publisher };
}

describe("auth tokens from SSM", () => {
  it("answers 503 and logs the unreadable parameter when SSM denies the read", async () => {
    // Prepare
    const denied = Object.assign(new Error("not authorized to perform ssm:GetParameter"), {
      name: "AccessDeniedException",
    });
    const { client } = parameterStore(denied);
    const { handler, logger, publisher } = relay(client, { now: 0 });

    // Act
    const response = await handler(signedCallback());

    // Assess
    expect(response.statusCode).toBe(503);
    expect(response.body).not.toContain(PARAMETER);
    expect(publisher.events).toHaveLength(0);
    const line = logger.lines.find((l) => l.message === "auth tokens unavailable");
    expect(line?.level).toBe("error");
    expect(JSON.stringify(line?.attributes)).toContain(PARAMETER);
    expect(JSON.stringify(line?.attributes)).toContain("AccessDeniedException");
  });

  it("answers 503 to every caller, signed or not by a known token, while the parameter is empty", async () => {
    // Prepare
    const { client } = parameterStore(" ");
    const { handler } = relay(client, { now: 0 });

    // Act
    const valid = await handler(signedCallback());
    const forged = await handler(signedCallback({ token: FORGER_AUTH_TOKEN }));

    // Assess
    expect(valid.statusCode).toBe(503);
    expect(forged.statusCode).toBe(503);
  });

  it("accepts callbacks again as soon as SSM recovers", async () => {
    // Prepare
    const { store, client } = parameterStore(new Error("throttled"));
    const { handler, publisher } = relay(client, { now: 0 });
    const during = await handler(signedCallback());

    // Act
    store.value = PRIMARY_AUTH_TOKEN;
    const after = await handler(signedCallback());

    // Assess
    expect(during.statusCode).toBe(503);
    expect(after.statusCode).toBe(200);
    expect(publisher.events).toHaveLength(1);
  });

  it("accepts the new token once the cache expires after a rotation, and still the old one", async () => {
    // Prepare
    const clock = { now: 0 };
    const { store, client } = parameterStore(PRIMARY_AUTH_TOKEN);
    const { handler } = relay(client, clock);
    const before = await handler(signedCallback());
    store.value = `${PRIMARY_AUTH_TOKEN},${SECONDARY_AUTH_TOKEN}`;

    // Act
    const newTokenWhileCached = await handler(signedCallback({ token: SECONDARY_AUTH_TOKEN }));
    clock.now += TTL_MS;
    const newTokenAfterTtl = await handler(signedCallback({ token: SECONDARY_AUTH_TOKEN }));
    const oldTokenAfterTtl = await handler(signedCallback());

    // Assess
    expect(before.statusCode).toBe(200);
    expect(newTokenWhileCached.statusCode).toBe(403);
    expect(newTokenAfterTtl.statusCode).toBe(200);
    expect(oldTokenAfterTtl.statusCode).toBe(200);
    expect(store.reads).toBe(2);
  });
});

describe("tokensFromConfig", () => {
  const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/relay.fifo";

  it("reads from SSM when only the parameter is configured", async () => {
    // Prepare: an SSM endpoint that refuses connections, so the read fails at once
    const config = parseConfig({ QUEUE_URL, TWILIO_AUTH_TOKEN_PARAMETER: PARAMETER });
    vi.stubEnv("AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:9");
    vi.stubEnv("AWS_REGION", "us-east-1");
    vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
    try {
      // Act
      const source = tokensFromConfig(config);

      // Assess
      await expect(source()).rejects.toThrow(`could not read SSM parameter ${PARAMETER}`);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("leaves the tokens of the environment in charge when TWILIO_AUTH_TOKEN is set", async () => {
    // Prepare
    const config = parseConfig({
      QUEUE_URL,
      TWILIO_AUTH_TOKEN: PRIMARY_AUTH_TOKEN,
      TWILIO_AUTH_TOKEN_PARAMETER: PARAMETER,
    });

    // Act
    const source = tokensFromConfig(config);

    // Assess
    expect(await source()).toEqual([PRIMARY_AUTH_TOKEN]);
  });
});

describe("ingestHandlerFromEnvironment", () => {
  it("starts reading the auth tokens at start-up, before the first callback", async () => {
    // Prepare
    vi.stubEnv("QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/relay.fifo");
    vi.stubEnv("TWILIO_AUTH_TOKEN", "");
    vi.stubEnv("TWILIO_AUTH_TOKEN_PARAMETER", "/twilio-status-relay/test/auth-token");
    let reads = 0;
    try {
      // Act
      ingestHandlerFromEnvironment(() => async () => {
        reads += 1;
        return ["token"];
      });
      // Assess
      expect(reads).toBe(1);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe("account auth tokens and SharedKeys from SSM", () => {
  const ACCOUNTS_PARAMETER = "/twilio-status-relay/test/account-auth-tokens";
  const KEYS_PARAMETER = "/twilio-status-relay/test/shared-keys";
  const SUBACCOUNT = "AC11111111111111111111111111111111";
  const SUBACCOUNT_TOKEN = "11111111111111111111111111111111";

  function mapStore(value: string | Error, parameterName: string) {
    const { store, client } = parameterStore(value);
    const kind = parameterName === KEYS_PARAMETER ? "shared-keys" : "account-auth-tokens";
    const clock = { now: 0 };
    const source = ssmSecretMapSource({
      client,
      parameterName,
      ttlMs: TTL_MS,
      clock: () => new Date(clock.now),
      kind,
    });
    return { store, source, clock };
  }

  function relayWith(sources: {
    accountAuthTokens?: SecretMapSource;
    sharedKeys?: SecretMapSource;
  }) {
    const logger = memoryLogger();
    const publisher = recordingPublisher();
    const handler = createIngestHandler({
      config: { publicUrl: undefined },
      publisher,
      tokens: staticTokens([PRIMARY_AUTH_TOKEN]),
      clock: () => new Date("2026-11-27T12:00:00Z"),
      ...sources,
      logger,
    });
    return { handler, logger, publisher };
  }

  const subaccountCallback = (token: string) =>
    signedCallback({
      token,
      params: { ...callbackParams("stream-ended"), AccountSid: SUBACCOUNT },
    });

  it("verifies a subaccount's callback with its token read from the JSON parameter, and picks up a rotation after the TTL", async () => {
    // Prepare
    const { store, source, clock } = mapStore(
      JSON.stringify({ [SUBACCOUNT]: PRIMARY_AUTH_TOKEN.replace(/1$/, "2") }),
      ACCOUNTS_PARAMETER,
    );
    const { handler } = relayWith({ accountAuthTokens: source });
    const before = await handler(subaccountCallback(SUBACCOUNT_TOKEN));
    store.value = JSON.stringify({ [SUBACCOUNT]: [SUBACCOUNT_TOKEN] });

    // Act
    clock.now += TTL_MS;
    const after = await handler(subaccountCallback(SUBACCOUNT_TOKEN));

    // Assess
    expect(before.statusCode).toBe(403);
    expect(after.statusCode).toBe(200);
    expect(store.reads).toBe(2);
  });

  it("verifies a SharedKey callback with the secret read from the JSON parameter", async () => {
    // Prepare
    const { source } = mapStore(
      JSON.stringify({ [LOCAL_SHARED_KEY.id]: LOCAL_SHARED_KEY.secret }),
      KEYS_PARAMETER,
    );
    const { handler } = relayWith({ sharedKeys: source });

    // Act
    const response = await handler(signedCallback({ sharedKey: LOCAL_SHARED_KEY }));

    // Assess
    expect(response.statusCode).toBe(200);
  });

  it("answers 503 naming the parameter, never its value, when it holds malformed JSON", async () => {
    // Prepare
    const { source } = mapStore(
      `{"${LOCAL_SHARED_KEY.id}": "${LOCAL_SHARED_KEY.secret}"`,
      KEYS_PARAMETER,
    );
    const { handler, logger } = relayWith({ sharedKeys: source });

    // Act
    const response = await handler(signedCallback({ sharedKey: LOCAL_SHARED_KEY }));

    // Assess
    expect(response.statusCode).toBe(503);
    const line = logger.lines.find((l) => l.message === "SharedKey secrets unavailable");
    expect(JSON.stringify(line?.attributes)).toContain(`${KEYS_PARAMETER} is not valid JSON`);
    expect(logger.text() + response.body).not.toContain(LOCAL_SHARED_KEY.secret);
  });

  it("answers 503 when the account tokens parameter cannot be read, and logs which", async () => {
    // Prepare
    const { source } = mapStore(new Error("AccessDeniedException"), ACCOUNTS_PARAMETER);
    const { handler, logger } = relayWith({ accountAuthTokens: source });

    // Act
    const response = await handler(subaccountCallback(SUBACCOUNT_TOKEN));

    // Assess
    expect(response.statusCode).toBe(503);
    const line = logger.lines.find((l) => l.message === "account auth tokens unavailable");
    expect(JSON.stringify(line?.attributes)).toContain(ACCOUNTS_PARAMETER);
  });

  it("are read at start-up when their parameters are configured", () => {
    // Prepare
    vi.stubEnv("QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/relay.fifo");
    vi.stubEnv("TWILIO_AUTH_TOKEN", PRIMARY_AUTH_TOKEN);
    vi.stubEnv("TWILIO_ACCOUNT_AUTH_TOKENS_PARAMETER", ACCOUNTS_PARAMETER);
    vi.stubEnv("TWILIO_SHARED_KEYS_PARAMETER", KEYS_PARAMETER);
    const reads: string[] = [];
    try {
      // Act
      ingestHandlerFromEnvironment(
        () => staticTokens([PRIMARY_AUTH_TOKEN]),
        (config) => ({
          accountAuthTokens: async () => {
            reads.push(config.accountAuthTokensParameter ?? "");
            return new Map();
          },
          sharedKeys: async () => {
            reads.push(config.sharedKeysParameter ?? "");
            return new Map();
          },
        }),
      );
      // Assess
      expect(reads).toEqual([ACCOUNTS_PARAMETER, KEYS_PARAMETER]);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
