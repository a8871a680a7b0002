/**
 * Optional protections for a verified, normalised callback, both off unless configured: an
 * allowlist of account SIDs (`ALLOWED_ACCOUNT_SIDS`) and a maximum age of the callback's own
 * `Timestamp` (`MAX_CALLBACK_AGE_SECONDS`), which bounds how long a captured callback can be
 * replayed. Pure: the clock is passed in.
 */

import { commonParameters } from "../events/resources/define.ts";
import type { StatusEvent } from "../events/schemas.ts";
import type { Clock } from "./clock.ts";
import { AccountNotAllowedError, CallbackTooOldError } from "./errors.ts";

/**
 * Added to `MAX_CALLBACK_AGE_SECONDS`: Twilio's clock and Lambda's may disagree by a little, and a
 * callback spends a moment in flight. Timestamps in the future are never refused.
 */
export const CLOCK_SKEW_ALLOWANCE_MS = 60_000;

export interface CallbackPolicy {
  /** Lower-cased account SIDs whose callbacks are relayed; every account when undefined. */
  readonly allowedAccountSids?: ReadonlySet<string> | undefined;
  /** Oldest `Timestamp` accepted, in ms before now (plus the skew allowance); any when undefined. */
  readonly maxCallbackAgeMs?: number | undefined;
}

/**
 * Refuses an event the configured protections exclude. A callback without a `Timestamp`
 * (Message and Recording callbacks have none; an unknown resource's may be missing or not ISO
 * 8601) has no age to check and passes the age check.
 * @throws AccountNotAllowedError when its account is not allowed
 * @throws CallbackTooOldError when its `Timestamp` is too old
 */
export function enforceCallbackPolicy(
  event: StatusEvent,
  policy: CallbackPolicy,
  clock: Clock,
): void {
  const { allowedAccountSids, maxCallbackAgeMs } = policy;
  const { accountSid } = event.data;
  // The callback's own time, where it has one (a Message or Recording callback has none).
  const timestamp = "timestamp" in event.data ? event.data.timestamp : undefined;
  if (allowedAccountSids !== undefined) {
    if (accountSid === undefined || !allowedAccountSids.has(accountSid.toLowerCase())) {
      throw new AccountNotAllowedError(accountSid);
    }
  }
  if (maxCallbackAgeMs !== undefined && timestamp !== undefined) {
    // A known resource's Timestamp passed its schema already; an unknown resource's may be anything.
    const checked = event.data.resourceType !== "unknown";
    if (!checked && !commonParameters.Timestamp.safeParse(timestamp).success) return;
    const ageMs = clock().getTime() - Date.parse(timestamp);
    const limitMs = maxCallbackAgeMs + CLOCK_SKEW_ALLOWANCE_MS;
    if (ageMs > limitMs) {
      throw new CallbackTooOldError(timestamp, Math.floor(ageMs / 1000), limitMs / 1000);
    }
  }
}
