/**
 * Production wiring of the ingest function from the environment: config, SQS client, tokens,
 * logger, metrics. Runs once per container, at start-up.
 */

import { createCloudWatchMetrics } from "./aws/cloudwatch-metrics.ts";
import { createSqsClient, createSqsPublisher } from "./aws/sqs-publisher.ts";
import { createSsmClient } from "./aws/ssm-client.ts";
import { ssmSecretMapSource, ssmTokenSource } from "./aws/ssm-tokens.ts";
import { systemClock } from "./clock.ts";
import { type Config, loadConfig } from "./config.ts";
import { ConfigError } from "./errors.ts";
import { createIngestHandler, createUnconfiguredHandler, type IngestHandler } from "./handler.ts";
import { createLogger } from "./logger.ts";
import { type SecretMapSource, staticSecretMap, staticTokens, type TokenSource } from "./tokens.ts";

/**
 * The token source the configuration asks for: the tokens given in `TWILIO_AUTH_TOKEN`, or the
 * SSM SecureString named by `TWILIO_AUTH_TOKEN_PARAMETER`, cached for
 * `AUTH_TOKEN_CACHE_TTL_SECONDS`.
 */
export function tokensFromConfig(config: Config): TokenSource {
  if (config.authTokenParameter === undefined) return staticTokens(config.authTokens);
  return ssmTokenSource({
    client: createSsmClient(),
    parameterName: config.authTokenParameter,
    ttlMs: config.authTokenCacheTtlMs,
  });
}

/** The secret map sources the configuration asks for: inline, from SSM, or none. */
export interface SecretMapSources {
  readonly accountAuthTokens?: SecretMapSource | undefined;
  readonly sharedKeys?: SecretMapSource | undefined;
}

/**
 * `TWILIO_ACCOUNT_AUTH_TOKENS` and `TWILIO_SHARED_KEYS` as given in the environment, or the SSM
 * SecureStrings named by their `_PARAMETER` variables (JSON), cached like the tokens; none for a
 * variable not set.
 */
export function secretMapsFromConfig(config: Config): SecretMapSources {
  const { accountAuthTokensParameter, sharedKeysParameter } = config;
  const needsSsm = accountAuthTokensParameter !== undefined || sharedKeysParameter !== undefined;
  const client = needsSsm ? createSsmClient() : undefined;
  const source = (
    inline: Config["accountAuthTokens"],
    parameterName: string | undefined,
    kind: "account-auth-tokens" | "shared-keys",
  ): SecretMapSource | undefined => {
    if (client !== undefined && parameterName !== undefined) {
      return ssmSecretMapSource({ client, parameterName, ttlMs: config.authTokenCacheTtlMs, kind });
    }
    return inline.size > 0 ? staticSecretMap(inline) : undefined;
  };
  return {
    accountAuthTokens: source(
      config.accountAuthTokens,
      accountAuthTokensParameter,
      "account-auth-tokens",
    ),
    sharedKeys: source(config.sharedKeys, sharedKeysParameter, "shared-keys"),
  };
}

/**
 * Builds the ingest handler from `process.env`. With a missing or invalid variable the start-up
 * logs an error naming it, and the handler answers every callback 503 (so Twilio may retry once
 * it is fixed) instead of failing the Lambda init, which API Gateway would turn into a bare 500.
 */
export function ingestHandlerFromEnvironment(
  tokensFor: (config: Config) => TokenSource = tokensFromConfig,
  secretMapsFor: (config: Config) => SecretMapSources = secretMapsFromConfig,
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
  tokens().catch(() => undefined);
  const maps = secretMapsFor(config);
  maps.accountAuthTokens?.().catch(() => undefined);
  maps.sharedKeys?.().catch(() => undefined);
  return createIngestHandler({
    config,
    publisher: createSqsPublisher({ queueUrl: config.queueUrl, client: createSqsClient() }),
    clock: systemClock,
    tokens,
    accountAuthTokens: maps.accountAuthTokens,
    sharedKeys: maps.sharedKeys,
    logger,
    metrics,
  });
}
