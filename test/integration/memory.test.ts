/**
 * No leak across invocations: the built ingest bundle, loaded once in its own Node 24 process as
 * a Lambda container loads it, handles 20,000 distinct signed callbacks one after another after a
 * warm-up of 10,000, publishing each into fauxqs (which runs here, in the test's process, so the
 * messages it stores are not the handler's memory), and its resident memory (and the heap it
 * uses, both read after full garbage collections) grows by less than 16 MiB.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFunctions } from "../../testing/local/build.ts";
import {
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type LocalSqs,
  startLocalSqs,
} from "../../testing/local/sqs.ts";
import { readZip } from "../../testing/local/zip.ts";
import { PRIMARY_AUTH_TOKEN } from "../../testing/tokens.ts";

import { NODE } from "../helpers/child-process.ts";
import type { InvokeManyResult } from "../helpers/invoke-many.ts";
import { apiGatewayEvent, lifecycleCallbacks } from "../helpers/load-callbacks.ts";
import { queueCounts, total } from "../helpers/queue-contents.ts";

/**
 * Measured: resident memory climbs by some 80 MiB over the first ~8,000 invocations while V8 and
 * the allocator size themselves (the heap in use after a full collection stays ~13-19 MiB), then
 * stays flat. Measuring from 4,000 counted that sizing as growth.
 */
const WARM_UP = 10_000;
const MEASURED = 20_000;
const MIB = 1024 * 1024;
const LIMIT_BYTES = 16 * MIB;
const INVOKE_MANY = resolve(import.meta.dirname, "../helpers/invoke-many.ts");

let sqs: LocalSqs;
let queueUrl: string;
let workDir: string;
let taskDir: string;
let eventsFile: string;
let logFile: string;
let running: ChildProcess | undefined;

beforeAll(async () => {
  sqs = await startLocalSqs();
  queueUrl = (await sqs.createQueues("memory")).queueUrl;
  workDir = await mkdtemp(join(tmpdir(), "relay-memory-"));
  const built = await buildFunctions({ outDir: join(workDir, "dist") });
  const ingest = built.find((fn) => fn.name === "ingest");
  if (!ingest) throw new Error("the build made no ingest artifact");
  taskDir = join(workDir, "task");
  await mkdir(taskDir);
  for (const entry of await readZip(await readFile(ingest.artifact))) {
    await writeFile(join(taskDir, entry.name), entry.data);
  }
  // Signed here, with the twilio package, so that signing is neither the handler's time nor its garbage.
  eventsFile = join(workDir, "events.jsonl");
  const events = lifecycleCallbacks(WARM_UP + MEASURED).map((callback) =>
    JSON.stringify(apiGatewayEvent(callback)),
  );
  await writeFile(eventsFile, events.join("\n"));
  logFile = join(workDir, "stdout.log");
}, 120_000);

afterAll(async () => {
  // Only if the test failed before the child finished.
  if (running && running.exitCode === null && running.signalCode === null) running.kill("SIGKILL");
  await sqs?.stop();
  sqs?.client.destroy();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** Runs invoke-many.ts in a child Node 24 with --expose-gc; its stdout (the logs) goes to logFile. */
function invokeMany(): Promise<{ result: InvokeManyResult; stderr: string }> {
  const stdout = openSync(logFile, "w");
  // A file, not a pipe: the handler's log lines are written as they come, never queued in memory.
  const child = spawn(
    NODE,
    ["--expose-gc", INVOKE_MANY, taskDir, eventsFile, String(WARM_UP), String(MEASURED)],
    {
      cwd: taskDir,
      env: {
        PATH: process.env.PATH ?? "",
        QUEUE_URL: queueUrl,
        TWILIO_AUTH_TOKEN: PRIMARY_AUTH_TOKEN,
        AWS_ENDPOINT_URL_SQS: sqs.endpoint,
        AWS_REGION: LOCAL_REGION,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        // Source maps on as deployed; logs at DEBUG, above the deployed INFO, so that each callback
        // writes its `published` line too and the test can count them.
        NODE_OPTIONS: "--enable-source-maps",
        POWERTOOLS_LOG_LEVEL: "DEBUG",
      },
      stdio: ["ignore", stdout, "pipe"],
    },
  );
  closeSync(stdout);
  running = child;
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((done, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      const line = stderr.split("\n").find((candidate) => candidate.startsWith("RESULT "));
      if (code !== 0 || !line) {
        reject(new Error(`invoke-many exited with ${signal ?? code}:\n${stderr}`));
        return;
      }
      done({ result: JSON.parse(line.slice("RESULT ".length)) as InvokeManyResult, stderr });
    });
  });
}

const mib = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB`;

describe("the ingest bundle in one process", () => {
  it(`grows resident memory by less than 16 MiB over ${MEASURED} invocations after warm-up`, async () => {
    // Act
    const { result } = await invokeMany();

    // Assess
    const { before, after } = result;
    const published = readFileSync(logFile, "utf8")
      .split("\n")
      .filter((line) => line.includes('"message":"published"')).length;
    const queued = total(await queueCounts(sqs.client, queueUrl));
    console.log(
      `memory: ${result.measured} invocations after ${result.warmUp} to warm up, ` +
        `in ${result.measuredSeconds.toFixed(1)} s; RSS ${mib(before.rss)} -> ${mib(after.rss)} ` +
        `(${after.rss >= before.rss ? "+" : ""}${mib(after.rss - before.rss)}), heap used ` +
        `${mib(before.heapUsed)} -> ${mib(after.heapUsed)}; answers ${JSON.stringify(result.statusCodes)}; ` +
        `${published} "published" log lines, ${queued} messages on the queue`,
    );
    expect(result.statusCodes).toEqual({ 200: WARM_UP + MEASURED });
    expect(queued).toBe(WARM_UP + MEASURED);
    expect(published).toBe(WARM_UP + MEASURED);
    expect(after.rss - before.rss).toBeLessThan(LIMIT_BYTES);
    expect(after.heapUsed - before.heapUsed).toBeLessThan(LIMIT_BYTES);
  }, 300_000);
});
