/**
 * Where the auth tokens (and the other secrets: account auth tokens, SharedKey secrets) come
 * from: the environment (local use) or a cached secret store.
 */
import type { Clock } from "./clock.ts";
import { SecretError } from "./errors.ts";
import type { SecretMap } from "./secret-maps.ts";

/** Resolves to the auth tokens to verify against, primary first; rejects with SecretError. */
export type TokenSource = () => Promise<readonly string[]>;

/** Tokens fixed at start-up (from `TWILIO_AUTH_TOKEN`). */
export function staticTokens(tokens: readonly string[]): TokenSource {
  const frozen = Object.freeze([...tokens]);
  return async () => frozen;
}

export interface CachedTokensOptions {
  /** Reads the tokens from the store (for example one SSM parameter). */
  readonly load: () => Promise<readonly string[]>;
  /** How long a successful read is reused. */
  readonly ttlMs: number;
  readonly clock: Clock;
}

/**
 * Tokens read from a store once and reused for `ttlMs`, so a rotation is picked up without a
 * deploy. Concurrent callers share one read; a failed read is not cached, and an empty result
 * is a failure.
 */
export function cachedTokens(options: CachedTokensOptions): TokenSource {
  return cachedSecret({
    ...options,
    load: async () => {
      const tokens = await options.load();
      if (tokens.length === 0) throw new SecretError("the secret holds no auth token");
      return tokens;
    },
    what: "the auth tokens",
  });
}

/** Resolves to secrets by id (account auth tokens, SharedKey secrets); rejects with SecretError. */
export type SecretMapSource = () => Promise<SecretMap>;

/** A secret map fixed at start-up (from `TWILIO_ACCOUNT_AUTH_TOKENS` or `TWILIO_SHARED_KEYS`). */
export function staticSecretMap(map: SecretMap): SecretMapSource {
  return async () => map;
}

export interface CachedSecretOptions<T> {
  /** Reads the secret from the store; rejects when it is unreadable or invalid. */
  readonly load: () => Promise<T>;
  /** How long a successful read is reused. */
  readonly ttlMs: number;
  readonly clock: Clock;
  /** What the secret is, for the error of a failed read ("the auth tokens"). */
  readonly what: string;
}

/**
 * A secret read from a store once and reused for `ttlMs`. Concurrent callers share one read; a
 * failed read is not cached.
 */
export function cachedSecret<T>(options: CachedSecretOptions<T>): () => Promise<T> {
  let cached: { value: T; expires: number } | undefined;
  let inFlight: Promise<T> | undefined;
  return async () => {
    if (cached && options.clock().getTime() < cached.expires) return cached.value;
    inFlight ??= (async () => {
      try {
        const value = await options.load();
        cached = { value, expires: options.clock().getTime() + options.ttlMs };
        return value;
      } catch (cause) {
        throw cause instanceof SecretError
          ? cause
          : new SecretError(`could not read ${options.what}`, { cause });
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };
}
