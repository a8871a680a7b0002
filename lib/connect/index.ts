/**
 * `npm run connect`: points Twilio (Messaging Services, incoming phone numbers, an Event Streams
 * sink and its subscription) at the relay, idempotently, with a plan, an undo record and a proof.
 * Used by scripts/connect.ts and the tests only: it holds the `twilio` package, which never
 * enters a Lambda bundle or the published package.
 */
export { sqsQueueWatcher } from "./aws/sqs-watcher.ts";
export {
  type BackoffOptions,
  DEFAULT_MAX_RETRIES,
  retryAfterMs,
  type TwilioHttpClient,
  type TwilioHttpRequest,
  type TwilioHttpResponse,
  withRateLimitBackoff,
} from "./backoff.ts";
export {
  CONNECT_DESCRIPTION,
  type ConnectOptions,
  type ConnectResult,
  type ConnectTargets,
  connect,
  DEFAULT_WAIT_MS,
  PHONE_NUMBER_CALLBACK_METHOD,
  type PlanItem,
  PRESETS,
  type Preset,
  planLines,
  sinkDestination,
  type UndoOptions,
  undo,
} from "./connect.ts";
export {
  ConnectError,
  CredentialsError,
  NotTheRelayError,
  ProofError,
  RateLimitError,
  TwilioApiError,
  UnknownResourceError,
} from "./errors.ts";
export type * from "./port.ts";
export {
  probeRelay,
  RELAY_UNSIGNED_ERROR,
  RELAY_UNSIGNED_STATUS,
  withoutFragment,
} from "./probe.ts";
export type { QueueWatcher, TestEventSeen, TestEventWait } from "./queue.ts";
export {
  type ConnectRecord,
  fileRecordStore,
  memoryRecordStore,
  RECORD_FOLDER,
  type RecordedChange,
  type RecordedRun,
  type RecordStore,
  recordPath,
} from "./record.ts";
export {
  createTwilioPort,
  credentialsFrom,
  type TwilioClientOptions,
  type TwilioCredentials,
  twilioFailure,
} from "./twilio-client.ts";
