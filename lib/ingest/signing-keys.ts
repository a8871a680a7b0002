/**
 * Which secrets may have signed a request, and with which hash. Pure: the secrets themselves are
 * loaded by the caller.
 *
 * - `X-Twilio-Webhooks-Signature-Settings` present: the SharedKey it names, with the algorithm it
 *   names (HMAC_SHA1 or HMAC_SHA256), and nothing else.
 * - Otherwise HMAC-SHA1 with auth tokens: those of the account the request names (a callback's
 *   `AccountSid`, a sink URL's `AccountSid` query parameter), then the default tokens
 *   (`TWILIO_AUTH_TOKEN`), and no others. A sink delivery that names no account (in its URL) is
 *   tried with the default tokens only: what a forged request costs is bounded by what could have
 *   signed it, never by how many accounts are configured.
 */

import { UnknownSharedKeyError, UnsupportedAlgorithmError } from "./errors.ts";
import { normaliseId, type SecretMap } from "./secret-maps.ts";
import { type HashName, hashOfAlgorithm, parseSignatureSettings } from "./signature.ts";

/** How a request says it was signed. */
export type SigningScheme =
  | { readonly kind: "shared-key"; readonly keyId: string; readonly hash: HashName }
  | { readonly kind: "auth-token" };

/**
 * The scheme a request's `X-Twilio-Webhooks-Signature-Settings` header names (an empty or absent
 * header: auth tokens, as the `twilio` package's webhook middleware decides).
 * @throws UnsupportedAlgorithmError for an algorithm other than HMAC_SHA1 and HMAC_SHA256
 * @throws UnknownSharedKeyError when the header names no key
 */
export function signingScheme(signatureSettings: string | undefined): SigningScheme {
  if (!signatureSettings) return { kind: "auth-token" };
  const { keyId, algorithm } = parseSignatureSettings(signatureSettings);
  const hash = hashOfAlgorithm(algorithm);
  if (hash === undefined) throw new UnsupportedAlgorithmError(algorithm);
  if (keyId === undefined) throw new UnknownSharedKeyError();
  return { kind: "shared-key", keyId, hash };
}

/** Secrets to try, in order, each with the account or key it belongs to. */
export interface Candidates {
  readonly secrets: readonly string[];
  /** For each secret: the account SID (account tokens), the key id, or undefined (defaults). */
  readonly owners: readonly (string | undefined)[];
  /** For each secret: its place among its owner's secrets (0: the primary). */
  readonly ranks: readonly number[];
}

/** The SharedKey secrets of `keyId`; undefined when the relay does not hold that key. */
export function sharedKeyCandidates(keyId: string, sharedKeys: SecretMap): Candidates | undefined {
  const secrets = sharedKeys.get(keyId);
  if (secrets === undefined) return undefined;
  return {
    secrets,
    owners: secrets.map(() => keyId),
    ranks: secrets.map((_, index) => index),
  };
}

/**
 * The auth tokens that may have signed a request naming `accountSid` (any case; undefined when
 * it names none): that account's tokens, then the defaults. A token listed twice is tried once.
 */
export function authTokenCandidates(options: {
  readonly accountSid: string | undefined;
  readonly defaults: readonly string[];
  readonly accountTokens: SecretMap;
}): Candidates {
  const secrets: string[] = [];
  const owners: (string | undefined)[] = [];
  const ranks: number[] = [];
  const add = (owner: string | undefined, tokens: readonly string[]) => {
    tokens.forEach((token, rank) => {
      if (secrets.includes(token)) return;
      secrets.push(token);
      owners.push(owner);
      ranks.push(rank);
    });
  };
  const named =
    options.accountSid === undefined
      ? undefined
      : normaliseId(options.accountSid, "account-auth-tokens");
  if (named !== undefined) add(named, options.accountTokens.get(named) ?? []);
  add(undefined, options.defaults);
  return { secrets, owners, ranks };
}
