/**
 * The types a consumer gets from the package's entry points, checked by `tsc --noEmit` (npm run
 * typecheck) and run by Vitest: narrowing an event on `type` or on `data.resourceType` gives that
 * resource's fields, and the batch handler's callback receives a `StatusEvent`. (Every resource's
 * fields: event-types.test.ts.)
 */
import type { SQSRecord } from "aws-lambda";
import { describe, expectTypeOf, it } from "vitest";
import type { StatusEventCallback } from "../../lib/consumer/index.ts";
import { createStatusEventBatchHandler } from "../../lib/consumer/index.ts";
import {
  type CallStatusEvent,
  type CompositionStatusEvent,
  type ConferenceStatusEvent,
  type MediaProcessorStatusEvent,
  type MessageStatusEvent,
  type PlayerStreamerStatusEvent,
  parseStatusEvent,
  type RecordingStatusEvent,
  type RoomStatusEvent,
  type StatusEvent,
  type StatusEventOf,
  type UnknownResourceStatusEvent,
} from "../../lib/events/index.ts";
import { statusEvent } from "../helpers/status-events.ts";

const event: StatusEvent = parseStatusEvent(JSON.stringify(statusEvent("media-processor-ended")));

describe("StatusEvent", () => {
  it("is the union of each resource's event", () => {
    expectTypeOf<StatusEvent>().toEqualTypeOf<
      | MediaProcessorStatusEvent
      | PlayerStreamerStatusEvent
      | CompositionStatusEvent
      | RoomStatusEvent
      | RecordingStatusEvent
      | ConferenceStatusEvent
      | CallStatusEvent
      | MessageStatusEvent
      | UnknownResourceStatusEvent
    >();
    expectTypeOf<StatusEventOf<"MediaProcessor">>().toEqualTypeOf<MediaProcessorStatusEvent>();
  });

  it("narrowed on type, is that resource's event, with its fields", () => {
    if (event.type === "com.twilio.media.media-processor.ended") {
      expectTypeOf(event).toEqualTypeOf<MediaProcessorStatusEvent>();
      expectTypeOf(event.data.extension).toEqualTypeOf<string>();
      expectTypeOf(event.data.extensionContext).toEqualTypeOf<Record<string, unknown>>();
    }
    if (event.type === "com.twilio.media.player-streamer.started") {
      expectTypeOf(event).toEqualTypeOf<PlayerStreamerStatusEvent>();
      expectTypeOf(event.data.source).toEqualTypeOf<string>();
    }
    if (event.type === "com.twilio.status-callback.unknown") {
      expectTypeOf(event.data.resourceType).toEqualTypeOf<"unknown">();
      expectTypeOf(event.data.accountSid).toEqualTypeOf<string | undefined>();
    }
  });

  it("narrowed on data.resourceType, has that resource's data", () => {
    const { data } = event;
    if (data.resourceType === "MediaProcessor") {
      expectTypeOf(data).toEqualTypeOf<MediaProcessorStatusEvent["data"]>();
      expectTypeOf(data.mediaProcessorSid).toEqualTypeOf<string>();
      expectTypeOf(data.durationSeconds).toEqualTypeOf<number | undefined>();
    } else if (data.resourceType === "PlayerStreamer") {
      expectTypeOf(data).toEqualTypeOf<PlayerStreamerStatusEvent["data"]>();
      expectTypeOf(data.playerStreamerSid).toEqualTypeOf<string>();
    } else if (data.resourceType === "Message") {
      expectTypeOf(data).toEqualTypeOf<MessageStatusEvent["data"]>();
      expectTypeOf(data.messageSid).toEqualTypeOf<string>();
    } else if (data.resourceType === "unknown") {
      expectTypeOf(data).toEqualTypeOf<UnknownResourceStatusEvent["data"]>();
    }
  });

  it("has no resource's field before narrowing", () => {
    expectTypeOf(event.data).not.toHaveProperty("extension");
    expectTypeOf(event.type).not.toEqualTypeOf<string>();
    expectTypeOf<"com.twilio.media.media-processor.started">().toExtend<StatusEvent["type"]>();
    expectTypeOf<"com.example.other">().not.toExtend<StatusEvent["type"]>();
  });
});

describe("createStatusEventBatchHandler", () => {
  it("calls back with a StatusEvent and the SQS record", () => {
    expectTypeOf<Parameters<StatusEventCallback>>().toEqualTypeOf<[StatusEvent, SQSRecord]>();
    createStatusEventBatchHandler((received, record) => {
      expectTypeOf(received).toEqualTypeOf<StatusEvent>();
      expectTypeOf(record).toEqualTypeOf<SQSRecord>();
    });
  });
});
