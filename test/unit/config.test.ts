import { describe, expect, it } from "vitest";
import { parseConfig, splitTokens } from "../../lib/ingest/config.ts";
import { ConfigError } from "../../lib/ingest/errors.ts";

const VALID = {
  QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/relay.fifo",
  TWILIO_AUTH_TOKEN: "token-a",
};

describe("parseConfig", () => {
  it("parses a minimal local configuration", () => {
    expect(parseConfig(VALID)).toEqual({
      queueUrl: VALID.QUEUE_URL,
      authTokens: ["token-a"],
      authTokenParameter: undefined,
      accountAuthTokens: new Map(),
      accountAuthTokensParameter: undefined,
      sharedKeys: new Map(),
      sharedKeysParameter: undefined,
      authTokenCacheTtlMs: 300_000,
      publicUrl: undefined,
      allowedAccountSids: undefined,
      maxCallbackAgeMs: undefined,
    });
  });

  it("splits several comma-separated tokens, primary first", () => {
    expect(parseConfig({ ...VALID, TWILIO_AUTH_TOKEN: " new , old ," }).authTokens).toEqual([
      "new",
      "old",
    ]);
  });

  it("names QUEUE_URL when it is missing", () => {
    expect(() => parseConfig({ TWILIO_AUTH_TOKEN: "t" })).toThrow(/QUEUE_URL is required/);
  });

  it("names QUEUE_URL when it is not a URL", () => {
    expect(() => parseConfig({ ...VALID, QUEUE_URL: "relay.fifo" })).toThrow(
      /QUEUE_URL must be an http\(s\) URL/,
    );
  });

  it("asks for a token source when neither is set", () => {
    const attempt = () => parseConfig({ QUEUE_URL: VALID.QUEUE_URL, TWILIO_AUTH_TOKEN: " , " });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/TWILIO_AUTH_TOKEN .*TWILIO_AUTH_TOKEN_PARAMETER/);
  });

  it("reads tokens from SSM when only the parameter is named", () => {
    const config = parseConfig({
      QUEUE_URL: VALID.QUEUE_URL,
      TWILIO_AUTH_TOKEN_PARAMETER: "/twilio-status-relay/prod/auth-token",
      AUTH_TOKEN_CACHE_TTL_SECONDS: "60",
    });
    expect(config.authTokenParameter).toBe("/twilio-status-relay/prod/auth-token");
    expect(config.authTokenCacheTtlMs).toBe(60_000);
  });

  it("treats an empty variable as unset", () => {
    expect(parseConfig({ ...VALID, PUBLIC_URL: "" }).publicUrl).toBeUndefined();
  });

  it("refuses a PUBLIC_URL with a query string, naming it", () => {
    expect(() => parseConfig({ ...VALID, PUBLIC_URL: "https://h.test/?a=1" })).toThrow(
      /PUBLIC_URL must not have a query/,
    );
  });

  it("refuses a PUBLIC_URL that is not http(s)", () => {
    expect(() => parseConfig({ ...VALID, PUBLIC_URL: "ftp://h.test" })).toThrow(/PUBLIC_URL/);
  });

  it("refuses a cache TTL that is not a whole number", () => {
    expect(() => parseConfig({ ...VALID, AUTH_TOKEN_CACHE_TTL_SECONDS: "5m" })).toThrow(
      /AUTH_TOKEN_CACHE_TTL_SECONDS/,
    );
  });
});

describe("parseConfig, optional protections", () => {
  const SID_A = "AC0123456789abcdef0123456789abcdef";
  const SID_B = "ACFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF";

  it("reads ALLOWED_ACCOUNT_SIDS as a comma-separated list, lower-cased for comparison", () => {
    // Act
    const config = parseConfig({ ...VALID, ALLOWED_ACCOUNT_SIDS: ` ${SID_A} ,${SID_B},` });
    // Assess
    expect([...(config.allowedAccountSids ?? [])]).toEqual([
      SID_A.toLowerCase(),
      SID_B.toLowerCase(),
    ]);
  });

  it("refuses an ALLOWED_ACCOUNT_SIDS entry that is not an account SID, naming the variable", () => {
    expect(() =>
      parseConfig({
        ...VALID,
        ALLOWED_ACCOUNT_SIDS: `${SID_A},MG0123456789abcdef0123456789abcdef`,
      }),
    ).toThrow(/ALLOWED_ACCOUNT_SIDS must be a comma-separated list of account SIDs/);
  });

  it("refuses an ALLOWED_ACCOUNT_SIDS that lists no account (which would refuse every callback)", () => {
    expect(() => parseConfig({ ...VALID, ALLOWED_ACCOUNT_SIDS: " , " })).toThrow(
      /ALLOWED_ACCOUNT_SIDS/,
    );
  });

  it("reads MAX_CALLBACK_AGE_SECONDS in milliseconds", () => {
    expect(parseConfig({ ...VALID, MAX_CALLBACK_AGE_SECONDS: "900" }).maxCallbackAgeMs).toBe(
      900_000,
    );
  });

  it.each(["0", "-5", "1.5", "15m"])("refuses MAX_CALLBACK_AGE_SECONDS=%s, naming it", (value) => {
    expect(() => parseConfig({ ...VALID, MAX_CALLBACK_AGE_SECONDS: value })).toThrow(
      /MAX_CALLBACK_AGE_SECONDS must be a whole number of seconds, at least 1/,
    );
  });

  it("leaves both protections off when their variables are empty", () => {
    // Act
    const config = parseConfig({
      ...VALID,
      ALLOWED_ACCOUNT_SIDS: "",
      MAX_CALLBACK_AGE_SECONDS: "",
    });
    // Assess
    expect(config.allowedAccountSids).toBeUndefined();
    expect(config.maxCallbackAgeMs).toBeUndefined();
  });
});

describe("splitTokens", () => {
  it("returns no token for an unset list", () => {
    expect(splitTokens(undefined)).toEqual([]);
  });
});

describe("parseConfig: account auth tokens and SharedKeys", () => {
  const ACCOUNT = "AC0123456789ABCDEF0123456789abcdef";

  it("reads TWILIO_ACCOUNT_AUTH_TOKENS: one token or a list per account, SIDs lower-cased", () => {
    // Act
    const config = parseConfig({
      ...VALID,
      TWILIO_ACCOUNT_AUTH_TOKENS: JSON.stringify({
        [ACCOUNT]: ["new", "old"],
        AC11111111111111111111111111111111: "only",
      }),
    });
    // Assess
    expect(config.accountAuthTokens).toEqual(
      new Map([
        ["AC0123456789abcdef0123456789abcdef", ["new", "old"]],
        ["AC11111111111111111111111111111111", ["only"]],
      ]),
    );
  });

  it("reads TWILIO_SHARED_KEYS: one secret or a list per key id", () => {
    // Act
    const config = parseConfig({
      ...VALID,
      TWILIO_SHARED_KEYS: JSON.stringify({ webhooks_sharedkey_1: "s1", k2: ["a", "b"] }),
    });
    // Assess
    expect(config.sharedKeys).toEqual(
      new Map([
        ["webhooks_sharedkey_1", ["s1"]],
        ["k2", ["a", "b"]],
      ]),
    );
  });

  it("starts with only SharedKeys or only account tokens, and no default token", () => {
    // Act
    const config = parseConfig({
      QUEUE_URL: VALID.QUEUE_URL,
      TWILIO_SHARED_KEYS_PARAMETER: "/relay/shared-keys",
    });
    // Assess
    expect(config.authTokens).toEqual([]);
    expect(config.sharedKeysParameter).toBe("/relay/shared-keys");
  });

  const MISTAKES: Array<[string, string, string, RegExp]> = [
    [
      "malformed JSON",
      "TWILIO_ACCOUNT_AUTH_TOKENS",
      '{"AC1": "secret-value"',
      /TWILIO_ACCOUNT_AUTH_TOKENS is not valid JSON/,
    ],
    [
      "a list instead of an object",
      "TWILIO_SHARED_KEYS",
      '["secret-value"]',
      /TWILIO_SHARED_KEYS must be a JSON object/,
    ],
    [
      "an empty secret",
      "TWILIO_SHARED_KEYS",
      '{"k1": " "}',
      /TWILIO_SHARED_KEYS k1 has an empty secret/,
    ],
    [
      "an empty list",
      "TWILIO_SHARED_KEYS",
      '{"k1": []}',
      /TWILIO_SHARED_KEYS k1 must have a secret/,
    ],
    [
      "a secret that is not a string",
      "TWILIO_ACCOUNT_AUTH_TOKENS",
      `{"${"AC".padEnd(34, "1")}": 42}`,
      /must have a secret, or a non-empty list/,
    ],
    [
      "a SID that is not a SID",
      "TWILIO_ACCOUNT_AUTH_TOKENS",
      '{"AC123": "secret-value"}',
      /TWILIO_ACCOUNT_AUTH_TOKENS key "AC123" is not an account SID/,
    ],
    [
      "a key id with a comma",
      "TWILIO_SHARED_KEYS",
      '{"a,b": "secret-value"}',
      /TWILIO_SHARED_KEYS key "a,b" is not a SharedKey id/,
    ],
    [
      "too many secrets for one id",
      "TWILIO_SHARED_KEYS",
      JSON.stringify({ k: ["1", "2", "3", "4", "5", "6"] }),
      /k has 6 secrets, more than 5/,
    ],
    [
      "a parameter name that is not one",
      "TWILIO_SHARED_KEYS_PARAMETER",
      "not a name!",
      /TWILIO_SHARED_KEYS_PARAMETER must be an SSM parameter name/,
    ],
  ];

  it.each(MISTAKES)(
    "fails naming the variable for %s, never quoting a secret",
    (_, name, value, message) => {
      // Act
      const attempt = () => parseConfig({ ...VALID, [name]: value });
      // Assess
      expect(attempt).toThrow(ConfigError);
      expect(attempt).toThrow(message);
      try {
        attempt();
      } catch (error) {
        expect((error as Error).message).not.toContain("secret-value");
      }
    },
  );

  it("fails when two spellings of one account SID are listed", () => {
    // Act
    const attempt = () =>
      parseConfig({
        ...VALID,
        TWILIO_ACCOUNT_AUTH_TOKENS: JSON.stringify({
          [ACCOUNT]: "a",
          [ACCOUNT.toLowerCase().replace(/^ac/, "AC")]: "b",
        }),
      });
    // Assess
    expect(attempt).toThrow(/is listed twice/);
  });
});
