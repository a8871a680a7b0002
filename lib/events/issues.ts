/**
 * The one place that words zod's validation issues for people: the event parser, the callback
 * normaliser and the configuration all say what is wrong through {@link problemsOf}.
 */
import type * as z from "zod/mini";

/** One thing wrong with a value, as found by a zod schema. */
export interface Problem {
  /** Where: the keys from the root of the value to the field at fault (empty for the root). */
  readonly path: readonly PropertyKey[];
  /** The field is absent (or `undefined`), rather than present and wrong. */
  readonly missing: boolean;
  /** What is wrong, as a predicate: `must be a string`, or the schema's own message. */
  readonly message: string;
}

// zod/mini ships no messages: every issue a schema gives no message of its own says this.
const ZOD_MINI_PLACEHOLDER = "Invalid input";

/** The problems zod found in `input`, each worded; see {@link Problem}. */
export function problemsOf(error: z.core.$ZodError, input: unknown): Problem[] {
  return error.issues.map((issue) => ({
    path: issue.path,
    missing: issue.path.length > 0 && valueAt(input, issue.path) === undefined,
    message: issue.message === ZOD_MINI_PLACEHOLDER ? wording(issue) : issue.message,
  }));
}

function wording(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return `must be ${issue.expected === "object" ? "a JSON object" : `a ${issue.expected}`}`;
    case "invalid_value":
      return `must be ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}`;
    case "invalid_format":
      return `must match ${"pattern" in issue ? issue.pattern : issue.format}`;
    case "invalid_union":
      return "options" in issue && Array.isArray(issue.options)
        ? `must be one of ${issue.options.map((v) => JSON.stringify(v)).join(", ")}`
        : "matches none of the expected shapes";
    default:
      return `is invalid (${issue.code})`;
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
