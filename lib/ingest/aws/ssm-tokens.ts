/**
 * The SSM Parameter Store adapter of the token source: one SecureString holding the auth
 * token(s), comma-separated, primary first. Read through `cachedTokens`, so once per container
 * and again after the TTL, which is how a rotation is picked up without a deploy.
 */

import { type Clock, systemClock } from "../clock.ts";
import { splitTokens } from "../config.ts";
import { SecretError } from "../errors.ts";
import { parseSecretMap, type SecretMap, type SecretMapKind } from "../secret-maps.ts";
import { cachedSecret, cachedTokens, type SecretMapSource, type TokenSource } from "../tokens.ts";
import type { GetParameterClient, GetParameterOutput } from "./ssm-client.ts";

/**
 * Time allowed for one read, retries included. With the publish bound (6 s) this keeps a
 * cold read plus a publish inside the Lambda timeout (10 s), and both inside Twilio's 15 s.
 */
export const SSM_READ_TIMEOUT_MS = 3_000;

export interface SsmTokensOptions {
  readonly client: GetParameterClient;
  /** Name (or ARN) of the SecureString parameter. */
  readonly parameterName: string;
  readonly timeoutMs?: number;
}

/**
 * Reads the tokens from the parameter, decrypted. Rejects with SecretError when the read fails
 * or the parameter holds no token.
 */
export function ssmTokenLoader(options: SsmTokensOptions): () => Promise<readonly string[]> {
  const { parameterName } = options;
  return async () => {
    const tokens = splitTokens(await readParameter(options));
    if (tokens.length === 0) {
      throw new SecretError(`SSM parameter ${parameterName} holds no auth token`);
    }
    return tokens;
  };
}

async function readParameter(options: SsmTokensOptions): Promise<string | undefined> {
  const { client, parameterName, timeoutMs = SSM_READ_TIMEOUT_MS } = options;
  let output: GetParameterOutput;
  try {
    output = await client.getParameter(
      { Name: parameterName, WithDecryption: true },
      { abortSignal: AbortSignal.timeout(timeoutMs) },
    );
  } catch (cause) {
    throw new SecretError(`could not read SSM parameter ${parameterName}`, { cause });
  }
  return output.Parameter?.Value;
}

export interface SsmSecretMapOptions extends SsmTokenSourceOptions {
  /** What the parameter holds: account auth tokens or SharedKey secrets, as JSON. */
  readonly kind: SecretMapKind;
}

/**
 * A secret map (JSON, as `TWILIO_ACCOUNT_AUTH_TOKENS` or `TWILIO_SHARED_KEYS`) from an SSM
 * SecureString, cached for `ttlMs` like the tokens. A value that is not a valid map is a
 * SecretError naming the parameter and the problem, never quoting the value.
 */
export function ssmSecretMapSource(options: SsmSecretMapOptions): SecretMapSource {
  const { parameterName, kind } = options;
  return cachedSecret<SecretMap>({
    load: async () => {
      const parsed = parseSecretMap((await readParameter(options)) ?? "", kind);
      if ("problems" in parsed) {
        throw new SecretError(`SSM parameter ${parameterName} ${parsed.problems.join("; ")}`);
      }
      return parsed.map;
    },
    ttlMs: options.ttlMs,
    clock: options.clock ?? systemClock,
    what: kind === "shared-keys" ? "the SharedKey secrets" : "the account auth tokens",
  });
}

export interface SsmTokenSourceOptions extends SsmTokensOptions {
  /** How long a successful read is reused. */
  readonly ttlMs: number;
  /** Defaults to the machine's clock. */
  readonly clock?: Clock;
}

/** Tokens from an SSM SecureString, cached for `ttlMs`; see {@link cachedTokens}. */
export function ssmTokenSource(options: SsmTokenSourceOptions): TokenSource {
  return cachedTokens({
    load: ssmTokenLoader(options),
    ttlMs: options.ttlMs,
    clock: options.clock ?? systemClock,
  });
}
