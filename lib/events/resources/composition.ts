/**
 * Programmable Video: a Composition's status callback, from the Composition's `StatusCallback` or
 * from the Composition Hook that created it.
 * Twilio's reference: https://www.twilio.com/docs/video/api/status-callbacks#compositions-callbacks
 *
 * The callback carries the source `RoomSid`: a `CompositionSid` (or, on `composition-hook-failed`,
 * only a `HookSid`) with a `StatusCallbackEvent` is what makes it a Composition's, so Composition
 * comes before Room in the registry. The subject is the `CompositionSid`, else the `HookSid`.
 * `composition-progress` repeats about every 10%: `PercentageDone` tells those events apart.
 * Twilio Event Streams has no Composition types: the types are `com.twilio.video.composition.<event>`.
 */
import { defineCallbackResource, integer, isoTime, sid, text } from "./define.ts";

const ACCOUNT = "AC0123456789abcdef0123456789abcdef";
const SAMPLE_SID = "CJ0123456789abcdef0123456789abcdef";
const HOOK = "HK0123456789abcdef0123456789abcdef";
const type = <S extends string>(event: S) => `com.twilio.video.composition.${event}` as const;
const hook = {
  HookSid: HOOK,
  HookUri: `/v1/CompositionHooks/${HOOK}`,
  HookFriendlyName: "standup-hook",
};

export const composition = defineCallbackResource({
  resourceType: "Composition",
  description:
    "A Video Composition (or the Composition Hook creating it) was enqueued, started, progressed, became available or failed: `StatusCallbackEvent`.",
  docs: "https://www.twilio.com/docs/video/api/status-callbacks#compositions-callbacks",
  typePrefix: "com.twilio.video.composition",
  statusParameter: "StatusCallbackEvent",
  subjectParameters: ["CompositionSid", "HookSid"],
  identifiedBy: ["StatusCallbackEvent", ["CompositionSid", "HookSid"]],
  fields: {
    CompositionSid: sid,
    HookSid: sid,
    RoomSid: sid,
    Timestamp: isoTime,
    CompositionUri: text,
    HookUri: text,
    HookFriendlyName: text,
    MediaUri: text,
    MediaExternalLocation: text,
    Duration: integer,
    Size: integer,
    PercentageDone: integer,
    SecondsRemaining: integer,
    FailedOperation: text,
    ErrorMessage: text,
    ErrorCode: integer,
  },
  required: [],
  timeParameter: "Timestamp",
  idParameters: [
    "AccountSid",
    "CompositionSid",
    "HookSid",
    "StatusCallbackEvent",
    "PercentageDone",
    "Timestamp",
  ],
  dataschema: "urn:twilio-status-relay:schema:composition:v1",
  events: {
    "composition-enqueued": { type: type("composition-enqueued"), sample: hook },
    "composition-hook-failed": {
      type: type("composition-hook-failed"),
      sample: {
        ...hook,
        FailedOperation: "CompositionCreate",
        ErrorMessage: "The room has no recordings to compose",
      },
    },
    "composition-started": { type: type("composition-started"), sample: {} },
    "composition-progress": {
      type: type("composition-progress"),
      sample: { PercentageDone: "40", SecondsRemaining: "95" },
    },
    "composition-available": {
      type: type("composition-available"),
      sample: {
        MediaUri: `/v1/Compositions/${SAMPLE_SID}/Media`,
        Duration: "1380",
        Size: "91542210",
      },
    },
    "composition-failed": {
      type: type("composition-failed"),
      sample: {
        FailedOperation: "CompositionUpload",
        ErrorMessage: "Upload to external storage failed",
      },
    },
  },
  source: (p) =>
    p.CompositionSid
      ? `https://video.twilio.com/v1/Compositions/${p.CompositionSid}`
      : `https://video.twilio.com/v1/CompositionHooks/${p.HookSid}`,
  sample: (
    { sid: compositionSid = SAMPLE_SID, timestamp = "2026-11-27T10:15:30.123Z" },
    status,
  ): Record<string, string> =>
    status === "composition-hook-failed"
      ? {
          AccountSid: ACCOUNT,
          RoomSid: "RM0123456789abcdef0123456789abcdef",
          StatusCallbackEvent: status,
          Timestamp: timestamp,
        }
      : {
          AccountSid: ACCOUNT,
          RoomSid: "RM0123456789abcdef0123456789abcdef",
          CompositionSid: compositionSid,
          CompositionUri: `/v1/Compositions/${compositionSid}`,
          StatusCallbackEvent: status,
          Timestamp: timestamp,
        },
  summaryFields: ["roomSid", "percentageDone", "failedOperation", "errorMessage"],
});
