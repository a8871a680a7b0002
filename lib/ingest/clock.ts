/**
 * The relay's one clock convention: whatever needs the time takes a `clock` and calls it, so
 * tests and the property checks can fix the time.
 */

/** The current time. */
export type Clock = () => Date;

/** The machine's clock. */
export const systemClock: Clock = () => new Date();
