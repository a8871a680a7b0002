/**
 * Realistic status callback parameters, as Twilio sends them, per the Status Callbacks reference
 * (shared/reference/twilio-live-status-callbacks.txt). One source for the tests (re-exported by
 * test/fixtures/callbacks.ts) and for `npm run trigger`.
 */
export const ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
export const MEDIA_PROCESSOR_SID = "ZX0123456789abcdef0123456789abcdef";
export const PLAYER_STREAMER_SID = "VJ0123456789abcdef0123456789abcdef";
export const ROOM_SID = "RM0123456789abcdef0123456789abcdef";
/** The local loop's auth token (`npm start`): the primary test token. */
export { PRIMARY_AUTH_TOKEN as LOCAL_AUTH_TOKEN } from "./tokens.ts";

export const MEDIA_PROCESSOR_EVENTS = [
  "media-processor-started",
  "media-processor-ended",
  "media-processor-failed",
] as const;
export const PLAYER_STREAMER_EVENTS = ["stream-started", "stream-ended", "stream-failed"] as const;
/** The other spelling of the PlayerStreamer events in Twilio's reference. */
export const PLAYER_STREAMER_ALIASES = [
  "player-streamer-started",
  "player-streamer-ended",
  "player-streamer-failed",
] as const;
export const ALL_EVENTS = [...MEDIA_PROCESSOR_EVENTS, ...PLAYER_STREAMER_EVENTS] as const;
export type CallbackEventName =
  | (typeof ALL_EVENTS)[number]
  | (typeof PLAYER_STREAMER_ALIASES)[number];

export interface CallbackOverrides {
  readonly timestamp?: string;
  readonly mediaProcessorSid?: string;
  readonly playerStreamerSid?: string;
}

/** The parameters Twilio sends for `event`, with the fields each event carries. */
export function callbackParams(
  event: CallbackEventName,
  overrides: CallbackOverrides = {},
): Record<string, string> {
  const timestamp = overrides.timestamp ?? "2026-11-27T10:15:30.123Z";
  const ending = !event.endsWith("-started");
  const failed = event.endsWith("-failed");
  const outcome: Record<string, string> = {
    ...(ending ? { Duration: "3600", EndedReason: failed ? "error" : "ended-via-api" } : {}),
    ...(failed ? { ErrorMessage: "The extension stopped responding" } : {}),
  };
  if (event.startsWith("media-processor-")) {
    const sid = overrides.mediaProcessorSid ?? MEDIA_PROCESSOR_SID;
    return {
      AccountSid: ACCOUNT_SID,
      MediaProcessorSid: sid,
      Extension: "video-composer-v1-preview",
      ExtensionContext: JSON.stringify({
        room: { name: ROOM_SID },
        outputs: [PLAYER_STREAMER_SID],
      }),
      StatusCallbackEvent: event,
      Timestamp: timestamp,
      Url: `https://media.twilio.com/v1/MediaProcessors/${sid}`,
      ...outcome,
    };
  }
  const sid = overrides.playerStreamerSid ?? PLAYER_STREAMER_SID;
  return {
    AccountSid: ACCOUNT_SID,
    PlayerStreamerSid: sid,
    StatusCallbackEvent: event,
    Timestamp: timestamp,
    Source: "video-composer",
    Url: `https://media.twilio.com/v1/PlayerStreamers/${sid}`,
    ...outcome,
  };
}
