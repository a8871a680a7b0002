/**
 * `npm start`, as a user runs it: fauxqs with the stack's queues, the ingest function behind
 * serverless-offline (plain form bodies, unlike API Gateway's base64), and the tail. Signed
 * callbacks from the banner's `npm run trigger` command must come out of the tail; Ctrl-C must
 * leave no process; with --keep nothing may reach the dead-letter queue. (Every stop signal to
 * every process: local-loop-stop.test.ts.)
 */

import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statusEventTypes } from "../../lib/events/registry.ts";
import { DEFAULT_CONNECTION_OVERRIDES } from "../../lib/ingest/config.ts";
import { freePort } from "../../testing/local/loop.ts";
import { queueCounts, total } from "../../testing/local/queue-tail.ts";
import {
  drainQueue,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  MAX_RECEIVE_COUNT,
} from "../../testing/local/sqs.ts";
import { TRIGGER_EVENTS } from "../../testing/local/trigger-request.ts";
import { ALL_EVENTS, LOCAL_AUTH_TOKEN } from "../../testing/samples.ts";
import { FORGER_AUTH_TOKEN } from "../../testing/tokens.ts";
import {
  alive,
  descendants,
  type RunningScript,
  run,
  runScript,
} from "../helpers/child-process.ts";

const TAIL_LINE = /^\d{4}-\d\d-\d\dT[\d:.]+Z {2}com\.twilio\.[a-z._-]+ {2}[A-Z]{2}[0-9a-f]{32}/;

interface Started {
  readonly running: RunningScript;
  readonly port: number;
  readonly callbackUrl: string;
  readonly token: string;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly sqsEndpoint: string;
  /** The command the banner says sends a callback for each event. */
  readonly triggerCommand: string;
}

/** `npm start -- --port <free> ...flags`, once its banner is out. */
async function npmStart(...flags: string[]): Promise<Started> {
  const port = await freePort();
  const running = run("npm", ["start", "--silent", "--", "--port", String(port), ...flags], {
    group: true,
  });
  const field = async (name: string) =>
    (await running.waitForLine(new RegExp(`^ {2}${name} {2,}\\S`), 60_000, "stderr"))
      .replace(new RegExp(`^ {2}${name} +`), "")
      .split(/\s+/)[0] ?? "";
  return {
    running,
    port,
    callbackUrl: await field("StatusCallback URL"),
    token: await field("Auth token"),
    queueUrl: await field("Queue"),
    deadLetterQueueUrl: await field("Dead-letter queue"),
    sqsEndpoint: await field("SQS endpoint"),
    triggerCommand: (
      await running.waitForLine(/^Send a signed callback for each event: /, 1_000, "stderr")
    )
      .replace(/^Send a signed callback for each event: +/, "")
      .trim(),
  };
}

function trigger(...args: string[]) {
  return runScript("scripts/trigger.ts", args);
}

/** Runs a command line as printed (`npm run trigger -- all --port 3001`), without a shell. */
function runPrinted(command: string) {
  const [program = "", ...args] = command.split(/\s+/);
  return run(program, args);
}

function clientFor(loop: Started): SQSClient {
  return new SQSClient({
    endpoint: loop.sqsEndpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
}

describe("npm start", () => {
  let loop: Started;
  let pids: number[] = [];

  beforeAll(async () => {
    loop = await npmStart();
    const pid = loop.running.child.pid ?? -1;
    pids = [pid, ...descendants(pid)];
  }, 60_000);

  afterAll(() => {
    // Only if a test failed before stopping it.
    for (const pid of alive(pids)) process.kill(pid, "SIGKILL");
  });

  it("prints the local StatusCallback URL, the local token and the queue", () => {
    // Assess
    expect(loop.callbackUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/status-callbacks#/);
    expect(loop.callbackUrl.split("#")[1]).toBe(DEFAULT_CONNECTION_OVERRIDES);
    expect(loop.token).toBe(LOCAL_AUTH_TOKEN);
    expect(loop.queueUrl).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/\d+\/twilio-status-relay-local\.fifo$/,
    );
    // Started on a port other than 3000, it says so in the command it prints.
    expect(loop.port).not.toBe(3000);
    expect(loop.triggerCommand).toBe(`npm run trigger -- all --port ${loop.port}`);
    // serverless-offline and fauxqs run as children: a process tree, not a single process.
    expect(pids.length).toBeGreaterThan(2);
  });

  it("relays every event the banner's trigger command sends, and one GET, to the tail", async () => {
    // Act
    const posts = runPrinted(loop.triggerCommand);
    expect(await posts.exited).toBe(0);
    const get = trigger("stream-ended", "--method", "GET", "--url", loop.callbackUrl);
    expect(await get.exited).toBe(0);
    const printed = await loop.running.waitForLines(TAIL_LINE, TRIGGER_EVENTS.length + 1, 40_000);

    // Assess
    expect(posts.lines.filter((line) => / -> 200 \{"id":"[0-9a-f]{64}"/.test(line))).toHaveLength(
      TRIGGER_EVENTS.length,
    );
    expect(get.lines[0]).toMatch(/^GET stream-ended -> 200 /);
    const types = printed.map((line) => line.split("  ")[1]);
    expect(types.filter((type) => type?.includes("media-processor"))).toEqual([
      "com.twilio.media.media-processor.started",
      "com.twilio.media.media-processor.ended",
      "com.twilio.media.media-processor.failed",
    ]);
    expect(types.filter((type) => type?.includes("player-streamer"))).toEqual([
      "com.twilio.media.player-streamer.started",
      "com.twilio.media.player-streamer.ended",
      "com.twilio.media.player-streamer.failed",
      "com.twilio.media.player-streamer.ended",
    ]);
    expect(types.filter((type) => type?.endsWith(".unknown"))).toEqual([]);
    expect(new Set(types)).toEqual(
      new Set(statusEventTypes.filter((t) => !t.endsWith(".unknown"))),
    );
  }, 120_000);

  it("answers 403 to a callback signed with another token, and relays nothing", async () => {
    // Act
    const forged = trigger(
      "stream-started",
      "--url",
      loop.callbackUrl,
      "--token",
      FORGER_AUTH_TOKEN,
    );
    const code = await forged.exited;

    // Assess
    expect(code).toBe(1);
    expect(forged.lines[0]).toMatch(/^POST stream-started -> 403 .*SignatureMismatchError/);
  });

  it("relays an Event Streams delivery sent by trigger -- event-streams to the tail, test event included", async () => {
    // Prepare
    const before = loop.running.lines.length;

    // Act
    const delivery = trigger("event-streams", "--url", loop.callbackUrl);
    const code = await delivery.exited;
    await loop.running.waitForLine(/com\.twilio\.eventstreams\.test-event/, 20_000);

    // Assess
    expect(code).toBe(0);
    expect(delivery.lines[0]).toMatch(/^POST event-streams \(5 events\) -> 200 \{"accepted":5,/);
    const printed = loop.running.lines.slice(before).join("\n");
    expect(printed).toMatch(/com\.twilio\.messaging\.message\.queued/);
    expect(printed).toMatch(/com\.twilio\.voice\.status-callback\.call\.initiated/);
  });

  it.each(["PUT", "DELETE"])("answers %s with 405 and Allow, as deployed", async (method) => {
    // Act
    const response = await fetch(loop.callbackUrl, { method });

    // Assess
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, POST");
    expect(await response.json()).toMatchObject({ error: expect.any(String) });
  });

  it("stops everything it started on Ctrl-C, and exits 0", async () => {
    // Prepare
    const lines = loop.running.lines.length;

    // Act
    ctrlC(loop.running);
    const code = await loop.running.exited;

    // Assess
    expect(code).toBe(0);
    expect(loop.running.errorLines).toContain(
      "stopped: serverless-offline, the SQS server and the tail",
    );
    expect(loop.running.lines.slice(lines).filter((line) => TAIL_LINE.test(line))).toEqual([]);
    // Exited children may take a moment to be reaped.
    for (let i = 0; i < 20 && alive(pids).length > 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(alive(pids)).toEqual([]);
    await expect(fetch(loop.callbackUrl)).rejects.toThrow();
    await expect(fetch(loop.sqsEndpoint)).rejects.toThrow();
  });
});

describe("npm start --keep", () => {
  it("for a minute of repeated triggers moves nothing to the dead-letter queue and keeps every event", async () => {
    // Prepare
    const loop = await npmStart("--keep");
    const client = clientFor(loop);
    try {
      // Act: a round of the six Twilio Live callbacks every 2 s or so for a minute; the old
      // look-only tail received each group's oldest message at every round and dead-lettered it
      // by the sixth.
      const deadline = Date.now() + 60_000;
      let rounds = 0;
      let accepted = 0;
      while (Date.now() < deadline) {
        const posts = trigger("media-processor,player-streamer", "--url", loop.callbackUrl);
        await posts.exited;
        accepted += posts.lines.filter((line) => / -> 200 /.test(line)).length;
        rounds += 1;
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
      const printed = await loop.running.waitForLines(TAIL_LINE, accepted, 20_000);
      const held = total(await queueCounts(client, loop.queueUrl));
      const deadLetters = total(await queueCounts(client, loop.deadLetterQueueUrl));
      const messages = await drainQueue(client, loop.queueUrl);

      // Assess
      expect(rounds).toBeGreaterThan(MAX_RECEIVE_COUNT + 1);
      expect(accepted).toBe(rounds * ALL_EVENTS.length);
      expect(deadLetters).toBe(0);
      expect(held).toBe(accepted);
      expect(printed).toHaveLength(accepted);
      expect(new Set(printed).size).toBe(accepted);
      expect(loop.running.errorLines.join("\n")).not.toContain("DEAD-LETTER");
      // Nothing received them before this drain: the loop only watched.
      expect(messages).toHaveLength(accepted);
      expect(messages.every((message) => message.Attributes?.ApproximateReceiveCount === "1")).toBe(
        true,
      );
      const groups = new Set(messages.map((message) => message.Attributes?.MessageGroupId));
      expect(groups).toEqual(
        new Set(["ZX0123456789abcdef0123456789abcdef", "VJ0123456789abcdef0123456789abcdef"]),
      );
    } finally {
      client.destroy();
      ctrlC(loop.running);
      await loop.running.exited;
    }
  }, 150_000);

  it("says loudly when a consumer's message lands in the dead-letter queue", async () => {
    // Prepare
    const loop = await npmStart("--keep");
    const client = clientFor(loop);
    try {
      const posts = trigger("stream-started", "--url", loop.callbackUrl);
      expect(await posts.exited).toBe(0);
      await loop.running.waitForLine(TAIL_LINE, 20_000);

      // Act: a consumer that receives and never deletes, once more than the queue allows.
      for (let receive = 0; receive <= MAX_RECEIVE_COUNT; receive += 1) {
        await client.send(
          new ReceiveMessageCommand({ QueueUrl: loop.queueUrl, VisibilityTimeout: 0 }),
        );
      }
      const warning = await loop.running.waitForLine(/DEAD-LETTER QUEUE/, 10_000, "stderr");

      // Assess
      expect(warning).toContain("twilio-status-relay-local-dlq.fifo");
      const around = loop.running.errorLines.join("\n");
      expect(around).toContain("com.twilio.media.player-streamer.started");
      expect(around).toContain(loop.deadLetterQueueUrl);
      expect(total(await queueCounts(client, loop.deadLetterQueueUrl))).toBe(1);
    } finally {
      client.destroy();
      ctrlC(loop.running);
      await loop.running.exited;
    }
  }, 90_000);
});

describe("npm start, killed outright", () => {
  it("takes serverless-offline down with it", async () => {
    // Prepare
    const loop = await npmStart();
    const pid = loop.running.child.pid ?? -1;
    const tree = [pid, ...descendants(pid)];

    // Act: SIGKILL leaves npm start no chance to clean up; serverless-offline has its own group.
    process.kill(-pid, "SIGKILL");
    await loop.running.exited;
    for (let i = 0; i < 80 && alive(tree).length > 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    // Assess
    expect(alive(tree)).toEqual([]);
    await expect(fetch(loop.callbackUrl)).rejects.toThrow();
  }, 60_000);
});

describe("npm run trigger and npm start, used wrongly", () => {
  it("says to put -- before the flags when npm kept one for itself", async () => {
    // Act: without --, npm takes --method (and leaves GET as an argument).
    const running = run("npm", ["run", "--silent", "trigger", "stream-ended", "--method", "GET"]);
    const code = await running.exited;

    // Assess
    expect(code).toBe(2);
    expect(running.errorLines.join("\n")).toContain(
      "put -- before the flags, as in npm run trigger -- stream-ended --method GET",
    );
  }, 30_000);

  it("names a boolean flag npm kept from npm start, instead of starting without it", async () => {
    // Act
    const running = run("npm", ["start", "--silent", "--keep"]);
    const code = await running.exited;

    // Assess
    expect(code).toBe(2);
    expect(running.errorLines.join("\n")).toContain("as in npm start -- --keep");
    expect(running.errorLines.join("\n")).not.toContain("starting:");
  }, 30_000);

  it("says once that nothing is listening, with the fix, instead of once per event", async () => {
    // Prepare
    const port = await freePort();

    // Act
    const running = trigger("all", "--port", String(port));
    const code = await running.exited;

    // Assess
    expect(code).toBe(1);
    expect(running.lines.filter((line) => line !== "")).toEqual([
      `nothing is listening on port ${port} (connect ECONNREFUSED 127.0.0.1:${port}): ` +
        "start the relay with npm start, or pass the port it serves on with --port",
    ]);
  }, 30_000);
});

/** What Ctrl-C in a terminal does: SIGINT to the foreground process group. */
function ctrlC(running: RunningScript): void {
  process.kill(-(running.child.pid ?? 0), "SIGINT");
}
