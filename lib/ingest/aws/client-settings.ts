/**
 * The settings every AWS SDK client of the relay shares: a few attempts, each bounded, so that a
 * failing dependency answers 503 in seconds, well inside Twilio's 15-second limit.
 */

/** Attempts per call, the first included. */
export const MAX_ATTEMPTS = 3;

/**
 * Client settings with attempts of at most `requestTimeoutMs` each (after a connection of at most
 * one second). Region, endpoint and credentials come from the SDK's usual settings.
 */
export function boundedClientSettings(requestTimeoutMs: number) {
  return {
    maxAttempts: MAX_ATTEMPTS,
    // Without throwOnRequestTimeout the SDK only warns when requestTimeout passes: one hung
    // attempt would then use the whole budget, with no retry.
    requestHandler: {
      connectionTimeout: 1_000,
      requestTimeout: requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  };
}
