import type { RelayMetrics } from "../../lib/ingest/metrics.ts";

/** What one invocation recorded, as flushed. */
export interface FlushedMetrics {
  readonly relayed: string[];
  readonly refused: string[];
  readonly published: { latencyMs: number; ok: boolean }[];
}

/** Metrics that keep every flush, to assert what an invocation counted and that it flushed. */
export function memoryMetrics(): RelayMetrics & { flushes: FlushedMetrics[] } {
  const flushes: FlushedMetrics[] = [];
  let current: FlushedMetrics = { relayed: [], refused: [], published: [] };
  return {
    flushes,
    relayed: (resourceType) => void current.relayed.push(resourceType),
    refused: (reason) => void current.refused.push(reason),
    published: (latencyMs, ok) => void current.published.push({ latencyMs, ok }),
    flush: () => {
      flushes.push(current);
      current = { relayed: [], refused: [], published: [] };
    },
  };
}
