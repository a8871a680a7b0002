/**
 * The ingest side of the relay's error hierarchy (the base, `RelayError`, and the consumer-facing
 * errors live in `lib/events/errors.ts`). Every error has a `name` and may carry a `cause`;
 * errors that end an HTTP request carry the `statusCode` to answer with.
 * `responses.ts` is the one place that turns them into responses.
 */
import { RelayError } from "../events/errors.ts";

/** Configuration is missing or invalid: the relay cannot start. */
export class ConfigError extends RelayError {
  override name = "ConfigError";
}

/** An error that ends an HTTP request with `statusCode`. The message is safe to show the caller. */
export class HttpError extends RelayError {
  override name = "HttpError";
  readonly statusCode: number;
  /** Extra response headers (for example `Allow` on a 405). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    statusCode: number,
    message: string,
    options?: ErrorOptions & { headers?: Record<string, string> },
  ) {
    super(message, options);
    this.statusCode = statusCode;
    this.headers = options?.headers ?? {};
  }
}

/** 400: the request is malformed or its parameters do not match the schema. */
export class BadRequestError extends HttpError {
  override name = "BadRequestError";
  /** One line per problem, each naming the parameter at fault. */
  readonly problems: readonly string[];

  /** `subject` names what is invalid; "status callback" unless given. */
  constructor(problems: readonly string[], options?: ErrorOptions & { subject?: string }) {
    super(400, `invalid ${options?.subject ?? "status callback"}: ${problems.join("; ")}`, options);
    this.problems = problems;
  }
}

/** 401: no `X-Twilio-Signature` header. */
export class MissingSignatureError extends HttpError {
  override name = "MissingSignatureError";
  constructor() {
    super(
      401,
      "missing X-Twilio-Signature header: this endpoint only accepts requests signed by Twilio",
    );
  }
}

/** 403: the signature does not match any configured auth token. */
export class SignatureMismatchError extends HttpError {
  override name = "SignatureMismatchError";
  constructor() {
    super(
      403,
      "signature does not match: check that the StatusCallback URL configured in Twilio is exactly " +
        "the URL this endpoint is reached at (scheme, host, path and query string; set PUBLIC_URL " +
        "when a proxy or custom domain changes it) and that the relay holds the auth token of the " +
        "account that owns the resource",
    );
  }
}

/**
 * 403: the signature passed, but the body of an Event Streams delivery does not hash to the
 * `bodySHA256` the URL was signed with. Says no more: the body is not even parsed.
 */
export class BodyHashMismatchError extends HttpError {
  override name = "BodyHashMismatchError";
  constructor() {
    super(403, "the body does not match the bodySHA256 of the signed URL");
  }
}

/**
 * 403: `X-Twilio-Webhooks-Signature-Settings` names an algorithm the relay does not verify.
 * The name is the caller's own text, quoted (JSON-escaped, shortened).
 */
export class UnsupportedAlgorithmError extends HttpError {
  override name = "UnsupportedAlgorithmError";
  constructor(algorithm: string) {
    super(
      403,
      `signature algorithm ${quote(algorithm)} is not supported: the relay verifies HMAC_SHA1 ` +
        "and HMAC_SHA256",
    );
  }
}

/**
 * 403: `X-Twilio-Webhooks-Signature-Settings` names no SharedKey (`key=...`). A key id the relay
 * does not hold is answered as a {@link SignatureMismatchError} instead, so that unsigned requests
 * cannot tell configured key ids from others; the log names it.
 */
export class UnknownSharedKeyError extends HttpError {
  override name = "UnknownSharedKeyError";
  constructor() {
    super(
      403,
      `${"X-Twilio-Webhooks-Signature-Settings"} names no SharedKey (key=...): the relay ` +
        "cannot tell which secret signed it",
    );
  }
}

/**
 * 403: a validly signed Event Streams delivery holds an event of another account than the one
 * that signed it or that its URL names. A sink delivers its own account's events only.
 */
export class AccountMismatchError extends HttpError {
  override name = "AccountMismatchError";
  constructor(index: number, eventAccount: string, deliveryAccount: string) {
    super(
      403,
      `delivery refused: event ${index} belongs to account ${eventAccount}, but the delivery ` +
        `was signed for account ${deliveryAccount}; a sink delivers its own account's events ` +
        "only, so give each account its own sink (with ?AccountSid= of that account in its URL)",
    );
  }
}

// Text from a request header, quoted for a message: JSON-escaped and at most 100 characters.
function quote(text: string): string {
  return JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text);
}

/**
 * 403: a validly signed callback from an account that `ALLOWED_ACCOUNT_SIDS` does not list (an
 * optional protection).
 */
export class AccountNotAllowedError extends HttpError {
  override name = "AccountNotAllowedError";
  constructor(accountSid: string | undefined) {
    super(
      403,
      accountSid === undefined
        ? "callback refused: it names no AccountSid, and this relay only accepts the accounts in " +
            "its ALLOWED_ACCOUNT_SIDS"
        : `callback refused: account ${accountSid} is not in this relay's ALLOWED_ACCOUNT_SIDS; ` +
            "add it there if its callbacks belong here",
    );
  }
}

/**
 * 403: a validly signed callback whose `Timestamp` is older than `MAX_CALLBACK_AGE_SECONDS` allows
 * (an optional protection against replayed callbacks).
 */
export class CallbackTooOldError extends HttpError {
  override name = "CallbackTooOldError";
  constructor(timestamp: string, ageSeconds: number, limitSeconds: number) {
    super(
      403,
      `callback refused: its Timestamp ${timestamp} is ${ageSeconds} s old, older than the ` +
        `${limitSeconds} s this relay accepts (MAX_CALLBACK_AGE_SECONDS plus the clock-skew ` +
        "allowance); raise MAX_CALLBACK_AGE_SECONDS if late deliveries are expected",
    );
  }
}

/**
 * 405: only POST and GET are callbacks; and only POST is an Event Streams sink delivery (a URL
 * that carries `bodySHA256`), whose signature covers the body only through that hash.
 */
export class MethodNotAllowedError extends HttpError {
  override name = "MethodNotAllowedError";
  constructor(method: string, options?: { readonly sinkDelivery?: boolean }) {
    super(
      405,
      options?.sinkDelivery
        ? `method ${method} is not allowed: a URL that carries bodySHA256 is an Event Streams ` +
            "sink delivery, which Twilio sends as a POST of its JSON body"
        : `method ${method} is not allowed: Twilio status callbacks use POST or GET`,
      { headers: { allow: options?.sinkDelivery ? "POST" : "GET, POST" } },
    );
  }
}

/** 413: the body is larger than the relay accepts. */
export class PayloadTooLargeError extends HttpError {
  override name = "PayloadTooLargeError";
  constructor(limitBytes: number) {
    super(413, `request body is larger than ${limitBytes} bytes`);
  }
}

/** 415: a POST body that is not a form. */
export class UnsupportedMediaTypeError extends HttpError {
  override name = "UnsupportedMediaTypeError";
  constructor(
    contentType: string | undefined,
    expected: string = "application/x-www-form-urlencoded",
  ) {
    super(
      415,
      `content type ${contentType ? `"${contentType}"` : "(none)"} is not supported: ` +
        (expected === "application/json"
          ? "an Event Streams delivery (a URL with bodySHA256) is sent as application/json"
          : "send the callback as application/x-www-form-urlencoded"),
    );
  }
}

/**
 * 503: a dependency (the queue, the secret store) failed. The message is generic on purpose:
 * the details go to the logs, never to the caller.
 */
export class ServiceUnavailableError extends HttpError {
  override name = "ServiceUnavailableError";
  constructor(options?: ErrorOptions) {
    super(503, "the relay could not accept this callback right now; Twilio may retry", options);
  }
}

/** The queue did not accept a message. */
export class PublishError extends RelayError {
  override name = "PublishError";
}

/** The auth tokens could not be loaded. */
export class SecretError extends RelayError {
  override name = "SecretError";
}
