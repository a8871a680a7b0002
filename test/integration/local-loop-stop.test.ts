/**
 * Stopping `npm start`: whichever of SIGINT, SIGTERM or SIGHUP reaches npm's process, its process
 * group (Ctrl-C, a closed terminal) or npm start's node process, everything it started stops
 * (node, serverless-offline and its workers, esbuild, the SQS server), the port is free again
 * and the exit status is the documented one (docs/local-development.md, "Stopping").
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { freePort } from "../../testing/local/loop.ts";
import { alive, descendants, run } from "../helpers/child-process.ts";

type Target = "npm" | "group" | "node";
type Signal = "SIGINT" | "SIGTERM" | "SIGHUP";

/**
 * npm forwards SIGINT and SIGTERM to the script and exits as it does (0); it does not handle
 * SIGHUP and dies of it, so npm's own status is then the signal; npm start stops all the same.
 */
function expectedStatus(target: Target, signal: Signal): number | string {
  return signal === "SIGHUP" && target !== "node" ? "SIGHUP" : 0;
}

const CASES = (["npm", "group", "node"] as const).flatMap((target) =>
  (["SIGINT", "SIGTERM", "SIGHUP"] as const).map((signal) => ({ target, signal })),
);

/** Whether something may listen on `port` on 127.0.0.1 now. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** The command line of a process, "" once it is gone. */
function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

describe("npm start, asked to stop", () => {
  it.each(CASES)(
    "$signal to $target stops everything and frees the port",
    async ({ target, signal }) => {
      // Prepare
      const port = await freePort();
      const running = run("npm", ["start", "--silent", "--", "--port", String(port)], {
        group: true,
      });
      await running.waitForLine(/^ {2}StatusCallback URL/, 90_000, "stderr");
      const npm = running.child.pid ?? -1;
      const tree = [npm, ...descendants(npm)];
      const node = tree.find((pid) => commandOf(pid).includes("scripts/start.ts")) ?? -1;
      const commands = tree.map(commandOf).join("\n");

      // Act
      const pid = { npm, group: -npm, node }[target];
      process.kill(pid, signal);
      const status = await running.exited;
      for (let i = 0; i < 150 && alive(tree).length > 0; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }

      // Assess
      expect(node).toBeGreaterThan(0);
      // What there was to stop: npm start's node, serverless-offline, and esbuild's service.
      expect(commands).toContain("offline-process.ts");
      expect(commands).toContain("esbuild");
      expect(status).toBe(expectedStatus(target, signal));
      expect(alive(tree).map((pid) => `${pid} ${commandOf(pid)}`)).toEqual([]);
      expect(await canListen(port)).toBe(true);
    },
    120_000,
  );
});
