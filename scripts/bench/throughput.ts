/**
 * Row 5 of the bench: throughput and latency at concurrency 50 into fauxqs (in a process of its
 * own), the relay's handler against the naive handler, each with its own client and queue.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import {
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  SQSClient,
  type SQSClientConfig,
} from "@aws-sdk/client-sqs";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { createSqsClient, createSqsPublisher } from "../../lib/ingest/aws/sqs-publisher.ts";
import { createIngestHandler } from "../../lib/ingest/handler.ts";
import { staticTokens } from "../../lib/ingest/tokens.ts";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../../testing/local/sqs.ts";
import { LOCAL_AUTH_TOKEN } from "../../testing/samples.ts";
import { validCallbacks } from "./hot-path.ts";
import { createNaiveHandler } from "./naive-handler.ts";
import { fmt, median, quantile, summary, table } from "./report.ts";

const THROUGHPUT_ROUNDS = Number(process.env.ROUNDS ?? 15);
const CONCURRENCY = 50;
const REQUESTS_PER_ROUND = 1000;

export interface SqsServer {
  readonly endpoint: string;
  readonly queueUrls: readonly string[];
  readonly child: ChildProcess;
}

/** fauxqs in a child process, with one FIFO queue per name. */
export async function startSqsServer(names: readonly string[]): Promise<SqsServer> {
  const child = spawn(process.execPath, [join(import.meta.dirname, "sqs-server.ts"), ...names], {
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

/** Prints the throughput table and adds row 5 to the summary. */
export async function benchThroughput(): Promise<void> {
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
    table(
      ["handler", "callbacks/s", "p50", "p99", "CPU per callback (this process)"],
      ["l", "r", "r", "r", "r"],
      (
        [
          ["relay", ours],
          ["naive", theirs],
        ] as const
      ).map(([name, r]) => [
        name,
        fmt(r?.perSecond ?? Number.NaN, 0),
        `${fmt(r?.p50 ?? Number.NaN, 2)} ms`,
        `${fmt(r?.p99 ?? Number.NaN, 2)} ms`,
        `${fmt(r?.cpuUs ?? Number.NaN, 0)} us`,
      ]),
    );
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
