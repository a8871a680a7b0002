/**
 * Production wiring of the ingest function from the environment: config, SQS client, tokens,
 * logger. Runs once per container, at start-up.
 */
import type { TokenSource } from "./auth-tokens.ts";
import { type Config, loadConfig } from "./config.ts";
import { createIngestHandler, type IngestHandler } from "./ingest-handler.ts";
import { createLogger } from "./logger.ts";
import { createSqsClient, createSqsPublisher } from "./sqs-publisher.ts";
import { createSsmClient, ssmTokenSource } from "./ssm-tokens.ts";

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

/** Builds the ingest handler from `process.env`; fails at start-up on bad configuration. */
export function ingestHandlerFromEnvironment(
  tokensFor: (config: Config) => TokenSource | undefined = tokensFromConfig,
): IngestHandler {
  const config = loadConfig();
  const tokens = tokensFor(config);
  // Read the secret during the init phase, so the first callback need not wait for it. A failed
  // read is not cached: the first callback reads again, and answers 503 if that fails too.
  tokens?.().catch(() => undefined);
  return createIngestHandler({
    config,
    publisher: createSqsPublisher({ queueUrl: config.queueUrl, client: createSqsClient() }),
    clock: () => new Date(),
    tokens,
    logger: createLogger(),
  });
}
