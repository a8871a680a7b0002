/**
 * Records `test/fixtures/hot-path-golden.json`: the hot path's outcome for every case of
 * `test/fixtures/hot-path-cases.ts`. Run only when an output is meant to change, and say why in
 * the commit; `test/unit/hot-path-golden.test.ts` then holds every optimisation to it.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { hotPathCases } from "../fixtures/hot-path-cases.ts";
import { hotPathOutcome } from "../helpers/hot-path-outcome.ts";

const outcomes = Object.fromEntries(
  hotPathCases().map(([name, event]) => [name, hotPathOutcome(event)]),
);
const file = resolve(import.meta.dirname, "../fixtures/hot-path-golden.json");
writeFileSync(file, `${JSON.stringify(outcomes, null, 2)}\n`);
console.log(`${Object.keys(outcomes).length} outcomes -> ${file}`);
