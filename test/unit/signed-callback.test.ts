/**
 * `signedCallback` signs with the relay's own `computeTwilioSignature` (so the `twilio` package
 * never enters the published package), and that signature is exactly the one the official
 * `twilio` package expects: the oracle, over generated tokens, URLs and parameters.
 */

import type { APIGatewayProxyEventV2 } from "aws-lambda";
import fc from "fast-check";
import twilio from "twilio";
import { describe, expect, it } from "vitest";
import { ALL_EVENTS, callbackParams } from "../../testing/samples.ts";
import {
  callbackUrl,
  type FormParams,
  signedCallback,
  twilioSignature,
} from "../../testing/signed-callback.ts";
import { PRIMARY_AUTH_TOKEN, SECONDARY_AUTH_TOKEN } from "../../testing/tokens.ts";
import { hostileText, parameterName, runs } from "../helpers/arbitraries.ts";

const token = fc.oneof(
  fc.stringMatching(/^[0-9a-f]{32}$/),
  fc.string({ unit: "binary", minLength: 1, maxLength: 40 }),
);
const url = fc.oneof(
  fc.webUrl({ withQueryParameters: true }),
  fc.constantFrom(
    "https://abc123.execute-api.us-east-1.amazonaws.com/status-callbacks",
    "https://hooks.example.com:8443/cb?tenant=a&x=a+b%20c",
  ),
);
const params: fc.Arbitrary<FormParams> = fc
  .array(
    fc.tuple(
      parameterName,
      fc.oneof(hostileText, fc.array(hostileText, { minLength: 1, maxLength: 3 })),
    ),
    { maxLength: 6 },
  )
  // Object.fromEntries defines own properties, so a parameter named __proto__ is kept.
  .map((pairs) => Object.fromEntries(pairs));

describe("twilioSignature", () => {
  it("equals twilio.getExpectedTwilioSignature for any token, URL and parameters", () => {
    fc.assert(
      fc.property(token, url, params, (t, u, p) => {
        expect(twilioSignature(t, u, p)).toBe(twilio.getExpectedTwilioSignature(t, u, p));
      }),
      { numRuns: runs(300) },
    );
  });
});

describe("signedCallback", () => {
  it.each(ALL_EVENTS)("signs a POST of %s as the twilio package validates it", (event) => {
    // Prepare
    const params = callbackParams(event);

    // Act
    const request = signedCallback({ event, token: SECONDARY_AUTH_TOKEN });

    // Assess
    const signature = request.headers?.["x-twilio-signature"] ?? "";
    expect(twilio.validateRequest(SECONDARY_AUTH_TOKEN, signature, callbackUrl(), params)).toBe(
      true,
    );
  });

  it("signs a GET over the URL with the parameters in its query string", () => {
    // Act
    const request = signedCallback({ method: "GET" }) as APIGatewayProxyEventV2;

    // Assess
    const url = callbackUrl({ query: request.rawQueryString });
    const signature = request.headers["x-twilio-signature"] ?? "";
    expect(twilio.validateRequest(PRIMARY_AUTH_TOKEN, signature, url, {})).toBe(true);
  });
});
