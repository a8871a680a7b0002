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
import { deployedMemorySize, deployedNodeOptions } from "./deployed.ts";
import { validCallbacks } from "./hot-path.ts";
import { fmt, summary, table } from "./report.ts";
import { startSqsServer } from "./throughput.ts";

const INVOCATIONS = 10_000;

interface ProbeResult {
  readonly initMs: number;
  readonly rssAfterInitMiB: number;
  readonly rssAfterMiB: number;
  readonly maxRssMiB: number;
  readonly seconds: number;
  readonly statusCodes: Record<string, number>;
}

/** Prints the memory table and adds row 6 to the summary. */
export async function benchMemory(): Promise<void> {
  const outDir = mkdtempSync(join(tmpdir(), "relay-memory-"));
  const server = await startSqsServer(["memory-bench"]);
  try {
    await buildFunctions({ outDir });
    const eventsFile = join(outDir, "events.jsonl");
    // Callbacks no other row sends, so that FIFO deduplication drops none.
    const events = validCallbacks(INVOCATIONS, 50_000_000);
    writeFileSync(eventsFile, `${events.map((e) => JSON.stringify(e)).join("\n")}\n`);
    const nodeOptions = deployedNodeOptions();
    const stderr = await new Promise<string>((done, fail) => {
      execFile(
        process.execPath,
        [
          join(import.meta.dirname, "invoke-probe.ts"),
          join(outDir, "ingest", BUNDLE_FILE),
          eventsFile,
        ],
        {
          env: {
            PATH: process.env.PATH ?? "",
            NODE_OPTIONS: nodeOptions,
            QUEUE_URL: server.queueUrls[0] ?? "",
            TWILIO_AUTH_TOKEN: LOCAL_AUTH_TOKEN,
            AWS_ENDPOINT_URL_SQS: server.endpoint,
            AWS_REGION: LOCAL_REGION,
            AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
            // The function's own logs (a line per callback) are not this row's business.
            POWERTOOLS_LOG_LEVEL: "WARN",
          },
          maxBuffer: 256 * 1024 * 1024,
        },
        (error, _stdout, err) => (error ? fail(new Error(`${error.message}\n${err}`)) : done(err)),
      );
    });
    const line = stderr.split("\n").find((l) => l.startsWith("RESULT "));
    if (!line) throw new Error(`the probe printed no result:\n${stderr}`);
    const result = JSON.parse(line.slice("RESULT ".length)) as ProbeResult;
    if (result.statusCodes["200"] !== INVOCATIONS) {
      throw new Error(`not every callback was relayed: ${JSON.stringify(result.statusCodes)}`);
    }
    console.log(
      `\n## Memory: the ingest bundle in one process, ${INVOCATIONS.toLocaleString("en")} callbacks into fauxqs, one at a time\n`,
    );
    console.log(
      `Started with \`NODE_OPTIONS=${nodeOptions}\`, tokens in the environment, logs at WARN. ` +
        "Resident memory as the process holds it (no forced collection), and its peak.\n",
    );
    table(
      ["init (require)", "RSS after init", `RSS after ${INVOCATIONS}`, "peak RSS", "invocations/s"],
      ["r", "r", "r", "r", "r"],
      [
        [
          `${fmt(result.initMs)} ms`,
          `${fmt(result.rssAfterInitMiB)} MiB`,
          `${fmt(result.rssAfterMiB)} MiB`,
          `${fmt(result.maxRssMiB)} MiB`,
          fmt(INVOCATIONS / result.seconds, 0),
        ],
      ],
    );
    // The function's configured memory (serverless.yml), which the peak must stay within.
    const limit = deployedMemorySize();
    summary.push({
      measure: `6. Peak resident memory over ${INVOCATIONS.toLocaleString("en")} invocations`,
      relay: `${fmt(result.maxRssMiB)} MiB`,
      baseline: `after init ${fmt(result.rssAfterInitMiB)} MiB`,
      ratio: result.maxRssMiB / limit,
      target: `<= 1 (memorySize ${limit} MB)`,
      met: result.maxRssMiB <= limit,
    });
  } finally {
    server.child.stdin?.end();
    rmSync(outDir, { recursive: true, force: true });
  }
}
