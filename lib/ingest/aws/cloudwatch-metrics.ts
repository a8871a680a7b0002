/**
 * The CloudWatch adapter of {@link RelayMetrics}: embedded metric format (EMF) lines on stdout,
 * written by Powertools Metrics, which CloudWatch Logs turns into metrics with no API call.
 */
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { RelayMetrics } from "../metrics.ts";

/** The CloudWatch namespace of the relay's metrics. */
export const METRICS_NAMESPACE = "TwilioStatusRelay";

/**
 * Relay metrics written through `metrics` (default: a Powertools `Metrics` in
 * {@link METRICS_NAMESPACE}, its `service` dimension from `POWERTOOLS_SERVICE_NAME`).
 *
 * EMF gives every metric of a line the same dimensions, so a flush writes one line per
 * `resourceType` (`CallbacksRelayed`), one per `reason` (`CallbacksRefused`) and one for the
 * publishes (`PublishLatency`, `PublishFailures`, with only the `service` dimension): two lines
 * for a relayed callback, one for a refused one.
 */
export function createCloudWatchMetrics(
  metrics: Metrics = new Metrics({ namespace: METRICS_NAMESPACE }),
): RelayMetrics {
  const relayed = new Map<string, number>();
  const refused = new Map<string, number>();
  const latencies: number[] = [];
  let failures = 0;

  const publishCounts = (name: string, dimension: string, counts: Map<string, number>) => {
    for (const [value, count] of counts) {
      metrics.addDimension(dimension, value);
      metrics.addMetric(name, MetricUnit.Count, count);
      metrics.publishStoredMetrics();
    }
  };

  return {
    relayed: (resourceType) => {
      relayed.set(resourceType, (relayed.get(resourceType) ?? 0) + 1);
    },
    refused: (reason) => {
      refused.set(reason, (refused.get(reason) ?? 0) + 1);
    },
    published: (latencyMs, ok) => {
      latencies.push(latencyMs);
      if (!ok) failures += 1;
    },
    flush: () => {
      try {
        publishCounts("CallbacksRelayed", "resourceType", relayed);
        publishCounts("CallbacksRefused", "reason", refused);
        if (latencies.length > 0) {
          for (const latency of latencies) {
            metrics.addMetric("PublishLatency", MetricUnit.Milliseconds, latency);
          }
          // Zero too: the metric has data whenever the relay publishes, so a graph or alarm reads 0,
          // not missing data, while all is well.
          metrics.addMetric("PublishFailures", MetricUnit.Count, failures);
          metrics.publishStoredMetrics();
        }
      } finally {
        relayed.clear();
        refused.clear();
        latencies.length = 0;
        failures = 0;
      }
    },
  };
}
