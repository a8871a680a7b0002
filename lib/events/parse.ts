/**
 * The consumer's entry point to an SQS message: its body parsed and validated as the event the
 * relay publishes, or an error that says why it is not one.
 */
import { InvalidEventError } from "./errors.ts";
import { problemsOf } from "./issues.ts";
import { type StatusEvent, StatusEventEnvelopeSchema, StatusEventSchema } from "./schemas.ts";

/** Longest excerpt of a foreign body quoted in an error, so a huge message stays readable. */
const EXCERPT_CHARS = 80;

/**
 * Parses an SQS message body into a typed, validated {@link StatusEvent}.
 * @throws InvalidEventError whose message starts `not a twilio-status-relay event:` and names what is
 *   wrong: a body that is not JSON, the fields that are missing, each field that does not match
 */
export function parseStatusEvent(body: string): StatusEvent {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (cause) {
    throw foreign(`the body is not JSON: ${excerpt(body)}`, cause);
  }
  const result = StatusEventSchema.safeParse(value);
  if (result.success) return result.data;

  // The envelope alone names missing and wrong fields plainly; a union's issues would not.
  const loose = StatusEventEnvelopeSchema.safeParse(value);
  if (loose.success) {
    const { type, data } = loose.data;
    throw foreign(
      `type ${JSON.stringify(type)} is not an event type of resourceType ${JSON.stringify(data.resourceType)}`,
      result.error,
    );
  }
  const missing: string[] = [];
  const wrong: string[] = [];
  for (const problem of problemsOf(loose.error, value)) {
    const path = problem.path.map(String).join(".");
    if (problem.missing) missing.push(path);
    else wrong.push(`${path === "" ? "the body" : path} ${problem.message}`);
  }
  const problems = [...(missing.length > 0 ? [`missing ${missing.join(", ")}`] : []), ...wrong];
  throw foreign(problems.join("; "), loose.error);
}

function foreign(problem: string, cause: unknown): InvalidEventError {
  return new InvalidEventError(`not a twilio-status-relay event: ${problem}`, { cause });
}

function excerpt(body: string): string {
  return JSON.stringify(body.length > EXCERPT_CHARS ? `${body.slice(0, EXCERPT_CHARS)}…` : body);
}
