/**
 * The registry of Twilio resources whose status callbacks the relay understands. To add one:
 * write its file next to this one with `defineResource`, and list it in `resources` below.
 * A validly signed callback for a resource not listed here is still relayed, as
 * `com.twilio.status-callback.unknown`.
 */
import type { ResourceDefinition } from "./resources/define.ts";
import { mediaProcessor } from "./resources/media-processor.ts";
import { playerStreamer } from "./resources/player-streamer.ts";

export const resources = [mediaProcessor, playerStreamer] as const;

/** `type` of a validly signed callback from a resource the relay does not know. */
export const UNKNOWN_RESOURCE_TYPE = "com.twilio.status-callback.unknown";

/** The resource whose SID parameter the callback carries, if the relay knows it. */
export function findResource(
  has: (parameter: string) => boolean,
): (typeof resources)[number] | undefined {
  return resources.find((resource) => has(resource.sidParameter));
}

/**
 * Every event `type` of a resource: its prefix followed by each status its events map to, and
 * `.unknown` for an event the relay does not know.
 */
export function eventTypesOf(resource: ResourceDefinition): string[] {
  const statuses = new Set([...Object.values(resource.events), "unknown"]);
  return [...statuses].map((status) => `${resource.typePrefix}.${status}`);
}

/** Every event `type` the relay emits, the unknown resource's included. */
export const statusEventTypes: readonly string[] = Object.freeze([
  ...resources.flatMap(eventTypesOf),
  UNKNOWN_RESOURCE_TYPE,
]);
