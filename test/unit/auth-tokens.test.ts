import { describe, expect, it } from "vitest";
import { SecretError } from "../../lib/ingest/errors.ts";
import { cachedTokens, staticTokens } from "../../lib/ingest/tokens.ts";

function store(results: Array<readonly string[] | Error>) {
  let reads = 0;
  return {
    reads: () => reads,
    load: async () => {
      const result = results[Math.min(reads, results.length - 1)];
      reads += 1;
      if (result instanceof Error) throw result;
      return result ?? [];
    },
  };
}

describe("cachedTokens", () => {
  it("reads the store once within the TTL", async () => {
    // Prepare
    let now = 0;
    const source = store([["a"]]);
    const tokens = cachedTokens({ load: source.load, ttlMs: 1000, clock: () => new Date(now) });
    // Act
    await tokens();
    now = 999;
    const second = await tokens();
    // Assess
    expect(second).toEqual(["a"]);
    expect(source.reads()).toBe(1);
  });

  it("picks up a rotation once the TTL has passed", async () => {
    let now = 0;
    const source = store([["old"], ["new", "old"]]);
    const tokens = cachedTokens({ load: source.load, ttlMs: 1000, clock: () => new Date(now) });
    await tokens();
    now = 1000;
    expect(await tokens()).toEqual(["new", "old"]);
  });

  it("shares one read between concurrent callers", async () => {
    const source = store([["a"]]);
    const tokens = cachedTokens({ load: source.load, ttlMs: 1000, clock: () => new Date(0) });
    await Promise.all([tokens(), tokens(), tokens()]);
    expect(source.reads()).toBe(1);
  });

  it("does not cache a failed read", async () => {
    const source = store([new Error("throttled"), ["a"]]);
    const tokens = cachedTokens({ load: source.load, ttlMs: 1000, clock: () => new Date(0) });
    await expect(tokens()).rejects.toThrow(SecretError);
    expect(await tokens()).toEqual(["a"]);
  });

  it("treats an empty secret as a failure", async () => {
    const tokens = cachedTokens({ load: async () => [], ttlMs: 1000, clock: () => new Date(0) });
    await expect(tokens()).rejects.toThrow(/holds no auth token/);
  });
});

describe("staticTokens", () => {
  it("always resolves to the configured tokens", async () => {
    expect(await staticTokens(["a", "b"])()).toEqual(["a", "b"]);
  });
});
