/**
 * Where the auth tokens come from: the environment (local use) or a cached secret store.
 */
import type { Clock } from "./clock.ts";
import { SecretError } from "./errors.ts";

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
  let cached: { tokens: readonly string[]; expires: number } | undefined;
  let inFlight: Promise<readonly string[]> | undefined;
  return async () => {
    if (cached && options.clock().getTime() < cached.expires) return cached.tokens;
    inFlight ??= (async () => {
      try {
        const tokens = await options.load();
        if (tokens.length === 0) throw new SecretError("the secret holds no auth token");
        cached = { tokens, expires: options.clock().getTime() + options.ttlMs };
        return tokens;
      } catch (cause) {
        throw cause instanceof SecretError
          ? cause
          : new SecretError("could not read the auth tokens", { cause });
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };
}
