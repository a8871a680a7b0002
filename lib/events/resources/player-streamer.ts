/**
 * PlayerStreamer status callbacks (Twilio Live). Twilio's reference names the events
 * `stream-started|ended|failed` in one table and `player-streamer-*` in another: both are accepted.
 */
import * as z from "zod/mini";
import { commonData, commonParameters, defineResource, sidSchema } from "./define.ts";

export const playerStreamer = defineResource({
  resourceType: "PlayerStreamer",
  typePrefix: "com.twilio.media.player-streamer",
  sidParameter: "PlayerStreamerSid",
  events: {
    "stream-started": "started",
    "stream-ended": "ended",
    "stream-failed": "failed",
    "player-streamer-started": "started",
    "player-streamer-ended": "ended",
    "player-streamer-failed": "failed",
  },
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
  sid: (params) => params.PlayerStreamerSid,
  toData: (params) => ({ playerStreamerSid: params.PlayerStreamerSid, source: params.Source }),
});
