import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hmacSha1Base64 } from "../../lib/ingest/signature.ts";
import { PRIMARY_AUTH_TOKEN } from "../../testing/tokens.ts";

const reference = (key: string, data: string) =>
  createHmac("sha1", key).update(data, "utf8").digest("base64");

// Any UTF-16 code unit, lone surrogates included: what a JavaScript string can hold.
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));
const anyText = (maxLength: number) => fc.string({ unit: codeUnit, maxLength });
const asciiKey = fc.string({ unit: "binary-ascii", maxLength: 64 });
// Past one block HMAC hashes the key first; non-ASCII keys take the createHmac path.
const anyKey = fc.oneof(
  asciiKey,
  anyText(100),
  fc.string({ unit: "binary-ascii", maxLength: 200 }),
);

describe("hmacSha1Base64", () => {
  it("equals createHmac for an auth token over a realistic callback", () => {
    // Prepare
    const data =
      "https://abc123.execute-api.us-east-1.amazonaws.com/status-callbacksAccountSidAC0123";
    // Act
    const ours = hmacSha1Base64(PRIMARY_AUTH_TOKEN, data);
    // Assess
    expect(ours).toBe(reference(PRIMARY_AUTH_TOKEN, data));
  });

  it("equals createHmac for ASCII keys of up to one block and any data", () => {
    fc.assert(
      fc.property(asciiKey, anyText(2000), (key, data) => {
        expect(hmacSha1Base64(key, data)).toBe(reference(key, data));
      }),
      { numRuns: 2000 },
    );
  });

  it("equals createHmac for keys longer than a block or not ASCII", () => {
    fc.assert(
      fc.property(anyKey, anyText(300), (key, data) => {
        expect(hmacSha1Base64(key, data)).toBe(reference(key, data));
      }),
      { numRuns: 1000 },
    );
  });

  it("equals createHmac at the block boundary, for keys of 63, 64 and 65 characters", () => {
    // Prepare
    const keys = [63, 64, 65].map((length) => "k".repeat(length));
    // Act
    const ours = keys.map((key) => hmacSha1Base64(key, "data"));
    // Assess
    expect(ours).toEqual(keys.map((key) => reference(key, "data")));
  });

  it("keeps each key's result apart when keys alternate, as during a rotation", () => {
    // Prepare
    const keys = Array.from({ length: 40 }, (_, i) => `${i}`.padStart(32, "0"));
    // Act: more keys than are remembered, each used twice, in turn
    const ours = [...keys, ...keys].map((key) => hmacSha1Base64(key, "same data"));
    // Assess
    expect(ours).toEqual([...keys, ...keys].map((key) => reference(key, "same data")));
  });
});
