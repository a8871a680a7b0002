/**
 * Decoding an Event Streams sink delivery: a POST whose URL carries `bodySHA256` keeps its raw
 * body bytes (hashed as received) and the hash; the SharedKey settings header is read in any case.
 */
import { describe, expect, it } from "vitest";
import { decodeRequest } from "../../lib/ingest/decode.ts";
import { signedSinkDelivery } from "../../testing/event-streams.ts";
import { signedCallback } from "../../testing/signed-callback.ts";

const OPTIONS = { publicUrl: undefined, maxBodyBytes: 64 * 1024, maxSinkBodyBytes: 1024 * 1024 };

describe("decodeRequest, sink deliveries", () => {
  it("keeps the body's bytes exactly, even bytes that are not UTF-8, and the first bodySHA256", () => {
    // Prepare: a base64 body with bytes that UTF-8 decoding would replace
    const bytes = Buffer.from([0x5b, 0xff, 0xfe, 0x5d]);
    const event = signedSinkDelivery({ query: "bodySHA256=first" });
    Object.assign(event, { body: bytes.toString("base64"), isBase64Encoded: true });
    // Act
    const request = decodeRequest(event, OPTIONS);
    // Assess
    expect(request.sink?.body.equals(bytes)).toBe(true);
    expect(request.sink?.bodySha256).toBe("first");
    expect(request.signedParams.size).toBe(0);
  });

  it("reads the URL's parameters of a REST API (1.0) delivery, bodySHA256 among them", () => {
    // Act
    const request = decodeRequest(
      signedSinkDelivery({ version: "1.0", query: "AccountSid=AC1" }),
      OPTIONS,
    );
    // Assess
    expect(request.sink?.bodySha256).toMatch(/^[0-9a-f]{64}$/);
    expect(request.params.get("AccountSid")).toEqual(["AC1"]);
  });

  it("allows a sink body up to its own limit, above the form limit", () => {
    // Prepare
    const body = JSON.stringify([{ id: "x", pad: "y".repeat(200 * 1024) }]);
    // Act
    const request = decodeRequest(signedSinkDelivery({ body }), OPTIONS);
    // Assess
    expect(request.sink?.body.length).toBe(Buffer.byteLength(body));
  });

  it("reads X-Twilio-Webhooks-Signature-Settings whatever its case", () => {
    // Act
    const request = decodeRequest(
      signedCallback({
        version: "1.0",
        headers: { "X-Twilio-Webhooks-Signature-Settings": "key=k,algorithm=HMAC_SHA256" },
      }),
      OPTIONS,
    );
    // Assess
    expect(request.signatureSettings).toBe("key=k,algorithm=HMAC_SHA256");
    expect(request.sink).toBeUndefined();
  });
});
