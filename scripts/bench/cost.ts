/**
 * The bench's headline: what a million callbacks cost in AWS, and the latency the handler adds to
 * the `SendMessage` a caller waits for.
 *
 * Log bytes come from the real handler's own output: `createIngestHandler` with the relay's
 * Powertools logger and metrics, publishing to fauxqs, its stdout captured, at each log level,
 * for a relayed callback, a refused one, an Event Streams delivery and a publish failure. Lambda's
 * own lines (START/END/REPORT in Text format, the platform records in JSON format) are added from
 * the shapes AWS documents (docs/operating.md cites them). Duration comes from the handler's CPU
 * per callback and the ingest bundle's init CPU, both measured here, scaled to the CPU share
 * Lambda gives the memory size, plus the `SendMessage` round trip in AWS, which cannot be measured
 * on loopback (`SQS_RTT_MS`, default 15).
 *
 * `node scripts/bench/cost.ts` runs this section alone; `LATENCY_N` sets the invocations per
 * latency case (default 2000 callbacks, 500 deliveries).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import {
  SendMessageBatchCommand,
  type SendMessageBatchCommandInput,
  SendMessageCommand,
  type SendMessageCommandInput,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import {
  createCloudWatchMetrics,
  METRICS_NAMESPACE,
} from "../../lib/ingest/aws/cloudwatch-metrics.ts";
import { createSqsClient, createSqsPublisher } from "../../lib/ingest/aws/sqs-publisher.ts";
import { systemClock } from "../../lib/ingest/clock.ts";
import { DEFAULT_CONNECTION_OVERRIDES } from "../../lib/ingest/config.ts";
import { createIngestHandler, type IngestHandler } from "../../lib/ingest/handler.ts";
import { createLogger } from "../../lib/ingest/logger.ts";
import { staticTokens } from "../../lib/ingest/tokens.ts";
import { BUNDLE_FILE, buildFunctions } from "../../testing/local/build.ts";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../../testing/local/sqs.ts";
import { LOCAL_AUTH_TOKEN } from "../../testing/samples.ts";
import { coldImport, ENVIRONMENT_TOKEN } from "./cold-start.ts";
import {
  deployedLogging,
  deployedMemorySize,
  type LoggingSettings,
  lambdaHeapFlags,
} from "./deployed.ts";
import { startSqsServer } from "./fauxqs.ts";
import { forgedCallbacks, messageCallbacks, sinkDeliveries, validCallbacks } from "./hot-path.ts";
import { invokeProbe } from "./memory.ts";
import { fmt, median, quantile, summary, table } from "./report.ts";

/** us-east-1 list prices (docs/operating.md, "Cost per million callbacks", cites each). */
export const PRICES = {
  httpApiPerRequest: 1.0 / 1e6,
  lambdaPerRequest: 0.2 / 1e6,
  lambdaArmPerGbSecond: 0.0000133334,
  sqsFifoPerRequest: 0.5 / 1e6,
  sqsStandardPerRequest: 0.4 / 1e6,
  logsPerGb: 0.5,
} as const;
/** Bytes in a GB as priced here: 10^9 (the larger reading of "per GB"). */
const GB = 1e9;
/** SQS bills each 64 KiB chunk of a request's payload as one request. */
const SQS_CHUNK = 64 * 1024;
/** The memory at which Lambda gives a function one full vCPU (Lambda's memory page). */
const ONE_VCPU_MB = 1769;
const SQS_RTT_MS = Number(process.env.SQS_RTT_MS ?? 15);
const COLD_FRACTION = Number(process.env.COLD_FRACTION ?? 0.01);
const LATENCY_N = Number(process.env.LATENCY_N ?? 2000);
const SERVICE = "twilio-status-relay-prod";
// Lambda sets _X_AMZN_TRACE_ID for every invocation; Powertools copies its root into each line.
const TRACE_HEADER =
  "Root=1-6755f2a1-0c3e5b7a9d1f2e4c6b8a0d2f;Parent=53995c3f42cd8ad8;Sampled=0;Lineage=1:5a1c0d3e:0";
const LEVELS = ["DEBUG", "INFO", "WARN", "ERROR"] as const;
type Level = (typeof LEVELS)[number];

/** What the handler wrote for one kind of invocation, per invocation. */
interface Output {
  readonly bytes: number;
  readonly lines: number;
  /** Bytes per invocation by line: `EMF`, or the line's `message`. */
  readonly byMessage: ReadonlyMap<string, number>;
}

/** Replaces stdout and stderr writes with a recorder of whole lines. */
function recordOutput() {
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write);
  let pending = "";
  const lines: string[] = [];
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      pending += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      const parts = pending.split("\n");
      pending = parts.pop() ?? "";
      lines.push(...parts.filter((line) => line !== ""));
      (rest.find((arg) => typeof arg === "function") as (() => void) | undefined)?.();
      return true;
    }) as typeof stream.write;
  }
  return {
    take(): string[] {
      return lines.splice(0);
    },
    restore() {
      streams.forEach((stream, index) => {
        const original = originals[index];
        if (original) stream.write = original;
      });
    },
  };
}

function summarise(lines: readonly string[], invocations: number): Output {
  const byMessage = new Map<string, number>();
  let bytes = 0;
  for (const line of lines) {
    // CloudWatch Logs meters a log event's message in UTF-8; the newline only separates events.
    const size = Buffer.byteLength(line);
    bytes += size;
    let key = "other";
    try {
      const record = JSON.parse(line) as Record<string, unknown>;
      key = "_aws" in record ? "EMF" : String(record.message);
    } catch {}
    byMessage.set(key, (byMessage.get(key) ?? 0) + size / invocations);
  }
  return { bytes: bytes / invocations, lines: lines.length / invocations, byMessage };
}

/** The production handler (real logger and metrics) at `level`, publishing to `queueUrl`. */
function relayAt(level: Level, queueUrl: string, client: SQSClient): IngestHandler {
  process.env.POWERTOOLS_LOG_LEVEL = level;
  process.env.POWERTOOLS_SERVICE_NAME = SERVICE;
  process.env._X_AMZN_TRACE_ID = TRACE_HEADER;
  return createIngestHandler({
    config: { publicUrl: undefined, connectionOverrides: DEFAULT_CONNECTION_OVERRIDES },
    tokens: staticTokens([LOCAL_AUTH_TOKEN]),
    publisher: createSqsPublisher({ queueUrl, client }),
    clock: systemClock,
    logger: createLogger(),
    metrics: createCloudWatchMetrics(),
  });
}

type Case = {
  readonly name: string;
  readonly events: (n: number, offset: number) => APIGatewayProxyEventV2[];
  readonly status: number;
  /** Events per invocation (10 for a sink delivery): bytes are also given per event. */
  readonly perInvocation: number;
  readonly queue: "ok" | "missing";
};

const CASES: readonly Case[] = [
  {
    name: "relayed Message callback (delivered)",
    events: (n, offset) => messageCallbacks(n, offset),
    status: 200,
    perInvocation: 1,
    queue: "ok",
  },
  {
    name: "relayed MediaProcessor / PlayerStreamer callback",
    events: (n, offset) => validCallbacks(n, offset),
    status: 200,
    perInvocation: 1,
    queue: "ok",
  },
  {
    name: "refused callback (forged signature, 403)",
    events: (n, offset) => forgedCallbacks(n, offset),
    status: 403,
    perInvocation: 1,
    queue: "ok",
  },
  {
    name: "Event Streams delivery of 10 events",
    events: (n) => sinkDeliveries(n),
    status: 200,
    perInvocation: 10,
    queue: "ok",
  },
  {
    name: "publish failed (queue refuses, 503)",
    events: (n, offset) => messageCallbacks(n, offset),
    status: 503,
    perInvocation: 1,
    queue: "missing",
  },
];

/** Bytes of Lambda's own lines for one invocation, from the shapes AWS documents. */
export function platformBytes(
  logging: Pick<LoggingSettings, "format" | "systemLevel">,
  memoryMB: number,
  cold: boolean,
): number {
  const id = "6f0e1d2c-3b4a-4958-8776-a5b4c3d2e1f0";
  const time = "2026-12-07T09:30:00.000Z";
  const arn = `arn:aws:lambda:us-east-1::runtime:${"0a1b2c3d".repeat(8)}`;
  const lines: string[] = [];
  if (logging.format === "Text") {
    if (cold) lines.push(`INIT_START Runtime Version: nodejs:24.v8\tRuntime Version ARN: ${arn}`);
    lines.push(`START RequestId: ${id} Version: $LATEST`, `END RequestId: ${id}`);
    lines.push(
      `REPORT RequestId: ${id}\tDuration: 18.27 ms\tBilled Duration: 19 ms\tMemory Size: ${memoryMB} MB\tMax Memory Used: 94 MB\t${cold ? "Init Duration: 688.54 ms\t" : ""}`,
    );
  } else if (logging.systemLevel !== "WARN") {
    // Platform records at INFO: initStart (cold start), start and report; nothing at WARN for an
    // invocation that ends normally.
    if (cold) {
      lines.push(
        JSON.stringify({
          time,
          type: "platform.initStart",
          record: {
            initializationType: "on-demand",
            phase: "init",
            runtimeVersion: "nodejs:24.v8",
            runtimeVersionArn: arn,
            functionName: `${SERVICE}-ingest`,
            functionVersion: "$LATEST",
          },
        }),
      );
    }
    lines.push(
      JSON.stringify({
        time,
        type: "platform.start",
        record: { requestId: id, version: "$LATEST" },
      }),
    );
    lines.push(
      JSON.stringify({
        time,
        type: "platform.report",
        record: {
          requestId: id,
          metrics: {
            durationMs: 18.27,
            billedDurationMs: 19,
            memorySizeMB: memoryMB,
            maxMemoryUsedMB: 94,
            ...(cold ? { initDurationMs: 688.54 } : {}),
          },
          status: "success",
        },
      }),
    );
  }
  return lines.reduce((sum, line) => sum + Buffer.byteLength(line), 0);
}

/** What pricing a callback needs: its log bytes, CPU, init CPU and SQS requests. */
export interface CostInputs {
  readonly endpoint: "functionUrl" | "httpApi";
  readonly queue: "fifo" | "standard";
  readonly memoryMB: number;
  /** The handler's own log bytes per callback (application lines and EMF). */
  readonly appLogBytes: number;
  readonly logging: Pick<LoggingSettings, "format" | "systemLevel">;
  /** CPU of one warm invocation on a full core, ms. */
  readonly cpuMs: number;
  /** CPU of the init (import of the bundle) on a full core, ms. */
  readonly initCpuMs: number;
  /** SQS requests per callback (64 KiB chunks of its payload). */
  readonly sqsRequests: number;
  /** Callbacks per invocation: 10 for an Event Streams delivery, priced per event. */
  readonly perInvocation?: number;
}

/** The lines of the bill for a million callbacks, dollars each. */
export function priceMillion(inputs: CostInputs): { line: string; dollars: number }[] {
  const per = inputs.perInvocation ?? 1;
  const invocations = 1e6 / per;
  const slowdown = Math.max(1, ONE_VCPU_MB / inputs.memoryMB);
  const gb = inputs.memoryMB / 1024;
  // Lambda bills duration rounded up to the millisecond, and the init phase of a cold start.
  const warmMs = Math.ceil(SQS_RTT_MS + inputs.cpuMs * slowdown);
  const initMs = Math.ceil(inputs.initCpuMs * slowdown);
  const gbSeconds = invocations * gb * ((warmMs + COLD_FRACTION * initMs) / 1000);
  const logBytes =
    invocations *
    (inputs.appLogBytes * per +
      (1 - COLD_FRACTION) * platformBytes(inputs.logging, inputs.memoryMB, false) +
      COLD_FRACTION * platformBytes(inputs.logging, inputs.memoryMB, true));
  const sqsPrice =
    inputs.queue === "fifo" ? PRICES.sqsFifoPerRequest : PRICES.sqsStandardPerRequest;
  return [
    {
      line: "API Gateway HTTP API requests",
      dollars: inputs.endpoint === "httpApi" ? invocations * PRICES.httpApiPerRequest : 0,
    },
    { line: "Lambda requests", dollars: invocations * PRICES.lambdaPerRequest },
    {
      line: `Lambda duration (${warmMs} ms warm, ${initMs} ms init on ${fmt(COLD_FRACTION * 100, 0)} %)`,
      dollars: gbSeconds * PRICES.lambdaArmPerGbSecond,
    },
    {
      line: `SQS ${inputs.queue === "fifo" ? "FIFO" : "standard"} requests`,
      dollars: 1e6 * inputs.sqsRequests * sqsPrice,
    },
    {
      line: `CloudWatch Logs ingestion (${fmt(logBytes / 1e6, 0)} MB)`,
      dollars: (logBytes / GB) * PRICES.logsPerGb,
    },
  ];
}

const total = (lines: readonly { dollars: number }[]) =>
  lines.reduce((sum, { dollars }) => sum + dollars, 0);
const usd = (dollars: number) => `$${fmt(dollars, 3)}`;

/** The payload bytes SQS meters for a request: bodies and message attributes. */
function payloadBytes(input: SendMessageCommandInput | SendMessageBatchCommandInput): number {
  const entries = "Entries" in input ? (input.Entries ?? []) : [input];
  let bytes = 0;
  for (const entry of entries) {
    bytes += Buffer.byteLength(entry.MessageBody ?? "");
    for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
      bytes +=
        Buffer.byteLength(name) +
        Buffer.byteLength(value.DataType ?? "") +
        Buffer.byteLength(value.StringValue ?? "");
    }
  }
  return bytes;
}

interface Recorded {
  readonly command: string;
  readonly input: SendMessageCommandInput | SendMessageBatchCommandInput;
}

/**
 * Records every command `client` sends during `during(op)`, and the time from the first of them
 * starting to the last ending (a delivery's batches go out at once): the SDK's share of `op`.
 */
function recordCommands(client: SQSClient) {
  const sent: Recorded[] = [];
  let on = false;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!on) return next(args);
      const start = performance.now();
      // The input itself: the publisher builds a new one per call, and the SDK leaves it as is.
      sent.push({ command: String(context.commandName), input: args.input as Recorded["input"] });
      first = Math.min(first, start);
      try {
        return await next(args);
      } finally {
        last = Math.max(last, performance.now());
      }
    },
    { step: "initialize", name: "benchRecorder" },
  );
  return {
    during: async <T>(op: () => Promise<T>): Promise<{ value: T; sdkMs: number }> => {
      on = true;
      first = Number.POSITIVE_INFINITY;
      last = Number.NEGATIVE_INFINITY;
      try {
        const value = await op();
        return { value, sdkMs: last - first };
      } finally {
        on = false;
      }
    },
    take: () => sent.splice(0),
  };
}

// The same request again, under deduplication ids of its own, so that FIFO deduplication does
// not answer it from memory.
function resend(recorded: Recorded, tag: string) {
  if (recorded.command === "SendMessageBatchCommand") {
    const input = recorded.input as SendMessageBatchCommandInput;
    return new SendMessageBatchCommand({
      ...input,
      Entries: (input.Entries ?? []).map((entry) => ({
        ...entry,
        ...(entry.MessageDeduplicationId
          ? { MessageDeduplicationId: `${entry.MessageDeduplicationId.slice(0, 120)}${tag}` }
          : {}),
      })),
    });
  }
  const input = recorded.input as SendMessageCommandInput;
  return new SendMessageCommand({
    ...input,
    ...(input.MessageDeduplicationId
      ? { MessageDeduplicationId: `${input.MessageDeduplicationId.slice(0, 120)}${tag}` }
      : {}),
  });
}

interface Latency {
  readonly handler: { p50: number; p99: number };
  readonly bare: { p50: number; p99: number };
  /** Quantiles of (handler time - its own SDK call's time), invocation by invocation. */
  readonly added: { p50: number; p99: number };
  /** Quantiles of (handler time - the same request sent alone next to it). */
  readonly pairwise: { p50: number; p99: number };
  readonly cpuMs: number;
  readonly sqsRequests: number;
  readonly n: number;
}

/**
 * What the handler adds to its `SendMessage`: each invocation's time minus the time of the SDK
 * call it made (timed by the client's outermost middleware), and, for comparison, each against
 * the same request sent again alone next to it (which goes first alternating); sequential, one
 * client.
 */
async function measureLatency(
  handler: IngestHandler,
  client: SQSClient,
  recorder: ReturnType<typeof recordCommands>,
  events: readonly APIGatewayProxyEventV2[],
  warmup: number,
): Promise<Latency> {
  const handlerMs: number[] = [];
  const addedMs: number[] = [];
  const bareMs: number[] = [];
  const cpu: number[] = [];
  const requests: number[] = [];
  const timeHandler = async (event: APIGatewayProxyEventV2) => {
    const usage = process.cpuUsage();
    const start = performance.now();
    const { value: response, sdkMs } = await recorder.during(() => handler(event));
    const ms = performance.now() - start;
    const used = process.cpuUsage(usage);
    if (response.statusCode !== 200) throw new Error(`handler answered ${response.statusCode}`);
    return { ms, sdkMs, cpuMs: (used.user + used.system) / 1000 };
  };
  const timeBare = async (sent: Recorded[], tag: string) => {
    const start = performance.now();
    for (const recorded of sent) await client.send(resend(recorded, tag) as SendMessageCommand);
    return performance.now() - start;
  };
  // The request the last handler invocation sent: the SDK call alone repeats it.
  let previous: Recorded[] = [];
  for (let i = 0; i < events.length; i += 1) {
    const event = events[i] as APIGatewayProxyEventV2;
    let h: { ms: number; sdkMs: number; cpuMs: number };
    let b: number;
    if (i % 2 === 0 || previous.length === 0) {
      h = await timeHandler(event);
      previous = recorder.take();
      b = await timeBare(previous, `b${i}`);
    } else {
      b = await timeBare(previous, `a${i}`);
      h = await timeHandler(event);
      previous = recorder.take();
    }
    requests.push(
      previous.reduce((sum, r) => sum + Math.ceil(payloadBytes(r.input) / SQS_CHUNK), 0),
    );
    if (i >= warmup) {
      handlerMs.push(h.ms);
      addedMs.push(h.ms - h.sdkMs);
      bareMs.push(b);
      cpu.push(h.cpuMs);
    }
  }
  const q = (values: readonly number[]) => ({
    p50: quantile(values, 0.5),
    p99: quantile(values, 0.99),
  });
  const handlerQ = q(handlerMs);
  const bareQ = q(bareMs);
  return {
    handler: handlerQ,
    bare: bareQ,
    added: q(addedMs),
    pairwise: q(handlerMs.map((ms, i) => ms - (bareMs[i] ?? Number.NaN))),
    cpuMs: median(cpu),
    sqsRequests: median(requests),
    n: handlerMs.length,
  };
}

/** The memory sizes compared: what the function could be deployed with. */
const MEMORY_SIZES = [128, 256, 512] as const;

/**
 * The built ingest bundle measured as Lambda runs it: the median CPU of its import in 7 fresh
 * processes (the init), and per memory size the CPU per warm invocation over 10,000 callbacks
 * into fauxqs, garbage collection included, and its peak resident memory, with the heap limits
 * Lambda's runtime gives that memory ({@link lambdaHeapFlags}).
 */
async function bundleCpu(
  server: Awaited<ReturnType<typeof startSqsServer>>,
  logLevel: string,
): Promise<{
  initCpuMs: number;
  cpuMsByMemory: Map<number, number>;
  peakRssByMemory: Map<number, number>;
}> {
  const outDir = mkdtempSync(join(tmpdir(), "relay-cost-"));
  try {
    await buildFunctions({ outDir });
    const bundle = join(outDir, "ingest", BUNDLE_FILE);
    const samples = Array.from({ length: 7 }, () => coldImport(bundle, "", ENVIRONMENT_TOKEN));
    const cpuMsByMemory = new Map<number, number>();
    const peakRssByMemory = new Map<number, number>();
    for (const [index, memoryMB] of MEMORY_SIZES.entries()) {
      const result = await invokeProbe({
        bundle,
        server,
        v8Flags: lambdaHeapFlags(memoryMB),
        offset: 80_000_000 + index * 1_000_000,
        invocations: 10_000,
        logLevel,
      });
      cpuMsByMemory.set(memoryMB, result.cpuMsPerInvocation);
      peakRssByMemory.set(memoryMB, result.maxRssMiB);
    }
    return { initCpuMs: median(samples.map((s) => s.cpuMs)), cpuMsByMemory, peakRssByMemory };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** Prints the log bytes, latency and cost tables and adds their rows to the summary. */
export async function benchCost(): Promise<void> {
  const server = await startSqsServer(["cost-bench"]);
  const client = createSqsClient({
    endpoint: server.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const saved = { ...process.env };
  const output = recordOutput();
  try {
    const queueUrl = server.queueUrls[0] ?? "";
    const missingQueue = queueUrl.replace(/[^/]+$/, "no-such-queue.fifo");
    // Log bytes: every case at every level, 50 distinct invocations each.
    const bytes = new Map<string, Map<Level, Output>>();
    const samples = new Map<string, string[]>();
    let offset = 1_000_000;
    for (const c of CASES) {
      const perLevel = new Map<Level, Output>();
      for (const level of LEVELS) {
        const handler = relayAt(level, c.queue === "ok" ? queueUrl : missingQueue, client);
        const events = c.events(c.perInvocation > 1 ? 20 : 50, offset);
        offset += events.length;
        output.take();
        for (const event of events) {
          const { statusCode } = await handler(event);
          if (statusCode !== c.status) throw new Error(`${c.name}: ${statusCode}, not ${c.status}`);
        }
        const lines = output.take();
        if (level === "DEBUG")
          samples.set(c.name, lines.slice(0, Math.round(lines.length / events.length)));
        perLevel.set(level, summarise(lines, events.length));
      }
      bytes.set(c.name, perLevel);
    }

    // Latency and CPU at the deployed level.
    const logging = deployedLogging();
    const recorder = recordCommands(client);
    const handler = relayAt(logging.level as Level, queueUrl, client);
    const callbacks = messageCallbacks(LATENCY_N + 200, 2_000_000);
    output.take();
    const form = await measureLatency(handler, client, recorder, callbacks, 200);
    output.take();
    const deliveries = sinkDeliveries(Math.round(LATENCY_N / 4) + 50);
    const sink = await measureLatency(handler, client, recorder, deliveries, 50);
    output.take();
    process.env.POWERTOOLS_SERVICE_NAME = SERVICE;
    const emf = emfForms(output);
    output.restore();
    const {
      initCpuMs: initCpu,
      cpuMsByMemory,
      peakRssByMemory,
    } = await bundleCpu(server, logging.level);
    printTables({
      bytes,
      samples,
      logging,
      form,
      sink,
      initCpu,
      cpuMsByMemory,
      peakRssByMemory,
      emf,
    });
  } finally {
    output.restore();
    process.env = saved;
    client.destroy();
    await server.stop();
  }
}

function printTables(results: {
  bytes: Map<string, Map<Level, Output>>;
  samples: Map<string, string[]>;
  logging: LoggingSettings;
  form: Latency;
  sink: Latency;
  initCpu: number;
  peakRssByMemory: Map<number, number>;
  cpuMsByMemory: Map<number, number>;
  emf: { one: number; two: number };
}): void {
  const { bytes, samples, logging, form, sink, initCpu, cpuMsByMemory, peakRssByMemory, emf } =
    results;
  const cpuAt = (memoryMB: number) => cpuMsByMemory.get(memoryMB) ?? form.cpuMs;
  const memoryMB = deployedMemorySize();
  console.log("\n## Log bytes per invocation, from the handler's own output\n");
  console.log(
    `createIngestHandler with the relay's Powertools logger and metrics (POWERTOOLS_SERVICE_NAME=${SERVICE}), publishing to fauxqs; stdout captured; UTF-8 bytes of each line, without its newline; mean over 50 distinct invocations (20 deliveries). Lambda's own lines are not in this table.\n`,
  );
  table(
    ["invocation", ...LEVELS.map((level) => `${level}`), `lines at ${logging.level}`],
    ["l", "r", "r", "r", "r", "l"],
    CASES.map((c) => {
      const perLevel = bytes.get(c.name);
      const at = perLevel?.get(logging.level as Level);
      return [
        c.name,
        ...LEVELS.map((level) => fmt(perLevel?.get(level)?.bytes ?? Number.NaN, 0)),
        [...(at?.byMessage ?? [])].map(([message, b]) => `${message} ${fmt(b, 0)}`).join(", "),
      ];
    }),
  );
  console.log("\nThe lines of one invocation at DEBUG (the first of each case):\n");
  for (const c of CASES) {
    console.log(`${c.name}:\n\n\`\`\`\n${(samples.get(c.name) ?? []).join("\n")}\n\`\`\`\n`);
  }
  const perEvent = bytes.get("Event Streams delivery of 10 events")?.get(logging.level as Level);
  console.log(
    `\nPer Event Streams event at ${logging.level}: ${fmt((perEvent?.bytes ?? Number.NaN) / 10, 1)} bytes.`,
  );
  console.log("\nLambda's own lines per invocation (warm / cold start), by log settings:\n");
  table(
    ["log format, system log level", "warm", "cold start"],
    ["l", "r", "r"],
    (
      [
        ["Text", "INFO"],
        ["JSON", "INFO"],
        ["JSON", "WARN"],
      ] as const
    ).map(([format, systemLevel]) => [
      `${format}${format === "JSON" ? `, ${systemLevel}` : ""}`,
      `${platformBytes({ format, systemLevel }, memoryMB, false)}`,
      `${platformBytes({ format, systemLevel }, memoryMB, true)}`,
    ]),
  );

  console.log(
    `\n## Latency the handler adds to the SDK call (fauxqs on loopback, FIFO, sequential, ${form.n} callbacks / ${sink.n} deliveries)\n`,
  );
  console.log(
    "The production handler (logs at the deployed level, metrics on). Added: quantiles of each invocation's time minus the time of the SDK call it made (SendMessage, or a delivery's SendMessageBatch from the first sent to the last answered), timed by the client's outermost middleware. For comparison, each invocation is paired with the same request sent again alone on the same client under new deduplication ids (which goes first alternates): the SDK call alone, and the quantiles of the per-pair differences, which carry the noise of two round trips.\n",
  );
  table(
    [
      "request",
      "handler p50 / p99",
      "SDK call alone p50 / p99",
      "added p50 / p99",
      "pairwise p50 / p99",
      "handler CPU (median)",
    ],
    ["l", "r", "r", "r", "r", "r"],
    (
      [
        ["form callback (Message delivered)", form],
        ["Event Streams delivery of 10 events", sink],
      ] as const
    ).map(([name, l]) => [
      name,
      `${fmt(l.handler.p50, 3)} / ${fmt(l.handler.p99, 3)} ms`,
      `${fmt(l.bare.p50, 3)} / ${fmt(l.bare.p99, 3)} ms`,
      `${fmt(l.added.p50, 3)} / ${fmt(l.added.p99, 3)} ms`,
      `${fmt(l.pairwise.p50, 3)} / ${fmt(l.pairwise.p99, 3)} ms`,
      `${fmt(l.cpuMs, 3)} ms`,
    ]),
  );
  summary.push({
    measure: "1. Latency the handler adds to SendMessage, form callback (p50 / p99)",
    relay: `${fmt(form.added.p50, 3)} / ${fmt(form.added.p99, 3)} ms`,
    baseline: `SDK alone ${fmt(form.bare.p50, 2)} / ${fmt(form.bare.p99, 2)} ms`,
    ratio: form.added.p99,
    target: "p99 < 1 ms",
    met: form.added.p99 < 1,
  });
  summary.push({
    measure:
      "5. Latency the handler adds to SendMessageBatch, sink delivery of 10 events (p50 / p99)",
    relay: `${fmt(sink.added.p50, 3)} / ${fmt(sink.added.p99, 3)} ms`,
    baseline: `SDK alone ${fmt(sink.bare.p50, 2)} / ${fmt(sink.bare.p99, 2)} ms`,
    ratio: sink.added.p99,
    target: "no target",
    met: undefined,
  });

  // Pricing.
  const at = (name: string, level: Level) => bytes.get(name)?.get(level)?.bytes ?? Number.NaN;
  const level = logging.level as Level;
  const callback = {
    memoryMB,
    appLogBytes: at("relayed Message callback (delivered)", level),
    logging,
    cpuMs: cpuAt(memoryMB),
    initCpuMs: initCpu,
    sqsRequests: form.sqsRequests,
  };
  console.log(
    `\n## Cost per million callbacks (us-east-1, arm64, ${memoryMB} MB, logs ${logging.format}${logging.format === "JSON" ? `, application ${logging.level}, system ${logging.systemLevel}` : `, ${logging.level}`}: the deployed defaults)\n`,
  );
  console.log(
    `Duration: SendMessage round trip in AWS ${SQS_RTT_MS} ms (SQS_RTT_MS; not measurable on loopback) + the built bundle's CPU per warm callback (${fmt(cpuAt(memoryMB), 3)} ms over 10,000 callbacks in a fresh process, with the heap limits Lambda gives ${memoryMB} MB; a delivery: ${fmt(sink.cpuMs, 3)} ms, in process) x ${ONE_VCPU_MB} / memory MB (Lambda's CPU share), rounded up to 1 ms; init: the ingest bundle's import CPU (${fmt(initCpu, 1)} ms, median of 7 fresh processes) scaled alike, on ${fmt(COLD_FRACTION * 100, 0)} % of invocations (COLD_FRACTION). Logs: the handler's bytes above at ${logging.level} + Lambda's own lines, at ${GB} bytes a GB. SQS: ${form.sqsRequests} request per callback (64 KiB chunks).\n`,
  );
  const columns = [
    ["functionUrl", "fifo"],
    ["functionUrl", "standard"],
    ["httpApi", "fifo"],
    ["httpApi", "standard"],
  ] as const;
  const bills = columns.map(([endpoint, queue]) => priceMillion({ ...callback, endpoint, queue }));
  const lineNames = (bills[0] ?? []).map(({ line }) => line);
  table(
    ["line", ...columns.map(([e, q]) => `${e}, ${q}`)],
    ["l", "r", "r", "r", "r"],
    [
      ...lineNames.map((name, i) => [
        name.replace(
          /^SQS FIFO requests$/,
          "SQS requests (FIFO $0.50, standard $0.40 per million)",
        ),
        ...bills.map((bill) => usd(bill[i]?.dollars ?? Number.NaN)),
      ]),
      ["**total**", ...bills.map((bill) => `**${usd(total(bill))}**`)],
    ],
  );
  const sinkBill = priceMillion({
    ...callback,
    endpoint: "functionUrl",
    queue: "fifo",
    appLogBytes: at("Event Streams delivery of 10 events", level) / 10,
    cpuMs: sink.cpuMs,
    sqsRequests: sink.sqsRequests,
    perInvocation: 10,
  });
  console.log(
    `\nEvent Streams, per million events in deliveries of 10 (functionUrl, fifo): ${usd(total(sinkBill))} (${sinkBill.map((l) => `${l.line.replace(/ \(.*\)$/, "")} ${usd(l.dollars)}`).join(", ")}).`,
  );
  const refusedBill = priceMillion({
    ...callback,
    endpoint: "functionUrl",
    queue: "fifo",
    appLogBytes: at("refused callback (forged signature, 403)", level),
    sqsRequests: 0,
  });
  console.log(
    `A million forged callbacks refused (functionUrl; no SQS; duration as a relayed one, an upper bound): ${usd(total(refusedBill))}.`,
  );

  // Levers, each changed alone from the defaults (functionUrl, fifo).
  const base = { ...callback, endpoint: "functionUrl" as const, queue: "fifo" as const };
  const published = at("relayed Message callback (delivered)", "DEBUG") - callback.appLogBytes;
  const levers: [string, CostInputs][] = [
    ["the defaults", base],
    ...MEMORY_SIZES.map((memoryMB): [string, CostInputs] => [
      `memorySize ${memoryMB} (${fmt(cpuAt(memoryMB), 3)} ms CPU per callback, peak RSS ${fmt(peakRssByMemory.get(memoryMB) ?? 0)} MiB${(peakRssByMemory.get(memoryMB) ?? 0) > memoryMB * 0.8 ? ": does not fit" : ""})`,
      { ...base, memoryMB, cpuMs: cpuAt(memoryMB) },
    ]),
    [
      "Text log format (START/END/REPORT kept)",
      { ...base, logging: { format: "Text", systemLevel: "INFO" } },
    ],
    [
      "JSON, system log level INFO (platform.start/report kept)",
      { ...base, logging: { format: "JSON", systemLevel: "INFO" } },
    ],
    [
      "the `published` line written (log level DEBUG)",
      { ...base, appLogBytes: callback.appLogBytes + published },
    ],
    [
      "two EMF lines instead of one",
      { ...base, appLogBytes: callback.appLogBytes + emf.two - emf.one },
    ],
  ];
  console.log(
    `\nA relayed callback's metrics: ${emf.one} bytes in one EMF object, ${emf.two} bytes as two (one per dimension set).`,
  );
  console.log(
    "\nLevers, each changed alone from the defaults (functionUrl, fifo, per million callbacks):\n",
  );
  table(
    ["setting", "log bytes per callback (handler + Lambda, warm)", "total"],
    ["l", "r", "r"],
    levers.map(([name, inputs]) => [
      name,
      fmt(inputs.appLogBytes + platformBytes(inputs.logging, inputs.memoryMB, false), 0),
      usd(total(priceMillion(inputs))),
    ]),
  );
  const fu = total(bills[0] ?? []);
  const api = total(bills[2] ?? []);
  summary.unshift(
    {
      measure: "C1. Cost per million callbacks, function URL, FIFO queue, default settings",
      relay: usd(fu),
      baseline: "-",
      ratio: fu,
      target: "<= $1.00",
      met: fu <= 1,
    },
    {
      measure: "C2. Cost per million callbacks, HTTP API, FIFO queue, default settings",
      relay: usd(api),
      baseline: "-",
      ratio: api,
      target: "<= $2.00",
      met: api <= 2,
    },
  );
}

/**
 * A relayed callback's metrics as the relay writes them (one EMF object) and as two objects, one
 * per dimension set, as Powertools writes them with a publish per set: bytes of each form.
 */
function emfForms(output: ReturnType<typeof recordOutput>): { one: number; two: number } {
  const bytesOf = (lines: readonly string[]) =>
    lines.reduce((sum, line) => sum + Buffer.byteLength(line), 0);
  output.take();
  const relay = createCloudWatchMetrics();
  relay.relayed("Message");
  relay.published(17.234567891234, true);
  relay.flush();
  const one = bytesOf(output.take());
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE });
  metrics.addDimension("resourceType", "Message");
  metrics.addMetric("CallbacksRelayed", MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
  metrics.addMetric("PublishLatency", MetricUnit.Milliseconds, 17.234567891234);
  metrics.addMetric("PublishFailures", MetricUnit.Count, 0);
  metrics.publishStoredMetrics();
  const two = bytesOf(output.take());
  return { one, two };
}

if (import.meta.main) {
  await benchCost();
  const { printSummary } = await import("./report.ts");
  printSummary();
}
