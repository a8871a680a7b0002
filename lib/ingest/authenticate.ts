/**
 * Verifies a decoded request's signature with the secrets that may have signed it (see
 * `signing-keys.ts`), loading only the secrets it needs. A secret store that cannot be read is a
 * 503 (never a 403 for every caller); a signature that matches none is a 403.
 */

import { describeError } from "../events/errors.ts";
import type { CallbackRequest } from "./decode.ts";
import {
  MissingSignatureError,
  ServiceUnavailableError,
  SignatureMismatchError,
} from "./errors.ts";
import type { RelayLogger } from "./logger.ts";
import type { SecretMap } from "./secret-maps.ts";
import { verifyTwilioSignature } from "./signature.ts";
import {
  authTokenCandidates,
  type Candidates,
  sharedKeyCandidates,
  signingScheme,
} from "./signing-keys.ts";
import type { SecretMapSource, TokenSource } from "./tokens.ts";

/** Where each kind of secret comes from; a kind the relay is not configured with is absent. */
export interface SecretSources {
  readonly authTokens: TokenSource;
  readonly accountAuthTokens?: SecretMapSource | undefined;
  readonly sharedKeys?: SecretMapSource | undefined;
}

/** Who signed a verified request. */
export interface Signer {
  /** The account whose own token matched (from `TWILIO_ACCOUNT_AUTH_TOKENS`), if one did. */
  readonly accountSid: string | undefined;
  /** The SharedKey that matched, if the request was signed with one. */
  readonly sharedKeyId: string | undefined;
}

/**
 * Verifies `request`'s signature. `accountSid` is the account the request names (undefined when
 * none): its tokens and the defaults are tried, and no others.
 * @throws MissingSignatureError, UnsupportedAlgorithmError, UnknownSharedKeyError (no key named),
 *   SignatureMismatchError (also for a SharedKey the relay does not hold) (403s),
 *   ServiceUnavailableError when a secret store is unreadable
 */
export async function authenticate(
  request: CallbackRequest,
  options: {
    readonly sources: SecretSources;
    readonly accountSid: string | undefined;
    /** The connection-override fragment of the configured URL, if any (status callbacks only). */
    readonly fragment?: string | undefined;
    readonly logger: RelayLogger;
  },
): Promise<Signer> {
  const { sources, accountSid, logger } = options;
  if (request.signature === undefined) throw new MissingSignatureError();
  const scheme = signingScheme(request.signatureSettings);

  let candidates: Candidates;
  if (scheme.kind === "shared-key") {
    const sharedKeys = await load(sources.sharedKeys, "SharedKey secrets unavailable", logger);
    const held = sharedKeyCandidates(scheme.keyId, sharedKeys);
    if (held === undefined) {
      // Answered as any other mismatch, so that unsigned requests cannot list the key ids the
      // relay holds; the operator reads the id here.
      logger.warn("signature does not match: the SharedKey is not configured", {
        sharedKeyId: scheme.keyId,
        fix: "add its secret to TWILIO_SHARED_KEYS (or the parameter TWILIO_SHARED_KEYS_PARAMETER names)",
      });
      throw new SignatureMismatchError();
    }
    candidates = held;
  } else {
    const [defaults, accountTokens] = await Promise.all([
      loadTokens(sources.authTokens, logger),
      accountSid !== undefined
        ? load(sources.accountAuthTokens, "account auth tokens unavailable", logger)
        : new Map(),
    ]);
    candidates = authTokenCandidates({
      accountSid,
      defaults,
      accountTokens,
    });
  }

  const verdict = verifyTwilioSignature({
    url: request.url,
    alternativeUrls: request.alternativeUrls,
    fragment: options.fragment,
    params: request.signedParams,
    signature: request.signature,
    tokens: candidates.secrets,
    algorithm: scheme.kind === "shared-key" ? scheme.hash : "sha1",
  });
  if (!verdict.valid) {
    // What a user needs to fix a mismatch, without the query string: some users put a shared
    // secret there.
    const queryAt = request.url.indexOf("?");
    logger.warn("signature does not match", {
      url: queryAt === -1 ? request.url : request.url.slice(0, queryAt),
      queryString: queryAt !== -1,
      method: request.method,
      ...(scheme.kind === "shared-key" ? { sharedKeyId: scheme.keyId } : {}),
      ...(accountSid !== undefined ? { accountSid } : {}),
      secretsTried: candidates.secrets.length,
      hmacs: verdict.hmacs,
    });
    throw new SignatureMismatchError();
  }
  const owner = candidates.owners[verdict.tokenIndex];
  const rank = candidates.ranks[verdict.tokenIndex] ?? 0;
  if (scheme.kind === "shared-key") {
    if (rank > 0) {
      logger.info("callback signed with a secondary SharedKey secret", {
        sharedKeyId: scheme.keyId,
        secretIndex: rank,
      });
    }
    return { accountSid: undefined, sharedKeyId: scheme.keyId };
  }
  if (rank > 0) {
    logger.info("callback signed with a secondary auth token", {
      tokenIndex: rank,
      ...(owner !== undefined ? { accountSid: owner } : {}),
    });
  }
  return { accountSid: owner, sharedKeyId: undefined };
}

async function loadTokens(source: TokenSource, logger: RelayLogger): Promise<readonly string[]> {
  try {
    return await source();
  } catch (error) {
    // Loud in the logs, 503 to Twilio: never 403 every caller because a secret is unreadable.
    logger.error("auth tokens unavailable", { error: describeError(error) });
    throw new ServiceUnavailableError({ cause: error });
  }
}

async function load(
  source: SecretMapSource | undefined,
  message: string,
  logger: RelayLogger,
): Promise<SecretMap> {
  if (source === undefined) return new Map();
  try {
    return await source();
  } catch (error) {
    logger.error(message, { error: describeError(error) });
    throw new ServiceUnavailableError({ cause: error });
  }
}
