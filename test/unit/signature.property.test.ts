/**
 * Properties of the verifier over generated input: it never throws, whatever the header, URL,
 * parameters and tokens, and it agrees with the official `twilio.validateRequest` both ways, on
 * signatures the `twilio` package computes over the URL as received, a variant of it, other
 * parameters or another token, and on forged headers; the same with HMAC-SHA256 (SharedKey), and
 * `twilio.validateRequestWithBody` on JSON bodies.
 */
import { parse as parseQuery, stringify as stringifyQuery } from "node:querystring";
import fc from "fast-check";
import twilio from "twilio";
import { describe, expect, it } from "vitest";
import { bodyMatchesHash, verifyTwilioSignature } from "../../lib/ingest/signature.ts";
import { hostileText, parameterName, runs } from "../helpers/arbitraries.ts";

type OracleParams = Record<string, string | string[]>;

const token = fc.oneof(
  fc.stringMatching(/^[0-9a-f]{32}$/),
  fc.string({ unit: "binary", minLength: 1, maxLength: 40 }),
);

const header = fc.oneof(
  hostileText,
  fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => Buffer.from(b).toString("base64")),
  fc.constantFrom("", "=", `${"A".repeat(27)}=`, `${"/".repeat(27)}=`, `${"A".repeat(28)}==`),
  fc.constant(undefined),
);

const params = fc
  .array(fc.tuple(parameterName, fc.array(hostileText, { minLength: 1, maxLength: 3 })), {
    maxLength: 6,
  })
  .map((pairs) => new Map(pairs));

const host = fc.constantFrom(
  "abc123.execute-api.us-east-1.amazonaws.com",
  "hooks.example.com",
  "user:pw@hooks.example.com",
  "[::1]",
  "127.0.0.1",
  "xn--bcher-kva.example",
  "bücher.example",
  "",
);

/** URLs as the decoder may build them: any scheme text, host, port, path and raw query. */
const url = fc.oneof(
  fc
    .record({
      scheme: fc.constantFrom("https://", "http://", "HTTPS://", "ftp://", ""),
      host,
      port: fc.constantFrom("", "", ":443", ":80", ":8443", ":", ":99999"),
      path: fc.array(hostileText, { maxLength: 4 }).map((s) => `/${s.join("/")}`),
      query: fc.option(hostileText, { nil: undefined }),
    })
    .map(
      (u) => `${u.scheme}${u.host}${u.port}${u.path}${u.query === undefined ? "" : `?${u.query}`}`,
    ),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  hostileText,
);

function toOracle(map: ReadonlyMap<string, readonly string[]>): OracleParams {
  // fromEntries makes "__proto__" an own property, as in a parsed body.
  return Object.fromEntries(
    [...map].map(([name, values]) => [name, values.length === 1 ? (values[0] ?? "") : [...values]]),
  );
}

function oracleAccepts(
  tokens: readonly string[],
  signature: string | undefined,
  u: string,
  p: OracleParams,
): boolean {
  return tokens.some((t) => {
    try {
      return twilio.validateRequest(t, signature ?? "", u, p);
    } catch {
      // validateRequest throws on a URL `new URL` cannot parse, once the as-received forms failed.
      return false;
    }
  });
}

function variantOf(u: string, variant: number): string {
  try {
    if (variant === 1) return u.replace(/^(\w+:\/\/[^/?#:]*)(?=[/?#]|$)/, "$1:443");
    if (variant === 2) return new URL(u).toString();
    if (variant === 3) {
      const normalised = new URL(u).toString();
      const at = normalised.indexOf("?");
      if (at === -1) return normalised;
      return `${normalised.slice(0, at)}?${stringifyQuery(parseQuery(normalised.slice(at + 1)))}`;
    }
    if (variant === 4) return `${u}/`;
  } catch {
    return u;
  }
  return u;
}

describe("verifyTwilioSignature, property-based", () => {
  it("never throws and never accepts a header that is not a signature, for any input", () => {
    fc.assert(
      fc.property(url, params, header, fc.array(token, { maxLength: 3 }), (u, p, h, tokens) => {
        // Act
        const verdict = verifyTwilioSignature({ url: u, params: p, signature: h, tokens });

        // Assess
        expect(typeof verdict.valid).toBe("boolean");
        if (verdict.valid) expect(h).toMatch(/^[A-Za-z0-9+/]{27}=$/);
        expect(verdict.hmacs).toBeLessThanOrEqual(6 * tokens.length);
      }),
      { numRuns: runs(2000) },
    );
  });

  it("agrees with twilio.validateRequest on signed, re-signed and forged requests", () => {
    const verdicts = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(
        url,
        params,
        token,
        token,
        fc.integer({ min: 0, max: 9 }),
        fc.boolean(),
        (u, p, primary, other, variant, rotation) => {
          // Prepare: signed by the oracle over the URL as received or a variant (0-4), with
          // other parameters (5), with another token (6), then tampered (7) or forged (8, 9).
          const oracleParams = toOracle(p);
          const signingToken = variant === 6 ? other : primary;
          const signedParams = variant === 5 ? { ...oracleParams, Extra: "1" } : oracleParams;
          let signature = twilio.getExpectedTwilioSignature(
            signingToken,
            variantOf(u, variant),
            signedParams,
          );
          if (variant === 7)
            signature = `${signature.slice(0, 5)}${signature[5] === "A" ? "B" : "A"}${signature.slice(6)}`;
          if (variant === 8) signature = signature.toLowerCase();
          if (variant === 9) signature = `${signature.slice(0, 27)}A`;
          const tokens = rotation ? [other, primary] : [primary];

          // Act
          const ours = verifyTwilioSignature({ url: u, params: p, signature, tokens }).valid;
          const theirs = oracleAccepts(tokens, signature, u, oracleParams);

          // Assess
          expect(ours).toBe(theirs);
          verdicts[theirs ? "accepted" : "refused"] += 1;
        },
      ),
      { numRuns: runs(1500) },
    );
    // Both verdicts are exercised, so agreement is not agreement on "refused" alone.
    const total = verdicts.accepted + verdicts.refused;
    expect(verdicts.accepted).toBeGreaterThan(total * 0.2);
    expect(verdicts.refused).toBeGreaterThan(total * 0.2);
  });
});

describe("verifyTwilioSignature with HMAC-SHA256, property-based", () => {
  it("agrees with twilio.validateRequest(..., algorithm) on signed, re-signed and forged requests", () => {
    const verdicts = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(
        url,
        params,
        token,
        token,
        fc.integer({ min: 0, max: 9 }),
        fc.constantFrom("HMAC_SHA256", "hmac_sha256", "HMAC_SHA1"),
        (u, p, primary, other, variant, algorithm) => {
          // Prepare: as above; variant 9 signs with the other algorithm
          const oracleParams = toOracle(p);
          const signingToken = variant === 6 ? other : primary;
          const signedParams = variant === 5 ? { ...oracleParams, Extra: "1" } : oracleParams;
          const otherAlgorithm = algorithm === "HMAC_SHA1" ? "HMAC_SHA256" : "HMAC_SHA1";
          let signature = twilio.getExpectedTwilioSignature(
            signingToken,
            variantOf(u, variant),
            signedParams,
            variant === 9 ? otherAlgorithm : algorithm,
          );
          if (variant === 7)
            signature = `${signature.slice(0, 5)}${signature[5] === "A" ? "B" : "A"}${signature.slice(6)}`;
          if (variant === 8) signature = signature.toLowerCase();
          const hash = algorithm === "HMAC_SHA1" ? "sha1" : "sha256";

          // Act
          const ours = verifyTwilioSignature({
            url: u,
            params: p,
            signature,
            tokens: [primary],
            algorithm: hash,
          }).valid;
          let theirs: boolean;
          try {
            theirs = twilio.validateRequest(primary, signature, u, oracleParams, algorithm);
          } catch {
            theirs = false;
          }

          // Assess
          expect(ours).toBe(theirs);
          verdicts[theirs ? "accepted" : "refused"] += 1;
        },
      ),
      { numRuns: runs(1500) },
    );
    const total = verdicts.accepted + verdicts.refused;
    expect(verdicts.accepted).toBeGreaterThan(total * 0.2);
    expect(verdicts.refused).toBeGreaterThan(total * 0.2);
  });
});

describe("bodyMatchesHash, property-based", () => {
  it("agrees with twilio.validateBody for any body and any bodySHA256 text", () => {
    fc.assert(
      fc.property(
        fc.oneof(hostileText, fc.json()),
        fc.oneof(
          fc.constant("own"),
          fc.constant("upper"),
          hostileText,
          fc.stringMatching(/^[0-9a-f]{64}$/),
        ),
        (body, hashKind) => {
          // Prepare
          const own = twilio.getExpectedBodyHash(body);
          const bodySha256 =
            hashKind === "own" ? own : hashKind === "upper" ? own.toUpperCase() : hashKind;

          // Act
          const ours = bodyMatchesHash(Buffer.from(body, "utf8"), bodySha256);

          // Assess
          expect(ours).toBe(twilio.validateBody(body, bodySha256));
        },
      ),
      { numRuns: runs(2000) },
    );
  });
});
