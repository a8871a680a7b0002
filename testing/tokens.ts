/**
 * Auth tokens for tests: 32 hex digits, like Twilio's, and never real. Each literal plays one
 * role only, so a test that reads `SECONDARY_AUTH_TOKEN` means a rotation, and `FORGER_AUTH_TOKEN`
 * a forgery. None of them occurs inside a sample SID, so a search of logs for one finds only it.
 */

/** The token the relay verifies against first (`TWILIO_AUTH_TOKEN`); the local loop uses it. */
export const PRIMARY_AUTH_TOKEN = "00000000000000000000000000000001";

/** A second token the relay also holds, as during a rotation (`TWILIO_AUTH_TOKEN=primary,secondary`). */
export const SECONDARY_AUTH_TOKEN = "c2a8e4f61b9d3075e8a1c6f4b2d9e037";

/** A token the relay never holds: a callback signed with it is a forgery and gets 403. */
export const FORGER_AUTH_TOKEN = "ffffffffffffffffffffffffffffffff";
