/**
 * Cases the hostile-input properties found, kept as plain tests: each was a signed callback the
 * relay turned into an event it could not publish or a consumer could not read.
 */

import { describe, expect, it } from "vitest";
import { MAX_EXTENSION_CONTEXT_DEPTH } from "../../lib/events/resources/media-processor.ts";
import { type StatusEvent, StatusEventSchema } from "../../lib/events/schemas.ts";
import { sqsMessage } from "../../lib/ingest/aws/sqs-publisher.ts";
import { BadRequestError } from "../../lib/ingest/errors.ts";
import { createIngestHandler } from "../../lib/ingest/handler.ts";
import { normaliseCallback } from "../../lib/ingest/normalise.ts";
import type { EventPublisher } from "../../lib/ingest/publisher.ts";
import { staticTokens } from "../../lib/ingest/tokens.ts";
import { callbackParams } from "../../testing/samples.ts";
import { signedCallback } from "../../testing/signed-callback.ts";
import { PRIMARY_AUTH_TOKEN } from "../../testing/tokens.ts";
import { memoryLogger } from "../helpers/memory-logger.ts";

const CLOCK = () => new Date("2026-11-27T12:00:00.000Z");

function asParams(params: Record<string, string>): Map<string, string[]> {
  return new Map(Object.entries(params).map(([name, value]) => [name, [value]]));
}

function refusal(act: () => unknown): BadRequestError | undefined {
  try {
    act();
  } catch (error) {
    if (error instanceof BadRequestError) return error;
    throw error;
  }
  return undefined;
}

// Serialises each event as the SQS adapter does, without a queue: the failure was in the JSON.
function serialisingPublisher(): EventPublisher & { bodies: string[] } {
  const bodies: string[] = [];
  return {
    bodies,
    publish: async (event: StatusEvent) => {
      bodies.push(sqsMessage(event, "https://sqs.example/q.fifo", true).MessageBody ?? "");
    },
  };
}

describe("regressions found by the hostile-input properties", () => {
  it("refuses a Duration of 400 digits, which is no finite number, with 400 naming Duration", () => {
    // Prepare
    const params = { ...callbackParams("stream-ended"), Duration: "9".repeat(400) };

    // Act
    const error = refusal(() => normaliseCallback(asParams(params), CLOCK));

    // Assess
    expect(error?.problems).toEqual(["parameter Duration must be a finite number of seconds"]);
  });

  it("still accepts a long but finite Duration", () => {
    // Prepare
    const params = { ...callbackParams("stream-ended"), Duration: `${"9".repeat(300)}.5` };

    // Act
    const event = normaliseCallback(asParams(params), CLOCK);

    // Assess
    expect(StatusEventSchema.safeParse(JSON.parse(JSON.stringify(event))).success).toBe(true);
  });

  it("refuses an ExtensionContext nested 5,000 levels deep with 400, instead of failing to serialise it", () => {
    // Prepare: 5,000 levels fit well inside the 64 KiB body limit.
    const depth = 5_000;
    const context = `{"a":${"[".repeat(depth)}${"]".repeat(depth)}}`;
    const params = { ...callbackParams("media-processor-started"), ExtensionContext: context };

    // Act
    const error = refusal(() => normaliseCallback(asParams(params), CLOCK));

    // Assess
    expect(error?.problems).toEqual([
      `parameter ExtensionContext must not be nested more than ${MAX_EXTENSION_CONTEXT_DEPTH} levels deep`,
    ]);
  });

  it("accepts an ExtensionContext exactly at the nesting limit, brackets inside strings not counted", () => {
    // Prepare
    const depth = MAX_EXTENSION_CONTEXT_DEPTH;
    const context = `${'{"a":'.repeat(depth - 1)}{"s":"[[[[{{{{\\"[["}${"}".repeat(depth - 1)}`;
    const params = { ...callbackParams("media-processor-started"), ExtensionContext: context };

    // Act
    const event = normaliseCallback(asParams(params), CLOCK);

    // Assess
    expect(JSON.parse(JSON.stringify(event))).toEqual(event);
  });

  it("answers a signed callback with a 5,000-deep ExtensionContext 400, logs it whole, publishes nothing", async () => {
    // Prepare
    const logger = memoryLogger();
    const publisher = serialisingPublisher();
    const handler = createIngestHandler({
      config: { publicUrl: undefined },
      tokens: staticTokens([PRIMARY_AUTH_TOKEN]),
      publisher,
      clock: CLOCK,
      logger,
    });
    const context = `{"a":${"[".repeat(5_000)}${"]".repeat(5_000)}}`;
    const params = { ...callbackParams("media-processor-started"), ExtensionContext: context };

    // Act
    const response = await handler(signedCallback({ params }));

    // Assess
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ error: "BadRequestError" });
    expect(publisher.bodies).toEqual([]);
    expect(logger.lines.map((line) => line.message)).toContain(
      "signed callback does not match the schema",
    );
  });

  it.each(["toString", "constructor", "__proto__", "hasOwnProperty"])(
    "relays a StatusCallbackEvent named %s, like any event it does not know, as <resource>.unknown",
    (name) => {
      // Prepare
      const params = { ...callbackParams("media-processor-started"), StatusCallbackEvent: name };

      // Act
      const event = normaliseCallback(asParams(params), CLOCK);

      // Assess
      expect(event.type).toBe("com.twilio.media.media-processor.unknown");
      expect(event.data.status).toBe("unknown");
      expect(StatusEventSchema.safeParse(event).success).toBe(true);
    },
  );
});
