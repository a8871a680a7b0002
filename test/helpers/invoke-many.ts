/**
 * A Lambda container in miniature, for the memory test: loads a built handler (`index.cjs`
 * unpacked from the artifact) once, then invokes it with API Gateway events one after another,
 * as Lambda does, each deserialised from its JSON as the runtime does. Measures memory after a
 * warm-up and again after the measured invocations, each time after full garbage collections.
 *
 * Run on Node 24 with `--expose-gc`:
 *   node --expose-gc invoke-many.ts <task dir> <events file, one JSON event a line> <warm-up> <measured>
 * Prints one line on stderr: `RESULT {...}` (see {@link InvokeManyResult}). The handler's own
 * logs go to stdout, untouched.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

export interface MemoryReading {
  readonly rss: number;
  readonly heapUsed: number;
}

export interface InvokeManyResult {
  readonly warmUp: number;
  readonly measured: number;
  /** Status codes of every invocation, warm-up included, and how many of each. */
  readonly statusCodes: Record<string, number>;
  readonly before: MemoryReading;
  readonly after: MemoryReading;
  readonly measuredSeconds: number;
}

type Handler = (event: unknown) => Promise<{ statusCode: number }>;

async function collectGarbage(): Promise<MemoryReading> {
  const gc = globalThis.gc;
  if (gc === undefined) throw new Error("run with --expose-gc");
  // Several rounds, with turns of the event loop between them, so that what a round frees (and
  // the sockets and timers it closes) is gone before the reading.
  for (let round = 0; round < 4; round += 1) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

async function main(): Promise<void> {
  const [taskDir = "", eventsFile = "", warmUpText = "", measuredText = ""] = process.argv.slice(2);
  const warmUp = Number(warmUpText);
  const measured = Number(measuredText);
  // The raw events stay outside the JavaScript heap, the same bytes throughout, so that the
  // heap holds only what the handler keeps; each is decoded when its turn comes, as the runtime
  // decodes the invocation it receives.
  const raw = readFileSync(eventsFile);
  const ends: number[] = [];
  for (let at = raw.indexOf(10); at !== -1; at = raw.indexOf(10, at + 1)) ends.push(at);
  ends.push(raw.length);
  if (ends.length < warmUp + measured) {
    throw new Error(`${eventsFile} holds ${ends.length} events, not ${warmUp + measured}`);
  }
  const eventAt = (i: number): unknown =>
    JSON.parse(raw.toString("utf8", i === 0 ? 0 : (ends[i - 1] ?? 0) + 1, ends[i]));
  const { handler } = createRequire(join(taskDir, "index.cjs"))(join(taskDir, "index.cjs")) as {
    handler: Handler;
  };
  const statusCodes: Record<string, number> = {};
  const invoke = async (from: number, to: number) => {
    for (let i = from; i < to; i += 1) {
      const { statusCode } = await handler(eventAt(i));
      statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
    }
  };

  await invoke(0, warmUp);
  const before = await collectGarbage();
  const started = performance.now();
  await invoke(warmUp, warmUp + measured);
  const measuredSeconds = (performance.now() - started) / 1000;
  const after = await collectGarbage();
  const result: InvokeManyResult = {
    warmUp,
    measured,
    statusCodes,
    before,
    after,
    measuredSeconds,
  };
  process.stderr.write(`RESULT ${JSON.stringify(result)}\n`);
}

await main();
