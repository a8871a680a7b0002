/**
 * The event the relay puts on the queue: a CloudEvents 1.0 JSON envelope around typed `data`.
 * Exported for consumers: `StatusEventSchema` validates a message body, `StatusEvent` types it,
 * and `StatusEventOf<"Message">` (or `MessageStatusEvent`) is one resource's event. Everything is
 * built from the registry: see docs/events.md.
 */
import * as z from "zod/mini";
import {
  type KnownResource,
  resources,
  UNKNOWN_RESOURCE_DATASCHEMA,
  UNKNOWN_RESOURCE_TYPE,
} from "./registry.ts";
import { type ResourceDefinition, unrecognizedParametersSchema } from "./resources/define.ts";

export { UNKNOWN_RESOURCE_DATASCHEMA, UNKNOWN_RESOURCE_TYPE };

/** `data` of a callback from a resource the relay does not know: everything, verbatim. */
export const UnknownResourceDataSchema = z.object({
  resourceType: z.literal("unknown"),
  status: z.literal("unknown"),
  statusCallbackEvent: z.optional(z.string()),
  accountSid: z.optional(z.string()),
  timestamp: z.optional(z.string()),
  url: z.optional(z.string()),
  unrecognizedParameters: unrecognizedParametersSchema,
});

/** The CloudEvents envelope, fields in the order the relay writes them, around `type` and `data`. */
function envelopeWith<T extends z.ZodMiniType<string>, D extends z.ZodMiniType>(type: T, data: D) {
  return z.object({
    specversion: z.literal("1.0"),
    id: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
    source: z.string(),
    subject: z.string(),
    type,
    time: z.string(),
    datacontenttype: z.literal("application/json"),
    dataschema: z.string(),
    data,
  });
}

/** The envelope schema of one resource's events: its own types, its own `data`. */
function envelopeOf<R extends Pick<ResourceDefinition, "types" | "dataSchema">>(resource: R) {
  return envelopeWith(
    z.enum(resource.types as unknown as [R["types"][number], ...R["types"][number][]]),
    resource.dataSchema as R["dataSchema"],
  );
}

const UnknownResourceEventSchema = envelopeWith(
  z.literal(UNKNOWN_RESOURCE_TYPE),
  UnknownResourceDataSchema,
);

type EnvelopeOf<R> = R extends KnownResource ? ReturnType<typeof envelopeOf<R>> : never;
type KnownEnvelope = EnvelopeOf<KnownResource>;

/**
 * The event schema for the resources in `list` (and unknown resources), discriminated by `type`.
 * The registry's is {@link StatusEventSchema}; another list serves tests of a resource not (yet)
 * in the registry.
 */
export function statusEventSchemaFor(
  list: readonly Pick<ResourceDefinition, "types" | "dataSchema">[],
) {
  const known = list.map((resource) => envelopeOf(resource));
  return z.discriminatedUnion("type", [...known, UnknownResourceEventSchema] as unknown as [
    (typeof known)[number] | typeof UnknownResourceEventSchema,
    ...((typeof known)[number] | typeof UnknownResourceEventSchema)[],
  ]);
}

/** `data` of any relayed event, discriminated by `resourceType`; built from the registry. */
export const StatusEventDataSchema = z.discriminatedUnion("resourceType", [
  ...resources.map((resource) => resource.dataSchema),
  UnknownResourceDataSchema,
] as unknown as [
  KnownResource["dataSchema"],
  ...(KnownResource["dataSchema"] | typeof UnknownResourceDataSchema)[],
]);

/**
 * The envelope with any `com.twilio.` type and any relayed `data`: what `parseStatusEvent` checks
 * first, so that its errors name fields; whether the type belongs to the resource comes second.
 */
export const StatusEventEnvelopeSchema = envelopeWith(
  z.string().check(z.regex(/^com\.twilio\./)),
  StatusEventDataSchema,
);

/** A relayed status callback, as read from the queue; discriminated by `type`. */
export const StatusEventSchema = statusEventSchemaFor(
  resources,
) as unknown as z.ZodMiniDiscriminatedUnion<
  [...KnownEnvelope[], typeof UnknownResourceEventSchema]
>;

/** {@link StatusEventSchema}, under the name the package exports. */
export const statusEventSchema = StatusEventSchema;

export type StatusEvent = z.infer<typeof StatusEventSchema>;
export type StatusEventData = StatusEvent["data"];
/** The value of `data.resourceType`: a registry resource's name, or `unknown`. */
export type ResourceType = StatusEventData["resourceType"];
/** The event of one resource: `StatusEventOf<"Message">`. */
export type StatusEventOf<R extends ResourceType> = Extract<
  StatusEvent,
  { data: { resourceType: R } }
>;
/** The `data` of one resource's event. */
export type StatusEventDataOf<R extends ResourceType> = StatusEventOf<R>["data"];

export type MessageStatusEvent = StatusEventOf<"Message">;
export type MessageData = StatusEventDataOf<"Message">;
export type CallStatusEvent = StatusEventOf<"Call">;
export type CallData = StatusEventDataOf<"Call">;
export type RecordingStatusEvent = StatusEventOf<"Recording">;
export type RecordingData = StatusEventDataOf<"Recording">;
export type ConferenceStatusEvent = StatusEventOf<"Conference">;
export type ConferenceData = StatusEventDataOf<"Conference">;
export type RoomStatusEvent = StatusEventOf<"Room">;
export type RoomData = StatusEventDataOf<"Room">;
export type CompositionStatusEvent = StatusEventOf<"Composition">;
export type CompositionData = StatusEventDataOf<"Composition">;
export type MediaProcessorStatusEvent = StatusEventOf<"MediaProcessor">;
export type MediaProcessorData = StatusEventDataOf<"MediaProcessor">;
export type PlayerStreamerStatusEvent = StatusEventOf<"PlayerStreamer">;
export type PlayerStreamerData = StatusEventDataOf<"PlayerStreamer">;
export type UnknownResourceStatusEvent = StatusEventOf<"unknown">;
export type UnknownResourceData = z.infer<typeof UnknownResourceDataSchema>;
