/**
 * Production wiring of the ingest function from the environment: config, SQS client, tokens,
 * logger. Runs once per container, at start-up.
 */
import type { TokenSource } from "./auth-tokens.ts";
import { type Config, loadConfig } from "./config.ts";
import { createIngestHandler, type IngestHandler } from "./ingest-handler.ts";
import { createLogger } from "./logger.ts";
import { createSqsClient, createSqsPublisher } from "./sqs-publisher.ts";

/** Builds the ingest handler from `process.env`; fails at start-up on bad configuration. */
export function ingestHandlerFromEnvironment(
  tokensFor: (config: Config) => TokenSource | undefined = () => undefined,
): IngestHandler {
  const config = loadConfig();
  return createIngestHandler({
    config,
    publisher: createSqsPublisher({ queueUrl: config.queueUrl, client: createSqsClient() }),
    clock: () => new Date(),
    tokens: tokensFor(config),
    logger: createLogger(),
  });
}
