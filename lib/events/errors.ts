/**
 * The errors a consumer of the package can meet, and the base of the relay's own hierarchy
 * (`lib/ingest/errors.ts` adds the HTTP ones). Every error has a `name` and may carry a `cause`.
 */

/** Base class of every error the relay throws on purpose. */
export class RelayError extends Error {
  override name = "RelayError";
}

/** A queue message that is not an event the relay published (thrown by `parseStatusEvent`). */
export class InvalidEventError extends RelayError {
  override name = "InvalidEventError";
}

/**
 * An error as plain, loggable data: name, message and the chain of causes, never the stack or
 * other own properties (which may hold a request or a secret).
 */
export function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  return {
    name: error.name,
    message: error.message,
    ...(error.cause !== undefined ? { cause: describeError(error.cause) } : {}),
  };
}
