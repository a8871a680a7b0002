/**
 * What serverless.yml gives the functions (`provider:`), read from the file so that the bench
 * measures the settings as they are deployed, whatever they are changed to.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");

function provider(): string {
  const yml = readFileSync(join(ROOT, "serverless.yml"), "utf8");
  return yml.slice(yml.indexOf("\nprovider:"), yml.indexOf("\npackage:"));
}

/** The `NODE_OPTIONS` Lambda starts Node with, or "" when serverless.yml sets none. */
export function deployedNodeOptions(): string {
  const value = /^\s+NODE_OPTIONS:\s*(.*?)\s*$/m.exec(provider())?.[1] ?? "";
  return value.replace(/^["']|["']$/g, "");
}

/** The functions' `memorySize`, in MB. */
export function deployedMemorySize(): number {
  const value = Number(/^\s+memorySize:\s*(\d+)\s*$/m.exec(provider())?.[1]);
  if (!Number.isInteger(value)) throw new Error("serverless.yml: no provider.memorySize");
  return value;
}

/**
 * The V8 heap limits Lambda's Node.js runtime starts a function with for `memoryMB`: a tenth of
 * the memory for the young generation (so semi-spaces of a twentieth) and the rest for the old
 * one, as its bootstrap script computes them (`new_space=$((memory / 10))`, `semi_space=$((new_space
 * / 2))`, `old_space=$((memory - new_space))`). Capping the old generation alone, as an earlier
 * version of this bench did, lets V8 shrink the young generation with it, and the collections
 * that follow cost several times the handler's own CPU: that is a heap Lambda never gives.
 */
export function lambdaHeapFlags(memoryMB: number): string[] {
  const newSpace = Math.floor(memoryMB / 10);
  return [
    `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
    `--max-old-space-size=${memoryMB - newSpace}`,
  ];
}

/** The ingest function's log settings as deployed by default. */
export interface LoggingSettings {
  /** Lambda's log format (`logs.logFormat`; Text when not set). */
  readonly format: "JSON" | "Text";
  /** The application log level: the `logLevel` parameter's default. */
  readonly level: string;
  /** Lambda's system log level (`systemLogLevel`; INFO when not set). */
  readonly systemLevel: "DEBUG" | "INFO" | "WARN";
}

/** The ingest function's default log settings, read from serverless.yml. */
export function deployedLogging(): LoggingSettings {
  const yml = readFileSync(join(ROOT, "serverless.yml"), "utf8");
  const params = yml.slice(yml.indexOf("\nparams:"), yml.indexOf("\nprovider:"));
  const ingest = yml.slice(yml.indexOf("\n  - ingest:"), yml.indexOf("\n  - ${self:custom"));
  const param = (name: string) => new RegExp(`^\\s+${name}:\\s*(\\w+)\\s*$`, "m").exec(params)?.[1];
  const format = /^\s+logFormat:\s*(JSON|Text)\s*$/m.exec(ingest)?.[1] === "JSON" ? "JSON" : "Text";
  const system = /^\s+systemLogLevel:\s*(.+?)\s*$/m.exec(ingest)?.[1];
  const systemLevel = system?.startsWith("${param:") ? param("systemLogLevel") : system;
  return {
    format,
    level: param("logLevel") ?? "INFO",
    systemLevel: systemLevel === "WARN" || systemLevel === "DEBUG" ? systemLevel : "INFO",
  };
}
