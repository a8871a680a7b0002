/**
 * Voice: a call's progress status callback, sent to the call's `StatusCallback` URL for the
 * `StatusCallbackEvent`s it asked for (initiated, ringing, answered, completed).
 * Twilio's reference: https://www.twilio.com/docs/voice/api/call-resource#statuscallback
 * (standard parameters: https://www.twilio.com/docs/voice/twiml#request-parameters).
 *
 * The callback has no `StatusCallbackEvent`; `CallStatus` says what happened. `Timestamp` is
 * RFC 2822 and becomes ISO 8601. `CallDuration` is seconds; `Duration` is billed minutes.
 */
import { defineCallbackResource, integer, rfc2822, rfc2822Time, sid, text } from "./define.ts";

const ACCOUNT = "AC0123456789abcdef0123456789abcdef";
const SAMPLE_SID = "CA0123456789abcdef0123456789abcdef";
// Twilio Event Streams names the call-progress events by the StatusCallbackEvent that fires them;
// every ending (busy, failed, no-answer, canceled too) is `completed`, as in Event Streams.
const streams = <S extends string>(event: S) =>
  `com.twilio.voice.status-callback.call.${event}` as const;
const ending = (code: string, seconds: string) => ({
  SequenceNumber: "3",
  CallDuration: seconds,
  Duration: seconds === "0" ? "0" : "1",
  SipResponseCode: code,
});

export const call = defineCallbackResource({
  resourceType: "Call",
  description:
    "A call's progress: `CallStatus` queued, initiated, ringing, in-progress or how it ended.",
  docs: "https://www.twilio.com/docs/voice/api/call-resource#statuscallback",
  typePrefix: "com.twilio.voice.call",
  statusParameter: "CallStatus",
  subjectParameters: ["CallSid"],
  identifiedBy: ["CallStatus", "CallSid"],
  fields: {
    CallSid: sid,
    ParentCallSid: sid,
    From: text,
    To: text,
    Caller: text,
    Called: text,
    Direction: text,
    ApiVersion: text,
    Timestamp: rfc2822Time,
    SequenceNumber: integer,
    CallbackSource: text,
    CallDuration: integer,
    Duration: integer,
    SipResponseCode: integer,
    AnsweredBy: text,
    ForwardedFrom: text,
    CallerName: text,
    ApplicationSid: sid,
    CallToken: text,
    StirVerstat: text,
    StirStatus: text,
    StirPassportToken: text,
    RecordingSid: sid,
    RecordingUrl: text,
    RecordingDuration: integer,
    FromCity: text,
    FromState: text,
    FromZip: text,
    FromCountry: text,
    ToCity: text,
    ToState: text,
    ToZip: text,
    ToCountry: text,
    CallerCity: text,
    CallerState: text,
    CallerZip: text,
    CallerCountry: text,
    CalledCity: text,
    CalledState: text,
    CalledZip: text,
    CalledCountry: text,
  },
  required: ["CallSid"],
  timeParameter: "Timestamp",
  // SequenceNumber counts a call's callbacks from 0; Timestamp separates them where it is absent.
  idParameters: ["AccountSid", "CallSid", "CallStatus", "SequenceNumber", "Timestamp"],
  dataschema: "urn:twilio-status-relay:schema:call:v1",
  events: {
    queued: { type: "com.twilio.voice.call.queued", sample: {} },
    initiated: { type: streams("initiated"), sample: {} },
    ringing: { type: streams("ringing"), sample: { SequenceNumber: "1" } },
    "in-progress": {
      type: streams("answered"),
      sample: { SequenceNumber: "2", AnsweredBy: "human" },
    },
    completed: { type: streams("completed"), sample: ending("200", "49") },
    busy: { type: streams("completed"), sample: ending("486", "0") },
    failed: { type: streams("completed"), sample: ending("404", "0") },
    "no-answer": { type: streams("completed"), sample: ending("487", "0") },
    canceled: { type: streams("completed"), sample: ending("487", "0") },
  },
  source: (p) =>
    `https://api.twilio.com/2010-04-01/Accounts/${p.AccountSid}/Calls/${p.CallSid}.json`,
  sample: ({ sid: callSid = SAMPLE_SID, timestamp = "2026-11-27T10:15:30.123Z" }, status) => ({
    AccountSid: ACCOUNT,
    ApiVersion: "2010-04-01",
    CallSid: callSid,
    CallStatus: status,
    CallbackSource: "call-progress-events",
    Called: "+551135892112",
    CalledCity: "São Paulo",
    CalledCountry: "BR",
    CalledState: "SP",
    CalledZip: "",
    Caller: "+16466063895",
    CallerCity: "NEW YORK",
    CallerCountry: "US",
    CallerState: "NY",
    CallerZip: "10004",
    Direction: "outbound-api",
    From: "+16466063895",
    FromCity: "NEW YORK",
    FromCountry: "US",
    FromState: "NY",
    FromZip: "10004",
    To: "+551135892112",
    ToCity: "São Paulo",
    ToCountry: "BR",
    ToState: "SP",
    ToZip: "",
    SequenceNumber: "0",
    Timestamp: rfc2822(timestamp),
  }),
  summaryFields: ["to", "sequenceNumber", "callDuration", "sipResponseCode"],
});
