import type { SQSRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import {
  createRelayedEventBatchHandler,
  createStatusEventBatchHandler,
} from "../../lib/consumer/batch-handler.ts";
import type { RelayedEvent } from "../../lib/events/cloud-event.ts";
import type { StatusEvent } from "../../lib/events/schemas.ts";
import type { RelayLogger } from "../../lib/ingest/logger.ts";
import { sinkTestEvent } from "../../testing/event-streams.ts";
import { sqsRecord, statusEvent } from "../helpers/status-events.ts";

const SID_A = "ZX000000000000000000000000000000aa";
const SID_B = "ZX000000000000000000000000000000bb";

/** A record carrying a real event whose subject is `sid`, grouped by it when `fifo`. */
function eventRecord(messageId: string, sid: string, fifo: boolean): SQSRecord {
  const body = JSON.stringify(statusEvent("media-processor-started", { mediaProcessorSid: sid }));
  return sqsRecord(messageId, body, fifo ? sid : undefined);
}

/** A callback that fails the records listed and records every record it was given, in order. */
function callbackFailing(failing: ReadonlySet<string>) {
  const seen: string[] = [];
  const callback = async (_event: StatusEvent, record: SQSRecord) => {
    seen.push(record.messageId);
    if (failing.has(record.messageId)) throw new Error(`cannot handle ${record.messageId}`);
  };
  return { seen, callback };
}

function capturingLogger() {
  const errors: { message: string; attributes: Record<string, unknown> | undefined }[] = [];
  const logger: RelayLogger = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (message, attributes) => errors.push({ message, attributes }),
  };
  return { errors, logger };
}

describe("createStatusEventBatchHandler", () => {
  it("hands each record's parsed event to the callback and reports no failure", async () => {
    // Prepare
    const received: StatusEvent[] = [];
    const handler = createStatusEventBatchHandler((event) => {
      received.push(event);
    });
    const records = [eventRecord("m1", SID_A, false), eventRecord("m22", SID_B, false)];

    // Act
    const response = await handler({ Records: records });

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(received.map((event) => event.subject).sort()).toEqual([SID_A, SID_B]);
    expect(received[0]?.specversion).toBe("1.0");
  });

  it("reports only the failed records of a standard queue, by messageId", async () => {
    // Prepare
    const { seen, callback } = callbackFailing(new Set(["m2", "m4"]));
    const handler = createStatusEventBatchHandler(callback);
    const records = ["m1", "m2", "m3", "m4", "m5"].map((id) => eventRecord(id, SID_A, false));

    // Act
    const response = await handler({ Records: records });

    // Assess
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: "m2" },
      { itemIdentifier: "m4" },
    ]);
    expect(seen.sort()).toEqual(["m1", "m2", "m3", "m4", "m5"]);
  });

  it("fails a message that is not a relayed event without calling back, and logs why", async () => {
    // Prepare
    const { seen, callback } = callbackFailing(new Set());
    const { errors, logger } = capturingLogger();
    const handler = createStatusEventBatchHandler(callback, { logger });
    const records = [eventRecord("m1", SID_A, false), sqsRecord("foreign", '{"hello":"world"}')];

    // Act
    const response = await handler({ Records: records });

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "foreign" }]);
    expect(seen).toEqual(["m1"]);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.attributes).toMatchObject({
      messageId: "foreign",
      error: { name: "InvalidEventError", message: expect.stringContaining("missing specversion") },
    });
  });

  it("on a FIFO queue fails every later record of a failed group unprocessed, and goes on with other groups", async () => {
    // Prepare
    const { seen, callback } = callbackFailing(new Set(["a2"]));
    const handler = createStatusEventBatchHandler(callback);
    const records = [
      eventRecord("a1", SID_A, true),
      eventRecord("b1", SID_B, true),
      eventRecord("a2", SID_A, true),
      eventRecord("b2", SID_B, true),
      eventRecord("a3", SID_A, true),
      eventRecord("b3", SID_B, true),
      eventRecord("a4", SID_A, true),
    ];

    // Act
    const response = await handler({ Records: records });

    // Assess
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: "a2" },
      { itemIdentifier: "a3" },
      { itemIdentifier: "a4" },
    ]);
    expect(seen).toEqual(["a1", "b1", "a2", "b2", "b3"]);
  });

  it("on a FIFO queue processes the records of a group in order, one at a time", async () => {
    // Prepare
    const log: string[] = [];
    const handler = createStatusEventBatchHandler(async (_event, record) => {
      log.push(`start ${record.messageId}`);
      await new Promise((resolve) => setTimeout(resolve, record.messageId === "a1" ? 20 : 1));
      log.push(`end ${record.messageId}`);
    });
    const records = [eventRecord("a1", SID_A, true), eventRecord("a2", SID_A, true)];

    // Act
    await handler({ Records: records });

    // Assess
    expect(log).toEqual(["start a1", "end a1", "start a2", "end a2"]);
  });

  it("on a FIFO queue reports a foreign message and the rest of its group", async () => {
    // Prepare
    const { seen, callback } = callbackFailing(new Set());
    const handler = createStatusEventBatchHandler(callback);
    const records = [
      sqsRecord("x1", "not json", SID_A),
      eventRecord("a2", SID_A, true),
      eventRecord("b1", SID_B, true),
    ];

    // Act
    const response = await handler({ Records: records });

    // Assess
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: "x1" },
      { itemIdentifier: "a2" },
    ]);
    expect(seen).toEqual(["b1"]);
  });

  it("reports every record, instead of throwing, when the whole batch fails", async () => {
    // Prepare
    const { callback } = callbackFailing(new Set(["m1", "m2"]));
    const handler = createStatusEventBatchHandler(callback);
    const records = [eventRecord("m1", SID_A, false), eventRecord("m2", SID_B, false)];

    // Act
    const response = await handler({ Records: records });

    // Assess
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: "m1" },
      { itemIdentifier: "m2" },
    ]);
  });

  it("answers an empty batch with no failures", async () => {
    // Prepare
    const { seen, callback } = callbackFailing(new Set());
    const handler = createStatusEventBatchHandler(callback);

    // Act
    const response = await handler({ Records: [] });

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(seen).toEqual([]);
  });
});

describe("createRelayedEventBatchHandler", () => {
  it("hands status callbacks and Event Streams CloudEvents from one queue to the callback, by kind", async () => {
    // Prepare
    const received: RelayedEvent[] = [];
    const handler = createRelayedEventBatchHandler((event) => {
      received.push(event);
    });
    const cloudEvent = sinkTestEvent();
    const records = [
      eventRecord("m1", SID_A, false),
      sqsRecord("m2", JSON.stringify(cloudEvent), undefined),
    ];

    // Act
    const response = await handler({ Records: records });

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(received.map((event) => event.kind).sort()).toEqual([
      "event-streams",
      "status-callback",
    ]);
    expect(received.find((event) => event.kind === "event-streams")?.event).toEqual(cloudEvent);
  });

  it("fails only the record that is neither kind", async () => {
    // Prepare
    const handler = createRelayedEventBatchHandler(() => {});
    const records = [eventRecord("m1", SID_A, false), sqsRecord("m2", '{"hello":1}', undefined)];

    // Act
    const response = await handler({ Records: records });

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "m2" }]);
  });
});
