/**
 * `signedCallback(overrides)`: an API Gateway event carrying a valid, Twilio-signed status
 * callback, for the relay's tests and for users' own. Signed with the relay's own
 * `computeTwilioSignature`, which a unit test holds equal to the official `twilio` package's (the
 * oracle, never a dependency of the package). Each test changes one thing.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from "aws-lambda";
import { computeTwilioSignature } from "../lib/ingest/signature.ts";
import { type CallbackEventName, callbackParams } from "./samples.ts";
import { PRIMARY_AUTH_TOKEN } from "./tokens.ts";

export type FormParams = Record<string, string | string[]>;

/** What API Gateway hands a function: an HTTP API (2.0) or REST API (1.0) proxy event. */
export type ApiGatewayEvent = APIGatewayProxyEventV2 | APIGatewayProxyEvent;

export interface SignedCallbackOptions {
  /** API Gateway payload format: HTTP API (2.0, default) or REST API (1.0). */
  readonly version?: "2.0" | "1.0";
  readonly method?: string;
  readonly event?: CallbackEventName;
  /** The callback parameters; defaults to a realistic `event` callback. */
  readonly params?: FormParams;
  /** Body as HTTP API delivers it (base64) or as emulators do (plain). Default: base64 for 2.0. */
  readonly base64?: boolean;
  readonly host?: string;
  readonly proto?: string;
  /** Path as API Gateway reports it (stage or base path included). */
  readonly path?: string;
  /** The query string of the configured StatusCallback URL, raw, without `?`. */
  readonly query?: string;
  /** The auth token to sign with; default {@link PRIMARY_AUTH_TOKEN}. */
  readonly token?: string;
  /** Sign this URL instead of the one the request reaches. */
  readonly signedUrl?: string;
  /** Replace the signature; `null` sends none. */
  readonly signature?: string | null;
  readonly contentType?: string;
  /** Replace the body (after signing). */
  readonly body?: string;
  /**
   * Sign with a SharedKey instead of the auth token: its secret, with `algorithm` (default
   * HMAC_SHA256), and send `X-Twilio-Webhooks-Signature-Settings: key=<id>,algorithm=<algorithm>`.
   */
  readonly sharedKey?: SharedKeySigning;
  /** Extra headers, sent as given (after the others, so they may replace one). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A SharedKey to sign with. */
export interface SharedKeySigning {
  readonly id: string;
  readonly secret: string;
  /** `HMAC_SHA256` (default) or `HMAC_SHA1`. */
  readonly algorithm?: string;
}

/** The `X-Twilio-Webhooks-Signature-Settings` value Twilio sends for `key`. */
export function signatureSettings(key: SharedKeySigning): string {
  return `key=${key.id},algorithm=${key.algorithm ?? "HMAC_SHA256"}`;
}

/** The URL the request reaches, as Twilio would have been configured with it. */
export function callbackUrl(options: SignedCallbackOptions = {}): string {
  const { proto = "https", host = "abc123.execute-api.us-east-1.amazonaws.com" } = options;
  const path = options.path ?? "/status-callbacks";
  return `${proto}://${host}${path}${options.query ? `?${options.query}` : ""}`;
}

/** Encodes parameters as a form body (`+` for spaces, like Twilio and browsers). */
export function formBody(params: FormParams): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) search.append(name, v);
  }
  return search.toString();
}

/**
 * The `X-Twilio-Signature` Twilio sends for a request to `url` with form `params` (none for a
 * GET, whose parameters are in the URL), with the auth token or a SharedKey secret as `token`.
 */
export function twilioSignature(
  token: string,
  url: string,
  params: FormParams,
  algorithm: "HMAC_SHA1" | "HMAC_SHA256" | string = "HMAC_SHA1",
): string {
  const map = new Map<string, string[]>();
  for (const [name, value] of Object.entries(params)) {
    map.set(name, Array.isArray(value) ? value : [value]);
  }
  return computeTwilioSignature(token, url, map, algorithm === "HMAC_SHA256" ? "sha256" : "sha1");
}

/** Builds a signed API Gateway event; see {@link SignedCallbackOptions}. */
export function signedCallback(options: SignedCallbackOptions = {}): ApiGatewayEvent {
  const method = options.method ?? "POST";
  const params = options.params ?? callbackParams(options.event ?? "media-processor-started");
  const isGet = method === "GET";
  const query = isGet
    ? [options.query, formBody(params)].filter((part) => part).join("&")
    : options.query;
  const reached = { ...options, query };
  const url = callbackUrl(reached);
  const { sharedKey } = options;
  const signature =
    options.signature === undefined
      ? twilioSignature(
          sharedKey?.secret ?? options.token ?? PRIMARY_AUTH_TOKEN,
          options.signedUrl ?? url,
          isGet ? {} : params,
          sharedKey ? (sharedKey.algorithm ?? "HMAC_SHA256") : undefined,
        )
      : options.signature;
  const plain = isGet ? "" : (options.body ?? formBody(params));
  const version = options.version ?? "2.0";
  const base64 = options.base64 ?? version === "2.0";
  const body = plain === "" ? undefined : base64 ? Buffer.from(plain).toString("base64") : plain;
  const host = options.host ?? "abc123.execute-api.us-east-1.amazonaws.com";
  const headers: Record<string, string> = {
    host,
    "x-forwarded-proto": options.proto ?? "https",
    "user-agent": "TwilioProxy/1.1",
    ...(isGet
      ? {}
      : { "content-type": options.contentType ?? "application/x-www-form-urlencoded" }),
    ...(signature === null ? {} : { "x-twilio-signature": signature }),
    ...(sharedKey ? { "x-twilio-webhooks-signature-settings": signatureSettings(sharedKey) } : {}),
    ...options.headers,
  };
  const path = options.path ?? "/status-callbacks";
  if (version === "2.0") {
    const event: APIGatewayProxyEventV2 = {
      version: "2.0",
      routeKey: `${method} /status-callbacks`,
      rawPath: path,
      rawQueryString: query ?? "",
      headers,
      requestContext: {
        accountId: "123456789012",
        apiId: "abc123",
        domainName: host,
        domainPrefix: host.split(".")[0] ?? host,
        http: {
          method,
          path,
          protocol: "HTTP/1.1",
          sourceIp: "54.172.60.1",
          userAgent: "TwilioProxy/1.1",
        },
        requestId: "req-1",
        routeKey: `${method} /status-callbacks`,
        stage: "$default",
        time: "27/Nov/2026:10:15:30 +0000",
        timeEpoch: 1_795_774_530_000,
      },
      isBase64Encoded: body !== undefined && base64,
      ...(body !== undefined ? { body } : {}),
    };
    return event;
  }
  // Payload 1.0 headers keep the case they were sent with, and the query arrives decoded.
  const v1Headers = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase()),
      value,
    ]),
  );
  // No prototype: a parameter may be named "constructor" or "__proto__".
  const multi: Record<string, string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(query ?? "")) {
    multi[name] = [...(multi[name] ?? []), value];
  }
  const event: APIGatewayProxyEvent = {
    resource: "/status-callbacks",
    path: "/status-callbacks",
    httpMethod: method,
    headers: v1Headers,
    multiValueHeaders: Object.fromEntries(Object.entries(v1Headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: Object.keys(multi).length
      ? Object.fromEntries(Object.entries(multi).map(([k, v]) => [k, v.at(-1) ?? ""]))
      : null,
    multiValueQueryStringParameters: Object.keys(multi).length ? multi : null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      accountId: "123456789012",
      apiId: "abc123",
      authorizer: undefined,
      domainName: host,
      httpMethod: method,
      identity: {} as APIGatewayProxyEvent["requestContext"]["identity"],
      path,
      protocol: "HTTP/1.1",
      requestId: "req-1",
      requestTimeEpoch: 1_795_774_530_000,
      resourceId: "res",
      resourcePath: "/status-callbacks",
      stage: "prod",
    },
    body: body ?? null,
    isBase64Encoded: body !== undefined && base64,
  };
  return event;
}
