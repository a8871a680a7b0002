/**
 * The recover function on a subscription payload that moto wrote, not this project: the relay's
 * real log lines (the ingest handler answering 503 while SQS is unreachable) are put into a moto
 * log group whose subscription filter (the stack's pattern) sends them to a Kinesis stream, where
 * moto puts exactly the `awslogs.data` it would hand a Lambda function. The recover handler, its
 * SQS sender on moto's SQS, must put every failed event on the queue once, delivered twice.
 *
 * moto does not evaluate filter patterns: it forwards every line, START/REPORT and `published`
 * included, which the recover function must skip (real CloudWatch Logs sends only the matches).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { createSqsClient } from "../../lib/ingest/aws/sqs-publisher.ts";
import {
  type CloudWatchLogsEvent,
  createRecoverHandler,
  noRecoveryMetrics,
  sqsSender,
} from "../../lib/recovery/index.ts";
import { createStackQueues, drainQueue } from "../../testing/local/sqs.ts";
import { ALL_EVENTS, callbackParams } from "../../testing/samples.ts";
import { memoryLogger } from "../helpers/memory-logger.ts";
import { MOTO_ACCOUNT, MOTO_REGION, type Moto, motoMissing, startMoto } from "../helpers/moto.ts";
import { inLambdaLogStream, relayWhileSqsDown } from "../helpers/relay-while-sqs-down.ts";

const LOG_GROUP = "/aws/lambda/twilio-status-relay-moto-ingest";
const LOG_STREAM = "2026/12/07/[$LATEST]fedcba9876543210fedcba9876543210";
const STREAM = "relay-log-subscription";
// The subscription filter of serverless.yml (RecoverSubscriptionFilter).
const FILTER_PATTERN = '{ ($.message = "publish failed") && ($.event.id = "*") }';

describe.skipIf(motoMissing)("recover, on the payload of a moto log subscription", () => {
  let moto: Moto;
  let sqs: ReturnType<typeof createSqsClient>;
  let payload: CloudWatchLogsEvent;
  let failedIds: string[];
  let lineCount: number;

  beforeAll(async () => {
    moto = await startMoto();
    sqs = moto.sqsClient();

    // The relay's lines while SQS is unreachable.
    const relayed = await relayWhileSqsDown(
      ALL_EVENTS.map((name, index) =>
        callbackParams(name, {
          timestamp: new Date(Date.UTC(2026, 11, 7, 10, 0, index)).toISOString(),
        }),
      ),
    );
    const lines = inLambdaLogStream(relayed.lines, "0e1d2c3b-4a59-6877-8695-a4b3c2d1e0f9");
    lineCount = lines.length;
    failedIds = lines
      .filter((line) => line.includes('"message":"publish failed"'))
      .map((line) => (JSON.parse(line) as { eventId: string }).eventId);

    // The subscription, and the lines put into the log group.
    moto.aws(["kinesis", "create-stream", "--stream-name", STREAM, "--shard-count", "1"]);
    const streamArn = `arn:aws:kinesis:${MOTO_REGION}:${MOTO_ACCOUNT}:stream/${STREAM}`;
    moto.aws(["logs", "create-log-group", "--log-group-name", LOG_GROUP]);
    moto.aws([
      "logs",
      "put-subscription-filter",
      "--log-group-name",
      LOG_GROUP,
      "--filter-name",
      "recover",
      "--filter-pattern",
      FILTER_PATTERN,
      "--destination-arn",
      streamArn,
      "--role-arn",
      `arn:aws:iam::${MOTO_ACCOUNT}:role/logs-to-kinesis`,
    ]);
    moto.aws([
      "logs",
      "create-log-stream",
      "--log-group-name",
      LOG_GROUP,
      "--log-stream-name",
      LOG_STREAM,
    ]);
    const logEvents = join(mkdtempSync(join(tmpdir(), "relay-moto-recover-")), "events.json");
    const start = Date.now() - 60_000;
    writeFileSync(
      logEvents,
      JSON.stringify(lines.map((message, index) => ({ timestamp: start + index, message }))),
    );
    moto.aws([
      "logs",
      "put-log-events",
      "--log-group-name",
      LOG_GROUP,
      "--log-stream-name",
      LOG_STREAM,
      "--log-events",
      `file://${logEvents}`,
    ]);

    // What moto put on the stream: gzipped JSON, which the CLI prints in base64, as a function
    // gets it in awslogs.data.
    const { ShardIterator } = JSON.parse(
      moto.aws([
        "kinesis",
        "get-shard-iterator",
        "--stream-name",
        STREAM,
        "--shard-id",
        "shardId-000000000000",
        "--shard-iterator-type",
        "TRIM_HORIZON",
      ]),
    ) as { ShardIterator: string };
    const { Records } = JSON.parse(
      moto.aws(["kinesis", "get-records", "--shard-iterator", ShardIterator]),
    ) as { Records: { Data: string }[] };
    expect(Records).toHaveLength(1);
    payload = { awslogs: { data: Records[0]?.Data ?? "" } };
  }, 90_000);

  afterAll(async () => {
    sqs?.destroy();
    await moto?.stop();
  });

  it("puts every failed event on the FIFO queue once, the payload delivered twice", async () => {
    // Prepare
    const { queueUrl } = await createStackQueues(sqs, "recovered");
    const recover = createRecoverHandler({
      config: { queueUrl },
      send: sqsSender(sqs),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      logger: memoryLogger(),
      metrics: noRecoveryMetrics,
    });
    const context = { getRemainingTimeInMillis: () => 60_000 };

    // Act
    const first = await recover(payload, context);
    const second = await recover(payload, context);
    const messages = await drainQueue(sqs, queueUrl);

    // Assess
    expect(failedIds).toHaveLength(ALL_EVENTS.length);
    expect(first).toEqual({
      recovered: ALL_EVENTS.length,
      failed: 0,
      skipped: lineCount - ALL_EVENTS.length,
    });
    expect(second.recovered).toBe(ALL_EVENTS.length);
    expect(messages.map((message) => message.Attributes?.MessageDeduplicationId).sort()).toEqual(
      [...failedIds].sort(),
    );
  });
});
