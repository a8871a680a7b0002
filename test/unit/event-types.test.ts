/**
 * Type tests (checked by `npx tsc --noEmit`; vitest runs them as no-ops): narrowing a
 * `StatusEvent` on `type` or on `data.resourceType` gives that resource's fields.
 */
import { describe, expectTypeOf, it } from "vitest";
import type {
  CallData,
  CallStatusEvent,
  CompositionData,
  CompositionStatusEvent,
  ConferenceData,
  ConferenceStatusEvent,
  MediaProcessorData,
  MediaProcessorStatusEvent,
  MessageData,
  MessageStatusEvent,
  PlayerStreamerData,
  PlayerStreamerStatusEvent,
  RecordingData,
  RecordingStatusEvent,
  RoomData,
  RoomStatusEvent,
  StatusEvent,
  StatusEventOf,
  UnknownResourceData,
} from "../../lib/events/schemas.ts";
import { statusEvent } from "../helpers/status-events.ts";

describe("StatusEvent types", () => {
  it("gives each resource's fields when narrowed on data.resourceType", () => {
    // Prepare
    const event = statusEvent("message.delivered") as StatusEvent;
    // Act / Assess
    if (event.data.resourceType === "Message") {
      expectTypeOf(event.data).toEqualTypeOf<MessageData>();
      expectTypeOf(event.data.messageSid).toEqualTypeOf<string>();
      expectTypeOf(event.data.errorCode).toEqualTypeOf<number | undefined>();
      expectTypeOf(event.data.rawDlrDoneDate).toEqualTypeOf<string | undefined>();
    }
    if (event.data.resourceType === "Call") {
      expectTypeOf(event.data).toEqualTypeOf<CallData>();
      expectTypeOf(event.data.callSid).toEqualTypeOf<string>();
      expectTypeOf(event.data.sequenceNumber).toEqualTypeOf<number | undefined>();
      expectTypeOf(event.data.callDuration).toEqualTypeOf<number | undefined>();
    }
    if (event.data.resourceType === "Conference") {
      expectTypeOf(event.data).toEqualTypeOf<ConferenceData>();
      expectTypeOf(event.data.muted).toEqualTypeOf<boolean | undefined>();
      expectTypeOf(event.data.conferenceSid).toEqualTypeOf<string>();
    }
    if (event.data.resourceType === "Recording") {
      expectTypeOf(event.data).toEqualTypeOf<RecordingData>();
      expectTypeOf(event.data.encryptionDetails).toEqualTypeOf<
        Record<string, unknown> | undefined
      >();
    }
    if (event.data.resourceType === "Room") {
      expectTypeOf(event.data).toEqualTypeOf<RoomData>();
      expectTypeOf(event.data.roomSid).toEqualTypeOf<string>();
      expectTypeOf(event.data.participantDuration).toEqualTypeOf<number | undefined>();
    }
    if (event.data.resourceType === "Composition") {
      expectTypeOf(event.data).toEqualTypeOf<CompositionData>();
      expectTypeOf(event.data.percentageDone).toEqualTypeOf<number | undefined>();
      expectTypeOf(event.data.compositionSid).toEqualTypeOf<string | undefined>();
    }
    if (event.data.resourceType === "MediaProcessor") {
      expectTypeOf(event.data).toEqualTypeOf<MediaProcessorData>();
      expectTypeOf(event.data.status).toEqualTypeOf<"started" | "ended" | "failed" | "unknown">();
    }
    if (event.data.resourceType === "PlayerStreamer") {
      expectTypeOf(event.data).toEqualTypeOf<PlayerStreamerData>();
    }
    if (event.data.resourceType === "unknown") {
      expectTypeOf(event.data).toEqualTypeOf<UnknownResourceData>();
    }
  });

  it("gives the resource's fields when narrowed on type", () => {
    // Prepare
    const event = statusEvent("message.delivered") as StatusEvent;
    // Act / Assess
    if (event.type === "com.twilio.messaging.message.delivered") {
      expectTypeOf(event).toEqualTypeOf<MessageStatusEvent>();
      expectTypeOf(event.data.to).toEqualTypeOf<string | undefined>();
    }
    if (event.type === "com.twilio.voice.status-callback.call.completed") {
      expectTypeOf(event).toEqualTypeOf<CallStatusEvent>();
    }
    if (event.type === "com.twilio.voice.recording.completed") {
      expectTypeOf(event).toEqualTypeOf<RecordingStatusEvent>();
    }
    if (event.type === "com.twilio.voice.conference.participant-join") {
      expectTypeOf(event).toEqualTypeOf<ConferenceStatusEvent>();
    }
    if (event.type === "com.twilio.video.room.room-ended") {
      expectTypeOf(event).toEqualTypeOf<RoomStatusEvent>();
    }
    if (event.type === "com.twilio.video.composition.composition-progress") {
      expectTypeOf(event).toEqualTypeOf<CompositionStatusEvent>();
    }
    if (event.type === "com.twilio.media.media-processor.started") {
      expectTypeOf(event).toEqualTypeOf<MediaProcessorStatusEvent>();
    }
    if (event.type === "com.twilio.media.player-streamer.unknown") {
      expectTypeOf(event).toEqualTypeOf<PlayerStreamerStatusEvent>();
    }
    if (event.type === "com.twilio.messaging.message.unknown") {
      expectTypeOf(event.data.resourceType).toEqualTypeOf<"Message">();
    }
  });

  it("types StatusEventOf<R> as the events whose resourceType is R, and the type as a union of R's", () => {
    expectTypeOf<StatusEventOf<"Message">>().toEqualTypeOf<MessageStatusEvent>();
    expectTypeOf<CallStatusEvent["type"]>().toEqualTypeOf<
      | "com.twilio.voice.call.queued"
      | "com.twilio.voice.status-callback.call.initiated"
      | "com.twilio.voice.status-callback.call.ringing"
      | "com.twilio.voice.status-callback.call.answered"
      | "com.twilio.voice.status-callback.call.completed"
      | "com.twilio.voice.call.unknown"
    >();
    // @ts-expect-error: a Message has no callSid
    expectTypeOf<MessageData>().toHaveProperty("callSid");
  });
});
