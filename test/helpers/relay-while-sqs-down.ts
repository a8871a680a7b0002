/**
 * The relay's real log output while SQS is unreachable: the ingest handler with its production
 * SQS publisher (pointed at a loopback port nothing listens on) and its Powertools logger, whose
 * lines are captured, for the tests that recover events from the logs as CloudWatch holds them.
 */
import { createSqsClient, createSqsPublisher } from "../../lib/ingest/aws/sqs-publisher.ts";
import { createIngestHandler } from "../../lib/ingest/handler.ts";
import { createLogger } from "../../lib/ingest/logger.ts";
import { staticTokens } from "../../lib/ingest/tokens.ts";
import { freePort } from "../../testing/local/loop.ts";
import { LOCAL_AUTH_TOKEN } from "../../testing/samples.ts";
import { signedCallback } from "../../testing/signed-callback.ts";
import { captureOutput } from "./captured-output.ts";

/** Each callback signed and sent, in order; the answers, and every line the relay wrote. */
export async function relayWhileSqsDown(
  callbacks: readonly Record<string, string>[],
): Promise<{ statuses: number[]; lines: string[] }> {
  const unreachable = createSqsClient({
    endpoint: `http://127.0.0.1:${await freePort()}`,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
  const handler = createIngestHandler({
    config: { publicUrl: undefined },
    publisher: createSqsPublisher({
      queueUrl: "http://127.0.0.1/123456789012/unreachable.fifo",
      client: unreachable,
    }),
    clock: () => new Date(),
    tokens: staticTokens([LOCAL_AUTH_TOKEN]),
    logger: createLogger(),
  });
  const statuses: number[] = [];
  const output = captureOutput();
  try {
    for (const params of callbacks)
      statuses.push((await handler(signedCallback({ params }))).statusCode);
  } finally {
    output.restore();
    unreachable.destroy();
  }
  const lines = output
    .text()
    .split("\n")
    .filter((line) => line.trim() !== "");
  return { statuses, lines };
}

/** `lines` as Lambda's log stream holds one invocation's: between its START and END lines. */
export function inLambdaLogStream(lines: readonly string[], requestId: string): string[] {
  return [
    `START RequestId: ${requestId} Version: $LATEST`,
    ...lines,
    `END RequestId: ${requestId}`,
    `REPORT RequestId: ${requestId}\tDuration: 812.41 ms\tBilled Duration: 813 ms\tMemory Size: 256 MB\tMax Memory Used: 92 MB`,
  ];
}
