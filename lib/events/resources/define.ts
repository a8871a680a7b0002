/**
 * What a Twilio resource's status callback looks like to the relay, and the parameter and data
 * schemas resources share. A resource is one file that calls {@link defineCallbackResource} (or,
 * for an unusual shape, {@link defineResource}), plus one entry in `registry.ts`. Everything else
 * (normalisation, the event schema, the summary line, trigger samples, property tests and the
 * type table in docs/events.md) is derived from that definition.
 */
import * as z from "zod/mini";

/** The lifecycle state a Twilio Live `StatusCallbackEvent` names; `unknown` for one the relay does not know. */
export type Status = "started" | "ended" | "failed" | "unknown";

/** A Twilio SID: two letters and 32 hex digits. */
export const sidSchema = z
  .string()
  .check(z.regex(/^[A-Z]{2}[0-9a-fA-F]{32}$/, "must be a Twilio SID"));

const accountSidSchema = z
  .string()
  .check(z.regex(/^AC[0-9a-fA-F]{32}$/, "must be an account SID (AC followed by 32 hex digits)"));

/** The parameters every Twilio Live status callback carries, as Twilio names them. */
export const commonParameters = {
  AccountSid: accountSidSchema,
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

/** The `data` fields every Twilio Live resource's event carries (camelCase, typed). */
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

/** The common Twilio Live parameters after validation. */
export interface CommonParameters {
  readonly AccountSid: string;
  readonly StatusCallbackEvent: string;
  readonly Timestamp: string;
  readonly Url: string;
  readonly Duration?: string | undefined;
  readonly ErrorMessage?: string | undefined;
  readonly EndedReason?: string | undefined;
}

/** The Twilio Live data fields after the resource's own, from validated common parameters. */
export function commonLiveData(p: CommonParameters): Record<string, unknown> {
  const data: Record<string, unknown> = { timestamp: p.Timestamp, url: p.Url };
  if (p.Duration) data.durationSeconds = Number(p.Duration);
  if (p.EndedReason !== undefined) data.endedReason = p.EndedReason;
  if (p.ErrorMessage !== undefined) data.errorMessage = p.ErrorMessage;
  return data;
}

/**
 * Deepest nesting of a JSON parameter accepted. Twilio's are two or three levels deep; a much
 * deeper value (a few thousand levels fit in a callback body) parses, but JSON.stringify then
 * runs out of stack when the event is published or logged.
 */
export const MAX_JSON_DEPTH = 100;

/** Text that is a JSON object, nested at most {@link MAX_JSON_DEPTH} levels. */
export const jsonObjectText = z.string().check(
  z.refine(
    (text) => {
      try {
        const value: unknown = JSON.parse(text);
        return typeof value === "object" && value !== null && !Array.isArray(value);
      } catch {
        return false;
      }
    },
    { error: "must be a JSON object", abort: true },
  ),
  z.refine(
    (text) => jsonDepth(text) <= MAX_JSON_DEPTH,
    `must not be nested more than ${MAX_JSON_DEPTH} levels deep`,
  ),
);

function jsonDepth(json: string): number {
  return jsonNesting(json).depth;
}

/**
 * The deepest bracket nesting of JSON text, outside strings (one pass, no recursion, so that no
 * depth overflows the stack), and the index of the outermost array's element in which it is
 * first reached (0 when the text is not an array).
 */
export function jsonNesting(json: string): { readonly depth: number; readonly element: number } {
  let depth = 0;
  let deepest = 0;
  let element = 0;
  let deepestElement = 0;
  let inString = false;
  for (let i = 0; i < json.length; i += 1) {
    const c = json.charCodeAt(i);
    if (inString) {
      // A backslash escapes the next character, which then cannot end the string.
      if (c === 0x5c) i += 1;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > deepest) {
        deepest = depth;
        deepestElement = element;
      }
    } else if (c === 0x7d || c === 0x5d) {
      depth -= 1;
    } else if (c === 0x2c && depth === 1) {
      element += 1;
    }
  }
  return { depth: deepest, element: deepestElement };
}

// ---------------------------------------------------------------------------------------------
// The resource definition
// ---------------------------------------------------------------------------------------------

// biome-ignore lint/suspicious/noExplicitAny: the registry holds resources of any shape
type AnyObject = z.ZodMiniObject<any>;

/** One status value of a resource: the event `type` it is relayed as, and a realistic sample. */
export interface EventDefinition {
  /** CloudEvents `type` of this event. */
  readonly type: string;
  /** `data.status` when it is not the status value itself (only the Twilio Live resources). */
  readonly status?: string;
  /** Parameters Twilio adds for this status, on top of the resource's sample; for tests and `npm run trigger`. */
  readonly sample: Readonly<Record<string, string>>;
}

/** What a sample callback may be asked to vary. */
export interface SampleOverrides {
  /** The resource SID (the subject). */
  readonly sid?: string | undefined;
  /** The event time as ISO 8601; a resource whose callbacks carry a `Timestamp` formats it as Twilio does. */
  readonly timestamp?: string | undefined;
}

/** One row of a resource's field table, for docs/events.md. */
export interface FieldDoc {
  readonly parameter: string;
  readonly field: string;
  readonly type: string;
  readonly required: boolean;
}

/** A `key=value` pair of the summary line; undefined or empty values are left out. */
export type SummaryField = readonly [string, string | number | boolean | undefined];

export interface ResourceDefinition<
  P extends AnyObject = AnyObject,
  D extends AnyObject = AnyObject,
  T extends string = string,
> {
  /** Twilio's name of the resource, the value of `data.resourceType`. */
  readonly resourceType: string;
  /** One sentence for docs/events.md. */
  readonly description: string;
  /** Twilio's documentation of the callback (cited in docs/events.md). */
  readonly docs: string;
  /** CloudEvents `type` prefix; `<typePrefix>.unknown` is the type of a status the relay does not know. */
  readonly typePrefix: string;
  /** The callback parameter holding the status (`MessageStatus`, `CallStatus`, `StatusCallbackEvent`...). */
  readonly statusParameter: string;
  /** The parameters that name the resource (the `subject`): the first one present and non-empty. */
  readonly subjectParameters: readonly [string, ...string[]];
  /**
   * The parameters whose presence identifies the resource, all of them required; an entry that is
   * a list is satisfied by any one of its names. Resources are tried in registry order.
   */
  readonly identifiedBy: readonly (string | readonly string[])[];
  /** Status values the relay knows, each with its event type and sample. */
  readonly events: Readonly<Record<string, EventDefinition>>;
  /** `data.status` of a status value the relay does not know; the value itself when undefined. */
  readonly unknownStatus?: string | undefined;
  /** Every `type` this resource's events can have, `<typePrefix>.unknown` last. */
  readonly types: readonly T[];
  /** CloudEvents `dataschema`: bump the version when `data` changes incompatibly. */
  readonly dataschema: string;
  /** The callback parameters the relay knows, as Twilio names them. */
  readonly parameters: P;
  /** The event's `data`, for consumers. */
  readonly dataSchema: D;
  /** `data` after `resourceType` and `status` and before `unrecognizedParameters`, from validated parameters. */
  readonly toData: (params: z.infer<P>) => Record<string, unknown>;
  /** The event time as ISO 8601 from validated parameters; undefined: the relay's clock at receipt. */
  readonly time: (params: z.infer<P>) => string | undefined;
  /** The parameter `time` comes from, for docs/events.md; none: the relay's clock at receipt. */
  readonly timeParameter?: string | undefined;
  /** CloudEvents `source`: the resource's URL. */
  readonly source: (params: z.infer<P>) => string;
  /**
   * The parameters whose values make up the event id (absent ones count as empty). They must tell
   * any two different events apart and be the same in every redelivery of one callback.
   */
  readonly idParameters: readonly string[];
  /**
   * A realistic callback of this resource with `status` (the status parameter is set to it
   * afterwards anyway, and the event's own sample parameters are added).
   */
  readonly sample: (overrides: SampleOverrides, status: string) => Record<string, string>;
  /** The fields that tell this resource's events apart, for the one-line summary. */
  readonly summary: (data: Record<string, unknown>) => readonly SummaryField[];
  /** Every parameter the relay maps to a field: for docs/events.md. */
  readonly fields: readonly FieldDoc[];
}

type TypesOf<E, Prefix extends string> =
  | { [K in keyof E]: E[K] extends { readonly type: infer T extends string } ? T : never }[keyof E]
  | `${Prefix}.unknown`;

/** Everything of a {@link ResourceDefinition} but `types`, which is derived. */
export type ResourceSpec<
  P extends AnyObject,
  D extends AnyObject,
  E extends Readonly<Record<string, EventDefinition>>,
  Prefix extends string,
> = Omit<ResourceDefinition<P, D>, "types" | "events" | "typePrefix"> & {
  readonly typePrefix: Prefix;
  readonly events: E;
};

/** Declares a resource from a full definition; derives `types`. */
export function defineResource<
  P extends AnyObject,
  D extends AnyObject,
  const E extends Readonly<Record<string, EventDefinition>>,
  const Prefix extends string,
>(spec: ResourceSpec<P, D, E, Prefix>): ResourceDefinition<P, D, TypesOf<E, Prefix>> {
  const types = [
    ...new Set([
      ...Object.values(spec.events).map((event) => event.type),
      `${spec.typePrefix}.unknown`,
    ]),
  ] as TypesOf<E, Prefix>[];
  // Copied by descriptor, so that a schema given as a getter is still built only when first used.
  return Object.defineProperties(
    { types },
    Object.getOwnPropertyDescriptors(spec),
  ) as unknown as ResourceDefinition<P, D, TypesOf<E, Prefix>>;
}

// ---------------------------------------------------------------------------------------------
// Field kinds: how a documented parameter is checked on the wire and typed in `data`
// ---------------------------------------------------------------------------------------------

/**
 * How one documented parameter is validated (as the text Twilio sends) and typed in `data`. An
 * empty value of an optional parameter means "not given" for every kind but text.
 */
export interface FieldKind<T> {
  /** Name of the type in docs/events.md. */
  readonly label: string;
  /** Validates the text of a required parameter (empty refused) or an optional one (empty allowed). */
  readonly wire: (required: boolean) => z.ZodMiniType<string>;
  /** The typed value; undefined for "not given". */
  readonly convert: (text: string) => T | undefined;
  /** The field's schema in `data`. */
  readonly data: z.ZodMiniType<T>;
}

function kind<T>(
  label: string,
  pattern: RegExp,
  error: string,
  convert: (text: string) => T | undefined,
  data: z.ZodMiniType<T>,
  refine?: (text: string) => boolean,
): FieldKind<T> {
  const checked = (required: boolean) => {
    const base = z.string().check(
      z.refine((text) => text === "" || pattern.test(text), { error, abort: true }),
      ...(required ? [z.minLength(1, "must not be empty")] : []),
    );
    return refine ? base.check(z.refine((text) => text === "" || refine(text), error)) : base;
  };
  return {
    label,
    wire: checked,
    convert: (text) => (text === "" ? undefined : convert(text)),
    data,
  };
}

/** Free text, kept as sent (an empty value too). */
export const text: FieldKind<string> = {
  label: "string",
  wire: (required) =>
    required ? z.string().check(z.minLength(1, "must not be empty")) : z.string(),
  convert: (value) => value,
  data: z.string(),
};

/** A Twilio SID. */
export const sid: FieldKind<string> = kind(
  "SID",
  /^[A-Z]{2}[0-9a-fA-F]{32}$/,
  "must be a Twilio SID (two capital letters and 32 hex digits)",
  (value) => value,
  z.string(),
);

/** The account SID. */
export const accountSid: FieldKind<string> = kind(
  "SID",
  /^AC[0-9a-fA-F]{32}$/,
  "must be an account SID (AC followed by 32 hex digits)",
  (value) => value,
  z.string(),
);

/** A whole number, as a JSON number; at most 15 digits, so that it is exact. */
export const integer: FieldKind<number> = kind(
  "integer",
  /^-?\d{1,15}$/,
  "must be an integer",
  Number,
  z.number(),
);

/** `true` or `false` (any case), as a JSON boolean. */
export const boolean: FieldKind<boolean> = kind(
  "boolean",
  /^(true|false)$/i,
  "must be true or false",
  (value) => value.toLowerCase() === "true",
  z.boolean(),
);

const RFC_2822 =
  /^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}(?::\d{2})? (?:[+-]\d{4}|GMT|UT|Z)$/;

/** An RFC 2822 date (Voice sends `Tue, 15 Oct 2024 12:34:56 +0000`), as ISO 8601 UTC. */
export const rfc2822Time: FieldKind<string> = kind(
  "ISO 8601 (sent as RFC 2822)",
  RFC_2822,
  "must be an RFC 2822 date such as Tue, 15 Oct 2024 12:34:56 +0000",
  (value) => new Date(Date.parse(value)).toISOString(),
  z.string(),
  (value) => Number.isFinite(Date.parse(value)),
);

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** An ISO 8601 date and time with its offset (Video sends `2024-10-15T12:58:03.412Z`), kept as sent. */
export const isoTime: FieldKind<string> = kind(
  "ISO 8601",
  ISO_8601,
  "must be an ISO 8601 timestamp such as 2024-10-15T12:58:03.412Z",
  (value) => value,
  z.string(),
  (value) => Number.isFinite(Date.parse(value)),
);

/** A JSON object, parsed. */
export const json: FieldKind<Record<string, unknown>> = {
  label: "JSON object",
  wire: (required) =>
    required
      ? jsonObjectText
      : z.string().check(
          z.refine((value) => value === "" || jsonObjectText.safeParse(value).success, {
            error: `must be a JSON object nested at most ${MAX_JSON_DEPTH} levels deep`,
          }),
        ),
  convert: (value) => (value === "" ? undefined : (JSON.parse(value) as Record<string, unknown>)),
  data: z.record(z.string(), z.unknown()),
};

// ---------------------------------------------------------------------------------------------
// Callback resources: a field table in, a full definition out
// ---------------------------------------------------------------------------------------------

// biome-ignore lint/suspicious/noExplicitAny: a field table holds kinds of any value type
type Fields = Readonly<Record<string, FieldKind<any>>>;

type DataOf<K> = K extends FieldKind<infer T> ? T : never;

type WireShape<F extends Fields, S extends string, Req extends string> = {
  AccountSid: z.ZodMiniType<string>;
} & { [K in S]: z.ZodMiniType<string> } & {
  [K in keyof F & string]: K extends Req
    ? z.ZodMiniType<string>
    : z.ZodMiniOptional<z.ZodMiniType<string>>;
};

type DataShape<R extends string, F extends Fields, Req extends string> = {
  resourceType: z.ZodMiniLiteral<R>;
  status: z.ZodMiniString;
  accountSid: z.ZodMiniType<string>;
} & {
  [K in keyof F & string as Uncapitalize<K>]: K extends Req
    ? z.ZodMiniType<DataOf<F[K]>>
    : z.ZodMiniOptional<z.ZodMiniType<DataOf<F[K]>>>;
} & { unrecognizedParameters: typeof unrecognizedParametersSchema };

/** A callback resource described by its parameters; see {@link defineCallbackResource}. */
export interface CallbackResourceSpec<
  R extends string,
  F extends Fields,
  S extends string,
  Req extends keyof F & string,
  E extends Readonly<Record<string, EventDefinition>>,
  Prefix extends string,
> {
  readonly resourceType: R;
  readonly description: string;
  readonly docs: string;
  readonly typePrefix: Prefix;
  readonly statusParameter: S;
  readonly subjectParameters: readonly [keyof F & string, ...(keyof F & string)[]];
  readonly identifiedBy: readonly (string | readonly string[])[];
  /** Every documented parameter but `AccountSid` and the status parameter, in the order of `data`. */
  readonly fields: F;
  /** Fields that must be present and non-empty. */
  readonly required: readonly Req[];
  /** The parameter holding the event time, if the callback has one. */
  readonly timeParameter?: keyof F & string;
  readonly idParameters: readonly string[];
  readonly dataschema: string;
  readonly events: E;
  readonly source: (params: Readonly<Record<string, string | undefined>>) => string;
  readonly sample: (overrides: SampleOverrides, status: string) => Record<string, string>;
  /** Data fields shown on the summary line (after `status` when the type does not say it). */
  readonly summaryFields: readonly string[];
}

/** `MessageSid` -> `messageSid`: Twilio's names are PascalCase. */
export function camelCase<K extends string>(name: K): Uncapitalize<K> {
  return (name.charAt(0).toLowerCase() + name.slice(1)) as Uncapitalize<K>;
}

/**
 * Declares a resource from its parameter table: `AccountSid` and the status parameter are added;
 * each field becomes `data.<camelCase name>`, typed by its kind; `data.status` is the status value
 * as Twilio sent it.
 */
export function defineCallbackResource<
  const R extends string,
  const F extends Fields,
  const S extends string,
  const Req extends keyof F & string,
  const E extends Readonly<Record<string, EventDefinition>>,
  const Prefix extends string,
>(spec: CallbackResourceSpec<R, F, S, Req, E, Prefix>) {
  const required = new Set<string>(spec.required);
  const fields: FieldDoc[] = [
    { parameter: "AccountSid", field: "accountSid", type: "SID", required: true },
    { parameter: spec.statusParameter, field: "status", type: "string", required: true },
  ];
  const entries = Object.entries(spec.fields);
  for (const [name, fieldKind] of entries) {
    fields.push({
      parameter: name,
      field: camelCase(name),
      type: fieldKind.label,
      required: required.has(name),
    });
  }
  // The zod schemas are built the first time they are used, not at import: a container that
  // only ever sees Message callbacks never builds the other resources' schemas.
  let schemas: { parameters: z.ZodMiniObject; dataSchema: z.ZodMiniObject } | undefined;
  const build = () => {
    if (schemas !== undefined) return schemas;
    const wire: Record<string, z.ZodMiniType> = {
      AccountSid: accountSid.wire(true),
      [spec.statusParameter]: text.wire(true),
    };
    const data: Record<string, z.ZodMiniType> = {
      resourceType: z.literal(spec.resourceType),
      status: z.string(),
      accountSid: z.string(),
    };
    for (const [name, fieldKind] of entries) {
      const isRequired = required.has(name);
      wire[name] = isRequired ? fieldKind.wire(true) : z.optional(fieldKind.wire(false));
      data[camelCase(name)] = isRequired ? fieldKind.data : z.optional(fieldKind.data);
    }
    data.unrecognizedParameters = unrecognizedParametersSchema;
    schemas = { parameters: z.object(wire), dataSchema: z.object(data) };
    return schemas;
  };
  // Converters listed once, with their data names, rather than looked up on every callback.
  const converters = entries.map(
    ([name, fieldKind]) => [name, camelCase(name), fieldKind] as const,
  );
  const timeParameter = spec.timeParameter;
  const timeKind = timeParameter === undefined ? undefined : spec.fields[timeParameter];
  const summaryFields = spec.summaryFields;
  return defineResource({
    resourceType: spec.resourceType,
    description: spec.description,
    docs: spec.docs,
    typePrefix: spec.typePrefix,
    statusParameter: spec.statusParameter,
    subjectParameters: spec.subjectParameters,
    identifiedBy: spec.identifiedBy,
    events: spec.events,
    dataschema: spec.dataschema,
    get parameters() {
      return build().parameters as z.ZodMiniObject<WireShape<F, S, Req>>;
    },
    get dataSchema() {
      return build().dataSchema as unknown as z.ZodMiniObject<DataShape<R, F, Req>>;
    },
    toData: (params) => {
      const p = params as Record<string, string | undefined>;
      const out: Record<string, unknown> = { accountSid: p.AccountSid };
      for (const [name, field, fieldKind] of converters) {
        const value = p[name];
        if (value === undefined) continue;
        const converted = fieldKind.convert(value);
        if (converted !== undefined) out[field] = converted;
      }
      return out;
    },
    time: (params) => {
      if (timeParameter === undefined || timeKind === undefined) return undefined;
      const value = (params as Record<string, string | undefined>)[timeParameter];
      return value === undefined ? undefined : timeKind.convert(value);
    },
    source: (params) => spec.source(params as Record<string, string | undefined>),
    timeParameter,
    idParameters: spec.idParameters,
    sample: spec.sample,
    summary: (d) => summaryFields.map((field) => [field, d[field] as SummaryField[1]] as const),
    fields,
  });
}

/**
 * The documented fields of a Twilio Live resource: those both share around the resource's own
 * (`specific`), in the order of the event's JSON.
 */
export function liveFieldDocs(specific: readonly FieldDoc[]): FieldDoc[] {
  return [
    { parameter: "AccountSid", field: "accountSid", type: "SID", required: true },
    {
      parameter: "StatusCallbackEvent",
      field: "statusCallbackEvent (status: started, ended, failed, unknown)",
      type: "string",
      required: true,
    },
    ...specific,
    { parameter: "Timestamp", field: "timestamp", type: "ISO 8601", required: true },
    { parameter: "Url", field: "url", type: "string", required: true },
    { parameter: "Duration", field: "durationSeconds", type: "number", required: false },
    { parameter: "EndedReason", field: "endedReason", type: "string", required: false },
    { parameter: "ErrorMessage", field: "errorMessage", type: "string", required: false },
  ];
}

/** An ISO 8601 time as Twilio Voice writes it (RFC 2822, UTC): `Fri, 27 Nov 2026 10:15:30 +0000`. */
export function rfc2822(iso: string): string {
  return new Date(iso).toUTCString().replace("GMT", "+0000");
}
