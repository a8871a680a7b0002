/**
 * The SQS batch consumer (`twilio-status-relay/consumer`): a Lambda handler that parses each
 * record into a typed event and reports failures one by one; `createRelayedEventBatchHandler` for
 * a queue that also receives Event Streams CloudEvents.
 */
export {
  createRelayedEventBatchHandler,
  createStatusEventBatchHandler,
  type RelayedEventCallback,
  type StatusEventBatchHandler,
  type StatusEventBatchLogger,
  type StatusEventBatchOptions,
  type StatusEventCallback,
} from "./batch-handler.ts";
