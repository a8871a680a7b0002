/**
 * The recover function: CloudWatch Logs delivers the ingest function's `publish failed` lines,
 * and the events they hold go to the queue again, as `npm run replay` sends them. Built from its
 * dependencies so that tests run exactly what Lambda runs.
 */
import type { Context } from "aws-lambda";
import { describeError } from "../events/errors.ts";
import type { RecoveryConfig } from "../ingest/config.ts";
import type { RelayLogger } from "../ingest/logger.ts";
import { type CloudWatchLogsEvent, decodeLogsPayload, readLogEvents } from "./awslogs.ts";
import { RecoveryIncompleteError, UnreadablePayloadError } from "./errors.ts";
import type { RecoveryMetrics } from "./metrics.ts";
import type { LoggedEvent } from "./relay-log.ts";
import { type MessageSender, replayEvents } from "./replay.ts";

/** Retries stop when less than this is left of the invocation: room to log, flush and throw. */
export const RETRY_SAFETY_MARGIN_MS = 10_000;
/** First pause before a retry; doubled each time up to {@link MAX_BACKOFF_MS}, then jittered. */
export const BASE_BACKOFF_MS = 200;
export const MAX_BACKOFF_MS = 5_000;

export interface RecoverDependencies {
  readonly config: RecoveryConfig;
  /** Sends one message to SQS (`sqsSender(client)` in production). */
  readonly send: MessageSender;
  /** Waits before a retry (a timer in production, a fake clock in tests). */
  readonly sleep: (ms: number) => Promise<void>;
  /** A number in [0, 1) for the jitter of the backoff. Default: `Math.random`. */
  readonly random?: () => number;
  readonly logger: RelayLogger;
  readonly metrics: RecoveryMetrics;
}

/** What an invocation did: for logs and tests (Lambda ignores an async invocation's result). */
export interface RecoverySummary {
  readonly recovered: number;
  readonly failed: number;
  readonly skipped: number;
}

export type RecoverHandler = (
  event: CloudWatchLogsEvent,
  context: Pick<Context, "getRemainingTimeInMillis">,
) => Promise<RecoverySummary>;

/**
 * Whether an SQS error may pass: throttling, the service's own fault, or no answer at all (a
 * network error, a timeout). An error that is the sender's fault (a missing queue, a refused
 * message, no permission) fails the same way on every retry.
 */
export function isTransientSqsError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return true;
  const { $fault, $retryable, name } = error as {
    $fault?: string;
    $retryable?: unknown;
    name?: string;
  };
  if ($retryable !== undefined) return true;
  if (name !== undefined && THROTTLING.has(name)) return true;
  return $fault !== "client";
}

const THROTTLING = new Set([
  "RequestThrottled",
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "KmsThrottled",
]);

/**
 * Creates the handler of CloudWatch Logs subscription deliveries. It returns normally for a
 * control message, for a payload that can never be recovered (logged at error, counted in
 * `RecoveryFailures`) and once every event is on the queue; it throws only when SQS kept failing
 * for a passing reason until the invocation's time ran short, so that Lambda delivers again.
 */
export function createRecoverHandler(deps: RecoverDependencies): RecoverHandler {
  const { config, send, sleep, logger, metrics, random = Math.random } = deps;
  return async (input, context) => {
    try {
      let payload: ReturnType<typeof decodeLogsPayload>;
      try {
        payload = decodeLogsPayload(input);
      } catch (error) {
        if (!(error instanceof UnreadablePayloadError)) throw error;
        logger.error("recovery failed: unreadable payload", { error: describeError(error) });
        metrics.failed(1);
        return { recovered: 0, failed: 1, skipped: 0 };
      }
      if (payload.messageType === "CONTROL_MESSAGE") {
        logger.debug("control message acknowledged", { logGroup: payload.logGroup });
        return { recovered: 0, failed: 0, skipped: 0 };
      }
      const source = { logGroup: payload.logGroup, logStream: payload.logStream };
      const read = readLogEvents(payload.logEvents);
      for (const { logEventId } of read.notRelayLines) {
        logger.warn("skipped a log event that is not a publish failed line", {
          ...source,
          logEventId,
        });
      }
      for (const { logEventId, ids } of read.sinkDeliveries) {
        logger.info("skipped an Event Streams delivery: Event Streams delivers it again", {
          ...source,
          logEventId,
          ids,
        });
      }
      for (const { logEventId, eventId, reason } of read.invalid) {
        logger.error("recovery failed: the logged event is not valid", {
          ...source,
          logEventId,
          eventId,
          reason,
        });
      }
      metrics.failed(read.invalid.length);
      const skipped = read.notRelayLines.length + read.sinkDeliveries.length;
      const outcome = await sendAll(read.events, context);
      metrics.recovered(outcome.sent.length);
      metrics.failed(outcome.permanent.length + outcome.pending.length);
      if (outcome.sent.length > 0) {
        logger.info("recovered", {
          ...source,
          count: outcome.sent.length,
          eventIds: outcome.sent.map((logged) => logged.id),
        });
      }
      for (const { logged, error } of outcome.permanent) {
        logger.error("recovery failed: SQS refused the event", {
          ...source,
          eventId: logged.id,
          error: describeError(error),
        });
      }
      const failed = read.invalid.length + outcome.permanent.length + outcome.pending.length;
      if (outcome.pending.length > 0) {
        const eventIds = outcome.pending.map((logged) => logged.id);
        logger.error("recovery failed: SQS kept failing, leaving it to Lambda's retries", {
          ...source,
          attempts: outcome.attempts,
          eventIds,
          error: describeError(outcome.lastError),
        });
        throw new RecoveryIncompleteError(
          `SQS did not take ${eventIds.length} events before the time ran short`,
          eventIds,
          { cause: outcome.lastError },
        );
      }
      return { recovered: outcome.sent.length, failed, skipped };
    } finally {
      try {
        metrics.flush();
      } catch (error) {
        logger.warn("metrics not written", { error: describeError(error) });
      }
    }
  };

  async function sendAll(
    events: readonly LoggedEvent[],
    context: Pick<Context, "getRemainingTimeInMillis">,
  ) {
    const sent: LoggedEvent[] = [];
    const permanent: { logged: LoggedEvent; error: unknown }[] = [];
    let pending = [...events];
    let lastError: unknown;
    let attempts = 0;
    while (pending.length > 0) {
      const budget = context.getRemainingTimeInMillis() - RETRY_SAFETY_MARGIN_MS;
      if (budget <= 0) break;
      attempts += 1;
      // One signal for the round: no call outlives the time left for retries.
      const signal = AbortSignal.timeout(budget);
      const round = await replayEvents({
        send: (message) => send(message, signal),
        queueUrl: config.queueUrl,
        events: pending,
        // A queue that fails for a passing reason fails the rest too: wait, then go on.
        stopAfter: isTransientSqsError,
      });
      sent.push(...round.sent);
      const transient: LoggedEvent[] = [];
      for (const { logged, cause } of round.failed) {
        if (isTransientSqsError(cause)) {
          transient.push(logged);
          lastError = cause;
        } else permanent.push({ logged, error: cause });
      }
      pending = [...transient, ...round.unsent];
      if (pending.length === 0) break;
      const ceiling = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (attempts - 1));
      // Full jitter: many invocations retrying at once spread out.
      const pause = Math.round(random() * ceiling);
      if (context.getRemainingTimeInMillis() - pause <= RETRY_SAFETY_MARGIN_MS) break;
      await sleep(pause);
    }
    return { sent, permanent, pending, lastError, attempts };
  }
}
