/**
 * The recovery side's public surface: the recover function, `npm run replay` and
 * `npm run redrive` are built from it. Not part of the published package.
 */
export { createRecoveryCloudWatchMetrics } from "./aws/cloudwatch-metrics.ts";
export {
  type CloudWatchLogsEvent,
  decodeLogsPayload,
  type LogEventsRead,
  type LogsPayload,
  readLogEvents,
  type SubscriptionLogEvent,
} from "./awslogs.ts";
export {
  MoveTaskFailedError,
  MoveTaskUnsupportedError,
  RecoveryIncompleteError,
  UnreadablePayloadError,
} from "./errors.ts";
export {
  BASE_BACKOFF_MS,
  createRecoverHandler,
  isTransientSqsError,
  MAX_BACKOFF_MS,
  RETRY_SAFETY_MARGIN_MS,
  type RecoverDependencies,
  type RecoverHandler,
  type RecoverySummary,
} from "./handler.ts";
export { noRecoveryMetrics, type RecoveryMetrics } from "./metrics.ts";
export {
  deadLetterQueueUrlOf,
  describeSqsError,
  type RedriveMethod,
  type RedriveOptions,
  type RedriveProgress,
  type RedriveResult,
  redrive,
} from "./redrive.ts";
export * from "./relay-log.ts";
export {
  isFifoQueue,
  type MessageSender,
  type ReplayOutcome,
  replayEvents,
  replayMessage,
  sqsClientForQueue,
  sqsSender,
} from "./replay.ts";
export { recoverHandlerFromEnvironment } from "./wiring.ts";
