/**
 * Stack traces mapped to the TypeScript sources only when an error is logged, without
 * `--enable-source-maps`: a bundle built like the functions' throws, and its trace is mapped.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mapErrorStack, mapStackTrace } from "../../lib/ingest/stack-trace.ts";
import { BUNDLE_SETTINGS } from "../../testing/local/build.ts";

let dir: string;
let fail: () => never;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "relay-stack-"));
  const source = join(dir, "thrower.ts");
  await writeFile(
    source,
    [
      "// Line 1",
      "export function fail(): never {",
      '  throw new Error("from line 3");',
      "}",
      "",
    ].join("\n"),
  );
  await build({ ...BUNDLE_SETTINGS, entryPoints: [source], outfile: join(dir, "index.cjs") });
  ({ fail } = createRequire(import.meta.url)(join(dir, "index.cjs")) as { fail: () => never });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function thrown(): Error {
  try {
    fail();
  } catch (error) {
    return error as Error;
  }
}

describe("mapStackTrace", () => {
  it("points a frame in the bundle at the TypeScript file, line and column", () => {
    // Prepare
    const error = thrown();

    // Act
    const stack = mapStackTrace(error.stack ?? "");

    // Assess
    expect(error.stack).toContain("index.cjs:1:");
    expect(stack).toContain(`${join(dir, "thrower.ts")}:3:9`);
    expect(stack).not.toContain("index.cjs");
  });

  it("leaves frames without a source map as they are", () => {
    // Prepare
    const stack = "Error: x\n    at f (/nowhere/index.cjs:1:2)\n    at node:internal/x:3:4";

    // Act
    const mapped = mapStackTrace(stack);

    // Assess
    expect(mapped).toBe(stack);
  });
});

describe("mapErrorStack", () => {
  it("maps an error's stack and its cause's, once", () => {
    // Prepare
    const cause = thrown();
    const error = Object.assign(thrown(), { cause });

    // Act
    mapErrorStack(error);
    const once = error.stack;
    mapErrorStack(error);

    // Assess
    expect(error.stack).toContain("thrower.ts:3:9");
    expect(cause.stack).toContain("thrower.ts:3:9");
    expect(error.stack).toBe(once);
  });
});
