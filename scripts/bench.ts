/**
 * `npm run bench`: the relay against what a user would write without it (the `twilio` package's
 * `validateRequest` plus `@aws-sdk/client-sqs`, `scripts/bench/naive-handler.ts`), measured side
 * by side in one run, each figure with its target (issue 5):
 * 1. CPU per valid callback, whole hot path, against URLSearchParams + twilio.validateRequest;
 * 2. CPU to refuse a forged callback, against the same;
 * 3. cold start of the ingest bundle, against the naive handler's bundle and a bare SQS client's;
 * 4. size of the ingest bundle;
 * 5. throughput and latency at concurrency 50 into fauxqs, against the naive handler.
 * Figures vary with the machine and its load; the ratios are what to compare.
 * `RUNS` sets the cold-start runs (default 21), `ROUNDS` the throughput rounds (default 15).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import {
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  SQSClient,
  type SQSClientConfig,
} from "@aws-sdk/client-sqs";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { build } from "esbuild";
import twilio from "twilio";
import { createSqsClient, createSqsPublisher } from "../lib/ingest/aws/sqs-publisher.ts";
import { createIngestHandler } from "../lib/ingest/handler.ts";
import { verifyTwilioSignature } from "../lib/ingest/signature.ts";
import { staticTokens } from "../lib/ingest/tokens.ts";
import { BUNDLE_FILE, BUNDLE_SETTINGS, buildFunctions } from "../testing/local/build.ts";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../testing/local/sqs.ts";
import { callbackParams, LOCAL_AUTH_TOKEN } from "../testing/samples.ts";
import {
  cpuPerCall,
  forgedCallbacks,
  naiveHotPathWithMessage,
  naiveHotPath as naiveVerifyOnly,
  relayDecodeAndVerify,
  relayHotPath as relayWholePath,
  validCallbacks,
} from "./bench/hot-path.ts";
import { createNaiveHandler } from "./bench/naive-handler.ts";

const ROOT = resolve(import.meta.dirname, "..");
const COLD_RUNS = Number(process.env.RUNS ?? 21);
const THROUGHPUT_ROUNDS = Number(process.env.ROUNDS ?? 15);
const CONCURRENCY = 50;
const REQUESTS_PER_ROUND = 1000;
const HOT_ROUNDS = 31;

interface Row {
  readonly measure: string;
  readonly relay: string;
  readonly baseline: string;
  readonly ratio: number;
  readonly target: string;
  readonly met: boolean;
}
const summary: Row[] = [];

function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);

function atMost(measure: string, relay: string, baseline: string, ratio: number, max: number) {
  summary.push({ measure, relay, baseline, ratio, target: `<= ${max}`, met: ratio <= max });
}

// ---------------------------------------------------------------------------------------------
// 1 and 2: CPU per callback, no I/O.

/**
 * Relay and naive alternate in rounds (which one goes first alternates too), so a busy machine
 * slows both alike; each figure is the median over rounds of CPU time per callback.
 */
function compareCpu(
  events: readonly APIGatewayProxyEventV2[],
  passes: number,
  naiveHotPath: (event: APIGatewayProxyEventV2) => number = naiveVerifyOnly,
  relayHotPath: (event: APIGatewayProxyEventV2) => number = relayWholePath,
): { relay: number; naive: number; ratio: number } {
  for (let warm = 0; warm < 5; warm += 1) {
    cpuPerCall(events, relayHotPath, passes);
    cpuPerCall(events, naiveHotPath, passes);
  }
  const relay: number[] = [];
  const naive: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < HOT_ROUNDS; round += 1) {
    let ours: number;
    let theirs: number;
    if (round % 2 === 0) {
      ours = cpuPerCall(events, relayHotPath, passes);
      theirs = cpuPerCall(events, naiveHotPath, passes);
    } else {
      theirs = cpuPerCall(events, naiveHotPath, passes);
      ours = cpuPerCall(events, relayHotPath, passes);
    }
    relay.push(ours);
    naive.push(theirs);
    ratios.push(ours / theirs);
  }
  return { relay: median(relay), naive: median(naive), ratio: median(ratios) };
}

function benchHotPath(): void {
  const valid = validCallbacks(600);
  const forged = forgedCallbacks(600);
  // Both sides must agree on every request before their speed means anything.
  for (const event of valid) {
    if (relayWholePath(event) === 0 || naiveVerifyOnly(event) === 0) throw new Error("refused");
  }
  for (const event of forged) {
    if (relayWholePath(event) !== 0 || naiveVerifyOnly(event) !== 0) throw new Error("accepted");
  }
  const ok = compareCpu(valid, 4);
  const okFull = compareCpu(valid, 4, naiveHotPathWithMessage);
  const okVerify = compareCpu(valid, 4, naiveVerifyOnly, relayDecodeAndVerify);
  const bad = compareCpu(forged, 2);
  console.log("\n## CPU per callback (no I/O; median of", HOT_ROUNDS, "interleaved rounds)\n");
  console.log(
    "600 distinct HTTP API events (base64 body), all six events of both resources. Relay: " +
      "decodeRequest + verifyTwilioSignature + normaliseCallback + sqsMessage (JSON body). " +
      "Naive: base64 decode + URLSearchParams + twilio.validateRequest.\n",
  );
  console.log("| request | relay | naive | ratio (median of per-round ratios) |");
  console.log("| --- | ---: | ---: | ---: |");
  console.log(`| valid | ${fmt(ok.relay, 2)} us | ${fmt(ok.naive, 2)} us | ${fmt(ok.ratio, 2)} |`);
  console.log(
    `| forged | ${fmt(bad.relay, 2)} us | ${fmt(bad.naive, 2)} us | ${fmt(bad.ratio, 2)} |`,
  );
  console.log(
    `| valid; naive also builds its message (JSON of the parameters, SHA-256 of the body) | ${fmt(okFull.relay, 2)} us | ${fmt(okFull.naive, 2)} us | ${fmt(okFull.ratio, 2)} |`,
  );
  console.log(
    `| valid; relay only decodes and verifies (what the naive path does) | ${fmt(okVerify.relay, 2)} us | ${fmt(okVerify.naive, 2)} us | ${fmt(okVerify.ratio, 2)} |`,
  );
  atMost(
    "1. CPU per valid callback (decode, verify, normalise, serialise)",
    `${fmt(ok.relay, 2)} us`,
    `${fmt(ok.naive, 2)} us`,
    ok.ratio,
    1.0,
  );
  atMost(
    "2. CPU to refuse a forged callback",
    `${fmt(bad.relay, 2)} us`,
    `${fmt(bad.naive, 2)} us`,
    bad.ratio,
    0.5,
  );
}

// Signature verification alone, for the record: how many HMACs each side computes.
function benchSignature(): void {
  const url = "https://abc123.execute-api.us-east-1.amazonaws.com/status-callbacks";
  const params = callbackParams("media-processor-failed");
  const map = new Map(Object.entries(params).map(([k, v]) => [k, [v]]));
  const valid = twilio.getExpectedTwilioSignature(LOCAL_AUTH_TOKEN, url, params);
  const forged = twilio.getExpectedTwilioSignature("f".repeat(32), url, params);
  const tokens = [LOCAL_AUTH_TOKEN];
  const time = (op: () => unknown) => {
    for (let i = 0; i < 5000; i += 1) op();
    const rounds: number[] = [];
    for (let round = 0; round < 9; round += 1) {
      const start = process.cpuUsage();
      for (let i = 0; i < 5000; i += 1) op();
      const used = process.cpuUsage(start);
      rounds.push((used.user + used.system) / 5000);
    }
    return fmt(median(rounds), 2);
  };
  const ours = (signature: string) => () =>
    verifyTwilioSignature({ url, params: map, signature, tokens });
  const theirs = (signature: string) => () =>
    twilio.validateRequest(LOCAL_AUTH_TOKEN, signature, url, params);
  const hmacs = (signature: string) =>
    verifyTwilioSignature({ url, params: map, signature, tokens }).hmacs;
  console.log("\n## Signature verification alone (one token, media-processor-failed)\n");
  console.log("| request | relay | twilio.validateRequest | relay HMACs | twilio HMACs |");
  console.log("| --- | ---: | ---: | ---: | ---: |");
  console.log(
    `| valid | ${time(ours(valid))} us | ${time(theirs(valid))} us | ${hmacs(valid)} | 1 |`,
  );
  console.log(
    `| forged, well-formed | ${time(ours(forged))} us | ${time(theirs(forged))} us | ${hmacs(forged)} | 6 |`,
  );
  console.log(
    `| forged, not a signature | ${time(ours("garbage"))} us | ${time(theirs("garbage"))} us | 0 | 6 |`,
  );
}

// ---------------------------------------------------------------------------------------------
// 3 and 4: cold start and bundle size.

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
        // What the functions need to start; nothing is sent anywhere at import.
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

/** Bundles a benchmark entry point with the functions' own esbuild settings. */
async function bundleLikeFunctions(entry: string, outDir: string): Promise<string> {
  const outfile = join(outDir, entry.replace(/\.ts$/, ""), BUNDLE_FILE);
  await build({
    ...BUNDLE_SETTINGS,
    entryPoints: [join(ROOT, "scripts", "bench", entry)],
    outfile,
    absWorkingDir: ROOT,
    // The twilio package reads its package.json and optional files at run time; a bundle holds
    // them all. Its warnings about them are not the benchmark's business.
    logLevel: "error",
  });
  return outfile;
}

async function benchColdStart(): Promise<void> {
  const outDir = mkdtempSync(join(tmpdir(), "relay-bench-"));
  try {
    const built = await buildFunctions({ outDir });
    const empty = join(outDir, "empty.cjs");
    writeFileSync(empty, "module.exports = {};");
    const naive = await bundleLikeFunctions("naive-ingest.ts", outDir);
    const bare = await bundleLikeFunctions("bare-sqs.ts", outDir);
    const bundles = [
      { label: "empty module (floor)", file: empty },
      ...built.map((f) => ({
        label: `functions/${f.name}.ts`,
        file: join(outDir, f.name, BUNDLE_FILE),
      })),
      { label: "naive handler (twilio + client-sqs)", file: naive },
      { label: "bare @aws-sdk/client-sqs client", file: bare },
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
    const med = (list: readonly ImportSample[], key: keyof ImportSample) =>
      median(list.map((s) => s[key]));
    console.log(`\n## Cold start: import in a fresh Node process (median of ${COLD_RUNS})\n`);
    console.log(
      "Every bundle built with the functions' esbuild settings (`BUNDLE_SETTINGS`, minified " +
        "CommonJS). Deployed functions run with `--enable-source-maps`.\n",
    );
    console.log(
      "| bundle | size | import | CPU | with source maps | CPU | RSS after (source maps) |",
    );
    console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    bundles.forEach((bundle, index) => {
      const { plain = [], maps = [] } = samples[index] ?? {};
      console.log(
        `| ${bundle.label} | ${fmt(statSync(bundle.file).size / 1000)} KB | ${fmt(med(plain, "wallMs"))} ms | ${fmt(med(plain, "cpuMs"))} ms | ${fmt(med(maps, "wallMs"))} ms | ${fmt(med(maps, "cpuMs"))} ms | ${fmt(med(maps, "rssMiB"))} MiB |`,
      );
    });

    const ingestIndex = bundles.findIndex((b) => b.label === "functions/ingest.ts");
    const at = (index: number) => samples[index] ?? { plain: [], maps: [] };
    const ingest = at(ingestIndex);
    const naiveSamples = at(bundles.length - 2);
    const bareSamples = at(bundles.length - 1);
    // Ratios per run (the same run's processes ran back to back), then the median.
    const ratio = (
      ours: readonly ImportSample[],
      theirs: readonly ImportSample[],
      key: keyof ImportSample,
    ) => median(ours.map((s, i) => s[key] / (theirs[i]?.[key] ?? Number.NaN)));
    const ms = (list: readonly ImportSample[]) => `${fmt(med(list, "wallMs"))} ms`;
    atMost(
      "3a. Cold start (import, wall), ingest vs naive handler",
      ms(ingest.plain),
      ms(naiveSamples.plain),
      ratio(ingest.plain, naiveSamples.plain, "wallMs"),
      0.45,
    );
    atMost(
      "3b. Cold start (import, wall), ingest vs bare client-sqs",
      ms(ingest.plain),
      ms(bareSamples.plain),
      ratio(ingest.plain, bareSamples.plain, "wallMs"),
      1.3,
    );
    console.log(
      `\nRatios (median of per-run ratios), wall / CPU: ingest vs naive ${fmt(ratio(ingest.plain, naiveSamples.plain, "wallMs"), 2)} / ${fmt(ratio(ingest.plain, naiveSamples.plain, "cpuMs"), 2)}, ` +
        `ingest vs bare SDK ${fmt(ratio(ingest.plain, bareSamples.plain, "wallMs"), 2)} / ${fmt(ratio(ingest.plain, bareSamples.plain, "cpuMs"), 2)}; ` +
        `both with --enable-source-maps: vs naive ${fmt(ratio(ingest.maps, naiveSamples.maps, "wallMs"), 2)}, vs bare SDK ${fmt(ratio(ingest.maps, bareSamples.maps, "wallMs"), 2)}. ` +
        `Ingest as deployed (--enable-source-maps): ${ms(ingest.maps)}.`,
    );

    const ingestBytes = statSync(join(outDir, "ingest", BUNDLE_FILE)).size;
    const limit = 600_000;
    summary.push({
      measure: "4. Ingest bundle size (minified index.cjs)",
      relay: `${fmt(ingestBytes / 1000)} KB`,
      baseline: `naive ${fmt(statSync(naive).size / 1000)} KB`,
      ratio: ingestBytes / statSync(naive).size,
      target: "<= 600 KB",
      met: ingestBytes <= limit,
    });
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// 5: throughput into fauxqs.

interface SqsServer {
  readonly endpoint: string;
  readonly queueUrls: readonly string[];
  readonly child: ChildProcess;
}

async function startSqsServer(names: readonly string[]): Promise<SqsServer> {
  const child = spawn(process.execPath, [join(ROOT, "scripts/bench/sqs-server.ts"), ...names], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout ?? process.stdin });
  const [line] = (await once(lines, "line")) as [string];
  lines.close();
  const { endpoint, queueUrls } = JSON.parse(line) as { endpoint: string; queueUrls: string[] };
  return { endpoint, queueUrls, child };
}

type Handler = (event: APIGatewayProxyEventV2) => Promise<{ statusCode: number }>;

interface Round {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  /** CPU time of this process (handler, SDK, HTTP) per callback. */
  readonly cpuUs: number;
}

/** Sends every event through `handler`, `CONCURRENCY` at a time; all must answer 200. */
async function runRound(handler: Handler, events: readonly APIGatewayProxyEventV2[]) {
  const latencies: number[] = [];
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < events.length; i = next++) {
      const event = events[i] as APIGatewayProxyEventV2;
      const start = performance.now();
      const response = await handler(event);
      latencies.push(performance.now() - start);
      if (response.statusCode !== 200) throw new Error(`request ${i}: ${response.statusCode}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    cpuUs: (used.user + used.system) / events.length,
    perSecond: events.length / seconds,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
  } satisfies Round;
}

/** Checks that the queue holds exactly `expected` messages, then empties it for the next round. */
async function countAndPurge(client: SQSClient, queueUrl: string, expected: number) {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages"],
    }),
  );
  const count = Number(Attributes?.ApproximateNumberOfMessages);
  if (count !== expected) throw new Error(`${queueUrl}: ${count} messages, ${expected} sent`);
  await client.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
}

async function benchThroughput(): Promise<void> {
  const server = await startSqsServer(["relay-bench", "naive-bench"]);
  try {
    const [relayQueue = "", naiveQueue = ""] = server.queueUrls;
    // Each handler has its own client, as each function would, with the same settings: the
    // relay's production ones (three attempts, bounded timeouts), so that only the handlers
    // differ. A naive user's `new SQSClient()` measured within the noise of this one.
    const clientConfig: SQSClientConfig = {
      endpoint: server.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    };
    const relayClient = createSqsClient(clientConfig);
    const naiveClient = createSqsClient(clientConfig);
    const admin = new SQSClient(clientConfig);
    const silent = { debug() {}, info() {}, warn() {}, error() {} };
    const relay: Handler = createIngestHandler({
      config: { publicUrl: undefined },
      tokens: staticTokens([LOCAL_AUTH_TOKEN]),
      publisher: createSqsPublisher({ queueUrl: relayQueue, client: relayClient }),
      clock: () => new Date(),
      logger: silent,
    });
    const naive: Handler = createNaiveHandler({
      authToken: LOCAL_AUTH_TOKEN,
      queueUrl: naiveQueue,
      client: naiveClient,
    });
    const contenders = [
      { name: "relay", handler: relay, queueUrl: relayQueue, rounds: [] as Round[] },
      { name: "naive", handler: naive, queueUrl: naiveQueue, rounds: [] as Round[] },
    ];
    // Every round sends callbacks never sent before, so FIFO deduplication drops none.
    let offset = 0;
    const fresh = () => {
      offset += REQUESTS_PER_ROUND;
      return validCallbacks(REQUESTS_PER_ROUND, offset);
    };
    // One warm-up round each (connections, JIT), not counted.
    for (const c of contenders) {
      await runRound(c.handler, fresh());
      await countAndPurge(admin, c.queueUrl, REQUESTS_PER_ROUND);
    }
    for (let round = 0; round < THROUGHPUT_ROUNDS; round += 1) {
      const order = round % 2 === 0 ? contenders : [...contenders].reverse();
      for (const c of order) {
        const events = fresh();
        c.rounds.push(await runRound(c.handler, events));
        await countAndPurge(admin, c.queueUrl, REQUESTS_PER_ROUND);
      }
    }
    for (const client of [relayClient, naiveClient, admin]) client.destroy();

    const [ours, theirs] = contenders.map((c) => ({
      perSecond: median(c.rounds.map((r) => r.perSecond)),
      p50: median(c.rounds.map((r) => r.p50)),
      p99: median(c.rounds.map((r) => r.p99)),
      cpuUs: median(c.rounds.map((r) => r.cpuUs)),
    }));
    const ratios = (contenders[0]?.rounds ?? []).map(
      (r, i) => r.perSecond / (contenders[1]?.rounds[i]?.perSecond ?? Number.NaN),
    );
    console.log(
      `\n## Throughput into fauxqs (FIFO queue, concurrency ${CONCURRENCY}, ${THROUGHPUT_ROUNDS} interleaved rounds of ${REQUESTS_PER_ROUND} distinct callbacks; medians)\n`,
    );
    console.log(
      "fauxqs runs in a process of its own on loopback. Every round's messages are counted on " +
        "the queue before it is purged. The relay logs nothing here (the naive handler has no " +
        "logging); its FIFO group is the resource SID, deduplication id the event id; the naive " +
        "handler's the resource SID and a SHA-256 of the body.\n",
    );
    console.log("| handler | callbacks/s | p50 | p99 | CPU per callback (this process) |");
    console.log("| --- | ---: | ---: | ---: | ---: |");
    for (const [name, r] of [
      ["relay", ours],
      ["naive", theirs],
    ] as const) {
      console.log(
        `| ${name} | ${fmt(r?.perSecond ?? Number.NaN, 0)} | ${fmt(r?.p50 ?? Number.NaN, 2)} ms | ${fmt(r?.p99 ?? Number.NaN, 2)} ms | ${fmt(r?.cpuUs ?? Number.NaN, 0)} us |`,
      );
    }
    const ratio = median(ratios);
    console.log(
      `\nThroughput ratio relay / naive per round pair: ${ratios.map((r) => fmt(r, 2)).join(", ")}.`,
    );
    summary.push({
      measure: `5. Throughput at concurrency ${CONCURRENCY} into fauxqs (p50 / p99)`,
      relay: `${fmt(ours?.perSecond ?? Number.NaN, 0)}/s (${fmt(ours?.p50 ?? Number.NaN, 1)} / ${fmt(ours?.p99 ?? Number.NaN, 1)} ms)`,
      baseline: `${fmt(theirs?.perSecond ?? Number.NaN, 0)}/s (${fmt(theirs?.p50 ?? Number.NaN, 1)} / ${fmt(theirs?.p99 ?? Number.NaN, 1)} ms)`,
      ratio,
      target: ">= 1.0",
      met: ratio >= 1.0,
    });
  } finally {
    server.child.stdin?.end();
    if (server.child.exitCode === null) await once(server.child, "exit");
  }
}

// ---------------------------------------------------------------------------------------------

function machine(): string {
  const model = /model name\s*:\s*(.+)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1];
  return `${model ?? cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ${fmt(totalmem() / 2 ** 30, 0)} GiB`;
}

console.log(`# twilio-status-relay bench (${new Date().toISOString()})\n`);
console.log(`Node ${process.version}; ${machine()}`);
benchHotPath();
benchSignature();
await benchColdStart();
await benchThroughput();

console.log("\n## Summary: relay against the naive handler (targets from issue 5)\n");
console.log("| measure | relay | naive | ratio | target | met |");
console.log("| --- | ---: | ---: | ---: | ---: | :---: |");
for (const row of summary) {
  console.log(
    `| ${row.measure} | ${row.relay} | ${row.baseline} | ${fmt(row.ratio, 2)} | ${row.target} | ${row.met ? "yes" : "**no**"} |`,
  );
}
