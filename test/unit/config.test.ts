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
