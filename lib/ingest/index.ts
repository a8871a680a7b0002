/**
 * The ingest side's public surface: what `functions/ingest.ts`, the local tools and the tests
 * build the relay from. Not part of the published package.
 */
export { createSqsClient, createSqsPublisher, sqsMessage } from "./aws/sqs-publisher.ts";
export { createSsmClient } from "./aws/ssm-client.ts";
export { ssmTokenSource } from "./aws/ssm-tokens.ts";
export { type Clock, systemClock } from "./clock.ts";
export {
  type Config,
  loadConfig,
  loadRecoveryConfig,
  parseConfig,
  parseRecoveryConfig,
  type RecoveryConfig,
} from "./config.ts";
export { type ApiGatewayEvent, decodeRequest, parseForm } from "./decode.ts";
export * from "./errors.ts";
export {
  createIngestHandler,
  createUnconfiguredHandler,
  type IngestDependencies,
  type IngestHandler,
} from "./handler.ts";
export { createLogger, type RelayLogger } from "./logger.ts";
export { normaliseCallback } from "./normalise.ts";
export { type CallbackPolicy, enforceCallbackPolicy } from "./policy.ts";
export type { EventPublisher } from "./publisher.ts";
export { errorResponse, type HttpResponse } from "./responses.ts";
export { computeTwilioSignature, verifyTwilioSignature } from "./signature.ts";
export { cachedTokens, staticTokens, type TokenSource } from "./tokens.ts";
export { ingestHandlerFromEnvironment, tokensFromConfig } from "./wiring.ts";
