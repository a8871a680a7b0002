/**
 * The consumer's entry point to an SQS message: its body parsed and validated as the event the
 * relay publishes, or an error that says why it is not one.
 */
import type * as z from "zod/mini";
import { InvalidEventError } from "../ingest/errors.ts";
import { resources, UNKNOWN_RESOURCE_TYPE } from "./registry.ts";
import { type StatusEvent, StatusEventEnvelopeSchema } from "./schemas.ts";

// Each resource's types, by data.resourceType, so that a type is checked against its resource.
const typesByResource = new Map<string, ReadonlySet<string>>([
  ...resources.map((resource) => [resource.resourceType, new Set<string>(resource.types)] as const),
  ["unknown", new Set([UNKNOWN_RESOURCE_TYPE])],
]);

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
  const result = StatusEventEnvelopeSchema.safeParse(value);
  if (result.success) {
    const { type, data } = result.data;
    const types = typesByResource.get(data.resourceType);
    if (types?.has(type)) return result.data as StatusEvent;
    throw foreign(
      `type ${JSON.stringify(type)} is not an event of data.resourceType ${JSON.stringify(data.resourceType)}, ` +
        `whose types are ${[...(types ?? [])].map((t) => JSON.stringify(t)).join(", ")}`,
      undefined,
    );
  }

  const missing: string[] = [];
  const wrong: string[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.map(String).join(".");
    if (path !== "" && valueAt(value, issue.path) === undefined) {
      missing.push(path);
    } else {
      wrong.push(describe(path, issue));
    }
  }
  const problems = [...(missing.length > 0 ? [`missing ${missing.join(", ")}`] : []), ...wrong];
  throw foreign(problems.join("; "), result.error);
}

function foreign(problem: string, cause: unknown): InvalidEventError {
  return new InvalidEventError(`not a twilio-status-relay event: ${problem}`, { cause });
}

// zod/mini ships no messages ("Invalid input"), so the wording is ours.
function describe(path: string, issue: z.core.$ZodIssue): string {
  const subject = path === "" ? "the body" : path;
  switch (issue.code) {
    case "invalid_type":
      return `${subject} must be ${issue.expected === "object" ? "a JSON object" : `a ${issue.expected}`}`;
    case "invalid_value":
      return `${subject} must be ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}`;
    case "invalid_format":
      return `${subject} must match ${"pattern" in issue ? issue.pattern : issue.format}`;
    case "invalid_union":
      return "options" in issue && Array.isArray(issue.options)
        ? `${subject} must be one of ${issue.options.map((v) => JSON.stringify(v)).join(", ")}`
        : `${subject} matches none of the expected shapes`;
    default:
      return `${subject} is invalid (${issue.code})`;
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function excerpt(body: string): string {
  return JSON.stringify(body.length > EXCERPT_CHARS ? `${body.slice(0, EXCERPT_CHARS)}…` : body);
}
