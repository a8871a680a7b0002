/**
 * fast-check arbitraries for the hostile-input property tests: adversarial text, form bodies,
 * headers, methods and API Gateway events (payload 1.0 and 2.0), genuinely valid callbacks
 * signed as Twilio signs them (`signedCallback`), and one-thing mutations of them.
 */

import fc from "fast-check";
import { resources } from "../../lib/events/registry.ts";
import type { ApiGatewayEvent } from "../../lib/ingest/decode.ts";
import {
  ACCOUNT_SID,
  type CallbackEventName,
  callbackParams,
  PLAYER_STREAMER_ALIASES,
  SAMPLE_EVENTS,
} from "../../testing/samples.ts";
import {
  type FormParams,
  formBody,
  type SignedCallbackOptions,
  signedCallback,
} from "../../testing/signed-callback.ts";
import { PRIMARY_AUTH_TOKEN, SECONDARY_AUTH_TOKEN } from "../../testing/tokens.ts";

/** The tokens the handler under test holds, primary first. */
export const RELAY_TOKENS = [PRIMARY_AUTH_TOKEN, SECONDARY_AUTH_TOKEN] as const;
/** The body limit of the handler (64 KiB). */
export const LIMIT = 64 * 1024;

/**
 * Runs per property: `inSuite` in `npm test`, or `HOSTILE_RUNS` when set, to shake out bugs
 * locally (`HOSTILE_RUNS=20000 npx vitest run test/unit/...`).
 */
export function runs(inSuite: number): number {
  const wanted = Number(process.env.HOSTILE_RUNS);
  return Number.isInteger(wanted) && wanted > 0 ? wanted : inSuite;
}

/** Every parameter name a known resource maps to a field: from the registry. */
export const KNOWN_PARAMETERS: readonly [string, ...string[]] = [
  "AccountSid",
  ...new Set(resources.flatMap((resource) => Object.keys(resource.parameters.shape))),
];
const KNOWN = new Set<string>(KNOWN_PARAMETERS);

// Escapes a form parser or a URL parser may trip on: truncated, non-hex, overlong UTF-8 (C0 AF,
// E0 80 AF), an encoded surrogate (ED A0 80), beyond U+10FFFF (F4 90 80 80), stray bytes, mixed
// case, and encoded separators.
const PERCENT_ESCAPES = [
  "%",
  "%2",
  "%zz",
  "%%",
  "%25",
  "%00",
  "%C0%AF",
  "%c0%af",
  "%E0%80%AF",
  "%ED%A0%80",
  "%F4%90%80%80",
  "%FF",
  "%C3",
  "%C3%A9",
  "%c3%A9",
  "%u00e9",
  "%2B",
  "%20",
  "%3D",
  "%26",
  "%5B",
  "%5D",
];
const ODD_PIECES = [
  "",
  "=",
  "&",
  "+",
  "\u0000",
  "\r\n",
  "\t",
  " ",
  "é",
  "日本",
  "😀",
  "\ud800",
  "\udfff",
  "\uffff",
  "\ufeff",
  "\u202e",
  "[",
  "]",
  "[]",
  "[0]",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  ";",
  "#",
  "?",
  "/",
  "\\",
  '"',
  "'",
  "{",
  "}",
  "<script>",
  "$(id)",
  "a",
  "Z",
  "0",
];

/** Adversarial text: any code point (lone surrogates included), escapes, separators, odd names. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "binary", maxLength: 24 }),
  fc.string({ unit: fc.constantFrom(...PERCENT_ESCAPES, ...ODD_PIECES), maxLength: 12 }),
  fc.constantFrom(...KNOWN_PARAMETERS),
);

/** A parameter name: a known one, an odd one, or a deeply nested `a[b][c]...` key. */
export const parameterName: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: hostileText },
  { weight: 2, arbitrary: fc.constantFrom(...KNOWN_PARAMETERS) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3000 }).map((n) => `a${"[b]".repeat(n)}`) },
);

/** Deeply nested JSON text (objects or arrays, up to beyond what fits in the body limit). */
export const deepJson: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 1, max: 20_000 }), fc.boolean())
  .map(([depth, objects]) =>
    objects
      ? `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`
      : `{"a":${"[".repeat(depth)}${"]".repeat(depth)}}`,
  );

/** A parameter value: odd text, a long digit string, deep JSON, or a big blob. */
export const parameterValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: hostileText },
  { weight: 1, arbitrary: fc.stringMatching(/^\d{300,400}(\.\d{1,3})?$/) },
  { weight: 1, arbitrary: deepJson },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 70_000 }).map((n) => "x".repeat(n)) },
);

/** One `name=value` pair: form-encoded, raw, or garbage. */
const formPair: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(parameterName, parameterValue)
    .map(([name, value]) => new URLSearchParams([[name, value]]).toString()),
  fc.tuple(parameterName, parameterValue).map(([name, value]) => `${name}=${value}`),
  hostileText,
);

/** Form-ish text: pairs, repeated names and garbage, joined by `&`. */
export const formText: fc.Arbitrary<string> = fc
  .array(formPair, { maxLength: 8 })
  .map((pairs) => pairs.join("&"));

/** What API Gateway puts in `body` / `isBase64Encoded`, hostile. */
export const bodyField: fc.Arbitrary<{ body?: string | null; isBase64Encoded?: boolean | null }> =
  fc.oneof(
    formText.map((text) => ({ body: text, isBase64Encoded: false })),
    formText.map((text) => ({ body: Buffer.from(text).toString("base64"), isBase64Encoded: true })),
    // Random bytes: mostly invalid UTF-8.
    fc
      .uint8Array({ maxLength: 300 })
      .map((bytes) => ({ body: Buffer.from(bytes).toString("base64"), isBase64Encoded: true })),
    // Not base64 at all, yet marked so.
    hostileText.map((text) => ({ body: text, isBase64Encoded: true })),
    fc.tuple(fc.integer({ min: LIMIT - 4, max: 3 * LIMIT }), fc.boolean()).map(([size, base64]) => {
      const text = `A=${"x".repeat(size)}`;
      return {
        body: base64 ? Buffer.from(text).toString("base64") : text,
        isBase64Encoded: base64,
      };
    }),
    fc.constantFrom(
      { body: null },
      {},
      { body: "" },
      { body: "", isBase64Encoded: true },
      {
        body: "A=1",
        isBase64Encoded: null,
      },
    ),
  );

const SIGNATURE_SHAPED = fc
  .uint8Array({ minLength: 20, maxLength: 20 })
  .map((bytes) => Buffer.from(bytes).toString("base64"));

const HEADER_NAMES = [
  "host",
  "Host",
  "HOST",
  "x-forwarded-proto",
  "X-Forwarded-Proto",
  "content-type",
  "Content-Type",
  "CONTENT-TYPE",
  "x-twilio-signature",
  "X-Twilio-Signature",
  "X-TWILIO-SIGNATURE",
  "user-agent",
  "i-twilio-idempotency-token",
];

const headerValue: fc.Arbitrary<string> = fc.oneof(
  hostileText,
  SIGNATURE_SHAPED,
  fc.constantFrom(
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=utf-8",
    "application/x-www-form-urlencoded,application/x-www-form-urlencoded",
    "application/json",
    "multipart/form-data; boundary=x",
    "abc123.execute-api.us-east-1.amazonaws.com",
    "https",
    "http",
    "https,http",
    "javascript",
  ),
  fc.integer({ min: 8 * 1024, max: 64 * 1024 }).map((n) => "h".repeat(n)),
);

/** Headers: missing, duplicated in several cases, huge, non-ASCII; or none at all. */
export const headersField: fc.Arbitrary<Record<string, string | undefined> | null | undefined> =
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc.dictionary(
        fc.oneof(fc.constantFrom(...HEADER_NAMES), hostileText),
        fc.oneof(headerValue, fc.constant(undefined)),
        { maxKeys: 8 },
      ),
    },
    { weight: 1, arbitrary: fc.constantFrom(null, undefined) },
  );

/** HTTP methods, in any case, padded, Unicode look-alikes, or missing. */
export const methodArb: fc.Arbitrary<string | undefined | null> = fc.oneof(
  // Mostly the methods that go on to be decoded, so that every later check is reached too.
  { weight: 4, arbitrary: fc.constantFrom("GET", "POST") },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "get",
      "post",
      "Post",
      "PUT",
      "PATCH",
      "DELETE",
      "HEAD",
      "OPTIONS",
      "TRACE",
      "CONNECT",
      "",
      " POST",
      "POST ",
      "poſt",
      "GEТ",
    ),
  },
  { weight: 1, arbitrary: hostileText },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null) },
);

const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined | null> =>
  fc.oneof(
    { weight: 4, arbitrary: arb },
    { weight: 1, arbitrary: fc.constantFrom(undefined, null) },
  );

/** Drops the properties whose value is `undefined`, so that "missing" means absent. */
function compact(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

/** A hostile HTTP API (payload 2.0) event: every field adversarial, missing or null. */
export const hostileV2Event: fc.Arbitrary<ApiGatewayEvent> = fc
  .record({
    method: methodArb,
    rawPath: maybe(fc.oneof(fc.constant("/status-callbacks"), hostileText)),
    rawQueryString: maybe(formText),
    headers: headersField,
    domainName: maybe(
      fc.oneof(fc.constant("abc123.execute-api.us-east-1.amazonaws.com"), hostileText),
    ),
    requestContext: fc.constantFrom("full", "full", "full", "no-http", "missing", "null"),
    body: bodyField,
  })
  .map(
    (e) =>
      compact({
        version: "2.0",
        routeKey: "$default",
        rawPath: e.rawPath,
        rawQueryString: e.rawQueryString,
        headers: e.headers,
        requestContext:
          e.requestContext === "missing"
            ? undefined
            : e.requestContext === "null"
              ? null
              : compact({
                  domainName: e.domainName,
                  http: e.requestContext === "full" ? compact({ method: e.method }) : undefined,
                }),
        ...e.body,
      }) as unknown as ApiGatewayEvent,
  );

const queryMap = fc.dictionary(
  parameterName,
  fc.array(parameterValue, { minLength: 1, maxLength: 3 }),
  {
    maxKeys: 5,
  },
);

/** A hostile REST API (payload 1.0) event: every field adversarial, missing or null. */
export const hostileV1Event: fc.Arbitrary<ApiGatewayEvent> = fc
  .record({
    method: methodArb,
    path: maybe(fc.oneof(fc.constant("/status-callbacks"), hostileText)),
    contextPath: maybe(fc.oneof(fc.constant("/prod/status-callbacks"), hostileText)),
    query: maybe(queryMap),
    multi: fc.boolean(),
    headers: headersField,
    domainName: maybe(hostileText),
    body: bodyField,
  })
  .map(
    (e) =>
      compact({
        resource: "/status-callbacks",
        httpMethod: e.method,
        path: e.path,
        headers: e.headers,
        queryStringParameters:
          e.query && !e.multi
            ? Object.fromEntries(Object.entries(e.query).map(([k, v]) => [k, v.at(-1)]))
            : null,
        multiValueQueryStringParameters: e.query && e.multi ? e.query : null,
        requestContext: compact({ path: e.contextPath, domainName: e.domainName }),
        ...e.body,
      }) as unknown as ApiGatewayEvent,
  );

/** Any hostile event, of either payload format. */
export const hostileEvent: fc.Arbitrary<ApiGatewayEvent> = fc.oneof(hostileV2Event, hostileV1Event);

/** A genuinely valid callback: the event, and the parameters Twilio signed. */
export interface ValidCallback {
  readonly event: ApiGatewayEvent;
  /** Every callback parameter the relay must see (GET: configured query plus callback). */
  readonly params: FormParams;
  readonly options: SignedCallbackOptions;
}

// Extra text for parameters that must survive the trip unchanged: no lone surrogates (a form
// body is UTF-8, where they become U+FFFD).
const wellFormed = hostileText.map((text) => text.toWellFormed());

const extraName = wellFormed.filter((name) => !KNOWN.has(name));

const extensionContext: fc.Arbitrary<string> = fc.oneof(
  fc
    .dictionary(fc.string({ unit: "binary", maxLength: 8 }), fc.jsonValue({ maxDepth: 4 }), {
      maxKeys: 5,
    })
    .map((value) => JSON.stringify(value)),
  fc.integer({ min: 1, max: 40 }).map((depth) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`),
  // Huge: up to the body limit once form-encoded (longer ones are filtered out below).
  fc
    .integer({ min: 1_000, max: 64_000 })
    .map((size) => JSON.stringify({ room: { name: "RM1" }, blob: "x".repeat(size) })),
);

const timestamp = fc
  .date({
    min: new Date("2000-01-01T00:00:00Z"),
    max: new Date("2099-12-31T23:59:59Z"),
    noInvalidDate: true,
  })
  .map((date) => date.toISOString());

/** A sample event's parameter left empty, as Twilio sends an unknown value (`CalledZip=`). */
function blanked(params: Record<string, string>, names: readonly string[]): Record<string, string> {
  const out = { ...params };
  for (const name of names) if (name in out) out[name] = "";
  return out;
}

// Parameters that are optional and typed (not plain text) in some resource: empty means "not given".
const BLANKABLE = [
  "ErrorCode",
  "SequenceNumber",
  "CallDuration",
  "Duration",
  "RawDlrDoneDate",
  "ParentCallSid",
  "ToZip",
  "MessagingServiceSid",
  "RecordingChannels",
  "ParticipantLabel",
  "RoomType",
  "PercentageDone",
];

/**
 * Genuinely valid signed callbacks, of every event of every registered resource (from the
 * registry's samples), every payload format, method and encoding, with odd extra parameters
 * (repeated too, as Conversations sends some), empty values, `+` in phone numbers, and
 * ExtensionContexts, signed with the primary or the secondary token (`signedCallback`, whose
 * signer equals the official `twilio` package's).
 */
export function validCallbackArbitrary(): fc.Arbitrary<ValidCallback> {
  return fc
    .record({
      version: fc.constantFrom("2.0" as const, "1.0" as const),
      method: fc.constantFrom("POST", "GET"),
      event: fc.constantFrom<CallbackEventName | "unknown-resource">(
        ...SAMPLE_EVENTS.map((sample) => sample.name),
        ...PLAYER_STREAMER_ALIASES,
        "unknown-resource",
      ),
      blank: fc.subarray(BLANKABLE, { maxLength: 3 }),
      base64: fc.boolean(),
      secondary: fc.boolean(),
      timestamp,
      context: extensionContext,
      extra: fc.dictionary(
        extraName,
        fc.oneof(wellFormed, fc.array(wellFormed, { minLength: 2, maxLength: 3 })),
        { maxKeys: 4 },
      ),
      configuredQuery: fc.option(fc.dictionary(extraName, wellFormed, { minKeys: 1, maxKeys: 2 }), {
        nil: undefined,
      }),
      pathPrefix: fc.constantFrom("", "/prod", "/v1/hooks"),
    })
    .map((c) => {
      const base: FormParams =
        c.event === "unknown-resource"
          ? { AccountSid: ACCOUNT_SID }
          : {
              ...blanked(callbackParams(c.event, { timestamp: c.timestamp }), c.blank),
              ...(c.event.startsWith("media-processor") ? { ExtensionContext: c.context } : {}),
            };
      const params: FormParams = { ...c.extra, ...base };
      // The configured StatusCallback URL's own query, form-encoded as Twilio would keep it.
      const query = c.configuredQuery ? formBody(c.configuredQuery) : undefined;
      const options = {
        version: c.version,
        method: c.method,
        params,
        base64: c.base64,
        path: `${c.pathPrefix}/status-callbacks`,
        ...(query ? { query } : {}),
        ...(c.secondary ? { token: SECONDARY_AUTH_TOKEN } : {}),
      };
      const seen =
        c.method === "GET" && c.configuredQuery ? { ...c.configuredQuery, ...params } : params;
      return { event: signedCallback(options), params: seen, options };
    })
    .filter((c) => formBody(c.params).length <= LIMIT)
    .filter((c) => c.options.method !== "GET" || !hasNameClash(c))
    .filter((c) => c.options.version !== "1.0" || c.options.method !== "GET" || !hasIndexName(c));
}

// Payload 1.0 has no raw query string, only an object of parameters, and a JavaScript object
// lists integer-like names ("0", "12") first: the order Twilio signed is lost, so such a GET
// cannot be verified (a known limit of REST API events, not a case the relay can answer 2xx).
function hasIndexName(c: ValidCallback): boolean {
  return Object.keys(c.params).some((name) => /^(0|[1-9]\d{0,8})$/.test(name));
}

// A GET whose configured query repeats a callback parameter's name gets both values: a known
// parameter sent twice is a 400, so such a pair is not a valid callback.
function hasNameClash(c: { options: { query?: string; params?: FormParams } }): boolean {
  const configured = new URLSearchParams(c.options.query ?? "");
  return Object.keys(c.options.params ?? {}).some((name) => configured.has(name));
}

/** A value of the wrong type for an event field that API Gateway always fills with a string. */
const wrongType = fc.constantFrom<unknown>(0, 1, -1, true, false, {}, [], ["POST"], { a: 1 }, 1n);

/**
 * An event with one field of the wrong type (a number, object, array...): API Gateway never
 * sends one, so only a broken integration can.
 */
export const wrongTypeEvent: fc.Arbitrary<ApiGatewayEvent> = fc
  .tuple(
    fc.oneof(
      hostileEvent,
      validCallbackArbitrary().map((c) => c.event),
    ),
    fc.constantFrom(
      "httpMethod",
      "rawPath",
      "rawQueryString",
      "headers",
      "body",
      "isBase64Encoded",
      "requestContext",
      "queryStringParameters",
      "multiValueQueryStringParameters",
      "path",
      "header:host",
      "header:x-forwarded-proto",
      "header:content-type",
      "header:x-twilio-signature",
      "requestContext.http",
      "requestContext.http.method",
      "requestContext.path",
      "requestContext.domainName",
      "query:value",
    ),
    wrongType,
  )
  .map(([event, field, value]) => {
    const copy = structuredClone(event) as unknown as Record<string, unknown>;
    const context = (copy.requestContext ?? {}) as Record<string, unknown>;
    const headers = (copy.headers ?? {}) as Record<string, unknown>;
    if (field.startsWith("header:")) copy.headers = { ...headers, [field.slice(7)]: value };
    else if (field === "requestContext.http") copy.requestContext = { ...context, http: value };
    else if (field === "requestContext.http.method") {
      copy.requestContext = { ...context, http: { ...(context.http as object), method: value } };
    } else if (field.startsWith("requestContext.")) {
      copy.requestContext = { ...context, [field.slice(15)]: value };
    } else if (field === "query:value") {
      copy.queryStringParameters = { Timestamp: value };
      copy.multiValueQueryStringParameters = { Timestamp: [value] };
    } else copy[field] = value;
    return copy as unknown as ApiGatewayEvent;
  });
