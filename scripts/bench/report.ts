/**
 * The bench's report: the statistics every measurement uses and the summary table `npm run bench`
 * ends with (each row a measure, the relay's figure, the baseline's, their ratio and the target).
 */
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";

/** One row of the summary table. */
export interface Row {
  readonly measure: string;
  readonly relay: string;
  readonly baseline: string;
  readonly ratio: number;
  readonly target: string;
  /** Whether the target is met; undefined for a row with no target. */
  readonly met: boolean | undefined;
}

/** The rows of the summary, in the order the measurements add them. */
export const summary: Row[] = [];

/** The median of `values` (the upper one of an even count). */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** The `q` quantile of `values` (nearest rank). */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** A number with `digits` decimals. */
export const fmt = (n: number, digits = 1): string => n.toFixed(digits);

/** Adds a summary row whose target is a ratio of at most `max`. */
export function atMost(
  measure: string,
  relay: string,
  baseline: string,
  ratio: number,
  max: number,
) {
  summary.push({ measure, relay, baseline, ratio, target: `<= ${max}`, met: ratio <= max });
}

/** Adds a summary row with no target: its ratio is reported for the record. */
export function noTarget(measure: string, relay: string, baseline: string, ratio: number) {
  summary.push({ measure, relay, baseline, ratio, target: "no target", met: undefined });
}

/** Prints a Markdown table. */
export function table(
  header: readonly string[],
  align: readonly ("l" | "r" | "c")[],
  rows: readonly (readonly string[])[],
) {
  console.log(`| ${header.join(" | ")} |`);
  console.log(
    `| ${align.map((a) => (a === "r" ? "---:" : a === "c" ? ":---:" : "---")).join(" | ")} |`,
  );
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);
}

/** CPU model, cores and memory of this machine. */
export function machine(): string {
  const model = /model name\s*:\s*(.+)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1];
  return `${model ?? cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ${fmt(totalmem() / 2 ** 30, 0)} GiB`;
}

/** Prints the summary table. */
export function printSummary(): void {
  console.log("\n## Summary: relay against its baselines\n");
  table(
    ["measure", "relay", "baseline", "ratio", "target", "met"],
    ["l", "r", "r", "r", "r", "c"],
    summary.map((row) => [
      row.measure,
      row.relay,
      row.baseline,
      fmt(row.ratio, 2),
      row.target,
      row.met === undefined ? "-" : row.met ? "yes" : "**no**",
    ]),
  );
}
