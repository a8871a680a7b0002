/**
 * The CloudWatch adapter of {@link RecoveryMetrics}: embedded metric format lines written by
 * Powertools Metrics, in the ingest side's namespace and with its `service` dimension, so that
 * one dashboard shows both.
 */
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { METRICS_NAMESPACE } from "../../ingest/aws/cloudwatch-metrics.ts";
import type { RecoveryMetrics } from "../metrics.ts";

/**
 * Recovery metrics written through `metrics` (default: a Powertools `Metrics` in
 * {@link METRICS_NAMESPACE}, its `service` dimension from `POWERTOOLS_SERVICE_NAME`): one line per
 * flush with `EventsRecovered` and `RecoveryFailures` (Count), zeros included, so that an alarm
 * on failures reads 0 rather than missing data while recovery works.
 */
export function createRecoveryCloudWatchMetrics(
  metrics: Metrics = new Metrics({ namespace: METRICS_NAMESPACE }),
): RecoveryMetrics {
  let recovered = 0;
  let failed = 0;
  return {
    recovered: (count) => {
      recovered += count;
    },
    failed: (count) => {
      failed += count;
    },
    flush: () => {
      try {
        metrics.addMetric("EventsRecovered", MetricUnit.Count, recovered);
        metrics.addMetric("RecoveryFailures", MetricUnit.Count, failed);
        metrics.publishStoredMetrics();
      } finally {
        recovered = 0;
        failed = 0;
      }
    },
  };
}
