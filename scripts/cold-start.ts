/**
 * `node scripts/cold-start.ts [bundle.mjs ...]`: how long a fresh Node process takes to import
 * each built bundle (module load plus the handler's start-up wiring), the part of a Lambda cold
 * start that the bundle decides. Median of several runs, with and without source maps.
 * Defaults to every `dist/<function>/index.mjs`; run `npm run build` first.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const RUNS = Number(process.env.RUNS ?? 21);

// Configuration the ingest function needs to start; nothing is sent anywhere at import.
const ENVIRONMENT = {
  QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/relay.fifo",
  TWILIO_AUTH_TOKEN_PARAMETER: "/twilio-status-relay/bench/auth-token",
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
};

// Wall time of the import, and the CPU time it took (steadier on a busy machine).
const PROBE =
  "const cpu = process.cpuUsage(); const started = performance.now(); " +
  "await import(process.argv[1]); const used = process.cpuUsage(cpu); " +
  "console.log(performance.now() - started, (used.user + used.system) / 1000);";

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
}

function importMs(bundle: string, sourceMaps: boolean): Sample {
  const out = execFileSync(
    process.execPath,
    [...(sourceMaps ? ["--enable-source-maps"] : []), "--input-type=module", "-e", PROBE, bundle],
    { env: { PATH: process.env.PATH ?? "", ...ENVIRONMENT }, encoding: "utf8" },
  );
  const [wallMs = Number.NaN, cpuMs = Number.NaN] = out.trim().split(" ").map(Number);
  return { wallMs, cpuMs };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function summary(samples: readonly Sample[]): string {
  const wall = median(samples.map((s) => s.wallMs)).toFixed(1);
  const cpu = median(samples.map((s) => s.cpuMs)).toFixed(1);
  return `${wall} ms (cpu ${cpu} ms)`;
}

const bundles =
  process.argv.length > 2
    ? process.argv.slice(2).map((file) => resolve(file))
    : readdirSync(join(ROOT, "dist"))
        .map((name) => join(ROOT, "dist", name, "index.mjs"))
        .filter((file) => existsSync(file));

console.log(`node ${process.version}, median of ${RUNS} fresh processes`);
// Interleaved, so that a busy machine slows every bundle alike.
const timings = bundles.map(() => ({ without: [] as Sample[], withMaps: [] as Sample[] }));
for (let i = 0; i < RUNS; i += 1) {
  bundles.forEach((bundle, index) => {
    timings[index]?.without.push(importMs(bundle, false));
    timings[index]?.withMaps.push(importMs(bundle, true));
  });
}
bundles.forEach((bundle, index) => {
  const { without = [], withMaps = [] } = timings[index] ?? {};
  const kib = (statSync(bundle).size / 1024).toFixed(1);
  console.log(
    `${bundle}: ${kib} KiB, import ${summary(without)}, ` +
      `with --enable-source-maps ${summary(withMaps)}`,
  );
});
