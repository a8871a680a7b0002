/**
 * Replay from logs through the local stack: the ingest function as `npm start` runs it (the
 * deployment artifact dist/ingest.zip behind serverless-offline, stage `local`), fauxqs with the
 * stack's queues. Its output goes to a file, as an operator would keep it. fauxqs is stopped, so
 * signed callbacks from `trigger` are answered 503. fauxqs is then restarted on the same port,
 * and `npm run replay` is fed the file: every event on the queue exactly once.
 *
 * testing/local/loop.ts owns its SQS server and offers no way to stop it alone, so this test
 * starts the same two parts itself, with the same settings as the loop.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normaliseCallback } from "../../lib/ingest/normalise.ts";
import { buildFunctions } from "../../testing/local/build.ts";
import { freePort, LOCAL_QUEUE_NAME, LOCAL_STAGE } from "../../testing/local/loop.ts";
import {
  drainQueue,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type LocalSqs,
  startLocalSqs,
} from "../../testing/local/sqs.ts";
import {
  CALLBACK_PATH,
  LOCAL_AUTH_TOKEN,
  sendTrigger,
  triggerRequest,
} from "../../testing/local/trigger-request.ts";
import { ALL_EVENTS, callbackParams } from "../../testing/samples.ts";
import { NODE, ROOT, runScript } from "../helpers/child-process.ts";

const OFFLINE_PROCESS = resolve(ROOT, "testing/local/offline-process.ts");

let sqs: LocalSqs;
let offline: ChildProcess | undefined;
let queueUrl: string;
let logFile: string;
const statuses: number[] = [];
const timestamps = ALL_EVENTS.map((_, index) =>
  new Date(Date.UTC(2026, 11, 2, 17, 0, index)).toISOString(),
);

const sqsEnv = () => ({
  AWS_ENDPOINT_URL_SQS: sqs.endpoint,
  AWS_REGION: LOCAL_REGION,
  AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
});

beforeAll(async () => {
  // Prepare: the local stack, its output kept in a file.
  await buildFunctions();
  const sqsPort = await freePort();
  sqs = await startLocalSqs(sqsPort);
  queueUrl = (await sqs.createQueues(LOCAL_QUEUE_NAME)).queueUrl;
  const httpPort = await freePort();
  const origin = `http://127.0.0.1:${httpPort}`;
  logFile = join(mkdtempSync(join(tmpdir(), "relay-stack-")), "npm-start.log");
  const log = openSync(logFile, "a");
  offline = spawn(
    NODE,
    [
      OFFLINE_PROCESS,
      "--stage",
      LOCAL_STAGE,
      "--host",
      "127.0.0.1",
      "--httpPort",
      String(httpPort),
      "--lambdaPort",
      String(await freePort()),
      "--noTimeout",
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ...sqsEnv(),
        QUEUE_URL: queueUrl,
        TWILIO_AUTH_TOKEN: LOCAL_AUTH_TOKEN,
        PUBLIC_URL: origin,
        POWERTOOLS_LOG_LEVEL: "INFO",
      },
      stdio: ["ignore", log, log, "ipc"],
      detached: true,
    },
  );
  closeSync(log);
  const callbackUrl = `${origin}${CALLBACK_PATH}`;
  await untilAnswering(callbackUrl);
  const trigger = (index: number) =>
    sendTrigger(
      triggerRequest({
        event: ALL_EVENTS[index] ?? "media-processor-started",
        method: "POST",
        url: callbackUrl,
        token: LOCAL_AUTH_TOKEN,
        timestamp: timestamps[index] ?? "",
      }),
    );

  // Act: SQS down; every callback, the first one twice (Twilio retries).
  await sqs.stop();
  for (const index of [0, ...ALL_EVENTS.keys()]) statuses.push((await trigger(index)).status);
  sqs = await startLocalSqs(sqsPort);
  expect((await sqs.createQueues(LOCAL_QUEUE_NAME)).queueUrl).toBe(queueUrl);
}, 120_000);

afterAll(async () => {
  if (offline?.pid !== undefined && offline.exitCode === null) {
    const exited = new Promise((done) => offline?.once("exit", done));
    process.kill(-offline.pid, "SIGTERM");
    await exited;
  }
  await sqs?.stop();
});

describe("npm run replay, on the local stack's output", () => {
  it("puts every event the stack answered 503 on the queue exactly once, replayed twice", async () => {
    // Act
    const first = runScript(
      "scripts/replay.ts",
      ["--from", logFile, "--queue-url", queueUrl, "--send"],
      sqsEnv(),
    );
    expect(await first.exited, first.output()).toBe(0);
    const second = runScript(
      "scripts/replay.ts",
      ["--from", logFile, "--queue-url", queueUrl, "--send"],
      sqsEnv(),
    );
    expect(await second.exited, second.output()).toBe(0);
    const onQueue = await drainQueue(sqs.client, queueUrl);

    // Assess
    expect(statuses).toEqual(Array(ALL_EVENTS.length + 1).fill(503));
    // The file holds serverless-offline's own lines too; they are skipped.
    expect(readFileSync(logFile, "utf8")).toMatch(/^(?!\{).+$/m);
    expect(first.lines).toContain(
      `sent ${ALL_EVENTS.length} of ${ALL_EVENTS.length} events; 0 failed`,
    );
    const expected = ALL_EVENTS.map((name, index) =>
      normaliseCallback(
        new Map(
          Object.entries(callbackParams(name, { timestamp: timestamps[index] })).map(([k, v]) => [
            k,
            [v],
          ]),
        ),
        () => new Date(),
      ),
    );
    expect(onQueue.map((message) => message.Attributes?.MessageDeduplicationId).sort()).toEqual(
      expected.map((event) => event.id).sort(),
    );
    for (const event of expected) {
      const message = onQueue.find((m) => m.Attributes?.MessageDeduplicationId === event.id);
      expect(JSON.parse(message?.Body ?? "null")).toEqual(JSON.parse(JSON.stringify(event)));
      expect(message?.Attributes?.MessageGroupId).toBe(event.subject);
    }
  });
});

// An unsigned GET gets 401 from the function itself once serverless-offline is up.
async function untilAnswering(url: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(20_000) });
      await response.text();
      if (response.status === 401) return;
      throw new Error(
        `the function answered ${response.status}:\n${readFileSync(logFile, "utf8")}`,
      );
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
    }
    if (Date.now() > deadline) {
      throw new Error(`serverless-offline did not come up:\n${readFileSync(logFile, "utf8")}`);
    }
    await new Promise((done) => setTimeout(done, 200));
  }
}
