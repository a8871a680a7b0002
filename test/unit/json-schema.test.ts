/**
 * The committed JSON Schema (`schema/status-event.schema.json`) is the one the zod schemas give
 * today, and the reference validator, ajv, accepts every event the relay publishes and refuses
 * what is not one.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { statusEventJsonSchemaText } from "../../lib/events/json-schema.ts";
import {
  type CallbackEventName,
  callbackParams,
  PLAYER_STREAMER_ALIASES,
  SAMPLE_EVENTS,
} from "../../testing/samples.ts";
import { fromParams, statusEvent } from "../helpers/status-events.ts";

const SCHEMA_FILE = resolve(import.meta.dirname, "../../schema/status-event.schema.json");
const committed = readFileSync(SCHEMA_FILE, "utf8");

let compiled: ReturnType<Ajv2020["compile"]> | undefined;
function validator() {
  if (compiled === undefined) {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats.default(ajv);
    compiled = ajv.compile(JSON.parse(committed));
  }
  return compiled;
}

/** A published event as a consumer in another language reads it: parsed JSON, no types. */
function published(name: CallbackEventName): Record<string, unknown> {
  return JSON.parse(JSON.stringify(statusEvent(name))) as Record<string, unknown>;
}

describe("schema/status-event.schema.json", () => {
  it("is what npm run schema writes from the zod schemas today (run it after changing them)", () => {
    expect(committed).toBe(statusEventJsonSchemaText());
  });

  it("is a JSON Schema 2020-12", () => {
    expect(JSON.parse(committed).$schema).toBe("https://json-schema.org/draft/2020-12/schema");
  });

  it.each(SAMPLE_EVENTS.map((sample) => sample.name))("accepts the published %s event", (name) => {
    // Act
    const valid = validator()(published(name));
    // Assess
    expect(valid).toBe(true);
  });

  it.each(PLAYER_STREAMER_ALIASES)("accepts the published %s event (alias)", (name) => {
    expect(validator()(JSON.parse(JSON.stringify(statusEvent(name))))).toBe(true);
  });

  it("accepts the events of an unknown status and of an unknown resource", () => {
    // Prepare
    const validate = validator();
    const unknownStatus = fromParams({
      ...callbackParams("media-processor-ended"),
      StatusCallbackEvent: "media-processor-paused",
    });
    const unknownResource = fromParams({ WidgetSid: "WX1", AccountSid: "AC1", Colour: "blue" });
    // Act
    const results = [unknownStatus, unknownResource].map((event) =>
      validate(JSON.parse(JSON.stringify(event))),
    );
    // Assess
    expect(unknownStatus.type).toBe("com.twilio.media.media-processor.unknown");
    expect(unknownResource.type).toBe("com.twilio.status-callback.unknown");
    expect(results).toEqual([true, true]);
  });

  it("refuses an event whose type is not its resource's", () => {
    // Prepare
    const event = { ...published("media-processor-started") };
    event.type = "com.twilio.media.player-streamer.started";
    // Act
    const valid = validator()(event);
    // Assess
    expect(valid).toBe(false);
  });

  it("refuses an event whose type is no event type at all", () => {
    const event = { ...published("stream-ended"), type: "com.example.something.happened" };
    expect(validator()(event)).toBe(false);
  });

  it("refuses an event without a required field", () => {
    // Prepare
    const { id: _, ...event } = published("stream-started");
    // Act
    const valid = validator()(event);
    // Assess
    expect(valid).toBe(false);
  });

  it("refuses an event with a field of the wrong type", () => {
    // Prepare
    const event = published("media-processor-ended");
    const data = event.data as Record<string, unknown>;
    event.data = { ...data, durationSeconds: String(data.durationSeconds) };
    // Act
    const valid = validator()(event);
    // Assess
    expect(data.durationSeconds).toBe(3600);
    expect(valid).toBe(false);
  });
});
