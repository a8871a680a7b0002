/**
 * Secrets by id, read from JSON: `TWILIO_ACCOUNT_AUTH_TOKENS` (account SID to auth token(s)) and
 * `TWILIO_SHARED_KEYS` (SharedKey id to secret(s)), from the environment or an SSM SecureString.
 * Pure. A problem is described without ever quoting the text, which holds secrets.
 */

/** Secrets by id, each id with one or more secrets, primary first (several during a rotation). */
export type SecretMap = ReadonlyMap<string, readonly string[]>;

/** The two kinds of secret map, and what their ids look like. */
export type SecretMapKind = "account-auth-tokens" | "shared-keys";

/** Most secrets one id may hold: a rotation needs two; a few more are tolerated. */
export const MAX_SECRETS_PER_ID = 5;
/**
 * Most secrets in one map. Bounds the HMACs of a sink delivery that names no account (every
 * configured auth token is a candidate), and is more than an SSM SecureString (8 KB in the
 * advanced tier) or Lambda's 4 KB of environment can hold anyway.
 */
export const MAX_SECRETS_PER_MAP = 200;

const ACCOUNT_SID = /^AC[0-9a-f]{32}$/i;
// Printable ASCII without the header's separators (",", "=") and blanks.
const SHARED_KEY_ID = /^[\x21-\x2b\x2d-\x3c\x3e-\x7e]{1,128}$/;

/**
 * Parses a JSON object of id to secret, or to a list of secrets (primary first). Account SIDs
 * are lower-cased after `AC` (Twilio's own form), so that lookups ignore the hex digits' case.
 * @returns the map, or the problems, each one safe to show (no secret, no excerpt of the text)
 */
export function parseSecretMap(
  text: string,
  kind: SecretMapKind,
): { readonly map: SecretMap } | { readonly problems: readonly string[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the error: never repeated.
    return { problems: ["is not valid JSON"] };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { problems: [`must be a JSON object of ${idName(kind)} to secret(s)`] };
  }
  const problems: string[] = [];
  const map = new Map<string, string[]>();
  let total = 0;
  for (const [id, secrets] of Object.entries(value)) {
    const key = normaliseId(id, kind);
    if (key === undefined) {
      problems.push(`key ${JSON.stringify(id.slice(0, 140))} is not ${idDescription(kind)}`);
      continue;
    }
    const list = typeof secrets === "string" ? [secrets] : secrets;
    if (!Array.isArray(list) || list.length === 0) {
      problems.push(`${id} must have a secret, or a non-empty list of secrets`);
      continue;
    }
    if (list.some((secret) => typeof secret !== "string" || secret.trim() === "")) {
      problems.push(`${id} has an empty secret (or one that is not a string)`);
      continue;
    }
    if (list.length > MAX_SECRETS_PER_ID) {
      problems.push(`${id} has ${list.length} secrets, more than ${MAX_SECRETS_PER_ID}`);
      continue;
    }
    if (map.has(key)) {
      problems.push(`${id} is listed twice`);
      continue;
    }
    total += list.length;
    map.set(key, [...(list as string[])]);
  }
  if (total > MAX_SECRETS_PER_MAP) {
    problems.push(`holds ${total} secrets, more than ${MAX_SECRETS_PER_MAP}`);
  }
  return problems.length > 0 ? { problems } : { map };
}

/** The key under which an id is stored, or undefined when it is not an id of this kind. */
export function normaliseId(id: string, kind: SecretMapKind): string | undefined {
  if (kind === "account-auth-tokens") {
    return ACCOUNT_SID.test(id) ? `AC${id.slice(2).toLowerCase()}` : undefined;
  }
  return SHARED_KEY_ID.test(id) ? id : undefined;
}

function idName(kind: SecretMapKind): string {
  return kind === "account-auth-tokens" ? "account SID" : "SharedKey id";
}

function idDescription(kind: SecretMapKind): string {
  return kind === "account-auth-tokens"
    ? "an account SID (AC followed by 32 hex digits)"
    : "a SharedKey id (1-128 printable characters, no comma, equals sign or blank)";
}
