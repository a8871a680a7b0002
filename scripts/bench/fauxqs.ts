/**
 * fauxqs in a process of its own (`sqs-server.ts`), so that the queue does not share the event
 * loop of the handlers it serves (SQS is another machine for a real Lambda).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";

export interface SqsServer {
  readonly endpoint: string;
  readonly queueUrls: readonly string[];
  readonly child: ChildProcess;
  /** Stops the server and waits for its process to exit. */
  stop(): Promise<void>;
}

/** fauxqs in a child process, with one FIFO queue per name. */
export async function startSqsServer(names: readonly string[]): Promise<SqsServer> {
  const child = spawn(process.execPath, [join(import.meta.dirname, "sqs-server.ts"), ...names], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout ?? process.stdin });
  const [line] = (await once(lines, "line")) as [string];
  lines.close();
  const { endpoint, queueUrls } = JSON.parse(line) as { endpoint: string; queueUrls: string[] };
  return {
    endpoint,
    queueUrls,
    child,
    async stop() {
      child.stdin?.end();
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}
