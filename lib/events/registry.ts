/**
 * The registry of Twilio resources whose status callbacks the relay understands. To add one:
 * write its file next to this one with `defineResource`, and list it in `resources` below.
 * A validly signed callback for a resource not listed here is still relayed, as
 * `com.twilio.status-callback.unknown`.
 */
import { mediaProcessor } from "./resources/media-processor.ts";
import { playerStreamer } from "./resources/player-streamer.ts";

export const resources = [mediaProcessor, playerStreamer] as const;

/** The resource whose SID parameter the callback carries, if the relay knows it. */
export function findResource(
  has: (parameter: string) => boolean,
): (typeof resources)[number] | undefined {
  return resources.find((resource) => has(resource.sidParameter));
}
