/**
 * Property: whatever API Gateway event arrives (payload 1.0 or 2.0, any method, headers, body,
 * encoding, missing or null fields), the decoder returns a request or throws a 4xx HttpError.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CallbackRequest, decodeRequest } from "../../lib/ingest/decode.ts";
import { HttpError, PayloadTooLargeError } from "../../lib/ingest/errors.ts";
import {
  bodyField,
  hostileEvent,
  LIMIT,
  runs,
  validCallbackArbitrary,
} from "../helpers/arbitraries.ts";

const OPTIONS = { maxBodyBytes: LIMIT };
// Far above the microseconds a decode takes: only a pathological (quadratic, looping) case fails.
const BOUND_MS = 1_000;

type Outcome = { request: CallbackRequest } | { error: unknown };

function decode(event: Parameters<typeof decodeRequest>[0], publicUrl?: string): Outcome {
  try {
    return { request: decodeRequest(event, { ...OPTIONS, publicUrl }) };
  } catch (error) {
    return { error };
  }
}

function timed<T>(act: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = act();
  return { value, ms: performance.now() - started };
}

describe("decodeRequest, property-based", () => {
  it("returns a request or throws a 4xx HttpError for any hostile event", () => {
    fc.assert(
      fc.property(
        hostileEvent,
        fc.option(fc.constant("https://hooks.example.com/"), { nil: undefined }),
        (event, publicUrl) => {
          // Act
          const { value: outcome, ms } = timed(() => decode(event, publicUrl));

          // Assess
          expect(ms).toBeLessThan(BOUND_MS);
          if ("error" in outcome) {
            expect(outcome.error).toBeInstanceOf(HttpError);
            const status = (outcome.error as HttpError).statusCode;
            expect(status).toBeGreaterThanOrEqual(400);
            expect(status).toBeLessThan(500);
            return;
          }
          const { request } = outcome;
          expect(["GET", "POST"]).toContain(request.method);
          expect(typeof request.url).toBe("string");
          for (const [name, values] of request.params) {
            expect(typeof name).toBe("string");
            for (const value of values) expect(typeof value).toBe("string");
          }
        },
      ),
      { numRuns: runs(1000) },
    );
  });

  it("refuses every POST body over 64 KiB with 413, base64 or plain, and accepts none", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 * LIMIT }),
        fc.boolean(),
        fc.constantFrom("2.0", "1.0"),
        (excess, base64, version) => {
          // Prepare
          const text = `A=${"x".repeat(LIMIT - 2 + excess)}`;
          const body = base64 ? Buffer.from(text).toString("base64") : text;
          const headers = {
            host: "h.example",
            "content-type": "application/x-www-form-urlencoded",
          };
          const event = (version === "2.0"
            ? {
                version,
                rawPath: "/s",
                headers,
                requestContext: { http: { method: "POST" } },
                body,
                isBase64Encoded: base64,
              }
            : {
                httpMethod: "POST",
                path: "/s",
                headers,
                body,
                isBase64Encoded: base64,
              }) as unknown as Parameters<typeof decodeRequest>[0];

          // Act
          const outcome = decode(event);

          // Assess
          expect("error" in outcome && outcome.error).toBeInstanceOf(PayloadTooLargeError);
        },
      ),
      { numRuns: runs(200) },
    );
  });

  it("never decodes more than 64 KiB of parameters from any body", () => {
    fc.assert(
      fc.property(bodyField, (field) => {
        // Prepare
        const event = {
          version: "2.0",
          rawPath: "/s",
          headers: { host: "h.example", "content-type": "application/x-www-form-urlencoded" },
          requestContext: { http: { method: "POST" } },
          ...field,
        } as unknown as Parameters<typeof decodeRequest>[0];

        // Act
        const outcome = decode(event);

        // Assess
        if ("error" in outcome) {
          expect(outcome.error).toBeInstanceOf(HttpError);
          expect((outcome.error as HttpError).statusCode).toBeOneOf([400, 413]);
          return;
        }
        let size = 0;
        for (const [name, values] of outcome.request.params) {
          for (const value of values) size += name.length + value.length;
        }
        expect(size).toBeLessThanOrEqual(LIMIT);
      }),
      { numRuns: runs(1000) },
    );
  });

  it("decodes the parameters of every genuinely valid callback exactly as Twilio sent them", () => {
    fc.assert(
      fc.property(validCallbackArbitrary(), ({ event, params }) => {
        // Act
        const outcome = decode(event);

        // Assess
        expect("request" in outcome).toBe(true);
        if (!("request" in outcome)) return;
        const expected = Object.fromEntries(
          Object.entries(params).map(([name, value]) => [
            name,
            Array.isArray(value) ? value : [value],
          ]),
        );
        expect(Object.fromEntries(outcome.request.params)).toEqual(expected);
      }),
      { numRuns: runs(500) },
    );
  });
});
