/**
 * Configuration: read from the environment once, at start-up, and validated here. No other file
 * reads `process.env`. A missing or invalid variable fails with a message naming it.
 */
import * as z from "zod/mini";
import { problemsOf } from "../events/issues.ts";
import { ConfigError } from "./errors.ts";
import { parseSecretMap, type SecretMap, type SecretMapKind } from "./secret-maps.ts";

const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
// Twilio's connection override names, each once or more, name=value joined by "&".
const CONNECTION_OVERRIDES = /^(ct|rt|tt|rc|rp|e|sni)=[\w.,-]+(&(ct|rt|tt|rc|rp|e|sni)=[\w.,-]+)*$/;

const ssmParameterName = z
  .string()
  .check(z.regex(/^\/?[\w.\-/]+$/, "must be an SSM parameter name"));

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

const EnvironmentSchema = z.object({
  QUEUE_URL: httpUrl,
  TWILIO_AUTH_TOKEN: z.optional(z.string()),
  TWILIO_AUTH_TOKEN_PARAMETER: z.optional(ssmParameterName),
  TWILIO_ACCOUNT_AUTH_TOKENS: z.optional(z.string()),
  TWILIO_ACCOUNT_AUTH_TOKENS_PARAMETER: z.optional(ssmParameterName),
  TWILIO_SHARED_KEYS: z.optional(z.string()),
  TWILIO_SHARED_KEYS_PARAMETER: z.optional(ssmParameterName),
  AUTH_TOKEN_CACHE_TTL_SECONDS: z.optional(
    z.string().check(z.regex(/^\d+$/, "must be a whole number of seconds")),
  ),
  PUBLIC_URL: z.optional(
    httpUrl.check(z.refine((url) => !/[?#]/.test(url), "must not have a query string or fragment")),
  ),
  ALLOWED_ACCOUNT_SIDS: z.optional(
    z.string().check(
      z.refine((list) => {
        const sids = splitList(list);
        return sids.length > 0 && sids.every((sid) => ACCOUNT_SID.test(sid));
      }, "must be a comma-separated list of account SIDs (AC followed by 32 hex digits)"),
    ),
  ),
  MAX_CALLBACK_AGE_SECONDS: z.optional(
    z.string().check(z.regex(/^[1-9]\d*$/, "must be a whole number of seconds, at least 1")),
  ),
  TWILIO_CONNECTION_OVERRIDES: z.optional(
    z
      .string()
      .check(
        z.regex(
          CONNECTION_OVERRIDES,
          "must be Twilio connection overrides without the #, such as rc=3&rp=all: " +
            "name=value pairs joined by &, each name one of ct, rt, tt, rc, rp, e, sni",
        ),
      ),
  ),
});

export interface Config {
  /** The SQS queue events are sent to; a `.fifo` URL makes them FIFO messages. */
  readonly queueUrl: string;
  /** Auth tokens from `TWILIO_AUTH_TOKEN` (comma-separated), primary first. */
  readonly authTokens: readonly string[];
  /** SSM SecureString holding the token(s), when not given in the environment. */
  readonly authTokenParameter: string | undefined;
  /** Auth tokens by account SID (`TWILIO_ACCOUNT_AUTH_TOKENS`), for subaccounts; may be empty. */
  readonly accountAuthTokens: SecretMap;
  /** SSM SecureString holding them as JSON, when not given in the environment. */
  readonly accountAuthTokensParameter: string | undefined;
  /** SharedKey secrets by key id (`TWILIO_SHARED_KEYS`); may be empty. */
  readonly sharedKeys: SecretMap;
  /** SSM SecureString holding them as JSON, when not given in the environment. */
  readonly sharedKeysParameter: string | undefined;
  /** How long secrets read from SSM are cached, in milliseconds. */
  readonly authTokenCacheTtlMs: number;
  /** The public base URL Twilio calls, replacing `scheme://host` of the request. */
  readonly publicUrl: string | undefined;
  /**
   * Accounts whose callbacks are relayed (`ALLOWED_ACCOUNT_SIDS`), lower-cased; all when undefined.
   */
  readonly allowedAccountSids: ReadonlySet<string> | undefined;
  /** Oldest callback `Timestamp` accepted (`MAX_CALLBACK_AGE_SECONDS`), in ms; any when undefined. */
  readonly maxCallbackAgeMs: number | undefined;
  /**
   * The connection overrides (`TWILIO_CONNECTION_OVERRIDES`, `rc=3&rp=all`) of the status callback
   * URL given to Twilio as its fragment; a signature over the URL with or without it is accepted.
   */
  readonly connectionOverrides: string | undefined;
}

/**
 * The connection overrides the stack gives Twilio by default (deploy parameter
 * `connectionOverrides`), as the fragment of `StatusCallbackUrl`; docs/reliability.md says why
 * these values. `npm start` and `npm run trigger` use them too.
 */
export const DEFAULT_CONNECTION_OVERRIDES = "ct=2000&rt=5000&rc=5&rp=all";

/** Default cache lifetime of tokens read from SSM: a rotation is seen within five minutes. */
const DEFAULT_AUTH_TOKEN_CACHE_TTL_SECONDS = 300;

/**
 * Parses configuration from environment variables.
 * @throws ConfigError naming every variable that is missing or invalid
 */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): Config {
  // An empty variable (as serverless renders an unset parameter) counts as unset.
  const defined = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const result = EnvironmentSchema.safeParse(defined);
  if (!result.success) {
    const problems = problemsOf(result.error, defined).map((problem) => {
      const name = String(problem.path[0]);
      return problem.missing ? `${name} is required` : `${name} ${problem.message}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
  }
  const vars = result.data;
  const authTokens = splitTokens(vars.TWILIO_AUTH_TOKEN);
  const mapProblems: string[] = [];
  const secretMap = (name: string, text: string | undefined, kind: SecretMapKind): SecretMap => {
    if (text === undefined) return new Map();
    const parsed = parseSecretMap(text, kind);
    if ("map" in parsed) return parsed.map;
    mapProblems.push(...parsed.problems.map((problem) => `${name} ${problem}`));
    return new Map();
  };
  const accountAuthTokens = secretMap(
    "TWILIO_ACCOUNT_AUTH_TOKENS",
    vars.TWILIO_ACCOUNT_AUTH_TOKENS,
    "account-auth-tokens",
  );
  const sharedKeys = secretMap("TWILIO_SHARED_KEYS", vars.TWILIO_SHARED_KEYS, "shared-keys");
  if (mapProblems.length > 0) {
    throw new ConfigError(`invalid configuration: ${mapProblems.join("; ")}`);
  }
  const accountAuthTokensParameter =
    accountAuthTokens.size > 0 ? undefined : vars.TWILIO_ACCOUNT_AUTH_TOKENS_PARAMETER;
  const sharedKeysParameter = sharedKeys.size > 0 ? undefined : vars.TWILIO_SHARED_KEYS_PARAMETER;
  if (
    authTokens.length === 0 &&
    !vars.TWILIO_AUTH_TOKEN_PARAMETER &&
    accountAuthTokens.size === 0 &&
    !accountAuthTokensParameter &&
    sharedKeys.size === 0 &&
    !sharedKeysParameter
  ) {
    throw new ConfigError(
      "invalid configuration: set TWILIO_AUTH_TOKEN (one or more comma-separated auth tokens) " +
        "or TWILIO_AUTH_TOKEN_PARAMETER (the name of an SSM SecureString holding them); or " +
        "TWILIO_ACCOUNT_AUTH_TOKENS, TWILIO_SHARED_KEYS or their _PARAMETER variables",
    );
  }
  return {
    queueUrl: vars.QUEUE_URL,
    authTokens,
    authTokenParameter: authTokens.length > 0 ? undefined : vars.TWILIO_AUTH_TOKEN_PARAMETER,
    accountAuthTokens,
    accountAuthTokensParameter,
    sharedKeys,
    sharedKeysParameter,
    authTokenCacheTtlMs:
      Number(vars.AUTH_TOKEN_CACHE_TTL_SECONDS ?? DEFAULT_AUTH_TOKEN_CACHE_TTL_SECONDS) * 1000,
    publicUrl: vars.PUBLIC_URL,
    allowedAccountSids: vars.ALLOWED_ACCOUNT_SIDS
      ? new Set(splitList(vars.ALLOWED_ACCOUNT_SIDS).map((sid) => sid.toLowerCase()))
      : undefined,
    maxCallbackAgeMs: vars.MAX_CALLBACK_AGE_SECONDS
      ? Number(vars.MAX_CALLBACK_AGE_SECONDS) * 1000
      : undefined,
    connectionOverrides: vars.TWILIO_CONNECTION_OVERRIDES,
  };
}

/**
 * Splits a comma-separated list of auth tokens; blanks around and between them are ignored.
 */
export function splitTokens(list: string | undefined): string[] {
  return splitList(list ?? "");
}

function splitList(list: string): string[] {
  return list
    .split(",")
    .map((token) => token.trim())
    .filter((token) => token.length > 0);
}

/** Reads the configuration from this process's environment. */
export function loadConfig(): Config {
  return parseConfig(process.env);
}

const RecoveryEnvironmentSchema = z.object({ QUEUE_URL: httpUrl });

/** The recover function's configuration: the queue it republishes to. */
export interface RecoveryConfig {
  /** The ingest function's queue; a `.fifo` URL makes FIFO messages, as the ingest side sends. */
  readonly queueUrl: string;
}

/**
 * Parses the recover function's configuration from environment variables.
 * @throws ConfigError naming every variable that is missing or invalid
 */
export function parseRecoveryConfig(
  env: Readonly<Record<string, string | undefined>>,
): RecoveryConfig {
  const defined = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const result = RecoveryEnvironmentSchema.safeParse(defined);
  if (!result.success) {
    const problems = problemsOf(result.error, defined).map((problem) => {
      const name = String(problem.path[0]);
      return problem.missing ? `${name} is required` : `${name} ${problem.message}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
  }
  return { queueUrl: result.data.QUEUE_URL };
}

/** Reads the recover function's configuration from this process's environment. */
export function loadRecoveryConfig(): RecoveryConfig {
  return parseRecoveryConfig(process.env);
}
