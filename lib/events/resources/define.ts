/**
 * What a Twilio resource's status callback looks like to the relay, and the parameter and data
 * schemas every resource shares. A resource is one file that calls {@link defineResource}, plus
 * one entry in `registry.ts`.
 */
import * as z from "zod/mini";

/** The lifecycle state a `StatusCallbackEvent` names; `unknown` for an event the relay does not know. */
export type Status = "started" | "ended" | "failed" | "unknown";

/** A Twilio SID: two letters and 32 hex digits. */
export const sidSchema = z
  .string()
  .check(z.regex(/^[A-Z]{2}[0-9a-fA-F]{32}$/, "must be a Twilio SID"));

/** The parameters every Twilio status callback the relay knows carries, as Twilio names them. */
export const commonParameters = {
  AccountSid: z
    .string()
    .check(z.regex(/^AC[0-9a-fA-F]{32}$/, "must be an account SID (AC followed by 32 hex digits)")),
  StatusCallbackEvent: z.string().check(z.minLength(1, "must not be empty")),
  Timestamp: z.iso.datetime({ offset: true, error: "must be an ISO 8601 timestamp" }),
  Url: z.url({ error: "must be an absolute URL" }),
  // Empty means "not given": Twilio sends no Duration on a start event.
  Duration: z.optional(
    z.string().check(
      z.regex(/^(\d+(\.\d+)?)?$/, { error: "must be a number of seconds", abort: true }),
      // Hundreds of digits are still digits, but no finite number: JSON would turn it into null.
      z.refine((text) => Number.isFinite(Number(text)), "must be a finite number of seconds"),
    ),
  ),
  ErrorMessage: z.optional(z.string()),
  EndedReason: z.optional(z.string()),
};

/** Values of parameters the relay does not map to a field, verbatim; a list where repeated. */
export const unrecognizedParametersSchema = z.record(
  z.string(),
  z.union([z.string(), z.array(z.string())]),
);

/** The `data` fields every known resource's event carries (camelCase, typed). */
export function commonData<R extends string>(resourceType: R) {
  return {
    resourceType: z.literal(resourceType),
    status: z.enum(["started", "ended", "failed", "unknown"]),
    statusCallbackEvent: z.string(),
    accountSid: z.string(),
    timestamp: z.string(),
    url: z.string(),
    durationSeconds: z.optional(z.number()),
    endedReason: z.optional(z.string()),
    errorMessage: z.optional(z.string()),
    unrecognizedParameters: unrecognizedParametersSchema,
  };
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds resources of any shape
type AnyObject = z.ZodMiniObject<any>;

export interface ResourceDefinition<
  P extends AnyObject = AnyObject,
  D extends AnyObject = AnyObject,
  T extends string = string,
> {
  /** Twilio's name of the resource, the value of `data.resourceType`. */
  readonly resourceType: string;
  /** CloudEvents `type` prefix; the status is appended (`com.twilio.media.media-processor.started`). */
  readonly typePrefix: T;
  /** The callback parameter holding the resource SID; its presence identifies the resource. */
  readonly sidParameter: string;
  /** `StatusCallbackEvent` values and the status each means. */
  readonly events: Readonly<Record<string, Exclude<Status, "unknown">>>;
  /** CloudEvents `dataschema`: bump the version when `data` changes incompatibly. */
  readonly dataschema: string;
  /** The callback parameters the relay knows, as Twilio names them. */
  readonly parameters: P;
  /** The event's `data`, for consumers. */
  readonly dataSchema: D;
  /** The resource-specific part of `data`, from validated parameters. */
  readonly toData: (params: z.infer<P>) => Record<string, unknown>;
  /** The resource SID, from validated parameters. */
  readonly sid: (params: z.infer<P>) => string;
}

/** Declares a resource; the identity function, there to infer and check the types. */
export function defineResource<P extends AnyObject, D extends AnyObject, T extends string>(
  definition: ResourceDefinition<P, D, T>,
): ResourceDefinition<P, D, T> {
  return definition;
}
