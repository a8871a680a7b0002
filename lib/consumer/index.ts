/**
 * `twilio-status-relay/consumer`: the handler of an SQS-triggered Lambda function that consumes
 * relayed events.
 */
export { createStatusEventBatchHandler } from "./batch-handler.ts";
