/**
 * The by-hand serverless-offline recipe of docs/local-development.md, followed as written: the
 * shell blocks of its three terminals run in a plain shell (no node_modules/.bin on PATH, no npm
 * variables), and the six events `npm run trigger` sends must come out of the queue. The only
 * change: ports. 9324, 3000 and serverless-offline's Lambda port 3002 may be taken on a shared
 * machine, so each becomes a free port, the way the page says to choose another.
 */
import { readFileSync } from "node:fs";
import { delimiter, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { statusEventTypes } from "../../lib/events/registry.ts";
import { freePort } from "../../testing/local/loop.ts";
import { TRIGGER_EVENTS } from "../../testing/local/trigger-request.ts";
import { alive, descendants, ROOT, type RunningScript, run } from "../helpers/child-process.ts";

const PAGE = resolve(ROOT, "docs/local-development.md");
const SECTION = "## Running serverless-offline by hand";
const EVENT_LINE = /^\d{4}-\d\d-\d\dT[\d:.]+Z {2}com\.twilio\.[a-z._-]+ {2}[A-Z]{2}[0-9a-f]{32}/;

/** The `sh` blocks of the section, by the terminal their first line names. */
function terminalBlocks(page: string): Map<number, string> {
  const start = page.indexOf(SECTION);
  const end = page.indexOf("\n## ", start + SECTION.length);
  const section = page.slice(start, end === -1 ? undefined : end);
  const blocks = new Map<number, string>();
  for (const [, body = ""] of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const terminal = /^# terminal (\d+)/.exec(body)?.[1];
    if (terminal) blocks.set(Number(terminal), body);
  }
  return blocks;
}

/** A user's shell: this environment without the test runner's npm additions. */
function userEnvironment(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith("npm_")),
  );
  env.PATH = (process.env.PATH ?? "")
    .split(delimiter)
    .filter((dir) => !dir.includes("node_modules"))
    .join(delimiter);
  return env;
}

const started: RunningScript[] = [];
afterAll(async () => {
  // Only if a test failed before stopping them.
  for (const shell of started) {
    const pid = shell.child.pid ?? -1;
    for (const each of alive([pid, ...descendants(pid)])) process.kill(each, "SIGKILL");
  }
});

function terminal(script: string, lambdaPort: number): RunningScript {
  const shell = run("sh", ["-e", "-c", script], {
    baseEnv: userEnvironment(),
    env: { OFFLINE_LAMBDA_PORT: String(lambdaPort) },
    group: true,
  });
  started.push(shell);
  return shell;
}

async function stop(shell: RunningScript): Promise<void> {
  const pid = shell.child.pid ?? -1;
  const tree = [pid, ...descendants(pid)];
  process.kill(-pid, "SIGINT");
  await shell.exited;
  for (let i = 0; i < 100 && alive(tree).length > 0; i += 1) {
    await new Promise((done) => setTimeout(done, 100));
  }
  for (const each of alive(tree)) process.kill(each, "SIGKILL");
}

async function untilAnswering(url: string, timeoutMs: number, shell: RunningScript) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fetch(url, { signal: AbortSignal.timeout(20_000) });
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} did not answer:\n${shell.output()}`);
      await new Promise((done) => setTimeout(done, 500));
    }
  }
}

describe("running serverless-offline by hand, as docs/local-development.md says", () => {
  it("relays every triggered event to the queue that npm run sqs serves", async () => {
    // Prepare
    const [sqsPort, httpPort, lambdaPort] = [await freePort(), await freePort(), await freePort()];
    const onFreePorts = (block: string) =>
      block
        .replaceAll("npm run sqs", `npm run sqs -- --port ${sqsPort}`)
        .replaceAll(":9324", `:${sqsPort}`)
        .replaceAll(":3000", `:${httpPort}`)
        .replaceAll(/(--httpPort|--port) 3000/g, `$1 ${httpPort}`);
    const blocks = terminalBlocks(readFileSync(PAGE, "utf8"));
    expect([...blocks.keys()]).toEqual([1, 2, 3]);
    const [one, two, three] = [1, 2, 3].map((n) => onFreePorts(blocks.get(n) ?? ""));

    // Act
    const sqs = terminal(one ?? "", lambdaPort);
    await sqs.waitForLine(/^Ctrl-C stops it\./, 60_000, "stderr");
    const offline = terminal(two ?? "", lambdaPort);
    const unsigned = await untilAnswering(
      `http://127.0.0.1:${httpPort}/status-callbacks`,
      180_000,
      offline,
    );
    const triggerAndTail = terminal(three ?? "", lambdaPort);
    const events = await triggerAndTail.waitForLines(EVENT_LINE, TRIGGER_EVENTS.length, 120_000);
    await stop(triggerAndTail);
    await stop(offline);
    await stop(sqs);

    // Assess
    // The page's exports are the ones npm run sqs prints.
    const exports = (two ?? "").split("\n").filter((line) => line.startsWith("export AWS_"));
    const queueExport = (two ?? "").split("\n").find((line) => line.startsWith("export QUEUE_URL"));
    expect(sqs.lines).toEqual(expect.arrayContaining([queueExport, ...exports]));
    expect(unsigned.status).toBe(401);
    const answers = triggerAndTail.lines.filter((line) => / -> \d{3} /.test(line));
    expect(answers).toHaveLength(TRIGGER_EVENTS.length);
    expect(answers.every((line) => / -> 200 /.test(line))).toBe(true);
    expect(new Set(events.map((line) => line.split("  ")[1]))).toEqual(
      new Set(statusEventTypes.filter((type) => !type.endsWith(".unknown"))),
    );
  }, 300_000);
});
