/**
 * Twilio's rate limit, handled where every request passes: an HTTP client for the `twilio`
 * package (its `httpClient` option) that wraps another one and, on a 429, waits (Retry-After
 * when Twilio sends it, else an exponential backoff) and sends the same request again, a bounded
 * number of times. The last 429 goes back to the package, which throws it.
 */

/** What the `twilio` package hands its HTTP client (`RequestClient.request`), as far as used here. */
export interface TwilioHttpRequest {
  readonly method: string;
  readonly uri: string;
  readonly username?: string;
  readonly password?: string;
  readonly headers?: Record<string, string>;
  readonly params?: object;
  readonly data?: object;
  readonly timeout?: number;
  readonly [option: string]: unknown;
}

/** What the `twilio` package expects back: the body may be text (JSON) or parsed already. */
export interface TwilioHttpResponse {
  readonly statusCode: number;
  readonly body: unknown;
  readonly headers: Record<string, unknown>;
}

/** The `twilio` package's pluggable HTTP client: `request(opts)`, as `RequestClient` has it. */
export interface TwilioHttpClient {
  request(options: TwilioHttpRequest): Promise<TwilioHttpResponse>;
}

export interface BackoffOptions {
  /** Retries after the first 429 (default 5). */
  readonly maxRetries?: number;
  /** First wait without Retry-After, doubled at each retry (default 1 s). */
  readonly baseDelayMs?: number;
  /** No single wait is longer, Retry-After included (default 30 s). */
  readonly maxDelayMs?: number;
  /** Waits (default a timer); tests pass one that records. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Told before each wait, to say so to the user. */
  readonly onWait?: (wait: {
    readonly ms: number;
    readonly retry: number;
    readonly uri: string;
  }) => void;
}

export const DEFAULT_MAX_RETRIES = 5;

/** `inner` with Twilio's 429 retried as {@link BackoffOptions} say. */
export function withRateLimitBackoff(
  inner: TwilioHttpClient,
  options: BackoffOptions = {},
): TwilioHttpClient {
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  const base = options.baseDelayMs ?? 1_000;
  const max = options.maxDelayMs ?? 30_000;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  return {
    async request(request) {
      for (let retry = 1; ; retry += 1) {
        // The package's request object is reused as is: same method, URI, auth and form.
        const response = await inner.request(request);
        if (response.statusCode !== 429 || retry > maxRetries) return response;
        const asked = retryAfterMs(response.headers);
        const ms = Math.min(max, asked ?? base * 2 ** (retry - 1));
        options.onWait?.({ ms, retry, uri: request.uri });
        await sleep(ms);
      }
    },
  };
}

/** Retry-After (seconds, or an HTTP date) in milliseconds; undefined when absent or unreadable. */
export function retryAfterMs(
  headers: Record<string, unknown>,
  now = Date.now(),
): number | undefined {
  const entry = Object.entries(headers ?? {}).find(
    ([name]) => name.toLowerCase() === "retry-after",
  );
  const value = entry === undefined ? undefined : String(entry[1]).trim();
  if (value === undefined || value === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1_000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
