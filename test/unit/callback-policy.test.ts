import { describe, expect, it } from "vitest";
import type { StatusEvent } from "../../lib/events/schemas.ts";
import { AccountNotAllowedError, CallbackTooOldError } from "../../lib/ingest/errors.ts";
import { normaliseCallback } from "../../lib/ingest/normalise.ts";
import { CLOCK_SKEW_ALLOWANCE_MS, enforceCallbackPolicy } from "../../lib/ingest/policy.ts";
import { ACCOUNT_SID, callbackParams } from "../../testing/samples.ts";
import { fromParams } from "../helpers/status-events.ts";

const NOW = new Date("2026-11-27T12:00:00.000Z");
const MINUTE = 60_000;
const OTHER_ACCOUNT = "ACffffffffffffffffffffffffffffffff";
// As parseConfig gives it: lower-cased.
const ALLOWED = new Set([ACCOUNT_SID.toLowerCase()]);

function sentAt(msBeforeNow: number): StatusEvent {
  const timestamp = new Date(NOW.getTime() - msBeforeNow).toISOString();
  return fromParams(callbackParams("stream-ended", { timestamp }));
}

describe("enforceCallbackPolicy", () => {
  it("accepts every callback when no protection is configured", () => {
    expect(() =>
      enforceCallbackPolicy(sentAt(365 * 24 * 60 * MINUTE), {}, () => NOW),
    ).not.toThrow();
  });

  it("accepts a callback from an allowed account, whatever the case of its hex digits", () => {
    // Prepare
    const event = fromParams({
      ...callbackParams("stream-started"),
      AccountSid: ACCOUNT_SID.toUpperCase(),
    });
    const policy = { allowedAccountSids: ALLOWED };
    // Act / Assess
    expect(() => enforceCallbackPolicy(event, policy, () => NOW)).not.toThrow();
  });

  it("refuses a callback from an account the allowlist does not name", () => {
    // Prepare
    const event = fromParams({ ...callbackParams("stream-started"), AccountSid: OTHER_ACCOUNT });
    const policy = { allowedAccountSids: ALLOWED };
    // Act
    const attempt = () => enforceCallbackPolicy(event, policy, () => NOW);
    // Assess
    expect(attempt).toThrow(AccountNotAllowedError);
    expect(attempt).toThrow(`account ${OTHER_ACCOUNT} is not in this relay's ALLOWED_ACCOUNT_SIDS`);
  });

  it("refuses a callback from an unknown resource that names two accounts when an allowlist is set", () => {
    // Prepare: with AccountSid sent twice the event names no single account
    const event = normaliseCallback(
      new Map([
        ["AccountSid", [ACCOUNT_SID, OTHER_ACCOUNT]],
        ["WidgetSid", ["WX0123456789abcdef0123456789abcdef"]],
      ]),
      () => NOW,
    );
    // Act
    const attempt = () => enforceCallbackPolicy(event, { allowedAccountSids: ALLOWED }, () => NOW);
    // Assess
    expect(attempt).toThrow(AccountNotAllowedError);
    expect(attempt).toThrow(/names no AccountSid/);
  });

  it("accepts a callback exactly as old as the limit plus the clock-skew allowance", () => {
    const event = sentAt(5 * MINUTE + CLOCK_SKEW_ALLOWANCE_MS);
    expect(() =>
      enforceCallbackPolicy(event, { maxCallbackAgeMs: 5 * MINUTE }, () => NOW),
    ).not.toThrow();
  });

  it("refuses a callback a millisecond older than the limit plus the clock-skew allowance", () => {
    // Prepare
    const event = sentAt(5 * MINUTE + CLOCK_SKEW_ALLOWANCE_MS + 1);
    // Act
    const attempt = () => enforceCallbackPolicy(event, { maxCallbackAgeMs: 5 * MINUTE }, () => NOW);
    // Assess
    expect(attempt).toThrow(CallbackTooOldError);
    expect(attempt).toThrow(/is 360 s old, older than the 360 s this relay accepts/);
  });

  it("accepts a callback stamped in the future (a clock ahead of ours)", () => {
    expect(() =>
      enforceCallbackPolicy(sentAt(-10 * MINUTE), { maxCallbackAgeMs: MINUTE }, () => NOW),
    ).not.toThrow();
  });

  it("compares timestamps with an offset by the instant they name", () => {
    // Prepare: 11:58 in UTC, written as 13:58 at +02:00
    const event = fromParams(
      callbackParams("stream-ended", { timestamp: "2026-11-27T13:58:00.000+02:00" }),
    );
    // Act / Assess
    expect(() =>
      enforceCallbackPolicy(event, { maxCallbackAgeMs: MINUTE }, () => NOW),
    ).not.toThrow();
    expect(() =>
      enforceCallbackPolicy(event, { maxCallbackAgeMs: 0 }, () => new Date(NOW.getTime() + MINUTE)),
    ).toThrow(CallbackTooOldError);
  });

  it("has no age to check on an unknown resource's callback without an ISO 8601 Timestamp", () => {
    // Prepare: "1" would parse as the year 2001 if it were read leniently
    const withoutTimestamp = fromParams({
      AccountSid: ACCOUNT_SID,
      WidgetSid: "WX0123456789abcdef0123456789abcdef",
    });
    const withOddTimestamp = fromParams({
      AccountSid: ACCOUNT_SID,
      WidgetSid: "WX0123456789abcdef0123456789abcdef",
      Timestamp: "1",
    });
    // Act / Assess
    for (const event of [withoutTimestamp, withOddTimestamp]) {
      expect(() =>
        enforceCallbackPolicy(event, { maxCallbackAgeMs: MINUTE }, () => NOW),
      ).not.toThrow();
    }
  });

  it("checks an unknown resource's ISO 8601 Timestamp like any other", () => {
    const event = fromParams({
      AccountSid: ACCOUNT_SID,
      WidgetSid: "WX0123456789abcdef0123456789abcdef",
      Timestamp: "2026-11-27T11:00:00Z",
    });
    expect(() => enforceCallbackPolicy(event, { maxCallbackAgeMs: MINUTE }, () => NOW)).toThrow(
      CallbackTooOldError,
    );
  });
});
