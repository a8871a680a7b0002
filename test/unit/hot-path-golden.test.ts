import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { hotPathCases } from "../fixtures/hot-path-cases.ts";
import { hotPathOutcome } from "../helpers/hot-path-outcome.ts";

const golden = JSON.parse(
  readFileSync(resolve(import.meta.dirname, "../fixtures/hot-path-golden.json"), "utf8"),
) as Record<string, unknown>;

describe("the hot path's outputs, recorded before it was optimised", () => {
  const cases = hotPathCases();

  it("covers every recorded case, and records every case", () => {
    expect(cases.map(([name]) => name).sort()).toEqual(Object.keys(golden).sort());
  });

  it.each(cases)("%s: the same message body, byte for byte, or the same refusal", (name, event) => {
    // Act
    const outcome = hotPathOutcome(event);
    // Assess: JSON text, so key order counts too
    expect(JSON.stringify(outcome, null, 2)).toBe(JSON.stringify(golden[name], null, 2));
  });
});
