/**
 * `npm run bench`: what users pay for, measured.
 * - cold start: each function's bundle (as deployed) imported in fresh Node processes;
 * - signature verification: valid and forged callbacks, ours against `twilio.validateRequest`;
 * - warm latency of the whole handler against a local SQS server (fauxqs).
 * Figures vary with the machine; compare runs on the same one.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
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

const COLD_RUNS = 15;

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);

/** Imports a file in a fresh Node process; returns [milliseconds to import, RSS MiB after]. */
function coldImport(file: string, env: Record<string, string>): [number, number] {
  const script = `const t=performance.now();await import(${JSON.stringify(file)});const ms=performance.now()-t;console.log(JSON.stringify([ms,process.memoryUsage().rss/1048576]))`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  return JSON.parse(out.trim().split("\n").at(-1) ?? "[]") as [number, number];
}

async function benchColdStart(): Promise<void> {
  const outDir = mkdtempSync(join(tmpdir(), "relay-bench-"));
  try {
    const built = await buildFunctions({ outDir });
    const env = {
      QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/relay.fifo",
      TWILIO_AUTH_TOKEN: LOCAL_AUTH_TOKEN,
      AWS_REGION: "us-east-1",
      POWERTOOLS_LOG_LEVEL: "SILENT",
    };
    const empty = join(outDir, "empty.mjs");
    execFileSync(process.execPath, [
      "-e",
      `require("fs").writeFileSync(${JSON.stringify(empty)}, "export {}")`,
    ]);
    console.log(
      `\n## Cold start (import in a fresh Node ${process.version} process, ${COLD_RUNS} runs)\n`,
    );
    console.log("| bundle | size | zip | import p50 | import p90 | RSS after |");
    console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
    const rows: Array<[string, string, number, number]> = [
      ["empty module (floor)", empty, statSync(empty).size, 0],
      ...built.map((f): [string, string, number, number] => [
        `functions/${f.name}.ts`,
        join(outDir, f.name, BUNDLE_FILE),
        f.bundleBytes,
        f.zipBytes,
      ]),
    ];
    for (const [label, file, bytes, zipBytes] of rows) {
      const runs = Array.from({ length: COLD_RUNS }, () => coldImport(file, env));
      const times = runs.map(([ms]) => ms);
      const rss = runs.map(([, mib]) => mib);
      console.log(
        `| ${label} | ${fmt(bytes / 1024)} KiB | ${zipBytes ? `${fmt(zipBytes / 1024)} KiB` : "-"} | ${fmt(quantile(times, 0.5))} ms | ${fmt(quantile(times, 0.9))} ms | ${fmt(quantile(rss, 0.5))} MiB |`,
      );
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

function timePerOp(iterations: number, op: () => unknown): number {
  for (let i = 0; i < Math.min(1000, iterations); i += 1) op();
  const start = performance.now();
  for (let i = 0; i < iterations; i += 1) op();
  return ((performance.now() - start) * 1000) / iterations;
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
