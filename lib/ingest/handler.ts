/**
 * The ingest function: verify, normalise, publish, answer. Built from its dependencies so that
 * tests and local tools run exactly what Lambda runs.
 */

import { describeError } from "../events/errors.ts";
import type { StatusEvent } from "../events/schemas.ts";
import { authenticate, type SecretSources } from "./authenticate.ts";
import type { Clock } from "./clock.ts";
import type { Config } from "./config.ts";
import { type ApiGatewayEvent, decodeRequest } from "./decode.ts";
import { BadRequestError, type ConfigError, HttpError, ServiceUnavailableError } from "./errors.ts";
import { handleSinkDelivery, MAX_SINK_BODY_BYTES } from "./event-streams.ts";
import type { RelayLogger } from "./logger.ts";
import { noMetrics, type RelayMetrics } from "./metrics.ts";
import { normaliseCallback } from "./normalise.ts";
import { type CallbackPolicy, enforceCallbackPolicy } from "./policy.ts";
import type { CloudEventPublisher, EventPublisher } from "./publisher.ts";
import { acceptedResponse, errorResponse, type HttpResponse } from "./responses.ts";
import type { SecretMapSource, TokenSource } from "./tokens.ts";

/** Largest callback body accepted (64 KiB); Twilio's are well under 4 KiB. */
export const MAX_BODY_BYTES = 64 * 1024;

export interface IngestDependencies {
  /** Public URL and the optional protections (allowed accounts, maximum age). */
  readonly config: Pick<Config, "publicUrl"> &
    Partial<Pick<Config, "connectionOverrides">> &
    CallbackPolicy;
  /** Publishes status events; and the CloudEvents of Event Streams deliveries, if it can. */
  readonly publisher: EventPublisher & Partial<CloudEventPublisher>;
  /** The current time: for events that carry no `Timestamp` of their own, and the age check. */
  readonly clock: Clock;
  /** Where the auth tokens come from (`staticTokens`, or a cached store; see `wiring.ts`). */
  readonly tokens: TokenSource;
  /** Auth tokens by account SID (`staticSecretMap`, or a cached store); none when undefined. */
  readonly accountAuthTokens?: SecretMapSource | undefined;
  /** SharedKey secrets by key id (`staticSecretMap`, or a cached store); none when undefined. */
  readonly sharedKeys?: SecretMapSource | undefined;
  readonly logger: RelayLogger;
  /** What the relay counts; flushed once per invocation, whatever the answer. Default: none. */
  readonly metrics?: RelayMetrics;
}

export type IngestHandler = (event: ApiGatewayEvent) => Promise<HttpResponse>;

/**
 * Creates the API Gateway handler (HTTP API payload 2.0 or REST API payload 1.0). It answers
 * 2xx only once the queue has accepted the event.
 */
export function createIngestHandler(deps: IngestDependencies): IngestHandler {
  const { config, publisher, clock, logger, metrics = noMetrics } = deps;
  const sources: SecretSources = {
    authTokens: deps.tokens,
    accountAuthTokens: deps.accountAuthTokens,
    sharedKeys: deps.sharedKeys,
  };

  return async (apiEvent) => {
    const startedAt = Date.now();
    try {
      const request = decodeRequest(apiEvent, {
        publicUrl: config.publicUrl,
        maxBodyBytes: MAX_BODY_BYTES,
        maxSinkBodyBytes: MAX_SINK_BODY_BYTES,
      });
      if (request.sink !== undefined) {
        return await handleSinkDelivery(
          { ...request, sink: request.sink },
          { sources, publisher, policy: config, logger, startedAt, metrics },
        );
      }

      await authenticate(request, {
        sources,
        accountSid: request.params.get("AccountSid")?.[0],
        fragment: config.connectionOverrides,
        logger,
      });

      const event = normalise(request.params, clock, logger);
      const context = { eventId: event.id, type: event.type, subject: event.subject };
      enforcePolicy(event, config, clock, logger);
      if (event.type.endsWith(".unknown")) {
        logger.warn("relaying a callback the relay does not know", {
          ...context,
          status: event.data.status,
          ...("statusCallbackEvent" in event.data
            ? { statusCallbackEvent: event.data.statusCallbackEvent }
            : {}),
        });
      }
      await publish(publisher, event, logger, metrics);
      metrics.relayed(event.data.resourceType);
      // At DEBUG: CallbacksRelayed counts every event; `npm run replay` reads this line, when
      // written, to leave out an event a retry published after it was logged as failed.
      logger.debug("published", context);
      return acceptedResponse(event);
    } catch (error) {
      if (!(error instanceof HttpError)) {
        logger.error("unexpected error", { error: describeError(error) });
      }
      const response = errorResponse(error);
      metrics.refused(error instanceof HttpError ? error.name : "InternalError");
      return response;
    } finally {
      flush(metrics, logger);
    }
  };
}

// Metrics never change an answer: a failed flush is logged, and the response stands.
function flush(metrics: RelayMetrics, logger: RelayLogger): void {
  try {
    metrics.flush();
  } catch (error) {
    logger.warn("metrics not written", { error: describeError(error) });
  }
}

/**
 * The handler of a relay whose configuration is missing or invalid: it logs the problem (naming
 * the variable) at start-up and with every callback, and answers 503, never 2xx and never 403.
 */
export function createUnconfiguredHandler(
  error: ConfigError,
  logger: RelayLogger,
  metrics: RelayMetrics = noMetrics,
): IngestHandler {
  // The Error itself, so the logger adds its stack (source-mapped in Lambda).
  logger.error("the relay is not configured", { error });
  return async () => {
    logger.error("the relay is not configured: answering 503", { error: error.message });
    const unavailable = new ServiceUnavailableError({ cause: error });
    metrics.refused(unavailable.name);
    flush(metrics, logger);
    return errorResponse(unavailable);
  };
}

function normalise(
  params: ReadonlyMap<string, readonly string[]>,
  clock: Clock,
  logger: RelayLogger,
): StatusEvent {
  try {
    return normaliseCallback(params, clock);
  } catch (error) {
    if (error instanceof BadRequestError) {
      // Signed by Twilio yet refused: log it whole so it can be recovered.
      logger.error("signed callback does not match the schema", {
        problems: error.problems,
        parameters: Object.fromEntries(params),
      });
    }
    throw error;
  }
}

function enforcePolicy(
  event: StatusEvent,
  policy: CallbackPolicy,
  clock: Clock,
  logger: RelayLogger,
): void {
  try {
    enforceCallbackPolicy(event, policy, clock);
  } catch (error) {
    // Signed by Twilio, refused by the user's own rule: kept in the logs in case the rule is wrong.
    logger.warn("callback refused by policy", {
      reason: error instanceof Error ? error.name : String(error),
      eventId: event.id,
      event,
    });
    throw error;
  }
}

async function publish(
  publisher: EventPublisher,
  event: StatusEvent,
  logger: RelayLogger,
  metrics: RelayMetrics,
): Promise<void> {
  const started = performance.now();
  try {
    await publisher.publish(event);
    metrics.published(performance.now() - started, true);
  } catch (error) {
    metrics.published(performance.now() - started, false);
    // The event in full, so it can be recovered from the logs.
    logger.error("publish failed", {
      eventId: event.id,
      type: event.type,
      subject: event.subject,
      error: describeError(error),
      event,
    });
    throw new ServiceUnavailableError({ cause: error });
  }
}
