/**
 * PlayerStreamer status callbacks (Twilio Live, retired in 2023, kept for the accounts that still
 * run it). Twilio's reference names the events `stream-started|ended|failed` in one table and
 * `player-streamer-*` in another: both are accepted.
 * Twilio's reference: https://www.twilio.com/docs/live/api/status-callbacks
 */
import * as z from "zod/mini";
import {
  type CommonParameters,
  commonData,
  commonLiveData,
  commonParameters,
  defineResource,
  liveFieldDocs,
  sidSchema,
} from "./define.ts";
import { liveOutcome } from "./media-processor.ts";

const SAMPLE_SID = "VJ0123456789abcdef0123456789abcdef";
const ended = { Duration: "3600", EndedReason: "ended-via-api" };
const failed = {
  Duration: "3600",
  EndedReason: "error",
  ErrorMessage: "The extension stopped responding",
};
const type = <S extends string>(status: S) => `com.twilio.media.player-streamer.${status}` as const;

export const playerStreamer = defineResource({
  resourceType: "PlayerStreamer",
  description: "A Twilio Live PlayerStreamer (the stream viewers play) started, ended or failed.",
  docs: "https://www.twilio.com/docs/live/api/status-callbacks",
  typePrefix: "com.twilio.media.player-streamer",
  statusParameter: "StatusCallbackEvent",
  subjectParameters: ["PlayerStreamerSid"],
  identifiedBy: ["PlayerStreamerSid"],
  events: {
    "stream-started": { type: type("started"), status: "started", sample: {} },
    "stream-ended": { type: type("ended"), status: "ended", sample: ended },
    "stream-failed": { type: type("failed"), status: "failed", sample: failed },
    "player-streamer-started": { type: type("started"), status: "started", sample: {} },
    "player-streamer-ended": { type: type("ended"), status: "ended", sample: ended },
    "player-streamer-failed": { type: type("failed"), status: "failed", sample: failed },
  },
  unknownStatus: "unknown",
  dataschema: "urn:twilio-status-relay:schema:player-streamer:v1",
  parameters: z.object({
    ...commonParameters,
    PlayerStreamerSid: sidSchema,
    Source: z.string(),
  }),
  dataSchema: z.object({
    ...commonData("PlayerStreamer"),
    playerStreamerSid: z.string(),
    source: z.string(),
  }),
  toData: (params) => ({
    statusCallbackEvent: params.StatusCallbackEvent,
    accountSid: params.AccountSid,
    playerStreamerSid: params.PlayerStreamerSid,
    source: params.Source,
    ...commonLiveData(params as CommonParameters),
  }),
  time: (params) => params.Timestamp,
  timeParameter: "Timestamp",
  source: (params) => params.Url,
  idParameters: ["AccountSid", "PlayerStreamerSid", "StatusCallbackEvent", "Timestamp"],
  sample: ({ sid = SAMPLE_SID, timestamp = "2026-11-27T10:15:30.123Z" }) => ({
    AccountSid: "AC0123456789abcdef0123456789abcdef",
    PlayerStreamerSid: sid,
    StatusCallbackEvent: "",
    Timestamp: timestamp,
    Source: "video-composer",
    Url: `https://media.twilio.com/v1/PlayerStreamers/${sid}`,
  }),
  summary: (data) => [
    ...(data.status === "unknown" ? [["event", data.statusCallbackEvent as string] as const] : []),
    ["source", data.source as string],
    ...liveOutcome(data),
  ],
  fields: liveFieldDocs([
    { parameter: "PlayerStreamerSid", field: "playerStreamerSid", type: "SID", required: true },
    { parameter: "Source", field: "source", type: "string", required: true },
  ]),
});
