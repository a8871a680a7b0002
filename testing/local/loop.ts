/**
 * The local loop behind `npm start`: fauxqs with the stack's queues, the ingest function behind
 * serverless-offline (a child process in its own process group, stage `local`), and a live tail
 * of the queue. No Docker, no AWS account: everything listens on 127.0.0.1.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { DEFAULT_CONNECTION_OVERRIDES } from "../../lib/ingest/config.ts";
import { buildFunctions } from "./build.ts";
import { describeMessage, tailQueue } from "./queue-tail.ts";
import {
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type LocalSqs,
  MAX_RECEIVE_COUNT,
  type QueueActivity,
  startLocalSqs,
} from "./sqs.ts";
import { CALLBACK_PATH, LOCAL_AUTH_TOKEN, localCallbackUrl } from "./trigger-request.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const OFFLINE_PROCESS = resolve(import.meta.dirname, "offline-process.ts");
/** The stage serverless.yml gives local values (environment from the shell, not CloudFormation). */
export const LOCAL_STAGE = "local";
/** The queue name the stack gives stage `local`: `<service>-<stage>`, `.fifo` added. */
export const LOCAL_QUEUE_NAME = `twilio-status-relay-${LOCAL_STAGE}`;
/** How long serverless-offline may take to answer its first request. */
const READY_TIMEOUT_MS = 60_000;
/** How long serverless-offline may take to stop before it is killed. */
const STOP_TIMEOUT_MS = 5_000;
/** Lines of serverless-offline output kept to explain a failure. */
const KEPT_LINES = 200;

export interface LocalLoopOptions {
  /** HTTP port of the StatusCallback URL. */
  readonly port: number;
  /** Port of fauxqs; 0 picks a free one. */
  readonly sqsPort?: number;
  /** Print raw event JSON instead of readable lines. */
  readonly json?: boolean;
  /**
   * Leave events on the queue (for your own consumer) instead of consuming them. The tail then
   * watches the SQS server itself and never receives, so it moves nothing towards the
   * dead-letter queue however long it runs.
   */
  readonly keep?: boolean;
  /** Show everything serverless-offline prints, and the function's info logs. */
  readonly verbose?: boolean;
  /** Tail lines (events). */
  readonly write: (line: string) => void;
  /**
   * Everything else: the function's warnings, serverless-offline's errors, tail problems, and a
   * loud warning for each message that lands in the dead-letter queue.
   */
  readonly warn: (line: string) => void;
}

export interface LocalLoop {
  /** The StatusCallback URL to give Twilio (or `npm run trigger`). */
  readonly callbackUrl: string;
  /** The auth token the function verifies signatures with. */
  readonly token: string;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  /** `AWS_ENDPOINT_URL_SQS` for your own tools. */
  readonly sqsEndpoint: string;
  /** The pid of serverless-offline, leader of its own process group. */
  readonly offlinePid: number;
  /** Rejects if serverless-offline exits on its own. */
  readonly failed: Promise<never>;
  /** Stops the tail, serverless-offline (its whole process group) and fauxqs. */
  stop(): Promise<void>;
}

/**
 * Builds the functions (serverless-offline runs `dist/ingest.zip`, the artifact a deployment
 * uploads), starts fauxqs, serverless-offline and the tail, and resolves once the function answers on
 * the StatusCallback URL. Rejects (having stopped what it started) if a port is taken or
 * serverless-offline does not come up.
 */
export async function startLocalLoop(options: LocalLoopOptions): Promise<LocalLoop> {
  await assertPortFree(options.port);
  const lambdaPort = await freePort();
  await buildFunctions();
  const sqs = await startLocalSqs(options.sqsPort ?? 0);
  let offline: Offline | undefined;
  const tailStop = new AbortController();
  let stopWatching = () => {};
  const stopAll = async () => {
    stopWatching();
    tailStop.abort();
    await offline?.stop();
    await sqs.stop();
    sqs.client.destroy();
  };
  try {
    const { queueUrl, deadLetterQueueUrl } = await sqs.createQueues(LOCAL_QUEUE_NAME);
    stopWatching = watchQueues(sqs, { queueUrl, deadLetterQueueUrl }, options);
    const origin = `http://127.0.0.1:${options.port}`;
    // What a user pastes into Twilio: the path and the connection overrides the relay is given.
    const callbackUrl = localCallbackUrl(options.port, DEFAULT_CONNECTION_OVERRIDES);
    offline = startOffline({
      port: options.port,
      lambdaPort,
      verbose: options.verbose ?? false,
      warn: options.warn,
      env: {
        QUEUE_URL: queueUrl,
        TWILIO_AUTH_TOKEN: LOCAL_AUTH_TOKEN,
        // serverless-offline sends no X-Forwarded-Proto; without this the function would
        // rebuild https:// and no signature made for http:// would match.
        PUBLIC_URL: origin,
        TWILIO_CONNECTION_OVERRIDES: DEFAULT_CONNECTION_OVERRIDES,
        POWERTOOLS_LOG_LEVEL: options.verbose ? "DEBUG" : "WARN",
        AWS_ENDPOINT_URL_SQS: sqs.endpoint,
        AWS_REGION: LOCAL_REGION,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      },
    });
    await Promise.race([offline.failed, waitUntilAnswering(`${origin}${CALLBACK_PATH}`, offline)]);
    // With --keep the watcher above prints each event as it lands on the queue: no receive.
    if (!options.keep)
      void tailQueue({
        client: sqs.client,
        queueUrl,
        json: options.json ?? false,
        delete: true,
        signal: tailStop.signal,
        write: options.write,
        warn: options.warn,
      }).catch((error: unknown) => options.warn(`tail stopped: ${(error as Error).message}`));
    const running = offline;
    return {
      callbackUrl,
      token: LOCAL_AUTH_TOKEN,
      queueUrl,
      deadLetterQueueUrl,
      sqsEndpoint: sqs.endpoint,
      offlinePid: running.pid,
      failed: running.failed,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** A queue's name: the last segment of its URL. */
function queueName(queueUrl: string): string {
  return new URL(queueUrl).pathname.split("/").at(-1) ?? "";
}

/**
 * Watches the local SQS server (not by receiving): with `keep`, prints each event put on the
 * queue; always, warns loudly about each message that lands in the dead-letter queue.
 */
function watchQueues(
  sqs: LocalSqs,
  queues: { queueUrl: string; deadLetterQueueUrl: string },
  options: LocalLoopOptions,
): () => void {
  const queue = queueName(queues.queueUrl);
  const deadLetterQueue = queueName(queues.deadLetterQueueUrl);
  let deadLetters = 0;
  return sqs.observe((activity: QueueActivity) => {
    if (activity.status !== "published") return;
    const message = { MessageId: activity.messageId, Body: activity.body };
    if (activity.queueName === queue && options.keep) {
      options.write(describeMessage(message, options.json ?? false));
    } else if (activity.queueName === deadLetterQueue) {
      deadLetters += 1;
      const line = describeMessage(message, false);
      options.warn(
        [
          `!!! DEAD-LETTER QUEUE: a message landed in ${deadLetterQueue} (${deadLetters} so far)`,
          `!!!   ${line}`,
          `!!!   A consumer received it ${MAX_RECEIVE_COUNT} times without deleting it, or sent it there.`,
          `!!!   It is kept, not lost: read it with npm run tail -- --queue-url ${queues.deadLetterQueueUrl}`,
          `!!!   (AWS_ENDPOINT_URL_SQS=${sqs.endpoint} AWS_REGION=${LOCAL_REGION}, any credentials)`,
        ].join("\n"),
      );
    }
  });
}

interface Offline {
  readonly pid: number;
  readonly failed: Promise<never>;
  /** The last lines it printed. */
  recent(): string;
  stop(): Promise<void>;
}

function startOffline(options: {
  port: number;
  lambdaPort: number;
  verbose: boolean;
  warn: (line: string) => void;
  env: Record<string, string>;
}): Offline {
  const child = spawn(
    process.execPath,
    [
      OFFLINE_PROCESS,
      "--stage",
      LOCAL_STAGE,
      "--host",
      "127.0.0.1",
      "--httpPort",
      String(options.port),
      "--lambdaPort",
      String(options.lambdaPort),
      // serverless-offline 13 answers an invocation over the function's timeout with 200 (HTTP
      // API) and keeps the worker it killed in its pool, to swallow later requests the same way:
      // callbacks acknowledged and lost. The function bounds its own SQS and SSM calls anyway.
      "--noTimeout",
    ],
    {
      cwd: ROOT,
      env: { ...process.env, ...options.env },
      // The IPC channel is how it notices that `npm start` is gone (see offline-process.ts).
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      // Its own process group: Ctrl-C reaches only `npm start`, which stops the group as a whole.
      detached: true,
    },
  );
  const kept: string[] = [];
  const onLine = (line: string) => {
    kept.push(line);
    if (kept.length > KEPT_LINES) kept.shift();
    if (options.verbose || worthShowing(line)) options.warn(`[offline] ${line}`);
  };
  for (const stream of [child.stdout, child.stderr]) {
    let partial = "";
    stream?.setEncoding("utf8").on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (line.trim() !== "") onLine(line);
    });
  }
  const recent = () => kept.join("\n");
  let stopping = false;
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const failed = new Promise<never>((_, reject) => {
    child.once("exit", (code, signal) => {
      if (!stopping) {
        reject(
          new Error(
            `serverless-offline exited (${signal ?? `code ${code}`}); its last output:\n${recent()}`,
          ),
        );
      }
    });
    child.once("error", (error) => reject(error));
  });
  // A rejection nobody awaits yet must not crash the process.
  failed.catch(() => {});
  if (child.pid === undefined) throw new Error(`could not start ${OFFLINE_PROCESS}`);
  const pid = child.pid;
  return {
    pid,
    failed,
    recent,
    async stop() {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      killGroup(pid, "SIGTERM");
      const timer = setTimeout(() => killGroup(pid, "SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
      // Anything the group started and left behind goes too.
      killGroup(pid, "SIGKILL");
    },
  };
}

// The function's warnings and errors (JSON log lines) and serverless-offline's own errors (×):
// what explains a 4xx/5xx; the rest is noise next to the tail.
function worthShowing(line: string): boolean {
  if (line.trimStart().startsWith("×")) return true;
  if (!line.startsWith("{")) return false;
  try {
    const { level } = JSON.parse(line) as { level?: unknown };
    return typeof level === "string" && !["DEBUG", "INFO", "TRACE"].includes(level.toUpperCase());
  } catch {
    return false;
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

// An unsigned GET gets 401 from the function itself: the HTTP server is up, the handler loads
// and its configuration is valid.
async function waitUntilAnswering(url: string, offline: Offline): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(20_000) });
      const body = await response.text();
      if (response.status === 401) return;
      throw new Error(
        `the ingest function answered ${response.status} instead of 401 to an unsigned request: ` +
          `${body}\nserverless-offline said:\n${offline.recent()}`,
      );
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `serverless-offline did not answer on ${url} within ${READY_TIMEOUT_MS / 1000} s:\n${offline.recent()}`,
      );
    }
    await new Promise((done) => setTimeout(done, 200));
  }
}

async function assertPortFree(port: number): Promise<void> {
  try {
    await listenAndClose(port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new Error(
        `port ${port} on 127.0.0.1 is in use (another npm start?): choose one with --port`,
      );
    }
    throw error;
  }
}

/** A port that is free now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return listenAndClose(0);
}

function listenAndClose(port: number): Promise<number> {
  return new Promise((done, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      const bound = typeof address === "object" && address ? address.port : port;
      server.close(() => done(bound));
    });
  });
}
