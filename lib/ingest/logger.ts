/**
 * Structured JSON logs. The relay logs through this small interface; production uses
 * Powertools Logger (a few milliseconds of cold start, measured in `npm run bench`).
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { mapErrorStack } from "./stack-trace.ts";

/** The logging the relay needs: a message and structured attributes, one JSON line each. */
export interface RelayLogger {
  debug(message: string, attributes?: Record<string, unknown>): void;
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

/** A Powertools Logger for the relay; level from `POWERTOOLS_LOG_LEVEL` (default INFO). */
export function createLogger(serviceName = "twilio-status-relay"): RelayLogger {
  const logger = new Logger({ serviceName });
  return {
    debug: (message, attributes = {}) => logger.debug(message, attributes),
    info: (message, attributes = {}) => logger.info(message, attributes),
    warn: (message, attributes = {}) => logger.warn(message, withMappedStacks(attributes)),
    error: (message, attributes = {}) => logger.error(message, withMappedStacks(attributes)),
  };
}

// Errors logged with their stack get it in TypeScript terms (lines of lib/, not of index.cjs).
function withMappedStacks(attributes: Record<string, unknown>): Record<string, unknown> {
  for (const value of Object.values(attributes)) {
    if (value instanceof Error) mapErrorStack(value);
  }
  return attributes;
}
