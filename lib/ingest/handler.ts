/**
 * The ingest function: verify, normalise, publish, answer. Built from its dependencies so that
 * tests and local tools run exactly what Lambda runs.
 */

import type { StatusEvent } from "../events/schemas.ts";
import type { Config } from "./config.ts";
import { type ApiGatewayEvent, decodeRequest } from "./decode.ts";
import {
  BadRequestError,
  type ConfigError,
  HttpError,
  MissingSignatureError,
  ServiceUnavailableError,
  SignatureMismatchError,
} from "./errors.ts";
import type { RelayLogger } from "./logger.ts";
import { normaliseCallback } from "./normalise.ts";
import { type CallbackPolicy, enforceCallbackPolicy } from "./policy.ts";
import type { EventPublisher } from "./publisher.ts";
import { acceptedResponse, errorResponse, type HttpResponse } from "./responses.ts";
import { verifyTwilioSignature } from "./signature.ts";
import { staticTokens, type TokenSource } from "./tokens.ts";

/** Largest callback body accepted (64 KiB); Twilio's are well under 4 KiB. */
export const MAX_BODY_BYTES = 64 * 1024;

export interface IngestDependencies {
  /** Tokens, public URL and the optional protections (allowed accounts, maximum age). */
  readonly config: Pick<Config, "authTokens" | "publicUrl"> & CallbackPolicy;
  readonly publisher: EventPublisher;
  /** The current time; used for events that carry no `Timestamp` of their own. */
  readonly clock: () => Date;
  /** Where auth tokens come from; defaults to `config.authTokens`. */
  readonly tokens?: TokenSource;
  readonly logger: RelayLogger;
}

export type IngestHandler = (event: ApiGatewayEvent) => Promise<HttpResponse>;

/**
 * Creates the API Gateway handler (HTTP API payload 2.0 or REST API payload 1.0). It answers
 * 2xx only once the queue has accepted the event.
 */
export function createIngestHandler(deps: IngestDependencies): IngestHandler {
  const { config, publisher, clock, logger } = deps;
  const tokens = deps.tokens ?? staticTokens(config.authTokens);

  return async (apiEvent) => {
    try {
      const request = decodeRequest(apiEvent, {
        publicUrl: config.publicUrl,
        maxBodyBytes: MAX_BODY_BYTES,
      });
      if (request.signature === undefined) throw new MissingSignatureError();

      const verdict = verifyTwilioSignature({
        url: request.url,
        params: request.signedParams,
        signature: request.signature,
        tokens: await loadTokens(tokens, logger),
      });
      if (!verdict.valid) {
        // What a user needs to fix a mismatch, without the query string: some users put a
        // shared secret there.
        const queryAt = request.url.indexOf("?");
        logger.warn("signature does not match", {
          url: queryAt === -1 ? request.url : request.url.slice(0, queryAt),
          queryString: queryAt !== -1,
          method: request.method,
        });
        throw new SignatureMismatchError();
      }
      if (verdict.tokenIndex > 0) {
        logger.info("callback signed with a secondary auth token", {
          tokenIndex: verdict.tokenIndex,
        });
      }

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
      await publish(publisher, event, logger);
      logger.info("published", context);
      return acceptedResponse(event);
    } catch (error) {
      if (!(error instanceof HttpError)) {
        logger.error("unexpected error", { error: describe(error) });
      }
      return errorResponse(error);
    }
  };
}

/**
 * The handler of a relay whose configuration is missing or invalid: it logs the problem (naming
 * the variable) at start-up and with every callback, and answers 503, never 2xx and never 403.
 */
export function createUnconfiguredHandler(error: ConfigError, logger: RelayLogger): IngestHandler {
  // The Error itself, so the logger adds its stack (source-mapped in Lambda).
  logger.error("the relay is not configured", { error });
  return async () => {
    logger.error("the relay is not configured: answering 503", { error: error.message });
    return errorResponse(new ServiceUnavailableError({ cause: error }));
  };
}

async function loadTokens(source: TokenSource, logger: RelayLogger): Promise<readonly string[]> {
  try {
    return await source();
  } catch (error) {
    // Loud in the logs, 503 to Twilio: never 403 every caller because a secret is unreadable.
    logger.error("auth tokens unavailable", { error: describe(error) });
    throw new ServiceUnavailableError({ cause: error });
  }
}

function normalise(
  params: ReadonlyMap<string, readonly string[]>,
  clock: () => Date,
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
  clock: () => Date,
  logger: RelayLogger,
): void {
  try {
    enforceCallbackPolicy(event, policy, clock());
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
): Promise<void> {
  try {
    await publisher.publish(event);
  } catch (error) {
    // The event in full, so it can be recovered from the logs.
    logger.error("publish failed", {
      eventId: event.id,
      type: event.type,
      subject: event.subject,
      error: describe(error),
      event,
    });
    throw new ServiceUnavailableError({ cause: error });
  }
}

function describe(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  return {
    name: error.name,
    message: error.message,
    ...(error.cause !== undefined ? { cause: describe(error.cause) } : {}),
  };
}
