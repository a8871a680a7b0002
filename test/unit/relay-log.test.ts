/**
 * Reading the relay's logs for `npm run replay`: the lines the handler really writes (Powertools
 * Logger, captured), in each form an operator gets them, must give the same events to replay.
 */
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { sqsMessage } from "../../lib/ingest/aws/sqs-publisher.ts";
import { createIngestHandler } from "../../lib/ingest/handler.ts";
import { createLogger } from "../../lib/ingest/logger.ts";
import { staticTokens } from "../../lib/ingest/tokens.ts";
import { countByType, readRelayLog, replayMessage } from "../../lib/recovery/index.ts";
import {
  ACCOUNT_SID,
  ALL_EVENTS,
  callbackParams,
  LOCAL_AUTH_TOKEN,
} from "../../testing/samples.ts";
import { signedCallback } from "../../testing/signed-callback.ts";
import { captureOutput } from "../helpers/captured-output.ts";

const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/twilio-status-relay-prod.fifo";

/** The relay's real log lines: six events SQS refused, one malformed callback, one refused by policy. */
let lines: string[];
let failedIds: string[];

function callback(index: number, name = ALL_EVENTS[index % ALL_EVENTS.length]) {
  return callbackParams(name ?? "media-processor-started", {
    timestamp: new Date(Date.UTC(2026, 11, 2, 10, 0, index)).toISOString(),
  });
}

beforeAll(async () => {
  // Prepare: a queue that refuses everything, a policy that refuses one account.
  const refusing = {
    publish: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:4566")),
  };
  const handler = createIngestHandler({
    config: {
      publicUrl: undefined,
      allowedAccountSids: new Set([ACCOUNT_SID.toLowerCase()]),
    },
    publisher: refusing,
    clock: () => new Date(),
    tokens: staticTokens([LOCAL_AUTH_TOKEN]),
    logger: createLogger(),
  });
  const output = captureOutput();
  const responses: { statusCode: number; body?: string }[] = [];
  try {
    for (let index = 0; index < ALL_EVENTS.length; index += 1) {
      responses.push(await handler(signedCallback({ params: callback(index) })));
    }
    // Twilio retries the first one.
    responses.push(await handler(signedCallback({ params: callback(0) })));
    responses.push(
      await handler(
        signedCallback({ params: { ...callback(7, "stream-started"), Timestamp: "yesterday" } }),
      ),
    );
    responses.push(
      await handler(
        signedCallback({
          params: { ...callback(8, "stream-ended"), AccountSid: `AC${"f".repeat(32)}` },
        }),
      ),
    );
  } finally {
    output.restore();
  }
  expect(responses.map((response) => response.statusCode)).toEqual([
    503, 503, 503, 503, 503, 503, 503, 400, 403,
  ]);
  lines = output
    .text()
    .split("\n")
    .filter((line) => line !== "");
  failedIds = lines
    .map((line) => JSON.parse(line) as { message: string; eventId?: string })
    .filter((record) => record.message === "publish failed")
    .map((record) => record.eventId ?? "");
});

describe("readRelayLog", () => {
  it("finds each event not published once, oldest first, though Twilio's retry logged it twice", () => {
    // Act
    const log = readRelayLog(lines.join("\n"));

    // Assess
    expect(failedIds).toHaveLength(7);
    expect(log.unpublished.map((logged) => logged.id)).toEqual([...new Set(failedIds)]);
    expect(log.unpublished).toHaveLength(6);
    expect(countByType(log.unpublished)).toHaveLength(6);
  });

  it("lists the malformed callback with what was wrong and its parameters", () => {
    // Act
    const log = readRelayLog(lines.join("\n"));

    // Assess
    expect(log.malformed).toHaveLength(1);
    expect(JSON.stringify(log.malformed[0]?.problems)).toContain("Timestamp");
    expect(log.malformed[0]?.parameters.Timestamp).toEqual(["yesterday"]);
  });

  it("lists the callback refused by policy, with the reason and the whole event", () => {
    // Act
    const log = readRelayLog(lines.join("\n"));

    // Assess
    expect(log.refusedByPolicy).toHaveLength(1);
    expect(log.refusedByPolicy[0]?.type).toBe("com.twilio.media.player-streamer.ended");
    expect(log.refusedByPolicy[0]?.reason).toMatch(/Error$/);
  });

  it("leaves out an event that a later retry published", () => {
    // Prepare
    const published = JSON.stringify({
      level: "INFO",
      message: "published",
      timestamp: new Date().toISOString(),
      eventId: failedIds[2],
    });

    // Act
    const log = readRelayLog([...lines, published].join("\n"));

    // Assess
    expect(log.unpublished.map((logged) => logged.id)).not.toContain(failedIds[2]);
    expect(log.publishedOnRetry).toEqual([failedIds[2]]);
  });

  const forms: [string, () => string | Buffer][] = [
    [
      "`sls logs`, with its local time before tab-separated lines, and START/END lines",
      () =>
        [
          "START",
          ...lines.map((line) => `2026-12-02 11:00:00.123\tERROR\t${line}`),
          "END Duration: 12.34 ms (init: 250.01 ms) Memory Used: 90 MB",
        ].join("\n"),
    ],
    [
      "the Lambda runtime's console format (time, request id, level)",
      () =>
        lines
          .map(
            (line) =>
              `2026-12-02T10:00:00.123Z\t6bc28136-xmpl-4365-b021-0ce6b2e64ab0\tERROR\t${line}`,
          )
          .join("\n"),
    ],
    [
      "terminal colours",
      () => lines.map((line) => `\x1b[90m2026-12-02 11:00:00.123\t\x1b[39m${line}`).join("\n"),
    ],
    [
      "`aws logs filter-log-events` JSON",
      () =>
        JSON.stringify({
          events: lines.map((line, index) => ({
            logStreamName: "2026/12/02/[$LATEST]abc",
            timestamp: 1_796_205_600_000 + index,
            message: `${line}\n`,
            ingestionTime: 1_796_205_600_100 + index,
            eventId: String(index),
          })),
          searchedLogStreams: [],
        }),
    ],
    [
      "a gzipped CloudWatch Logs export to S3 (time, space, message)",
      () => gzipSync(lines.map((line) => `2026-12-02T10:00:00.123Z ${line}`).join("\n")),
    ],
    [
      "a Logs Insights JSON export",
      () =>
        JSON.stringify(
          lines.map((line) => ({ "@timestamp": "2026-12-02 10:00:00.123", "@message": line })),
        ),
    ],
    [
      "Lambda's JSON log format wrapping each line",
      () =>
        lines
          .map((line) =>
            JSON.stringify({
              timestamp: "2026-12-02T10:00:00.123Z",
              level: "ERROR",
              requestId: "6bc28136",
              message: line,
            }),
          )
          .join("\n"),
    ],
  ];

  it.each(forms)("reads the same events from %s", (_, form) => {
    // Act
    const log = readRelayLog(form());

    // Assess
    expect(log.unpublished.map((logged) => logged.id)).toEqual([...new Set(failedIds)]);
    expect(log.malformed).toHaveLength(1);
    expect(log.refusedByPolicy).toHaveLength(1);
  });

  it("counts lines that hold no log record without failing on them", () => {
    // Act
    const log = readRelayLog(`serverless-offline: listening\n{not json\n${lines[0]}\n`);

    // Assess
    expect(log.skippedLines).toBe(2);
    expect(log.records).toBe(1);
  });
});

describe("replayMessage", () => {
  it("is the SendMessage request the SQS publisher builds for the event", () => {
    // Prepare
    const [logged] = readRelayLog(lines.join("\n")).unpublished;
    if (!logged) throw new Error("no event in the log");

    // Act
    const message = replayMessage(logged, QUEUE_URL);

    // Assess
    expect(message).toEqual(sqsMessage(logged.event as never, QUEUE_URL, true));
    expect(message.MessageDeduplicationId).toBe(logged.id);
    expect(message.MessageGroupId).toBe(logged.event.subject);
    expect(message.MessageAttributes?.type?.StringValue).toBe(logged.type);
  });

  it("takes any event object logged as not published, such as a CloudEvent passed through", () => {
    // Prepare
    const cloudEvent = {
      specversion: "1.0",
      type: "com.twilio.messaging.message.delivered",
      source: "/2010-04-01/Accounts/AC0123/Messages/SM0123.json",
      id: "EZ0123456789abcdef0123456789abcdef",
      subject: "SM0123456789abcdef0123456789abcdef",
      time: "2026-12-02T10:00:00.000Z",
      data: { messageSid: "SM0123456789abcdef0123456789abcdef" },
    };
    const line = JSON.stringify({
      level: "ERROR",
      message: "publish failed",
      timestamp: "2026-12-02T10:00:01.000Z",
      eventId: cloudEvent.id,
      event: cloudEvent,
    });

    // Act
    const [logged] = readRelayLog(line).unpublished;

    // Assess
    expect(logged?.event).toEqual(cloudEvent);
    expect(JSON.parse(replayMessage(logged as never, QUEUE_URL).MessageBody ?? "")).toEqual(
      cloudEvent,
    );
  });
});
