/**
 * The one place where outcomes become HTTP responses (API Gateway proxy results, valid for
 * payload 1.0 and 2.0). Error bodies are JSON; 5xx bodies never carry internals.
 */
import { BadRequestError, HttpError } from "./errors.ts";

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" } as const;

/** 200 with the id and type of the event that is now on the queue. */
export function acceptedResponse(event: { id: string; type: string }): HttpResponse {
  return {
    statusCode: 200,
    headers: JSON_HEADERS,
    body: JSON.stringify({ id: event.id, type: event.type }),
  };
}

/**
 * Maps any error to a response: an {@link HttpError} to its status and message, anything else
 * to a bare 500.
 */
export function errorResponse(error: unknown): HttpResponse {
  if (error instanceof HttpError) {
    const body: Record<string, unknown> = { error: error.name, message: error.message };
    if (error instanceof BadRequestError) body.problems = error.problems;
    return {
      statusCode: error.statusCode,
      headers: { ...JSON_HEADERS, ...error.headers },
      body: JSON.stringify(body),
    };
  }
  return {
    statusCode: 500,
    headers: JSON_HEADERS,
    body: JSON.stringify({ error: "InternalError", message: "internal error" }),
  };
}
