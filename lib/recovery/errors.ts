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
 * The SQS endpoint has no message move task (`StartMessageMoveTask`): local servers such as
 * fauxqs and moto. `answer` says what the endpoint answered instead.
 */
export class MoveTaskUnsupportedError extends RelayError {
  override name = "MoveTaskUnsupportedError";
  readonly answer: string;

  constructor(answer: string, options?: ErrorOptions) {
    super(
      `the SQS endpoint has no message move task (StartMessageMoveTask ${answer}): redrive with the receive method instead`,
      options,
    );
    this.answer = answer;
  }
}

/**
 * The endpoint has the message move task but it could not start or it failed: permissions, a
 * queue that is not a dead-letter queue, a network fault. The message says which, in SQS's own
 * words (never the SDK's internals).
 */
export class MoveTaskFailedError extends RelayError {
  override name = "MoveTaskFailedError";
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
