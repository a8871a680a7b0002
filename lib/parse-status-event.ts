/**
 * The consumer's entry point to an SQS message: its body parsed and validated as the event the
 * relay publishes, or a clear error saying why it is not one.
 */
import * as z from "zod/mini";
import { RelayError } from "./errors.ts";
import { type StatusEvent, StatusEventSchema } from "./schemas.ts";

/** Longest excerpt of a foreign body quoted in the error, so a huge message stays readable. */
const EXCERPT_CHARS = 80;

/**
 * Parses an SQS message body into a typed, validated {@link StatusEvent}.
 * @throws RelayError naming what is wrong: not JSON, or each field that does not match (a
 * message from another producer, or from an incompatible version of the relay)
 */
export function parseStatusEvent(body: string): StatusEvent {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (cause) {
    throw new RelayError(`not a twilio-status-relay event: the body is not JSON (${excerpt(body)})`, {
      cause,
    });
  }
  const result = StatusEventSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map(describeIssue);
    throw new RelayError(`not a twilio-status-relay event: ${problems.join("; ")}`, {
      cause: result.error,
    });
  }
  return result.data;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join(".");
  // zod's union message says nothing about which member was expected; the discriminator does.
  if (issue.code === "invalid_union" && path === "data") {
    return "data.resourceType must be one of the relay's resource types";
  }
  return path ? `${path}: ${issue.message}` : issue.message;
}

function excerpt(body: string): string {
  const text = body.length > EXCERPT_CHARS ? `${body.slice(0, EXCERPT_CHARS)}…` : body;
  return JSON.stringify(text);
}
