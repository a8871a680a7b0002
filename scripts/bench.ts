/**
 * `npm run bench`: what users pay for, measured.
 * - cold start: each function's bundle (as deployed) imported in fresh Node processes;
 * - signature verification: valid and forged callbacks, ours against `twilio.validateRequest`;
 * - warm latency of the whole handler against a local SQS server (fauxqs).
 * Figures vary with the machine; compare runs on the same one.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import twilio from "twilio";
import { createIngestHandler } from "../lib/ingest-handler.ts";
import { verifyTwilioSignature } from "../lib/signature.ts";
import { createSqsPublisher } from "../lib/sqs-publisher.ts";
import { callbackParams, LOCAL_AUTH_TOKEN } from "../test/fixtures/callbacks.ts";
import { signedCallback } from "../test/helpers/signed-callback.ts";
import { BUNDLE_FILE, buildFunctions } from "./build.ts";
import { startLocalSqs } from "./local/sqs.ts";

const COLD_RUNS = Number(process.env.RUNS ?? 21);

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);

interface ImportSample {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly rssMiB: number;
}

// Wall time of the import, the CPU time it took (steadier on a busy machine), and the memory the
// process holds after it. The exit is explicit: nothing started at import may keep it alive.
const PROBE =
  "const cpu=process.cpuUsage();const t=performance.now();await import(process.argv[1]);" +
  "const ms=performance.now()-t;const u=process.cpuUsage(cpu);" +
  "console.log(JSON.stringify([ms,(u.user+u.system)/1000,process.memoryUsage().rss/1048576]));" +
  "process.exit(0)";

/** Imports a bundle in a fresh Node process, as Lambda's init phase does. */
function coldImport(file: string, sourceMaps: boolean): ImportSample {
  const out = execFileSync(
    process.execPath,
    [...(sourceMaps ? ["--enable-source-maps"] : []), "--input-type=module", "-e", PROBE, file],
    {
      env: {
        PATH: process.env.PATH ?? "",
        // What the ingest function needs to start; nothing is sent anywhere at import.
        QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/relay.fifo",
        TWILIO_AUTH_TOKEN: LOCAL_AUTH_TOKEN,
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "bench",
        AWS_SECRET_ACCESS_KEY: "bench",
      },
      encoding: "utf8",
    },
  );
  const [wallMs = Number.NaN, cpuMs = Number.NaN, rssMiB = Number.NaN] = JSON.parse(
    out.trim().split("\n").at(-1) ?? "[]",
  ) as number[];
  return { wallMs, cpuMs, rssMiB };
}

async function benchColdStart(): Promise<void> {
  const outDir = mkdtempSync(join(tmpdir(), "relay-bench-"));
  try {
    const built = await buildFunctions({ outDir });
    const empty = join(outDir, "empty.cjs");
    writeFileSync(empty, "module.exports = {};");
    const bundles: Array<{ label: string; file: string; bytes: number; zipBytes?: number }> = [
      { label: "empty module (floor)", file: empty, bytes: statSync(empty).size },
      ...built.map((f) => ({
        label: `functions/${f.name}.ts`,
        file: join(outDir, f.name, BUNDLE_FILE),
        bytes: f.bundleBytes,
        zipBytes: f.zipBytes,
      })),
    ];
    const samples = bundles.map(() => ({
      plain: [] as ImportSample[],
      maps: [] as ImportSample[],
    }));
    // Interleaved, so that a busy machine slows every bundle alike.
    for (let run = 0; run < COLD_RUNS; run += 1) {
      bundles.forEach((bundle, index) => {
        samples[index]?.plain.push(coldImport(bundle.file, false));
        samples[index]?.maps.push(coldImport(bundle.file, true));
      });
    }
    console.log(
      `\n## Cold start: import in a fresh Node ${process.version} process (median of ${COLD_RUNS})\n`,
    );
    console.log("Deployed functions run with `--enable-source-maps` (readable stack traces).\n");
    console.log("| bundle | size | zip | import | CPU | with source maps | CPU | RSS after |");
    console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    bundles.forEach((bundle, index) => {
      const { plain = [], maps = [] } = samples[index] ?? {};
      const median = (list: ImportSample[], key: keyof ImportSample) =>
        fmt(
          quantile(
            list.map((s) => s[key]),
            0.5,
          ),
        );
      console.log(
        `| ${bundle.label} | ${fmt(bundle.bytes / 1024)} KiB | ${bundle.zipBytes ? `${fmt(bundle.zipBytes / 1024)} KiB` : "-"} | ${median(plain, "wallMs")} ms | ${median(plain, "cpuMs")} ms | ${median(maps, "wallMs")} ms | ${median(maps, "cpuMs")} ms | ${median(maps, "rssMiB")} MiB |`,
      );
    });
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

// Best of three rounds after a warm-up, so JIT tiers and a busy machine matter less.
function timePerOp(iterations: number, op: () => unknown): number {
  for (let i = 0; i < 5000; i += 1) op();
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round += 1) {
    const start = performance.now();
    for (let i = 0; i < iterations; i += 1) op();
    best = Math.min(best, ((performance.now() - start) * 1000) / iterations);
  }
  return best;
}

function benchSignature(): void {
  const url = "https://abc123.execute-api.us-east-1.amazonaws.com/status-callbacks";
  const params = callbackParams("media-processor-failed");
  const map = new Map(Object.entries(params).map(([k, v]) => [k, [v]]));
  const valid = twilio.getExpectedTwilioSignature(LOCAL_AUTH_TOKEN, url, params);
  const forged = "AAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  const tokens = [LOCAL_AUTH_TOKEN];
  const ours = (signature: string) => () =>
    verifyTwilioSignature({ url, params: map, signature, tokens });
  const theirs = (signature: string) => () =>
    twilio.validateRequest(LOCAL_AUTH_TOKEN, signature, url, params);
  const n = 20_000;
  console.log(
    "\n## Signature verification (one token, a realistic media-processor-failed callback)\n",
  );
  console.log("| request | relay | twilio.validateRequest | relay HMACs |");
  console.log("| --- | ---: | ---: | ---: |");
  console.log(
    `| valid | ${fmt(timePerOp(n, ours(valid)), 2)} us | ${fmt(timePerOp(n, theirs(valid)), 2)} us | ${verifyTwilioSignature({ url, params: map, signature: valid, tokens }).hmacs} |`,
  );
  console.log(
    `| forged, well-formed | ${fmt(timePerOp(n, ours(forged)), 2)} us | ${fmt(timePerOp(n, theirs(forged)), 2)} us | ${verifyTwilioSignature({ url, params: map, signature: forged, tokens }).hmacs} (twilio: 6) |`,
  );
  console.log(
    `| forged, not a signature | ${fmt(timePerOp(n, ours("garbage")), 2)} us | ${fmt(timePerOp(n, theirs("garbage")), 2)} us | 0 |`,
  );
}

async function benchHandler(): Promise<void> {
  const sqs = await startLocalSqs();
  try {
    const { queueUrl } = await sqs.createQueues("bench");
    const handler = createIngestHandler({
      config: { authTokens: [LOCAL_AUTH_TOKEN], publicUrl: undefined },
      publisher: createSqsPublisher({ queueUrl, client: sqs.client }),
      clock: () => new Date(),
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    const requests = 1000;
    const latencies: number[] = [];
    for (let i = 0; i < requests; i += 1) {
      const timestamp = new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)).toISOString();
      const event = signedCallback({ params: callbackParams("stream-ended", { timestamp }) });
      const start = performance.now();
      const response = await handler(event);
      latencies.push(performance.now() - start);
      if (response.statusCode !== 200)
        throw new Error(`request ${i}: ${response.statusCode} ${response.body}`);
    }
    console.log(
      `\n## Warm handler, end to end into fauxqs on loopback (${requests} sequential signed POSTs)\n`,
    );
    console.log("| p50 | p90 | p99 | max |");
    console.log("| ---: | ---: | ---: | ---: |");
    console.log(
      `| ${fmt(quantile(latencies, 0.5), 2)} ms | ${fmt(quantile(latencies, 0.9), 2)} ms | ${fmt(quantile(latencies, 0.99), 2)} ms | ${fmt(Math.max(...latencies), 2)} ms |`,
    );
  } finally {
    await sqs.stop();
  }
}

console.log(`# twilio-status-relay bench (${new Date().toISOString()}, Node ${process.version})`);
await benchColdStart();
benchSignature();
await benchHandler();
