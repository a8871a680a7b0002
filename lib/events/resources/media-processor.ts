/**
 * MediaProcessor status callbacks (Twilio Live, retired in 2023, kept for the accounts that still
 * run it): `media-processor-started|ended|failed`.
 * Twilio's reference: https://www.twilio.com/docs/live/api/status-callbacks
 */
import * as z from "zod/mini";
import {
  type CommonParameters,
  commonData,
  commonLiveData,
  commonParameters,
  defineResource,
  jsonObjectText,
  liveFieldDocs,
  MAX_JSON_DEPTH,
  sidSchema,
} from "./define.ts";

/** Deepest nesting of ExtensionContext accepted; see {@link MAX_JSON_DEPTH}. */
export const MAX_EXTENSION_CONTEXT_DEPTH = MAX_JSON_DEPTH;

const SAMPLE_SID = "ZX0123456789abcdef0123456789abcdef";
const ended = { Duration: "3600", EndedReason: "ended-via-api" };
const failed = {
  Duration: "3600",
  EndedReason: "error",
  ErrorMessage: "The extension stopped responding",
};

export const mediaProcessor = defineResource({
  resourceType: "MediaProcessor",
  description:
    "A Twilio Live MediaProcessor (a Media Extension running on a Room) started, ended or failed.",
  docs: "https://www.twilio.com/docs/live/api/status-callbacks",
  typePrefix: "com.twilio.media.media-processor",
  statusParameter: "StatusCallbackEvent",
  subjectParameters: ["MediaProcessorSid"],
  identifiedBy: ["MediaProcessorSid"],
  events: {
    "media-processor-started": {
      type: "com.twilio.media.media-processor.started",
      status: "started",
      sample: {},
    },
    "media-processor-ended": {
      type: "com.twilio.media.media-processor.ended",
      status: "ended",
      sample: ended,
    },
    "media-processor-failed": {
      type: "com.twilio.media.media-processor.failed",
      status: "failed",
      sample: failed,
    },
  },
  unknownStatus: "unknown",
  dataschema: "urn:twilio-status-relay:schema:media-processor:v1",
  parameters: z.object({
    ...commonParameters,
    MediaProcessorSid: sidSchema,
    Extension: z.string().check(z.minLength(1, "must not be empty")),
    ExtensionContext: jsonObjectText,
  }),
  dataSchema: z.object({
    ...commonData("MediaProcessor"),
    mediaProcessorSid: z.string(),
    extension: z.string(),
    extensionContext: z.record(z.string(), z.unknown()),
  }),
  toData: (params) => ({
    statusCallbackEvent: params.StatusCallbackEvent,
    accountSid: params.AccountSid,
    mediaProcessorSid: params.MediaProcessorSid,
    extension: params.Extension,
    extensionContext: JSON.parse(params.ExtensionContext) as Record<string, unknown>,
    ...commonLiveData(params as CommonParameters),
  }),
  time: (params) => params.Timestamp,
  timeParameter: "Timestamp",
  source: (params) => params.Url,
  idParameters: ["AccountSid", "MediaProcessorSid", "StatusCallbackEvent", "Timestamp"],
  sample: ({ sid = SAMPLE_SID, timestamp = "2026-11-27T10:15:30.123Z" }) => ({
    AccountSid: "AC0123456789abcdef0123456789abcdef",
    MediaProcessorSid: sid,
    Extension: "video-composer-v1-preview",
    ExtensionContext: JSON.stringify({
      room: { name: "RM0123456789abcdef0123456789abcdef" },
      outputs: ["VJ0123456789abcdef0123456789abcdef"],
    }),
    StatusCallbackEvent: "",
    Timestamp: timestamp,
    Url: `https://media.twilio.com/v1/MediaProcessors/${sid}`,
  }),
  summary: (data) => [
    ...(data.status === "unknown" ? [["event", data.statusCallbackEvent as string] as const] : []),
    ["extension", data.extension as string],
    ...liveOutcome(data),
  ],
  fields: liveFieldDocs([
    { parameter: "MediaProcessorSid", field: "mediaProcessorSid", type: "SID", required: true },
    { parameter: "Extension", field: "extension", type: "string", required: true },
    {
      parameter: "ExtensionContext",
      field: "extensionContext",
      type: "JSON object",
      required: true,
    },
  ]),
});

/** The Twilio Live summary fields after the resource's own. */
export function liveOutcome(data: Record<string, unknown>) {
  return [
    ["duration", data.durationSeconds === undefined ? undefined : `${data.durationSeconds}s`],
    ["endedReason", data.endedReason as string | undefined],
    ["error", data.errorMessage as string | undefined],
  ] as const;
}
