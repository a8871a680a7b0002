/**
 * What the recover function counts, behind a small port like the ingest side's: each invocation
 * records, then flushes once, whatever happened. Production writes CloudWatch embedded metric
 * format (`aws/cloudwatch-metrics.ts`); tests use an in-memory one.
 */

/** The metrics of one invocation, recorded as they happen and written by `flush`. */
export interface RecoveryMetrics {
  /** Events the queue took: `EventsRecovered`. */
  recovered(count: number): void;
  /** Events or payloads that could not be recovered: `RecoveryFailures`. */
  failed(count: number): void;
  /** Writes what was recorded since the last flush, and forgets it. */
  flush(): void;
}

/** Metrics that count nothing. */
export const noRecoveryMetrics: RecoveryMetrics = {
  recovered() {},
  failed() {},
  flush() {},
};
