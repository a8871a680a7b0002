/**
 * The relay's metrics: what the handler records for each answer (through the port, in memory),
 * and what the CloudWatch adapter writes (embedded metric format lines on stdout, through
 * Powertools Metrics).
 */

import { afterEach, describe, expect, it, vi } from "vitest";
import {
  createCloudWatchMetrics,
  METRICS_NAMESPACE,
} from "../../lib/ingest/aws/cloudwatch-metrics.ts";
import { ConfigError } from "../../lib/ingest/errors.ts";
import { createIngestHandler, createUnconfiguredHandler } from "../../lib/ingest/handler.ts";
import type { RelayMetrics } from "../../lib/ingest/metrics.ts";
import type { EventPublisher } from "../../lib/ingest/publisher.ts";
import { staticTokens } from "../../lib/ingest/tokens.ts";
import { LOCAL_AUTH_TOKEN } from "../../testing/samples.ts";
import { signedCallback } from "../../testing/signed-callback.ts";
import { FORGER_AUTH_TOKEN } from "../../testing/tokens.ts";
import { memoryLogger } from "../helpers/memory-logger.ts";
import { memoryMetrics } from "../helpers/memory-metrics.ts";

const accepting: EventPublisher = { publish: async () => undefined };
const failing: EventPublisher = {
  publish: async () => {
    throw new Error("queue unreachable");
  },
};

function setup(publisher: EventPublisher = accepting, metrics: RelayMetrics = memoryMetrics()) {
  const logger = memoryLogger();
  const handler = createIngestHandler({
    config: { publicUrl: undefined },
    tokens: staticTokens([LOCAL_AUTH_TOKEN]),
    publisher,
    clock: () => new Date("2026-11-27T12:00:00Z"),
    logger,
    metrics,
  });
  return { handler, logger };
}

describe("the handler's metrics", () => {
  it("counts a relayed callback by resource type, with its publish, in one flush", async () => {
    // Prepare
    const metrics = memoryMetrics();
    const { handler } = setup(accepting, metrics);

    // Act
    const response = await handler(signedCallback({ event: "stream-started" }));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(metrics.flushes).toHaveLength(1);
    expect(metrics.flushes[0]).toMatchObject({
      relayed: ["PlayerStreamer"],
      refused: [],
      published: [{ ok: true }],
    });
    expect(metrics.flushes[0]?.published[0]?.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it("counts a 403 as refused with the error's name, and flushes it", async () => {
    // Prepare
    const metrics = memoryMetrics();
    const { handler } = setup(accepting, metrics);

    // Act
    const response = await handler(signedCallback({ token: FORGER_AUTH_TOKEN }));

    // Assess
    expect(response.statusCode).toBe(403);
    expect(metrics.flushes).toEqual([
      { relayed: [], refused: ["SignatureMismatchError"], published: [] },
    ]);
  });

  it("counts a 4xx before the signature (wrong media type) as refused", async () => {
    // Prepare
    const metrics = memoryMetrics();
    const { handler } = setup(accepting, metrics);

    // Act
    const response = await handler(signedCallback({ contentType: "application/json" }));

    // Assess
    expect(response.statusCode).toBe(415);
    expect(metrics.flushes).toEqual([
      { relayed: [], refused: ["UnsupportedMediaTypeError"], published: [] },
    ]);
  });

  it("counts a failed publish and the 503 it answers", async () => {
    // Prepare
    const metrics = memoryMetrics();
    const { handler } = setup(failing, metrics);

    // Act
    const response = await handler(signedCallback());

    // Assess
    expect(response.statusCode).toBe(503);
    expect(metrics.flushes).toMatchObject([
      { relayed: [], refused: ["ServiceUnavailableError"], published: [{ ok: false }] },
    ]);
  });

  it("counts the 503 of an unconfigured relay", async () => {
    // Prepare
    const metrics = memoryMetrics();
    const handler = createUnconfiguredHandler(
      new ConfigError("QUEUE_URL is required"),
      memoryLogger(),
      metrics,
    );

    // Act
    const response = await handler(signedCallback());

    // Assess
    expect(response.statusCode).toBe(503);
    expect(metrics.flushes).toEqual([
      { relayed: [], refused: ["ServiceUnavailableError"], published: [] },
    ]);
  });

  it("keeps its answer when the metrics cannot be written, and logs why", async () => {
    // Prepare
    const broken: RelayMetrics = {
      ...memoryMetrics(),
      flush: () => {
        throw new Error("stdout closed");
      },
    };
    const { handler, logger } = setup(accepting, broken);

    // Act
    const response = await handler(signedCallback());

    // Assess
    expect(response.statusCode).toBe(200);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: "warn", message: "metrics not written" }),
    );
  });
});

interface EmfLine {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

describe("CloudWatch metrics (embedded metric format through Powertools)", () => {
  const written: string[] = [];

  function capture(): void {
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  }

  function emfLines(): EmfLine[] {
    return written
      .join("")
      .split("\n")
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as EmfLine);
  }

  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    written.length = 0;
  });

  it("writes CallbacksRelayed by resourceType, and the publish's latency and failures, in one line", () => {
    // Prepare
    const metrics = createCloudWatchMetrics();
    metrics.published(12.5, true);
    metrics.relayed("MediaProcessor");
    capture();

    // Act
    metrics.flush();

    // Assess
    const lines = emfLines();
    expect(lines).toHaveLength(1);
    const [line] = lines;
    const [relayed, publish] = line?._aws.CloudWatchMetrics ?? [];
    expect(relayed).toEqual({
      Namespace: METRICS_NAMESPACE,
      Dimensions: [["service", "resourceType"]],
      Metrics: [{ Name: "CallbacksRelayed", Unit: "Count" }],
    });
    expect(publish).toEqual({
      Namespace: METRICS_NAMESPACE,
      Dimensions: [["service"]],
      Metrics: [
        { Name: "PublishLatency", Unit: "Milliseconds" },
        { Name: "PublishFailures", Unit: "Count" },
      ],
    });
    expect(line).toMatchObject({
      resourceType: "MediaProcessor",
      CallbacksRelayed: 1,
      PublishLatency: 12.5,
      PublishFailures: 0,
    });
    expect(line?._aws.Timestamp).toEqual(expect.any(Number));
  });

  it("writes a 503's CallbacksRefused and its failed publish in one line", () => {
    // Prepare
    const metrics = createCloudWatchMetrics();
    metrics.published(6000, false);
    metrics.refused("ServiceUnavailableError");
    capture();

    // Act
    metrics.flush();

    // Assess
    const lines = emfLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]?._aws.CloudWatchMetrics.map((directive) => directive.Dimensions)).toEqual([
      [["service", "reason"]],
      [["service"]],
    ]);
    expect(lines[0]).toMatchObject({
      reason: "ServiceUnavailableError",
      CallbacksRefused: 1,
      PublishLatency: 6000,
      PublishFailures: 1,
    });
  });

  it("writes two values of one dimension in two lines, each with its own count", () => {
    // Prepare
    const metrics = createCloudWatchMetrics();
    metrics.relayed("Message");
    metrics.relayed("Call");
    metrics.published(3, true);
    capture();

    // Act
    metrics.flush();

    // Assess
    const lines = emfLines();
    expect(
      lines.map((line) => [line.resourceType, line.CallbacksRelayed, line.PublishFailures]),
    ).toEqual([
      ["Message", 1, 0],
      ["Call", 1, undefined],
    ]);
  });

  it("writes nothing when POWERTOOLS_METRICS_DISABLED is true", () => {
    // Prepare
    vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "true");
    const metrics = createCloudWatchMetrics();
    metrics.relayed("Message");
    capture();

    // Act
    metrics.flush();

    // Assess
    expect(written).toEqual([]);
  });

  it("writes CallbacksRefused by reason, one line per reason, counted", () => {
    // Prepare
    const metrics = createCloudWatchMetrics();
    metrics.refused("SignatureMismatchError");
    metrics.refused("SignatureMismatchError");
    metrics.refused("PayloadTooLargeError");
    capture();

    // Act
    metrics.flush();

    // Assess
    const refused = emfLines().map((line) => [line.reason, line.CallbacksRefused]);
    expect(refused).toEqual([
      ["SignatureMismatchError", 2],
      ["PayloadTooLargeError", 1],
    ]);
  });

  it("counts a failed publish as PublishFailures 1", () => {
    // Prepare
    const metrics = createCloudWatchMetrics();
    metrics.published(6000, false);
    capture();

    // Act
    metrics.flush();

    // Assess
    expect(emfLines()).toMatchObject([{ PublishFailures: 1, PublishLatency: 6000 }]);
  });

  it("forgets what it flushed: a second flush writes nothing", () => {
    // Prepare
    const metrics = createCloudWatchMetrics();
    metrics.relayed("PlayerStreamer");
    capture();
    metrics.flush();
    written.length = 0;

    // Act
    metrics.flush();

    // Assess
    expect(written).toEqual([]);
  });
});
