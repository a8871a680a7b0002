/**
 * Programmable Video: a Room's status callback (the Room's `StatusCallback`), for the room, its
 * participants, their tracks and the room's track recordings.
 * Twilio's reference: https://www.twilio.com/docs/video/api/status-callbacks#rooms-callbacks
 *
 * Recording events carry a `RecordingSid` (`RT...`), and Compositions carry a `RoomSid` too: a
 * Room's callback is one with `RoomSid` and a `StatusCallbackEvent` that no earlier resource in the
 * registry (Composition) claimed. `Timestamp` is ISO 8601 already. `SequenceNumber` is, in Twilio's
 * words, an internal field that does not give the true order; it still tells events apart.
 * Twilio Event Streams has no Room types: the types are `com.twilio.video.room.<event>`.
 */
import { defineCallbackResource, integer, isoTime, sid, text } from "./define.ts";

const ACCOUNT = "AC0123456789abcdef0123456789abcdef";
const SAMPLE_SID = "RM0123456789abcdef0123456789abcdef";
const type = <S extends string>(event: S) => `com.twilio.video.room.${event}` as const;
const participant = (sequence: string, extra: Record<string, string> = {}) => ({
  SequenceNumber: sequence,
  ParticipantSid: "PA0123456789abcdef0123456789abcdef",
  ParticipantStatus: "connected",
  ParticipantIdentity: "alice",
  ...extra,
});
const track = (sequence: string) =>
  participant(sequence, { TrackSid: "MT0123456789abcdef0123456789abcdef", TrackKind: "video" });
const recording = (extra: Record<string, string> = {}) => ({
  RecordingSid: "RT0123456789abcdef0123456789abcdef",
  RecordingUri: "/v1/Recordings/RT0123456789abcdef0123456789abcdef",
  ParticipantSid: "PA0123456789abcdef0123456789abcdef",
  ParticipantIdentity: "alice",
  SourceSid: "MT0123456789abcdef0123456789abcdef",
  TrackName: "MT0123456789abcdef0123456789abcdef",
  Container: "mkv",
  Codec: "VP8",
  Type: "video",
  OffsetFromTwilioVideoEpoch: "1795774530123",
  ...extra,
});

export const room = defineCallbackResource({
  resourceType: "Room",
  description:
    "A Video Room was created or ended, a participant connected or disconnected, a track changed, or a track recording started, completed or failed: `StatusCallbackEvent`.",
  docs: "https://www.twilio.com/docs/video/api/status-callbacks#rooms-callbacks",
  typePrefix: "com.twilio.video.room",
  statusParameter: "StatusCallbackEvent",
  subjectParameters: ["RoomSid"],
  identifiedBy: ["StatusCallbackEvent", "RoomSid"],
  fields: {
    RoomSid: sid,
    RoomName: text,
    RoomStatus: text,
    RoomType: text,
    Timestamp: isoTime,
    SequenceNumber: integer,
    RoomDuration: integer,
    ParticipantSid: sid,
    ParticipantStatus: text,
    ParticipantIdentity: text,
    ParticipantDuration: integer,
    TrackSid: sid,
    TrackKind: text,
    TrackName: text,
    RecordingSid: sid,
    RecordingUri: text,
    SourceSid: sid,
    Container: text,
    Codec: text,
    Type: text,
    OffsetFromTwilioVideoEpoch: integer,
    MediaUri: text,
    MediaExternalLocation: text,
    Duration: integer,
    Size: integer,
    FailedOperation: text,
  },
  required: ["RoomSid"],
  timeParameter: "Timestamp",
  idParameters: [
    "AccountSid",
    "RoomSid",
    "StatusCallbackEvent",
    "SequenceNumber",
    "ParticipantSid",
    "TrackSid",
    "RecordingSid",
    "Timestamp",
  ],
  dataschema: "urn:twilio-status-relay:schema:room:v1",
  events: {
    "room-created": { type: type("room-created"), sample: { SequenceNumber: "0" } },
    "room-ended": {
      type: type("room-ended"),
      sample: { SequenceNumber: "12", RoomStatus: "completed", RoomDuration: "1390" },
    },
    "participant-connected": { type: type("participant-connected"), sample: participant("1") },
    "participant-disconnected": {
      type: type("participant-disconnected"),
      sample: participant("11", { ParticipantStatus: "disconnected", ParticipantDuration: "1382" }),
    },
    "track-added": { type: type("track-added"), sample: track("2") },
    "track-removed": { type: type("track-removed"), sample: track("10") },
    "track-enabled": { type: type("track-enabled"), sample: track("4") },
    "track-disabled": { type: type("track-disabled"), sample: track("3") },
    "recording-started": { type: type("recording-started"), sample: recording() },
    "recording-completed": {
      type: type("recording-completed"),
      sample: recording({
        MediaUri: "/v1/Recordings/RT0123456789abcdef0123456789abcdef/Media",
        Duration: "1380",
        Size: "48213377",
      }),
    },
    "recording-failed": {
      type: type("recording-failed"),
      sample: recording({ FailedOperation: "RecordingUpload" }),
    },
  },
  source: (p) => `https://video.twilio.com/v1/Rooms/${p.RoomSid}`,
  sample: ({ sid: roomSid = SAMPLE_SID, timestamp = "2026-11-27T10:15:30.123Z" }, status) => ({
    AccountSid: ACCOUNT,
    RoomName: "DailyStandup",
    RoomSid: roomSid,
    RoomStatus: "in-progress",
    RoomType: "group",
    StatusCallbackEvent: status,
    Timestamp: timestamp,
  }),
  summaryFields: [
    "roomName",
    "participantIdentity",
    "trackKind",
    "recordingSid",
    "failedOperation",
  ],
});
