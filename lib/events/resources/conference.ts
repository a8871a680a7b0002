/**
 * Voice: a conference's status callback (`<Conference statusCallback>`, or the Participants API's
 * `ConferenceStatusCallback`), one per `StatusCallbackEvent` the first participant asked for.
 * Twilio's reference: https://www.twilio.com/docs/voice/twiml/conference#attributes-status-callback-parameters
 * (also https://www.twilio.com/docs/voice/api/conference-participant-resource).
 *
 * Participant events carry the participant's `CallSid`; `ConferenceSid` with a
 * `StatusCallbackEvent` is what makes the callback a Conference's. `Timestamp` is RFC 2822 and
 * becomes ISO 8601. Twilio Event Streams folds these events into two types (`...conference.updated`
 * and `...conference.participant.updated`) that do not say which event: each gets its own type here.
 */
import {
  boolean,
  defineCallbackResource,
  integer,
  rfc2822,
  rfc2822Time,
  sid,
  text,
} from "./define.ts";

const ACCOUNT = "AC0123456789abcdef0123456789abcdef";
const SAMPLE_SID = "CF0123456789abcdef0123456789abcdef";
const PARTICIPANT = "CA0123456789abcdef0123456789abcdef";
const type = <S extends string>(event: S) => `com.twilio.voice.conference.${event}` as const;
const participant = (sequence: string, extra: Record<string, string> = {}) => ({
  SequenceNumber: sequence,
  CallSid: PARTICIPANT,
  Muted: "false",
  Hold: "false",
  Coaching: "false",
  EndConferenceOnExit: "false",
  StartConferenceOnEnter: "true",
  ParticipantLabel: "customer",
  ...extra,
});

export const conference = defineCallbackResource({
  resourceType: "Conference",
  description:
    "A conference started or ended, or a participant joined, left, was muted, held, spoke or heard an announcement: `StatusCallbackEvent`.",
  docs: "https://www.twilio.com/docs/voice/twiml/conference#attributes-status-callback-parameters",
  typePrefix: "com.twilio.voice.conference",
  statusParameter: "StatusCallbackEvent",
  subjectParameters: ["ConferenceSid"],
  identifiedBy: ["StatusCallbackEvent", "ConferenceSid"],
  fields: {
    ConferenceSid: sid,
    FriendlyName: text,
    SequenceNumber: integer,
    Timestamp: rfc2822Time,
    CallSid: sid,
    Muted: boolean,
    Hold: boolean,
    Coaching: boolean,
    EndConferenceOnExit: boolean,
    StartConferenceOnEnter: boolean,
    ParticipantLabel: text,
    CallSidEndingConference: sid,
    ParticipantLabelEndingConference: text,
    ReasonConferenceEnded: text,
    Reason: text,
    ParticipantCallStatus: text,
    ReasonParticipantLeft: text,
    AnnounceUrl: text,
    ReasonAnnouncementFailed: text,
    EventName: text,
    RecordingUrl: text,
    Duration: integer,
    RecordingFileSize: integer,
  },
  required: ["ConferenceSid"],
  timeParameter: "Timestamp",
  // SequenceNumber orders a conference's events; CallSid tells apart two participants' events.
  idParameters: [
    "AccountSid",
    "ConferenceSid",
    "StatusCallbackEvent",
    "SequenceNumber",
    "CallSid",
    "Timestamp",
  ],
  dataschema: "urn:twilio-status-relay:schema:conference:v1",
  events: {
    "conference-start": { type: type("conference-start"), sample: { SequenceNumber: "2" } },
    "conference-end": {
      type: type("conference-end"),
      sample: {
        SequenceNumber: "14",
        ReasonConferenceEnded: "participant-with-end-conference-on-exit-left",
        CallSidEndingConference: "CA1123456789abcdef0123456789abcdef",
        ParticipantLabelEndingConference: "agent",
        Reason:
          "Participant CA1123456789abcdef0123456789abcdef with endConferenceOnExit left the conference",
      },
    },
    "participant-join": { type: type("participant-join"), sample: participant("1") },
    "participant-leave": {
      type: type("participant-leave"),
      sample: participant("13", {
        ParticipantCallStatus: "completed",
        ReasonParticipantLeft: "participant_hung_up",
      }),
    },
    "participant-mute": {
      type: type("participant-mute"),
      sample: participant("3", { Muted: "true" }),
    },
    "participant-unmute": { type: type("participant-unmute"), sample: participant("4") },
    "participant-hold": {
      type: type("participant-hold"),
      sample: participant("5", { Hold: "true" }),
    },
    "participant-unhold": { type: type("participant-unhold"), sample: participant("6") },
    "participant-modify": {
      type: type("participant-modify"),
      sample: participant("7", { Coaching: "true" }),
    },
    "participant-speech-start": {
      type: type("participant-speech-start"),
      sample: participant("8"),
    },
    "participant-speech-stop": { type: type("participant-speech-stop"), sample: participant("9") },
    "announcement-end": {
      type: type("announcement-end"),
      sample: { SequenceNumber: "10", AnnounceUrl: "https://example.com/announce.xml" },
    },
    "announcement-fail": {
      type: type("announcement-fail"),
      sample: {
        SequenceNumber: "11",
        AnnounceUrl: "https://example.com/announce.xml",
        ReasonAnnouncementFailed: "Announcement URL returned 404",
      },
    },
  },
  source: (p) =>
    `https://api.twilio.com/2010-04-01/Accounts/${p.AccountSid}/Conferences/${p.ConferenceSid}.json`,
  sample: (
    { sid: conferenceSid = SAMPLE_SID, timestamp = "2026-11-27T10:15:30.123Z" },
    status,
  ) => ({
    AccountSid: ACCOUNT,
    ConferenceSid: conferenceSid,
    FriendlyName: "support-room-42",
    SequenceNumber: "1",
    Timestamp: rfc2822(timestamp),
    StatusCallbackEvent: status,
  }),
  summaryFields: ["friendlyName", "sequenceNumber", "callSid", "participantLabel"],
});
