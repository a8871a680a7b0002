/**
 * The recover function's errors. Every error has a `name` and may carry a `cause`.
 */
import { RelayError } from "../events/errors.ts";

/**
 * What CloudWatch Logs delivered cannot be read: not base64, not gzip, not JSON, or not the
 * documented shape. Permanent: no retry of the same payload can succeed.
 */
export class UnreadablePayloadError extends RelayError {
  override name = "UnreadablePayloadError";
}

/**
 * SQS kept failing for a passing reason until the invocation's time ran out: thrown so that
 * Lambda's asynchronous retries deliver the payload again.
 */
export class RecoveryIncompleteError extends RelayError {
  override name = "RecoveryIncompleteError";
  /** The events SQS did not take, by id. */
  readonly eventIds: readonly string[];

  constructor(message: string, eventIds: readonly string[], options?: ErrorOptions) {
    super(message, options);
    this.eventIds = eventIds;
  }
}
