/**
 * Voice: a recording's status callback (`RecordingStatusCallback` of a call, `<Dial record>`,
 * `<Record>`, `<Start><Recording>`, a conference or a trunk).
 * Twilio's reference: https://www.twilio.com/docs/voice/api/recording#recordingstatuscallback
 * (conference recordings: https://www.twilio.com/docs/voice/twiml/conference#recordingstatuscallback;
 * `failed` and `EncryptionDetails`: https://www.twilio.com/docs/voice/tutorials/voice-recording-encryption).
 *
 * The callback carries `CallSid` too (or `ConferenceSid`); its `RecordingStatus` is what makes it
 * a Recording's. It has no `Timestamp` (`RecordingStartTime` is when recording began, not when
 * this event happened): the event `time` is the relay's clock at receipt.
 * Twilio Event Streams has a single `com.twilio.voice.status-callback.recording.processed` for
 * every recording callback, which does not say which status: each status gets its own type here.
 */
import {
  defineCallbackResource,
  integer,
  json,
  rfc2822,
  rfc2822Time,
  sid,
  text,
} from "./define.ts";

const ACCOUNT = "AC0123456789abcdef0123456789abcdef";
const SAMPLE_SID = "RE0123456789abcdef0123456789abcdef";
const type = <S extends string>(status: S) => `com.twilio.voice.recording.${status}` as const;

export const recording = defineCallbackResource({
  resourceType: "Recording",
  description:
    "A call or conference recording started, completed, was absent (silence) or failed: `RecordingStatus`.",
  docs: "https://www.twilio.com/docs/voice/api/recording#recordingstatuscallback",
  typePrefix: "com.twilio.voice.recording",
  statusParameter: "RecordingStatus",
  subjectParameters: ["RecordingSid"],
  identifiedBy: ["RecordingStatus", "RecordingSid"],
  fields: {
    RecordingSid: sid,
    CallSid: sid,
    ConferenceSid: sid,
    RecordingUrl: text,
    RecordingDuration: integer,
    RecordingChannels: integer,
    RecordingStartTime: rfc2822Time,
    RecordingSource: text,
    RecordingTrack: text,
    ErrorCode: integer,
    EncryptionDetails: json,
  },
  required: ["RecordingSid"],
  // One callback per status of a recording.
  idParameters: ["AccountSid", "RecordingSid", "RecordingStatus", "ErrorCode"],
  dataschema: "urn:twilio-status-relay:schema:recording:v1",
  events: {
    "in-progress": { type: type("in-progress"), sample: {} },
    completed: {
      type: type("completed"),
      sample: { RecordingDuration: "47", ErrorCode: "0" },
    },
    absent: { type: type("absent"), sample: { ErrorCode: "13617" } },
    failed: { type: type("failed"), sample: { ErrorCode: "13617" } },
  },
  source: (p) =>
    `https://api.twilio.com/2010-04-01/Accounts/${p.AccountSid}/Recordings/${p.RecordingSid}.json`,
  sample: ({ sid: recordingSid = SAMPLE_SID, timestamp = "2026-11-27T10:15:30.123Z" }, status) => ({
    AccountSid: ACCOUNT,
    CallSid: "CA0123456789abcdef0123456789abcdef",
    RecordingSid: recordingSid,
    RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Recordings/${recordingSid}`,
    RecordingStatus: status,
    RecordingChannels: "2",
    RecordingStartTime: rfc2822(timestamp),
    RecordingSource: "StartCallRecordingAPI",
    RecordingTrack: "both",
  }),
  summaryFields: ["callSid", "conferenceSid", "recordingDuration", "errorCode"],
});
