/**
 * Production wiring of the recover function from the environment: config, SQS client, logger,
 * metrics. Runs once per container, at start-up.
 */
import { setTimeout as wait } from "node:timers/promises";
import { createSqsClient } from "../ingest/aws/sqs-publisher.ts";
import { loadRecoveryConfig } from "../ingest/config.ts";
import { createLogger } from "../ingest/logger.ts";
import { createRecoveryCloudWatchMetrics } from "./aws/cloudwatch-metrics.ts";
import { createRecoverHandler, type RecoverHandler } from "./handler.ts";
import { sqsSender } from "./replay.ts";

/**
 * Builds the recover handler from `process.env`. A missing or invalid variable fails the init,
 * naming it: Lambda keeps the asynchronous event and retries, so nothing is lost meanwhile.
 */
export function recoverHandlerFromEnvironment(): RecoverHandler {
  const config = loadRecoveryConfig();
  return createRecoverHandler({
    config,
    send: sqsSender(createSqsClient()),
    sleep: (ms) => wait(ms),
    logger: createLogger(),
    metrics: createRecoveryCloudWatchMetrics(),
  });
}
