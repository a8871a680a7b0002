/**
 * `npm start`, as a user runs it: fauxqs with the stack's queues, the ingest function behind
 * serverless-offline (plain form bodies, unlike API Gateway's base64), and the tail. Signed
 * callbacks from `npm run trigger` must come out of the tail; Ctrl-C must leave no process.
 */
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statusEventTypes } from "../../lib/events/registry.ts";
import { freePort } from "../../testing/local/loop.ts";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../../testing/local/sqs.ts";
import { TRIGGER_EVENTS } from "../../testing/local/trigger-request.ts";
import { ALL_EVENTS, LOCAL_AUTH_TOKEN } from "../../testing/samples.ts";
import {
  alive,
  descendants,
  type RunningScript,
  run,
  runScript,
} from "../helpers/child-process.ts";
import { drainEverything } from "../helpers/queue-contents.ts";

const TAIL_LINE = /^\d{4}-\d\d-\d\dT[\d:.]+Z {2}com\.twilio\.[a-z._-]+ {2}[A-Z]{2}[0-9a-f]{32}/;

interface Started {
  readonly running: RunningScript;
  readonly callbackUrl: string;
  readonly token: string;
  readonly queueUrl: string;
  readonly sqsEndpoint: string;
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
    callbackUrl: await field("StatusCallback URL"),
    token: await field("Auth token"),
    queueUrl: await field("Queue"),
    sqsEndpoint: await field("SQS endpoint"),
  };
}

function trigger(...args: string[]) {
  return runScript("scripts/trigger.ts", args);
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
    expect(loop.callbackUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/status-callbacks$/);
    expect(loop.token).toBe(LOCAL_AUTH_TOKEN);
    expect(loop.queueUrl).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/\d+\/twilio-status-relay-local\.fifo$/,
    );
    expect(loop.running.errorLines.join("\n")).toContain("npm run trigger -- all");
    // serverless-offline and fauxqs run as children: a process tree, not a single process.
    expect(pids.length).toBeGreaterThan(2);
  });

  it("relays every event sent by trigger all as POST, and one as GET, to the tail", async () => {
    // Act
    const posts = trigger("all", "--url", loop.callbackUrl);
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
    expect(ALL_EVENTS).toHaveLength(6);
  }, 120_000);

  it("answers 403 to a callback signed with another token, and relays nothing", async () => {
    // Act
    const forged = trigger(
      "stream-started",
      "--url",
      loop.callbackUrl,
      "--token",
      "ffffffffffffffffffffffffffffffff",
    );
    const code = await forged.exited;

    // Assess
    expect(code).toBe(1);
    expect(forged.lines[0]).toMatch(/^POST stream-started -> 403 .*SignatureMismatchError/);
  });

  it("stops everything it started on Ctrl-C", async () => {
    // Prepare
    const lines = loop.running.lines.length;

    // Act
    ctrlC(loop.running);
    const code = await loop.running.exited;

    // Assess
    // npm itself, Ctrl-C'd too, ends by SIGINT as a shell expects; npm start ended cleanly first.
    expect([0, "SIGINT"]).toContain(code);
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
  it("leaves the events on the FIFO queue, grouped by resource, for another consumer", async () => {
    // Prepare
    const loop = await npmStart("--keep");
    const client = new SQSClient({
      endpoint: loop.sqsEndpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    try {
      // Act: the six Twilio Live events, in one burst. (Triggering every event would not do:
      // peeking tails re-receive each group's oldest message as the queue grows, and past the
      // redrive policy's maxReceiveCount SQS moves it to the dead-letter queue.)
      const posts = trigger("media-processor,player-streamer", "--url", loop.callbackUrl);
      expect(await posts.exited).toBe(0);
      // The tail shows what it can without consuming (the oldest of each group), then lets go.
      await loop.running.waitForLines(TAIL_LINE, 2, 20_000);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const messages = await drainEverything(client, loop.queueUrl, { timeoutMs: 30_000 });

      // Assess
      expect(messages).toHaveLength(6);
      const groups = new Set(messages.map((message) => message.Attributes?.MessageGroupId));
      expect(groups).toEqual(
        new Set(["ZX0123456789abcdef0123456789abcdef", "VJ0123456789abcdef0123456789abcdef"]),
      );
      expect(
        messages.every((message) =>
          message.MessageAttributes?.type?.StringValue?.startsWith("com.twilio.media."),
        ),
      ).toBe(true);
    } finally {
      client.destroy();
      ctrlC(loop.running);
      await loop.running.exited;
    }
  }, 120_000);
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

/** What Ctrl-C in a terminal does: SIGINT to the foreground process group. */
function ctrlC(running: RunningScript): void {
  process.kill(-(running.child.pid ?? 0), "SIGINT");
}
