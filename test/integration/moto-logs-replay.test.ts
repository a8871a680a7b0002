/**
 * `npm run replay` on the JSON the AWS CLI really prints: the relay's real log lines (the ingest
 * handler with its Powertools logger, answering 503 while SQS is unreachable), put into a moto
 * log group with `aws logs put-log-events` between Lambda's START/END/REPORT lines, read back with
 * `aws logs filter-log-events` (whole, and page by page with --max-items and --starting-token)
 * and `aws logs get-log-events`, and replayed into moto's SQS: every failed event once.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StatusEvent } from "../../lib/events/schemas.ts";
import type { createSqsClient } from "../../lib/ingest/aws/sqs-publisher.ts";
import { normaliseCallback } from "../../lib/ingest/normalise.ts";
import { createStackQueues, drainQueue } from "../../testing/local/sqs.ts";
import { ALL_EVENTS, callbackParams } from "../../testing/samples.ts";
import { runScript } from "../helpers/child-process.ts";
import { type Moto, motoMissing, startMoto } from "../helpers/moto.ts";
import { inLambdaLogStream, relayWhileSqsDown } from "../helpers/relay-while-sqs-down.ts";

const LOG_GROUP = "/aws/lambda/twilio-status-relay-moto-ingest";
const LOG_STREAM = "2026/12/07/[$LATEST]0123456789abcdef0123456789abcdef";
const REQUEST_ID = "8f5c2d1e-7a3b-4c6d-9e0f-1a2b3c4d5e6f";

describe.skipIf(motoMissing)("npm run replay on the AWS CLI's output of a moto log group", () => {
  let moto: Moto;
  let sqs: ReturnType<typeof createSqsClient>;
  let directory: string;
  let events: StatusEvent[];
  let statuses: number[];
  let queues = 0;

  beforeAll(async () => {
    moto = await startMoto();
    sqs = moto.sqsClient();
    directory = mkdtempSync(join(tmpdir(), "relay-moto-logs-"));

    const params = ALL_EVENTS.map((name, index) =>
      callbackParams(name, {
        timestamp: new Date(Date.UTC(2026, 11, 7, 9, 0, index)).toISOString(),
      }),
    );
    const asMap = (p: Record<string, string>) =>
      new Map(Object.entries(p).map(([k, v]) => [k, [v]]));
    events = params.map((p) => normaliseCallback(asMap(p), () => new Date()));
    // Every callback, the first twice (Twilio's retry).
    const relayed = await relayWhileSqsDown([params[0] ?? {}, ...params]);
    statuses = relayed.statuses;
    const lines = inLambdaLogStream(relayed.lines, REQUEST_ID);
    const start = Date.now() - 60_000;
    const logEvents = join(directory, "log-events.json");
    writeFileSync(
      logEvents,
      JSON.stringify(lines.map((message, index) => ({ timestamp: start + index, message }))),
    );
    moto.aws(["logs", "create-log-group", "--log-group-name", LOG_GROUP]);
    moto.aws([
      "logs",
      "create-log-stream",
      "--log-group-name",
      LOG_GROUP,
      "--log-stream-name",
      LOG_STREAM,
    ]);
    moto.aws([
      "logs",
      "put-log-events",
      "--log-group-name",
      LOG_GROUP,
      "--log-stream-name",
      LOG_STREAM,
      "--log-events",
      `file://${logEvents}`,
    ]);
  }, 60_000);

  afterAll(async () => {
    sqs?.destroy();
    await moto?.stop();
  });

  /** The CLI's output for `args`, in a file of the test's directory. */
  function cliOutput(name: string, ...args: string[]): string {
    const file = join(directory, name);
    writeFileSync(file, moto.aws(["logs", ...args]));
    return file;
  }

  async function replay(...args: string[]) {
    const script = runScript("scripts/replay.ts", args, {
      ...moto.env,
      AWS_ENDPOINT_URL_SQS: moto.endpoint,
    });
    const code = await script.exited;
    return { code, lines: script.lines };
  }

  async function freshQueue(): Promise<string> {
    queues += 1;
    return (await createStackQueues(sqs, `replayed-${queues}`)).queueUrl;
  }

  it("the relay answered 503 to every callback while SQS was unreachable", () => {
    expect(statuses).toEqual(Array(ALL_EVENTS.length + 1).fill(503));
  });

  it("from `filter-log-events`, sends every failed event once, as the relay would have", async () => {
    // Prepare
    const file = cliOutput("filter.json", "filter-log-events", "--log-group-name", LOG_GROUP);
    const queueUrl = await freshQueue();

    // Act
    const first = await replay("--from", file, "--queue-url", queueUrl, "--send");
    const second = await replay("--from", file, "--queue-url", queueUrl, "--send");
    const messages = await drainQueue(sqs, queueUrl);

    // Assess
    expect([first.code, second.code]).toEqual([0, 0]);
    expect(first.lines).toContain(`sent ${events.length} of ${events.length} events; 0 failed`);
    expect(first.lines.join("\n")).not.toMatch(/^warning:/m);
    expect(messages.map((message) => message.Attributes?.MessageDeduplicationId).sort()).toEqual(
      events.map((event) => event.id).sort(),
    );
    for (const event of events) {
      const message = messages.find((m) => m.Attributes?.MessageDeduplicationId === event.id);
      expect(JSON.parse(message?.Body ?? "null")).toEqual(JSON.parse(JSON.stringify(event)));
      expect(message?.Attributes?.MessageGroupId).toBe(event.subject);
    }
  });

  it("from `filter-log-events` pages appended to one file, finds every failed event", async () => {
    // Prepare: --max-items 3 pages, each page's NextToken given to the next call
    const pages: string[] = [];
    let token: string | undefined;
    do {
      const page = moto.aws([
        "logs",
        "filter-log-events",
        "--log-group-name",
        LOG_GROUP,
        "--max-items",
        "3",
        ...(token ? ["--starting-token", token] : []),
      ]);
      pages.push(page);
      token = JSON.parse(page).NextToken;
    } while (token);
    const file = join(directory, "pages.json");
    writeFileSync(file, pages.join(""));

    // Act
    const dry = await replay("--from", file);

    // Assess
    expect(pages.length).toBeGreaterThan(2);
    expect(dry.code).toBe(0);
    expect(dry.lines).toContain(`would send ${events.length} events:`);
    expect(dry.lines.join("\n")).not.toMatch(/^warning:/m);
  });

  it("from one `filter-log-events` page that names a next one, warns that events are missing", async () => {
    // Prepare
    const file = cliOutput(
      "page.json",
      "filter-log-events",
      "--log-group-name",
      LOG_GROUP,
      "--max-items",
      "3",
    );

    // Act
    const dry = await replay("--from", file);

    // Assess
    expect(dry.code).toBe(0);
    expect(dry.lines.join("\n")).toMatch(
      /^warning: .*page\.json may not hold every log event: its last `aws logs filter-log-events` page ends with a NextToken/m,
    );
  });

  it("from `get-log-events`, finds every failed event and says it read one page of one stream", async () => {
    // Prepare
    const file = cliOutput(
      "stream.json",
      "get-log-events",
      "--log-group-name",
      LOG_GROUP,
      "--log-stream-name",
      LOG_STREAM,
      "--start-from-head",
    );

    // Act
    const dry = await replay("--from", file);

    // Assess
    expect(dry.code).toBe(0);
    expect(dry.lines).toContain(`would send ${events.length} events:`);
    expect(dry.lines.join("\n")).toMatch(/^warning: .*one page of one log stream/m);
    for (const event of events) expect(dry.lines.join("\n")).toContain(event.id);
  });
});
