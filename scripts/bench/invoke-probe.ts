/**
 * A Lambda container in miniature for the memory row: loads a bundle once, then invokes its
 * handler with the events of a file (one JSON event a line) one after another, as Lambda does.
 * `node invoke-probe.ts <bundle> <events file>` prints one line on stderr:
 * `RESULT {"initMs","liveHeapMiB","rssAfterInitMiB","rssAfterMiB","maxRssMiB","seconds","cpuMsPerInvocation","statusCodes"}`.
 * Resident memory is read as it is (no forced collection): what Lambda's "Max Memory Used" sees.
 * With `--expose-gc`, the heap still in use after full collections at the end (`liveHeapMiB`).
 */
import { createReadStream } from "node:fs";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";

const MIB = 1024 * 1024;
type Handler = (event: unknown) => Promise<{ statusCode: number }>;

const [bundle = "", eventsFile = ""] = process.argv.slice(2);
const started = performance.now();
const { handler } = createRequire(bundle)(bundle) as { handler: Handler };
const initMs = performance.now() - started;
const rssAfterInitMiB = process.memoryUsage().rss / MIB;
const statusCodes: Record<string, number> = {};
const invoking = performance.now();
const cpu = process.cpuUsage();
// Read as the loop goes: a container holds the event in hand, not the thousands to come, and the
// whole file in memory would be most of a small heap, collected over and over.
let invocations = 0;
for await (const line of createInterface({ input: createReadStream(eventsFile) })) {
  if (line === "") continue;
  const { statusCode } = await handler(JSON.parse(line));
  statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
  invocations += 1;
}
const used = process.cpuUsage(cpu);
// With --expose-gc: the heap the handler still holds after 10,000 invocations, once collected.
const gc = globalThis.gc;
if (gc) for (let round = 0; round < 3; round += 1) gc();
const result = {
  initMs,
  liveHeapMiB: gc ? process.memoryUsage().heapUsed / MIB : undefined,
  rssAfterInitMiB,
  rssAfterMiB: process.memoryUsage().rss / MIB,
  // ru_maxrss is in KiB on Linux.
  maxRssMiB: process.resourceUsage().maxRSS / 1024,
  seconds: (performance.now() - invoking) / 1000,
  // Garbage collection included: what a smaller heap costs in CPU.
  cpuMsPerInvocation: (used.user + used.system) / 1000 / invocations,
  statusCodes,
};
process.stderr.write(`RESULT ${JSON.stringify(result)}\n`);
process.exit(0);
