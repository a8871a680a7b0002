/**
 * Before anything changes: does the URL answer as the relay does? An unsigned GET is the one
 * request the relay answers in a recognisable way without any secret and without publishing
 * anything: 401, JSON `{"error":"MissingSignatureError",...}`.
 */
import { NotTheRelayError } from "./errors.ts";

/** What the relay answers an unsigned request with (`lib/ingest/errors.ts`). */
export const RELAY_UNSIGNED_STATUS = 401;
export const RELAY_UNSIGNED_ERROR = "MissingSignatureError";
const PROBE_TIMEOUT_MS = 10_000;

const FIX =
  "give the StatusCallbackUrl output of the deployed stack (sls info prints it; for npm start, " +
  "the StatusCallback URL it prints). Nothing was changed";

/** The URL without its fragment (connection overrides): what is requested, and a sink's destination. */
export function withoutFragment(url: string): string {
  const at = url.indexOf("#");
  return at === -1 ? url : url.slice(0, at);
}

/**
 * Resolves if `url` answers an unsigned GET as the relay does; throws {@link NotTheRelayError}
 * saying what it answered instead.
 */
export async function probeRelay(url: string, fetchImpl: typeof fetch = fetch): Promise<void> {
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new NotTheRelayError(`--url must be an http(s) URL, not ${JSON.stringify(url)}: ${FIX}`);
  }
  const target = withoutFragment(url);
  let response: Response;
  try {
    response = await fetchImpl(target, {
      method: "GET",
      redirect: "manual",
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
  } catch (error) {
    const detail = (error as { cause?: { code?: string; message?: string } }).cause;
    const cause = detail?.code ?? detail?.message ?? (error as Error).message;
    throw new NotTheRelayError(`nothing answered at ${target} (${cause}): ${FIX}`, {
      cause: error,
    });
  }
  const text = await response.text().catch(() => "");
  let name: unknown;
  try {
    name = (JSON.parse(text) as { error?: unknown }).error;
  } catch {
    name = undefined;
  }
  if (response.status === RELAY_UNSIGNED_STATUS && name === RELAY_UNSIGNED_ERROR) return;
  const shown = text.length > 120 ? `${text.slice(0, 120)}…` : text;
  throw new NotTheRelayError(
    `${target} is not the relay: it answered an unsigned GET with ${response.status} ` +
      `${JSON.stringify(shown)}, where the relay answers ${RELAY_UNSIGNED_STATUS} ` +
      `{"error":"${RELAY_UNSIGNED_ERROR}",...} (check the host and the path, /status-callbacks): ${FIX}`,
  );
}
