/**
 * The registry of Twilio resources whose status callbacks the relay understands. To add one:
 * write its file next to this one (`resources/`), and list it in `resources` below, where its
 * place matters: a callback belongs to the first resource whose `identifiedBy` parameters it all
 * carries (see docs/adding-a-resource.md). A validly signed callback for a resource not listed
 * here is still relayed, as `com.twilio.status-callback.unknown`.
 */

import { call } from "./resources/call.ts";
import { composition } from "./resources/composition.ts";
import { conference } from "./resources/conference.ts";
import type { ResourceDefinition } from "./resources/define.ts";
import { mediaProcessor } from "./resources/media-processor.ts";
import { message } from "./resources/message.ts";
import { playerStreamer } from "./resources/player-streamer.ts";
import { recording } from "./resources/recording.ts";
import { room } from "./resources/room.ts";

/**
 * Every resource, in the order they are tried. The ambiguous pairs: a Recording's callback also
 * carries `CallSid` (and a Conference's recording `ConferenceSid`), a Conference's participant
 * events carry `CallSid`, a Room's recording events carry `RecordingSid`, and a Composition's carry
 * `RoomSid`. Each resource requires its own status parameter, which keeps them apart; where a
 * callback could still satisfy two, the earlier one wins: Composition before Room, Recording and
 * Conference before Call.
 */
export const resources = [
  mediaProcessor,
  playerStreamer,
  composition,
  room,
  recording,
  conference,
  call,
  message,
] as const;

/** Any resource the registry holds. */
export type KnownResource = (typeof resources)[number];

/** `type` of a validly signed callback from a resource the relay does not know. */
export const UNKNOWN_RESOURCE_TYPE = "com.twilio.status-callback.unknown";
/** `dataschema` of a callback from a resource the relay does not know. */
export const UNKNOWN_RESOURCE_DATASCHEMA = "urn:twilio-status-relay:schema:unknown-resource:v1";

/** Whether a callback carrying these parameters satisfies the resource's `identifiedBy` rule. */
export function identifies(
  resource: Pick<ResourceDefinition, "identifiedBy">,
  has: (parameter: string) => boolean,
): boolean {
  return resource.identifiedBy.every((entry) =>
    typeof entry === "string" ? has(entry) : entry.some(has),
  );
}

/**
 * The resource a callback belongs to: the first, in `list` order (the registry by default), whose
 * `identifiedBy` parameters the callback all carries; undefined when none.
 */
export function findResource(has: (parameter: string) => boolean): KnownResource | undefined;
export function findResource<R extends Pick<ResourceDefinition, "identifiedBy">>(
  has: (parameter: string) => boolean,
  list: readonly R[],
): R | undefined;
export function findResource(
  has: (parameter: string) => boolean,
  list: readonly Pick<ResourceDefinition, "identifiedBy">[] = resources,
) {
  return list.find((resource) => identifies(resource, has));
}

/** Every event `type` the resources in `list` can emit, `com.twilio.status-callback.unknown` last. */
export function eventTypesOf(list: readonly Pick<ResourceDefinition, "types">[]): string[] {
  return [...new Set([...list.flatMap((resource) => resource.types), UNKNOWN_RESOURCE_TYPE])];
}

/**
 * Every event `type` the relay can emit: each resource's types (its `<prefix>.unknown` included,
 * for a status it does not know), then `com.twilio.status-callback.unknown`.
 */
export const statusEventTypes: readonly string[] = Object.freeze(eventTypesOf(resources));
