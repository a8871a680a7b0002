/**
 * Request decoding: turns an API Gateway event (HTTP API payload 2.0 or REST API payload 1.0,
 * from AWS or a local emulator) into the URL Twilio signed, the signature header and the
 * callback parameters. Checks method, size and content type; knows nothing of signatures.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from "aws-lambda";
import {
  BadRequestError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from "./errors.ts";
import type { Params } from "./signature.ts";

/** What API Gateway hands the function: HTTP API (2.0) or REST API (1.0) proxy event. */
export type ApiGatewayEvent = APIGatewayProxyEventV2 | APIGatewayProxyEvent;

export interface CallbackRequest {
  readonly method: "GET" | "POST";
  /** The URL Twilio signed: public base URL, path and raw query string. */
  readonly url: string;
  /**
   * Other spellings of `url` that Twilio may have signed: set for a REST API request (payload
   * 1.0), whose query string API Gateway hands over decoded, so that the raw text is lost.
   */
  readonly alternativeUrls?: readonly string[] | undefined;
  /** The `X-Twilio-Signature` header, if sent. */
  readonly signature: string | undefined;
  /** The parameters covered by the signature besides the URL: the form body of a POST. */
  readonly signedParams: Params;
  /** The callback's parameters: the form body of a POST, the query string of a GET. */
  readonly params: Params;
  /** The `X-Twilio-Webhooks-Signature-Settings` header of a SharedKey-signed request, if sent. */
  readonly signatureSettings?: string | undefined;
  /**
   * An Event Streams sink delivery: a POST whose URL carries `bodySHA256`. Its raw body (to hash
   * and then parse) and the `bodySHA256` value; `params` are then the URL's query parameters.
   */
  readonly sink?: SinkDelivery | undefined;
}

/** The body of an Event Streams sink delivery, still unverified. */
export interface SinkDelivery {
  /** The body's bytes, exactly as received (after base64 decoding). */
  readonly body: Buffer;
  /** The first `bodySHA256` value of the URL's query string. */
  readonly bodySha256: string;
}

export interface DecodeOptions {
  /** Replaces `scheme://host` of the reconstructed URL (a custom domain, a proxy). */
  readonly publicUrl?: string | undefined;
  /** Largest body accepted, in bytes, after base64 decoding. */
  readonly maxBodyBytes: number;
  /** Largest body of an Event Streams sink delivery; defaults to `maxBodyBytes`. */
  readonly maxSinkBodyBytes?: number;
}

const FORM_CONTENT_TYPE = "application/x-www-form-urlencoded";
const JSON_CONTENT_TYPE = "application/json";

/**
 * Decodes an API Gateway event into a {@link CallbackRequest}.
 * @throws MethodNotAllowedError, PayloadTooLargeError, UnsupportedMediaTypeError, BadRequestError
 *   (also for an event that is not an API Gateway HTTP event at all)
 */
export function decodeRequest(event: ApiGatewayEvent, options: DecodeOptions): CallbackRequest {
  assertEventShape(event);
  const v2 = isV2(event);
  const method = (v2 ? event.requestContext?.http?.method : event.httpMethod)?.toUpperCase() ?? "";
  if (method !== "GET" && method !== "POST") throw new MethodNotAllowedError(method || "(none)");

  const headers = readHeaders(event.headers);
  // Payload 1.0 only has the decoded query parameters; 2.0 has the raw query string.
  const v1Query = v2 ? undefined : v1QueryParams(event);
  const query = v1Query
    ? formEncode(v1Query)
    : ((event as APIGatewayProxyEventV2).rawQueryString ?? "");
  const url = buildUrl(event, v2, headers, options.publicUrl, query);
  const typedQuery = v1Query ? typedEncode(v1Query) : undefined;
  const alternativeUrls =
    typedQuery !== undefined && typedQuery !== query
      ? [buildUrl(event, v2, headers, options.publicUrl, typedQuery)]
      : undefined;
  // What every kind of request carries: the URL Twilio signed and how it was signed.
  const signed = {
    method,
    url,
    alternativeUrls,
    signature: headers.signature,
    signatureSettings: headers.signatureSettings,
  } as const;

  // Twilio signs a JSON body by adding its hash to the URL (`bodySHA256`), as the twilio
  // package's validateIncomingRequest tells the two kinds apart.
  const queryParams = query.includes("bodySHA256") ? (v1Query ?? parseForm(query)) : undefined;
  const bodySha256 = queryParams?.get("bodySHA256")?.[0];

  if (method === "GET") {
    // A sink URL's signature covers its body only through bodySHA256: as a GET, a captured
    // delivery's URL and signature would verify with no body at all.
    if (bodySha256 !== undefined) throw new MethodNotAllowedError(method, { sinkDelivery: true });
    return { ...signed, signedParams: new Map(), params: v1Query ?? parseForm(query) };
  }

  if (bodySha256 !== undefined) {
    const bytes = decodeBodyBytes(
      event.body,
      event.isBase64Encoded,
      options.maxSinkBodyBytes ?? options.maxBodyBytes,
      sinkTooLarge,
    );
    if (!isMediaType(headers.contentType, JSON_CONTENT_TYPE)) {
      throw new UnsupportedMediaTypeError(headers.contentType, JSON_CONTENT_TYPE);
    }
    return {
      ...signed,
      signedParams: new Map(),
      params: queryParams ?? new Map(),
      sink: { body: bytes, bodySha256 },
    };
  }

  const body = decodeBody(event.body, event.isBase64Encoded, options.maxBodyBytes);
  const contentType = headers.contentType;
  if (!isForm(contentType)) throw new UnsupportedMediaTypeError(contentType);
  const params = parseForm(body);
  return { ...signed, signedParams: params, params };
}

// The contract for a sink delivery: too many bytes is a 400 naming the limit.
function sinkTooLarge(limitBytes: number): BadRequestError {
  return new BadRequestError(
    [`the delivery is larger than ${limitBytes} bytes, the most the relay accepts`],
    { subject: "Event Streams delivery" },
  );
}

/**
 * Parses `application/x-www-form-urlencoded` text, keeping repeated names and their order:
 * exactly what `URLSearchParams` gives, in about two thirds of its time for a Twilio callback.
 */
export function parseForm(text: string): Map<string, string[]> {
  return parseFormFast(text) ?? parseFormSlow(text);
}

function parseFormSlow(text: string): Map<string, string[]> {
  const params = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(text)) addParam(params, name, value);
  return params;
}

function addParam(params: Map<string, string[]>, name: string, value: string): void {
  const values = params.get(name);
  if (values) values.push(value);
  else params.set(name, [value]);
}

// The form parser of the URL standard, with decodeURIComponent for the percent-decoding. Where
// the two could differ, it gives up and URLSearchParams parses the text instead: a lone surrogate
// (which URLSearchParams replaces with U+FFFD), or a "%" that starts no escape and percent-escapes
// that are not UTF-8 (which decodeURIComponent refuses, where URLSearchParams keeps or replaces).
function parseFormFast(text: string): Map<string, string[]> | undefined {
  if (!text.isWellFormed()) return undefined;
  const params = new Map<string, string[]>();
  // Like URLSearchParams, ignore one leading "?".
  let start = text.charCodeAt(0) === 0x3f ? 1 : 0;
  try {
    while (start < text.length) {
      let end = text.indexOf("&", start);
      if (end === -1) end = text.length;
      if (end > start) {
        const equals = text.indexOf("=", start);
        if (equals !== -1 && equals < end) {
          addParam(
            params,
            decodeFormComponent(text.slice(start, equals)),
            decodeFormComponent(text.slice(equals + 1, end)),
          );
        } else {
          addParam(params, decodeFormComponent(text.slice(start, end)), "");
        }
      }
      start = end + 1;
    }
  } catch {
    return undefined;
  }
  return params;
}

function decodeFormComponent(component: string): string {
  const spaced = component.includes("+") ? component.replaceAll("+", " ") : component;
  return spaced.includes("%") ? decodeURIComponent(spaced) : spaced;
}

// API Gateway fills every field the relay reads with a string (or leaves it out); anything else
// is not an HTTP request but a broken integration or a direct invocation: a 400 naming the field,
// rather than a TypeError and a 500.
function assertEventShape(event: unknown): asserts event is ApiGatewayEvent {
  if (typeof event !== "object" || event === null || Array.isArray(event)) {
    throw notAnHttpEvent("the event is not an object");
  }
  const e = event as Record<string, unknown>;
  const context = e.requestContext;
  objectOrAbsent(context, "requestContext");
  const c = (context ?? {}) as Record<string, unknown>;
  objectOrAbsent(c.http, "requestContext.http");
  const http = (c.http ?? {}) as Record<string, unknown>;
  for (const [value, name] of [
    [e.version, "version"],
    [e.httpMethod, "httpMethod"],
    [http.method, "requestContext.http.method"],
    [e.rawPath, "rawPath"],
    [e.rawQueryString, "rawQueryString"],
    [e.path, "path"],
    [c.path, "requestContext.path"],
    [c.domainName, "requestContext.domainName"],
    [e.body, "body"],
  ] as const) {
    if (value !== undefined && value !== null && typeof value !== "string") {
      throw notAnHttpEvent(`${name} is not a string`);
    }
  }
  if (e.isBase64Encoded !== undefined && typeof e.isBase64Encoded !== "boolean") {
    throw notAnHttpEvent("isBase64Encoded is not a boolean");
  }
  stringValues(e.headers, "headers");
  stringValues(e.queryStringParameters, "queryStringParameters");
  objectOrAbsent(e.multiValueQueryStringParameters, "multiValueQueryStringParameters");
  for (const values of Object.values((e.multiValueQueryStringParameters ?? {}) as object)) {
    if (!Array.isArray(values) || values.some((value) => typeof value !== "string")) {
      throw notAnHttpEvent(
        "multiValueQueryStringParameters holds a value that is not a list of strings",
      );
    }
  }
}

function notAnHttpEvent(problem: string): BadRequestError {
  return new BadRequestError([`not an API Gateway HTTP event: ${problem}`]);
}

function objectOrAbsent(value: unknown, name: string): void {
  if (
    value !== undefined &&
    value !== null &&
    (typeof value !== "object" || Array.isArray(value))
  ) {
    throw notAnHttpEvent(`${name} is not an object`);
  }
}

function stringValues(value: unknown, name: string): void {
  objectOrAbsent(value, name);
  for (const item of Object.values((value ?? {}) as object)) {
    if (item !== undefined && item !== null && typeof item !== "string") {
      throw notAnHttpEvent(`${name} holds a value that is not a string`);
    }
  }
}

function isV2(event: ApiGatewayEvent): event is APIGatewayProxyEventV2 {
  return (event as { version?: string }).version === "2.0";
}

/** The headers the relay reads. */
interface RequestHeaders {
  host?: string;
  forwardedProto?: string;
  signature?: string;
  signatureSettings?: string;
  contentType?: string;
}

// Header names are case-insensitive (payload 1.0 keeps the sender's case). One pass, keeping only
// the four the relay reads; where a name comes twice in different cases, the last one wins.
function readHeaders(
  headers: Record<string, string | undefined> | null | undefined,
): RequestHeaders {
  const out: RequestHeaders = {};
  if (!headers) return out;
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    switch (name.toLowerCase()) {
      case "host":
        out.host = value;
        break;
      case "x-forwarded-proto":
        out.forwardedProto = value;
        break;
      case "x-twilio-signature":
        out.signature = value;
        break;
      case "content-type":
        out.contentType = value;
        break;
      case "x-twilio-webhooks-signature-settings":
        out.signatureSettings = value;
        break;
    }
  }
  return out;
}

function isForm(contentType: string | undefined): boolean {
  return isMediaType(contentType, FORM_CONTENT_TYPE);
}

function isMediaType(contentType: string | undefined, expected: string): boolean {
  const mediaType = contentType?.split(";", 1)[0]?.trim().toLowerCase();
  return mediaType === expected;
}

function decodeBody(
  body: string | null | undefined,
  isBase64Encoded: boolean | undefined,
  maxBytes: number,
): string {
  return decodeBodyBytes(body, isBase64Encoded, maxBytes).toString("utf8");
}

function decodeBodyBytes(
  body: string | null | undefined,
  isBase64Encoded: boolean | undefined,
  maxBytes: number,
  tooLarge: (limitBytes: number) => Error = (limit) => new PayloadTooLargeError(limit),
): Buffer {
  if (!body) return Buffer.alloc(0);
  // A base64 text decodes to at most three quarters of its length: refuse early, before decoding.
  if ((isBase64Encoded ? Math.floor((body.length * 3) / 4) - 2 : body.length) > maxBytes) {
    throw tooLarge(maxBytes);
  }
  const bytes = isBase64Encoded ? Buffer.from(body, "base64") : Buffer.from(body, "utf8");
  if (bytes.length > maxBytes) throw tooLarge(maxBytes);
  if (isBase64Encoded && bytes.length === 0) {
    throw new BadRequestError(["the body is marked base64 but does not decode"]);
  }
  return bytes;
}

function buildUrl(
  event: ApiGatewayEvent,
  v2: boolean,
  headers: RequestHeaders,
  publicUrl: string | undefined,
  query: string,
): string {
  const base = publicUrl ? publicUrl.replace(/\/+$/, "") : origin(event, headers);
  // requestContext.path (1.0) keeps the stage and any base path mapping; `path` does not.
  const path = v2
    ? (event as APIGatewayProxyEventV2).rawPath
    : (event as APIGatewayProxyEvent).requestContext?.path || (event as APIGatewayProxyEvent).path;
  return base + (path || "/") + (query ? `?${query}` : "");
}

function origin(event: ApiGatewayEvent, headers: RequestHeaders): string {
  const proto = headers.forwardedProto?.split(",", 1)[0]?.trim() || "https";
  const host = headers.host || event.requestContext?.domainName;
  if (!host) throw new BadRequestError(["no Host header: cannot tell which URL Twilio signed"]);
  return `${proto}://${host}`;
}

// Payload 1.0 has no raw query string: rebuild it from the decoded values, form-encoded (as
// Twilio encodes the parameters of a GET callback), in the order API Gateway lists them.
function formEncode(params: ReadonlyMap<string, readonly string[]>): string {
  const search = new URLSearchParams();
  for (const [name, values] of params) {
    for (const value of values) search.append(name, value);
  }
  return search.toString();
}

// The same parameters as a person types them into a URL: only what must be escaped is (the form's
// own "&", "=", "+", "#" and "%", spaces, controls and non-ASCII); "/", ":", "@", "?", "$", ",",
// ";" and the characters URLSearchParams escapes but a URL allows ("!", "'", "(", ")", "~") are
// left as they are.
function typedEncode(params: ReadonlyMap<string, readonly string[]>): string {
  const parts: string[] = [];
  for (const [name, values] of params) {
    for (const value of values) parts.push(`${typedComponent(name)}=${typedComponent(value)}`);
  }
  return parts.join("&");
}

function typedComponent(text: string): string {
  return encodeURIComponent(text.toWellFormed()).replace(
    /%(2F|3A|40|3F|24|2C|3B)/g,
    (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

function v1QueryParams(event: APIGatewayProxyEvent): Map<string, string[]> {
  const params = new Map<string, string[]>();
  const multi = event.multiValueQueryStringParameters;
  if (multi) {
    for (const [name, values] of Object.entries(multi)) if (values) params.set(name, [...values]);
    return params;
  }
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value !== undefined) params.set(name, [value]);
  }
  return params;
}
