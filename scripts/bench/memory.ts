/**
 * Row 6 of the bench: the ingest function's resident memory after init and after 10,000
 * invocations, each publishing into fauxqs (in a process of its own), started as deployed (the
 * `NODE_OPTIONS` of serverless.yml). What `memorySize` in serverless.yml is chosen from.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUNDLE_FILE, buildFunctions } from "../../testing/local/build.ts";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../../testing/local/sqs.ts";
import { LOCAL_AUTH_TOKEN } from "../../testing/samples.ts";
import { deployedMemorySize, deployedNodeOptions, lambdaHeapFlags } from "./deployed.ts";
import { type SqsServer, startSqsServer } from "./fauxqs.ts";
import { validCallbacks } from "./hot-path.ts";
import { fmt, printSummary, summary, table } from "./report.ts";

const INVOCATIONS = 10_000;

export interface ProbeResult {
  readonly initMs: number;
  readonly liveHeapMiB: number;
  readonly rssAfterInitMiB: number;
  readonly rssAfterMiB: number;
  readonly maxRssMiB: number;
  readonly seconds: number;
  readonly cpuMsPerInvocation: number;
  readonly statusCodes: Record<string, number>;
}

/**
 * Runs `invocations` distinct callbacks (from the `offset`-th) through the built ingest bundle in
 * a fresh Node process (`invoke-probe.ts`) started with `v8Flags` and serverless.yml's
 * `NODE_OPTIONS`, publishing to `server`, with logs at `logLevel` (default WARN).
 */
export async function invokeProbe(options: {
  bundle: string;
  server: SqsServer;
  v8Flags: readonly string[];
  offset: number;
  invocations?: number;
  logLevel?: string;
}): Promise<ProbeResult> {
  const { bundle, server, v8Flags, offset, invocations = INVOCATIONS } = options;
  const dir = mkdtempSync(join(tmpdir(), "relay-probe-"));
  try {
    // Callbacks no other run sends, so that FIFO deduplication drops none.
    const eventsFile = join(dir, "events.jsonl");
    const events = validCallbacks(invocations, offset);
    writeFileSync(eventsFile, `${events.map((e) => JSON.stringify(e)).join("\n")}\n`);
    const stderr = await new Promise<string>((done, fail) => {
      execFile(
        process.execPath,
        [...v8Flags, join(import.meta.dirname, "invoke-probe.ts"), bundle, eventsFile],
        {
          env: {
            PATH: process.env.PATH ?? "",
            NODE_OPTIONS: deployedNodeOptions(),
            QUEUE_URL: server.queueUrls[0] ?? "",
            TWILIO_AUTH_TOKEN: LOCAL_AUTH_TOKEN,
            AWS_ENDPOINT_URL_SQS: server.endpoint,
            AWS_REGION: LOCAL_REGION,
            AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
            POWERTOOLS_LOG_LEVEL: options.logLevel ?? "WARN",
          },
          maxBuffer: 256 * 1024 * 1024,
        },
        (error, _stdout, err) => (error ? fail(new Error(`${error.message}\n${err}`)) : done(err)),
      );
    });
    const line = stderr.split("\n").find((l) => l.startsWith("RESULT "));
    if (!line) throw new Error(`the probe printed no result:\n${stderr}`);
    const result = JSON.parse(line.slice("RESULT ".length)) as ProbeResult;
    if (result.statusCodes["200"] !== invocations) {
      throw new Error(`not every callback was relayed: ${JSON.stringify(result.statusCodes)}`);
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Prints the memory table and adds row 6 to the summary. */
export async function benchMemory(): Promise<void> {
  const outDir = mkdtempSync(join(tmpdir(), "relay-memory-"));
  const server = await startSqsServer(["memory-bench"]);
  try {
    await buildFunctions({ outDir });
    const nodeOptions = deployedNodeOptions();
    const limit = deployedMemorySize();
    const probe = (v8Flags: readonly string[], offset: number) =>
      invokeProbe({ bundle: join(outDir, "ingest", BUNDLE_FILE), server, v8Flags, offset });
    // V8 collects lazily when memory is plentiful (this machine has gigabytes), so the uncapped
    // run shows what the process takes when nothing presses it; the others start V8 with the heap
    // limits Lambda gives memorySize, and half of it, to show what it needs and the headroom.
    const runs = [{ label: "uncapped", result: await probe(["--expose-gc"], 50_000_000) }];
    for (const [index, memoryMB] of [limit, Math.floor(limit / 2)].entries()) {
      const flags = lambdaHeapFlags(memoryMB);
      runs.push({
        label: `Lambda's at ${memoryMB} MB (${flags.join(" ")})`,
        result: await probe(["--expose-gc", ...flags], 60_000_000 + index * 1_000_000),
      });
    }
    const capped = runs[1]?.result;
    if (!capped) throw new Error("unreachable");
    console.log(
      `\n## Memory: the ingest bundle in one process, ${INVOCATIONS.toLocaleString("en")} callbacks into fauxqs, one at a time\n`,
    );
    console.log(
      `Started with \`NODE_OPTIONS=${nodeOptions}\` (serverless.yml's), tokens in the environment, ` +
        "logs at WARN; once with V8's default heap limits, then with the limits Lambda's Node.js " +
        "runtime gives the function's memorySize, and half of it. Resident memory as the process holds it (no forced " +
        "collection) and its peak; the live heap is read after full collections at the end.\n",
    );
    table(
      [
        "V8 heap",
        "init (require)",
        "RSS after init",
        `RSS after ${INVOCATIONS}`,
        "peak RSS",
        "live heap at the end",
        "invocations/s",
        "CPU per invocation",
      ],
      ["l", "r", "r", "r", "r", "r", "r", "r"],
      runs.map(({ label, result }) => [
        label,
        `${fmt(result.initMs)} ms`,
        `${fmt(result.rssAfterInitMiB)} MiB`,
        `${fmt(result.rssAfterMiB)} MiB`,
        `${fmt(result.maxRssMiB)} MiB`,
        `${fmt(result.liveHeapMiB)} MiB`,
        fmt(INVOCATIONS / result.seconds, 0),
        `${fmt(result.cpuMsPerInvocation, 3)} ms`,
      ]),
    );
    // The function's configured memory (serverless.yml), which the capped peak must stay within.
    summary.push({
      measure: `6. Peak resident memory over ${INVOCATIONS.toLocaleString("en")} invocations (Lambda's heap limits at ${limit} MB)`,
      relay: `${fmt(capped.maxRssMiB)} MiB`,
      baseline: `after init ${fmt(capped.rssAfterInitMiB)} MiB`,
      ratio: capped.maxRssMiB / limit,
      target: `<= 1 (memorySize ${limit} MB)`,
      met: capped.maxRssMiB <= limit,
    });
  } finally {
    server.child.stdin?.end();
    rmSync(outDir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  await benchMemory();
  printSummary();
}
