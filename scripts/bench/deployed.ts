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
