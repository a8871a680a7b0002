/**
 * Production wiring of the ingest function from the environment: config, SQS client, tokens,
 * logger, metrics. Runs once per container, at start-up.
 */

import { createCloudWatchMetrics } from "./aws/cloudwatch-metrics.ts";
import { createSqsClient, createSqsPublisher } from "./aws/sqs-publisher.ts";
import { createSsmClient, ssmTokenSource } from "./aws/ssm-tokens.ts";
import { type Config, loadConfig } from "./config.ts";
import { ConfigError } from "./errors.ts";
import { createIngestHandler, createUnconfiguredHandler, type IngestHandler } from "./handler.ts";
import { createLogger } from "./logger.ts";
import type { TokenSource } from "./tokens.ts";

/**
 * The token source the configuration asks for: the SSM SecureString named by
 * `TWILIO_AUTH_TOKEN_PARAMETER`, cached for `AUTH_TOKEN_CACHE_TTL_SECONDS`; or, when tokens are
 * given in the environment, none (the handler then uses `config.authTokens`).
 */
export function tokensFromConfig(config: Config): TokenSource | undefined {
  if (config.authTokenParameter === undefined) return undefined;
  return ssmTokenSource({
    client: createSsmClient(),
    parameterName: config.authTokenParameter,
    ttlMs: config.authTokenCacheTtlMs,
  });
}

/**
 * Builds the ingest handler from `process.env`. With a missing or invalid variable the start-up
 * logs an error naming it, and the handler answers every callback 503 (so Twilio may retry once
 * it is fixed) instead of failing the Lambda init, which API Gateway would turn into a bare 500.
 */
export function ingestHandlerFromEnvironment(
  tokensFor: (config: Config) => TokenSource | undefined = tokensFromConfig,
): IngestHandler {
  const logger = createLogger();
  const metrics = createCloudWatchMetrics();
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) return createUnconfiguredHandler(error, logger, metrics);
    throw error;
  }
  const tokens = tokensFor(config);
  // Read the secret during the init phase, so the first callback need not wait for it. A failed
  // read is not cached: the first callback reads again, and answers 503 if that fails too.
  tokens?.().catch(() => undefined);
  return createIngestHandler({
    config,
    publisher: createSqsPublisher({ queueUrl: config.queueUrl, client: createSqsClient() }),
    clock: () => new Date(),
    tokens,
    logger,
    metrics,
  });
}
