import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseForm } from "../../lib/ingest/decode.ts";
import { ALL_EVENTS, callbackParams } from "../../testing/samples.ts";
import { formBody } from "../../testing/signed-callback.ts";

// What parseForm must give: URLSearchParams' reading, grouped by name in order of appearance.
function reference(text: string): [string, string[]][] {
  const params = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(text)) {
    params.set(name, [...(params.get(name) ?? []), value]);
  }
  return [...params];
}

// Pieces that reach every branch: escapes valid and not, UTF-8 valid and not, separators,
// "+", a leading "?", lone surrogates, and any single UTF-16 code unit.
const piece = fc.oneof(
  fc.constantFrom(
    "%",
    "%2",
    "%41",
    "%4g",
    "%C3",
    "%A9",
    "%C3%A9",
    "%E2%82%AC",
    "%F0%9F%98%80",
    "%ED%A0%80",
    "%C0%AF",
    "%FF",
    "%00",
    "%EF%BB%BF",
    "%2B",
    "%3D",
    "%26",
    "%25",
    "+",
    "=",
    "&",
    "&&",
    "?",
    "a",
    "é",
    "😀",
    "\ud800",
    "\udc00",
  ),
  fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)),
);
const formText = fc.array(piece, { maxLength: 40 }).map((pieces) => pieces.join(""));

describe("parseForm", () => {
  it("reads every realistic callback body as URLSearchParams does", () => {
    // Prepare
    const bodies = ALL_EVENTS.map((event) => formBody(callbackParams(event)));
    // Act
    const parsed = bodies.map((body) => [...parseForm(body)]);
    // Assess
    expect(parsed).toEqual(bodies.map(reference));
  });

  it("reads any text as URLSearchParams does, escapes and broken UTF-8 included", () => {
    fc.assert(
      fc.property(formText, (text) => {
        expect([...parseForm(text)]).toEqual(reference(text));
      }),
      { numRuns: 20_000 },
    );
  });

  it("ignores one leading question mark, as URLSearchParams does", () => {
    expect([...parseForm("??a=1&b")]).toEqual([
      ["?a", ["1"]],
      ["b", [""]],
    ]);
  });
});
