import twilio from "twilio";
import { describe, expect, it } from "vitest";
import {
  computeTwilioSignature,
  signatureUrlCandidates,
  verifyTwilioSignature,
} from "../../lib/ingest/signature.ts";
import { callbackParams } from "../../testing/samples.ts";
import {
  FORGER_AUTH_TOKEN,
  PRIMARY_AUTH_TOKEN,
  SECONDARY_AUTH_TOKEN,
} from "../../testing/tokens.ts";

const URL_ = "https://abc123.execute-api.us-east-1.amazonaws.com/status-callbacks";

function asMap(params: Record<string, string | string[]>): Map<string, string[]> {
  return new Map(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
}

function signed(
  overrides: { url?: string; token?: string; params?: Record<string, string | string[]> } = {},
) {
  const params = overrides.params ?? callbackParams("media-processor-ended");
  const url = overrides.url ?? URL_;
  return {
    url,
    params: asMap(params),
    signature: twilio.getExpectedTwilioSignature(
      overrides.token ?? PRIMARY_AUTH_TOKEN,
      url,
      params,
    ),
    tokens: [PRIMARY_AUTH_TOKEN],
  };
}

describe("verifyTwilioSignature", () => {
  it("accepts a callback signed with the configured token, with one HMAC", () => {
    // Prepare
    const input = signed();
    // Act
    const result = verifyTwilioSignature(input);
    // Assess
    expect(result).toEqual({ valid: true, tokenIndex: 0, hmacs: 1 });
  });

  it("rejects a callback signed with another token", () => {
    const input = signed({ token: FORGER_AUTH_TOKEN });
    expect(verifyTwilioSignature(input).valid).toBe(false);
  });

  it("accepts a callback signed with the secondary token during a rotation", () => {
    const input = {
      ...signed({ token: SECONDARY_AUTH_TOKEN }),
      tokens: [PRIMARY_AUTH_TOKEN, SECONDARY_AUTH_TOKEN],
    };
    expect(verifyTwilioSignature(input)).toMatchObject({ valid: true, tokenIndex: 1 });
  });

  it("rejects a callback whose parameter was changed after signing", () => {
    const input = signed();
    input.params.set("EndedReason", ["tampered"]);
    expect(verifyTwilioSignature(input).valid).toBe(false);
  });

  it("rejects a callback signed for another URL", () => {
    const input = { ...signed(), url: `${URL_}-other` };
    expect(verifyTwilioSignature(input).valid).toBe(false);
  });

  it("accepts a URL signed with the default port that the request reached without it", () => {
    const input = { ...signed({ url: URL_.replace(".com/", ".com:443/") }), url: URL_ };
    expect(verifyTwilioSignature(input).valid).toBe(true);
  });

  it("accepts repeated parameters, empty values and non-ASCII text as twilio does", () => {
    const input = signed({
      params: { b: ["z", "a", "z"], a: "", é: "日本 😀", Url: "https://x.test/?q=1&r=2" },
    });
    expect(verifyTwilioSignature(input).valid).toBe(true);
  });

  it("computes a header that cannot be a signature at no HMAC cost", () => {
    for (const signature of [
      undefined,
      "",
      "not-a-signature",
      "a".repeat(28),
      `${"A".repeat(27)}=x`,
    ]) {
      expect(verifyTwilioSignature({ ...signed(), signature })).toEqual({ valid: false, hmacs: 0 });
    }
  });

  it("rejects a well-formed forgery with two HMACs per token for a plain URL", () => {
    // Prepare: twilio.validateRequest would compute six for the same request
    const input = {
      ...signed(),
      signature: "AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
      tokens: [PRIMARY_AUTH_TOKEN, SECONDARY_AUTH_TOKEN],
    };
    // Act
    const result = verifyTwilioSignature(input);
    // Assess
    expect(result).toEqual({ valid: false, hmacs: 4 });
  });
});

describe("computeTwilioSignature", () => {
  it("computes the signature the twilio package computes", () => {
    const params = { ...callbackParams("stream-failed"), Repeated: ["2", "1", "2"] };
    expect(computeTwilioSignature(PRIMARY_AUTH_TOKEN, URL_, asMap(params))).toBe(
      twilio.getExpectedTwilioSignature(PRIMARY_AUTH_TOKEN, URL_, params),
    );
  });
});

describe("signatureUrlCandidates", () => {
  it("tries each distinct URL form once", () => {
    expect([...signatureUrlCandidates(URL_)]).toEqual([URL_, URL_.replace(".com/", ".com:443/")]);
  });

  it("adds the normalised and legacy-encoded forms when they differ", () => {
    const candidates = [...signatureUrlCandidates("https://h.test/a b?x='1'")];
    expect(candidates).toEqual([
      "https://h.test/a b?x='1'",
      "https://h.test:443/a b?x='1'",
      "https://h.test/a%20b?x=%271%27",
      "https://h.test:443/a%20b?x=%271%27",
      "https://h.test/a%20b?x='1'",
      "https://h.test:443/a%20b?x='1'",
    ]);
  });
});
