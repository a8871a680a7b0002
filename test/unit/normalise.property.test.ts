/**
 * Property: whatever parameters a signed callback carries (odd names and values, known names
 * with garbage, repeated parameters, huge or deeply nested ExtensionContext, huge numbers), the
 * normaliser returns an event that passes StatusEventSchema and survives a JSON round trip, or
 * throws a BadRequestError; never anything else.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type StatusEvent, StatusEventSchema } from "../../lib/events/schemas.ts";
import { BadRequestError } from "../../lib/ingest/errors.ts";
import { normaliseCallback } from "../../lib/ingest/normalise.ts";
import type { Params } from "../../lib/ingest/signature.ts";
import { ALL_EVENTS, callbackParams } from "../../testing/samples.ts";
import {
  deepJson,
  KNOWN_PARAMETERS,
  LIMIT,
  parameterName,
  parameterValue,
  runs,
} from "../helpers/arbitraries.ts";

const CLOCK = () => new Date("2026-11-27T12:00:00.000Z");
const BOUND_MS = 1_000;

/** A realistic callback, with some parameters replaced, added, repeated or removed. */
const mutatedCallback: fc.Arbitrary<Params> = fc
  .record({
    event: fc.constantFrom(...ALL_EVENTS),
    replace: fc.dictionary(fc.constantFrom(...KNOWN_PARAMETERS), parameterValue, { maxKeys: 3 }),
    add: fc.array(fc.tuple(parameterName, parameterValue), { maxLength: 4 }),
    repeat: fc.option(fc.constantFrom(...KNOWN_PARAMETERS), { nil: undefined }),
    remove: fc.option(fc.constantFrom(...KNOWN_PARAMETERS), { nil: undefined }),
  })
  .map(({ event, replace, add, repeat, remove }) => {
    const base = { ...callbackParams(event), ...replace };
    const params = new Map<string, string[]>(
      Object.entries(base).map(([name, value]) => [name, [value]]),
    );
    for (const [name, value] of add) params.set(name, [...(params.get(name) ?? []), value]);
    if (repeat) params.set(repeat, [...(params.get(repeat) ?? []), "again"]);
    if (remove) params.delete(remove);
    return params;
  });

/** Parameters from nowhere: any names and values (unknown resources, mostly). */
const anyParams: fc.Arbitrary<Params> = fc
  .array(fc.tuple(parameterName, fc.array(parameterValue, { minLength: 1, maxLength: 3 })), {
    maxLength: 8,
  })
  .map((pairs) => new Map(pairs));

/** A valid MediaProcessor callback whose ExtensionContext is deeply nested (fits in 64 KiB). */
const deepContext: fc.Arbitrary<Params> = deepJson
  .filter((json) => json.length <= LIMIT)
  .map(
    (json) =>
      new Map(
        Object.entries({ ...callbackParams("media-processor-ended"), ExtensionContext: json }).map(
          ([name, value]) => [name, [value]],
        ),
      ),
  );

function checkOutcome(params: Params): "event" | "refused" {
  const started = performance.now();
  let event: StatusEvent;
  try {
    event = normaliseCallback(params, CLOCK);
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).problems.length).toBeGreaterThan(0);
    return "refused";
  } finally {
    expect(performance.now() - started).toBeLessThan(BOUND_MS);
  }
  expect(StatusEventSchema.safeParse(event).success).toBe(true);
  const json = JSON.stringify(event);
  const parsed: unknown = JSON.parse(json);
  expect(StatusEventSchema.safeParse(parsed).success).toBe(true);
  expect(JSON.stringify(parsed)).toBe(json);
  return "event";
}

describe("normaliseCallback, property-based", () => {
  it("returns a schema-valid, JSON-stable event or a BadRequestError for mutated callbacks", () => {
    const outcomes = { event: 0, refused: 0 };
    fc.assert(
      fc.property(mutatedCallback, (params) => {
        outcomes[checkOutcome(params)] += 1;
      }),
      { numRuns: runs(1500) },
    );
    // Both branches ran: the generator is not so wild that everything is refused.
    expect(outcomes.event).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });

  it("returns a schema-valid, JSON-stable event or a BadRequestError for any parameters", () => {
    fc.assert(
      fc.property(anyParams, (params) => {
        checkOutcome(params);
      }),
      { numRuns: runs(600) },
    );
  });

  it("returns a schema-valid, JSON-stable event or a BadRequestError for deep ExtensionContext", () => {
    fc.assert(
      fc.property(deepContext, (params) => {
        checkOutcome(params);
      }),
      { numRuns: runs(100) },
    );
  });
});
