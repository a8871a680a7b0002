/**
 * Which secrets verify a callback: SharedKeys (`X-Twilio-Webhooks-Signature-Settings`, HMAC-SHA256
 * or HMAC-SHA1) and per-account auth tokens (`TWILIO_ACCOUNT_AUTH_TOKENS`) besides the default
 * tokens; and that a forged request costs no more HMACs than the tokens that could have signed it.
 */

import { describe, expect, it } from "vitest";
import type { StatusEvent } from "../../lib/events/schemas.ts";
import { createIngestHandler } from "../../lib/ingest/handler.ts";
import type { CallbackPolicy } from "../../lib/ingest/policy.ts";
import type { SecretMap } from "../../lib/ingest/secret-maps.ts";
import { verifyTwilioSignature } from "../../lib/ingest/signature.ts";
import { authTokenCandidates } from "../../lib/ingest/signing-keys.ts";
import type { SecretMapSource } from "../../lib/ingest/tokens.ts";
import { staticSecretMap, staticTokens } from "../../lib/ingest/tokens.ts";
import { LOCAL_SHARED_KEY } from "../../testing/event-streams.ts";
import { callbackParams, LOCAL_AUTH_TOKEN } from "../../testing/samples.ts";
import { signedCallback } from "../../testing/signed-callback.ts";
import { memoryLogger } from "../helpers/memory-logger.ts";

const SUBACCOUNT = "AC11111111111111111111111111111111";
const SUBACCOUNT_TOKEN = "11111111111111111111111111111111";
const SUBACCOUNT_OLD_TOKEN = "1111111111111111111111111111111a";
const NEIGHBOUR = "AC22222222222222222222222222222222";
const NEIGHBOUR_TOKEN = "22222222222222222222222222222222";
const ROTATED_SECRET = "the-new-shared-key-secret";

function setup(
  overrides: {
    sharedKeys?: SecretMap;
    accountAuthTokens?: SecretMap | SecretMapSource;
    policy?: CallbackPolicy;
    authTokens?: string[];
  } = {},
) {
  const logger = memoryLogger();
  const events: StatusEvent[] = [];
  const accounts = overrides.accountAuthTokens;
  const handler = createIngestHandler({
    config: { publicUrl: undefined, ...overrides.policy },
    tokens: staticTokens(overrides.authTokens ?? [LOCAL_AUTH_TOKEN]),
    sharedKeys: staticSecretMap(
      overrides.sharedKeys ??
        new Map([[LOCAL_SHARED_KEY.id, [ROTATED_SECRET, LOCAL_SHARED_KEY.secret]]]),
    ),
    accountAuthTokens:
      typeof accounts === "function"
        ? accounts
        : staticSecretMap(
            accounts ??
              new Map([
                [SUBACCOUNT, [SUBACCOUNT_TOKEN, SUBACCOUNT_OLD_TOKEN]],
                [NEIGHBOUR, [NEIGHBOUR_TOKEN]],
              ]),
          ),
    publisher: { publish: async (event) => void events.push(event) },
    clock: () => new Date("2026-11-27T12:00:00Z"),
    logger,
  });
  return { handler, logger, events };
}

function subaccountCallback(token: string) {
  return signedCallback({
    token,
    params: { ...callbackParams("stream-started"), AccountSid: SUBACCOUNT },
  });
}

describe("a callback signed with a SharedKey", () => {
  it("is accepted with HMAC-SHA256", async () => {
    // Prepare
    const { handler, events } = setup();
    // Act
    const response = await handler(signedCallback({ sharedKey: LOCAL_SHARED_KEY }));
    // Assess
    expect(response.statusCode).toBe(200);
    expect(events).toHaveLength(1);
  });

  it("is accepted with HMAC-SHA1 when the header names it", async () => {
    // Prepare
    const { handler } = setup();
    // Act
    const response = await handler(
      signedCallback({ sharedKey: { ...LOCAL_SHARED_KEY, algorithm: "HMAC_SHA1" } }),
    );
    // Assess
    expect(response.statusCode).toBe(200);
  });

  it("is accepted with the older of two secrets during a rotation, and says so in the log", async () => {
    // Prepare
    const { handler, logger } = setup();
    // Act
    const response = await handler(signedCallback({ sharedKey: LOCAL_SHARED_KEY }));
    // Assess
    expect(response.statusCode).toBe(200);
    const line = logger.lines.find(
      (l) => l.message === "callback signed with a secondary SharedKey secret",
    );
    expect(line?.attributes).toEqual({ sharedKeyId: LOCAL_SHARED_KEY.id, secretIndex: 1 });
  });

  it("answers a key id the relay does not hold exactly as a forgery with a held key, and names the id in the log only", async () => {
    // Prepare: the same forged signature, once with a configured key id and once with another
    const { handler, events, logger } = setup();
    const forged = { signature: `${"x".repeat(43)}=` } as const;
    const held = signedCallback({ ...forged, sharedKey: LOCAL_SHARED_KEY });
    const unknown = signedCallback({
      ...forged,
      sharedKey: { ...LOCAL_SHARED_KEY, id: "webhooks_sharedkey_unknown" },
    });
    // Act
    const heldAnswer = await handler(held);
    const unknownAnswer = await handler(unknown);
    // Assess
    expect(unknownAnswer).toEqual(heldAnswer);
    expect(JSON.parse(unknownAnswer.body).error).toBe("SignatureMismatchError");
    expect(unknownAnswer.body).not.toContain("webhooks_sharedkey_unknown");
    const line = logger.lines.find((l) => l.message.includes("SharedKey is not configured"));
    expect(line?.attributes).toMatchObject({ sharedKeyId: "webhooks_sharedkey_unknown" });
    expect(heldAnswer.body + unknownAnswer.body + logger.text()).not.toContain(
      LOCAL_SHARED_KEY.secret,
    );
    expect(events).toEqual([]);
  });

  it("is 403 naming the algorithm when it is not HMAC_SHA1 or HMAC_SHA256", async () => {
    // Prepare
    const { handler } = setup();
    // Act
    const response = await handler(
      signedCallback({
        signature: `${"x".repeat(86)}==`,
        headers: {
          "x-twilio-webhooks-signature-settings": `key=${LOCAL_SHARED_KEY.id},algorithm=HMAC_SHA512`,
        },
      }),
    );
    // Assess
    expect(response.statusCode).toBe(403);
    const answer = JSON.parse(response.body);
    expect(answer.error).toBe("UnsupportedAlgorithmError");
    expect(answer.message).toContain('"HMAC_SHA512"');
  });

  it("is 403 when the settings header names no key", async () => {
    // Prepare
    const { handler } = setup();
    // Act
    const response = await handler(
      signedCallback({
        headers: { "x-twilio-webhooks-signature-settings": "algorithm=HMAC_SHA256" },
      }),
    );
    // Assess
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body).error).toBe("UnknownSharedKeyError");
  });

  it("is 403 when signed with the auth token but the header names a SharedKey", async () => {
    // Prepare: the header says SharedKey; the auth tokens are not tried
    const { handler } = setup();
    const callback = signedCallback({
      headers: {
        "x-twilio-webhooks-signature-settings": `key=${LOCAL_SHARED_KEY.id},algorithm=HMAC_SHA1`,
      },
    });
    // Act
    const response = await handler(callback);
    // Assess
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body).error).toBe("SignatureMismatchError");
  });
});

describe("a callback from a subaccount", () => {
  it("is verified with the tokens of the AccountSid it names", async () => {
    // Prepare
    const { handler, events } = setup();
    // Act
    const response = await handler(subaccountCallback(SUBACCOUNT_OLD_TOKEN));
    // Assess
    expect(response.statusCode).toBe(200);
    expect(events[0]?.data.accountSid).toBe(SUBACCOUNT);
  });

  it("is verified with the default tokens when its account has none of its own", async () => {
    // Prepare
    const { handler } = setup({ accountAuthTokens: new Map([[NEIGHBOUR, [NEIGHBOUR_TOKEN]]]) });
    // Act
    const response = await handler(subaccountCallback(LOCAL_AUTH_TOKEN));
    // Assess
    expect(response.statusCode).toBe(200);
  });

  it("is 403 when signed with another configured account's token", async () => {
    // Prepare
    const { handler, events } = setup();
    // Act
    const response = await handler(subaccountCallback(NEIGHBOUR_TOKEN));
    // Assess
    expect(response.statusCode).toBe(403);
    expect(events).toEqual([]);
  });

  it("is still refused by ALLOWED_ACCOUNT_SIDS when its account is not listed", async () => {
    // Prepare
    const { handler } = setup({
      policy: { allowedAccountSids: new Set([NEIGHBOUR.toLowerCase()]) },
    });
    // Act
    const response = await handler(subaccountCallback(SUBACCOUNT_TOKEN));
    // Assess
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body).error).toBe("AccountNotAllowedError");
  });

  it("is 503, not 403, when the account tokens cannot be read", async () => {
    // Prepare
    const { handler, logger } = setup({
      accountAuthTokens: async () => Promise.reject(new Error("SSM throttled")),
    });
    // Act
    const response = await handler(subaccountCallback(SUBACCOUNT_TOKEN));
    // Assess
    expect(response.statusCode).toBe(503);
    expect(logger.lines.some((l) => l.message === "account auth tokens unavailable")).toBe(true);
  });
});

describe("the HMACs a forged callback costs", () => {
  it("are bounded by the tokens of the account it names and the defaults, however many accounts are configured", () => {
    // Prepare: 60 accounts with two tokens each; a forgery naming one of them, on a URL with
    // every candidate form (port, normalisation, legacy query encoding)
    const accountTokens = new Map<string, string[]>();
    for (let i = 0; i < 60; i += 1) {
      const hex = i.toString(16).padStart(32, "0");
      accountTokens.set(`AC${hex}`, [`a${hex.slice(1)}`, `b${hex.slice(1)}`]);
    }
    const named = `AC${(7).toString(16).padStart(32, "0")}`;
    const candidates = authTokenCandidates({
      accountSid: named,
      defaults: [LOCAL_AUTH_TOKEN, "default-secondary"],
      accountTokens,
    });
    const url = "https://hooks.example.com/cb?name=it's%20a b";
    // Act
    const verdict = verifyTwilioSignature({
      url,
      params: new Map([["AccountSid", [named]]]),
      signature: `${"A".repeat(27)}=`,
      tokens: candidates.secrets,
    });
    // Assess: 4 candidate tokens (the account's 2 and the 2 defaults), at most 6 URL forms each
    expect(candidates.secrets).toHaveLength(4);
    expect(verdict.valid).toBe(false);
    expect(verdict.hmacs).toBeGreaterThan(4);
    expect(verdict.hmacs).toBeLessThanOrEqual(4 * 6);
  });

  it("tries no account's tokens for a callback that names no account", () => {
    // Act
    const candidates = authTokenCandidates({
      accountSid: undefined,
      defaults: [LOCAL_AUTH_TOKEN],
      accountTokens: new Map([[SUBACCOUNT, [SUBACCOUNT_TOKEN]]]),
    });
    // Assess
    expect(candidates.secrets).toEqual([LOCAL_AUTH_TOKEN]);
  });
});
