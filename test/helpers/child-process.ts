/**
 * Runs the project's scripts as a user would, as child processes on Node 24, and watches what
 * they print and which processes they leave behind.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { resolve } from "node:path";

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, "../..");
/** The pinned Node 24 (the test runner itself may run on another Node). */
export const NODE = resolve(ROOT, "node_modules/.bin/node");

export interface RunningScript {
  readonly child: ChildProcess;
  /** Every stdout line so far. */
  readonly lines: string[];
  /** Every stderr line so far. */
  readonly errorLines: string[];
  /** stdout and stderr as received, for failure messages. */
  output(): string;
  /** Resolves with the first line of `stream` (stdout by default) matching, or rejects after `timeoutMs`. */
  waitForLine(match: RegExp, timeoutMs?: number, stream?: "stdout" | "stderr"): Promise<string>;
  /** Resolves once `count` lines of `stream` (stdout by default) match. */
  waitForLines(
    match: RegExp,
    count: number,
    timeoutMs?: number,
    stream?: "stdout" | "stderr",
  ): Promise<string[]>;
  /** Resolves with the exit code (or signal name) when the process exits. */
  readonly exited: Promise<number | string>;
}

export interface RunOptions {
  /** Added to this process's environment. */
  readonly env?: Record<string, string>;
  /** The whole environment instead (`env` is still added). */
  readonly baseEnv?: NodeJS.ProcessEnv;
  /**
   * Start it as the leader of its own process group, as a shell starts a foreground job, so that
   * `process.kill(-pid, "SIGINT")` is what Ctrl-C does in a terminal.
   */
  readonly group?: boolean;
}

/** Starts `command args` in ROOT. */
export function run(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): RunningScript {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...(options.baseEnv ?? process.env), ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.group ?? false,
  });
  const lines: string[] = [];
  const errorLines: string[] = [];
  let all = "";
  const waiters = new Set<() => void>();
  const collect = (stream: NodeJS.ReadableStream | null, into: string[]) => {
    let partial = "";
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      all += chunk;
      const parts = (partial + chunk).split("\n");
      partial = parts.pop() ?? "";
      into.push(...parts);
      for (const wake of waiters) wake();
    });
  };
  collect(child.stdout, lines);
  collect(child.stderr, errorLines);
  const exited = new Promise<number | string>((done) => {
    child.once("exit", (code, signal) => {
      for (const wake of waiters) wake();
      done(code ?? signal ?? "unknown");
    });
  });

  function waitForLines(
    match: RegExp,
    count: number,
    timeoutMs = 30_000,
    stream: "stdout" | "stderr" = "stdout",
  ): Promise<string[]> {
    return new Promise((resolvePromise, reject) => {
      const check = () => {
        const found = (stream === "stdout" ? lines : errorLines).filter((line) => match.test(line));
        if (found.length >= count) {
          finish();
          resolvePromise(found);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          finish();
          reject(new Error(`process exited before printing ${count} × ${match}:\n${all}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`no ${count} × ${match} within ${timeoutMs} ms:\n${all}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  }

  return {
    child,
    lines,
    errorLines,
    output: () => all,
    waitForLine: async (match, timeoutMs, stream) =>
      (await waitForLines(match, 1, timeoutMs, stream))[0] ?? "",
    waitForLines,
    exited,
  };
}

/** Runs a TypeScript script of this repository on Node 24. */
export function runScript(
  script: string,
  args: readonly string[] = [],
  env: Record<string, string> = {},
): RunningScript {
  return run(NODE, [resolve(ROOT, script), ...args], { env });
}

/** The pids of every descendant of `pid`, now. */
export function descendants(pid: number): number[] {
  let out = "";
  try {
    out = execFileSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" });
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const line of out.trim().split("\n")) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    if (child === undefined || parent === undefined) continue;
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const found: number[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    for (const child of children.get(stack.pop() ?? -1) ?? []) {
      found.push(child);
      stack.push(child);
    }
  }
  return found;
}

/** The pids among `pids` that are still running (zombies count as gone). */
export function alive(pids: readonly number[]): number[] {
  return pids.filter((pid) => {
    try {
      process.kill(pid, 0);
    } catch {
      return false;
    }
    try {
      const state = execFileSync("ps", ["-o", "stat=", "-p", String(pid)], { encoding: "utf8" });
      return !state.trim().startsWith("Z");
    } catch {
      return false;
    }
  });
}
