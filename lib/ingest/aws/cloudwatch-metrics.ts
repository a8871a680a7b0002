/**
 * The CloudWatch adapter of {@link RelayMetrics}: embedded metric format (EMF) on stdout, built
 * by Powertools Metrics, which CloudWatch Logs turns into metrics with no API call.
 */
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { RelayMetrics } from "../metrics.ts";

/** The CloudWatch namespace of the relay's metrics. */
export const METRICS_NAMESPACE = "TwilioStatusRelay";

type EmfObject = ReturnType<Metrics["serializeMetrics"]>;
type EmfDirective = EmfObject["_aws"]["CloudWatchMetrics"][number];

// Powertools Metrics serialises one dimension set per object; this one writes several of them as
// one object, through Powertools' own output and its on/off switches.
class RelayEmf extends Metrics {
  /** Whether Powertools writes metrics at all (POWERTOOLS_METRICS_DISABLED, POWERTOOLS_DEV). */
  get writes(): boolean {
    return !this.isDisabled();
  }

  /** Serialises what is stored as one EMF object, and forgets it. */
  take(): EmfObject {
    try {
      return this.serializeMetrics();
    } finally {
      this.clearMetrics();
      this.clearDimensions();
      this.clearMetadata();
    }
  }
}

/**
 * Relay metrics as EMF, built by Powertools Metrics in {@link METRICS_NAMESPACE}, the `service`
 * dimension from `POWERTOOLS_SERVICE_NAME`.
 *
 * EMF gives every metric of a directive the same dimensions, so each group is a directive of its
 * own: `CallbacksRelayed` by `service` and `resourceType`, `CallbacksRefused` by `service` and
 * `reason`, and `PublishLatency` with `PublishFailures` by `service` alone. A flush writes all the
 * directives of an invocation in one object (one log line), since a dimension's value is a field
 * of the object shared by its directives; only an invocation that counts two values of the same
 * dimension (two resource types, two reasons) needs a second object.
 */
export function createCloudWatchMetrics(): RelayMetrics {
  const metrics = new RelayEmf({ namespace: METRICS_NAMESPACE });
  const relayed = new Map<string, number>();
  const refused = new Map<string, number>();
  const latencies: number[] = [];
  let failures = 0;

  const groups: EmfObject[] = [];
  const close = () => {
    groups.push(metrics.take());
  };
  const counts = (name: string, dimension: string, values: Map<string, number>) => {
    for (const [value, count] of values) {
      metrics.addDimension(dimension, value);
      metrics.addMetric(name, MetricUnit.Count, count);
      close();
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
      // To the microsecond: more digits are timer noise, and bytes of every line.
      latencies.push(Math.round(latencyMs * 1000) / 1000);
      if (!ok) failures += 1;
    },
    flush: () => {
      try {
        counts("CallbacksRelayed", "resourceType", relayed);
        counts("CallbacksRefused", "reason", refused);
        if (latencies.length > 0) {
          for (const latency of latencies) {
            metrics.addMetric("PublishLatency", MetricUnit.Milliseconds, latency);
          }
          // Zero too: the metric has data whenever the relay publishes, so a graph or alarm reads 0,
          // not missing data, while all is well.
          metrics.addMetric("PublishFailures", MetricUnit.Count, failures);
          close();
        }
        if (metrics.writes) {
          for (const object of mergeEmf(groups))
            process.stdout.write(`${JSON.stringify(object)}\n`);
        }
      } finally {
        relayed.clear();
        refused.clear();
        latencies.length = 0;
        failures = 0;
        groups.length = 0;
      }
    },
  };
}

/**
 * Merges the EMF objects of one flush into as few as can hold them: an object takes another's
 * directives and fields when no field they share has a different value (a dimension's value, a
 * metric's values), and keeps the earlier timestamp (they are a millisecond or so apart). Each
 * directive keeps its own dimensions and metrics, so CloudWatch extracts exactly the metrics the
 * separate objects gave.
 */
export function mergeEmf(objects: readonly EmfObject[]): EmfObject[] {
  const merged: { directives: EmfDirective[]; fields: Record<string, unknown>; at: number }[] = [];
  for (const { _aws, ...fields } of objects) {
    const home = merged.find((candidate) =>
      Object.entries(fields).every(
        ([key, value]) =>
          !(key in candidate.fields) ||
          JSON.stringify(candidate.fields[key]) === JSON.stringify(value),
      ),
    );
    if (home === undefined) {
      merged.push({
        directives: [..._aws.CloudWatchMetrics],
        fields: { ...fields },
        at: _aws.Timestamp,
      });
    } else {
      home.directives.push(..._aws.CloudWatchMetrics);
      Object.assign(home.fields, fields);
      home.at = Math.min(home.at, _aws.Timestamp);
    }
  }
  return merged.map(({ directives, fields, at }) => ({
    _aws: { Timestamp: at, CloudWatchMetrics: directives },
    ...fields,
  })) as EmfObject[];
}
