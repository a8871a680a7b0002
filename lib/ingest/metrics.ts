/**
 * What the relay counts, behind a small port like the logger: each invocation records what
 * happened, then flushes it once, whatever the answer. Production writes CloudWatch embedded
 * metric format through Powertools Metrics (`aws/cloudwatch-metrics.ts`); tests use an in-memory
 * one, and {@link noMetrics} counts nothing.
 */

/** The metrics of one invocation, recorded as they happen and written by `flush`. */
export interface RelayMetrics {
  /** An event is on the queue: `CallbacksRelayed`, by `resourceType` (`data.resourceType`). */
  relayed(resourceType: string): void;
  /** The callback was answered with an error: `CallbacksRefused`, by `reason` (the error name). */
  refused(reason: string): void;
  /**
   * One publish to the queue, successful or not, and how long it took: `PublishLatency` (ms), and
   * `PublishFailures` (1 when the queue did not take it, else 0).
   */
  published(latencyMs: number, ok: boolean): void;
  /** Writes what was recorded since the last flush, and forgets it. */
  flush(): void;
}

/** Metrics that count nothing: for tools and tests that do not look at them. */
export const noMetrics: RelayMetrics = {
  relayed() {},
  refused() {},
  published() {},
  flush() {},
};
