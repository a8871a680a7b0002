/**
 * The event the relay puts on the queue: a CloudEvents 1.0 JSON envelope around typed `data`.
 * Exported for consumers: `statusEventSchema` validates a message body, `StatusEvent` types it.
 * One shape per resource, told apart by `type`, whose `data` is that resource's; built from the
 * registry.
 */
import * as z from "zod/mini";
import { eventTypesOf, resources, UNKNOWN_RESOURCE_TYPE } from "./registry.ts";
import {
  type ResourceDefinition,
  type Status,
  unrecognizedParametersSchema,
} from "./resources/define.ts";

export { UNKNOWN_RESOURCE_TYPE };
/** `dataschema` of such an event. */
export const UNKNOWN_RESOURCE_DATASCHEMA = "urn:twilio-status-relay:schema:unknown-resource:v1";

/** `data` of a callback from a resource the relay does not know: everything, verbatim. */
const UnknownResourceDataSchema = z.object({
  resourceType: z.literal("unknown"),
  status: z.literal("unknown"),
  statusCallbackEvent: z.optional(z.string()),
  accountSid: z.optional(z.string()),
  timestamp: z.optional(z.string()),
  url: z.optional(z.string()),
  unrecognizedParameters: unrecognizedParametersSchema,
});

/** The CloudEvents envelope around `data`, in the order the relay writes it. */
function envelope<T extends z.core.$ZodType, D extends z.core.$ZodType>(type: T, data: D) {
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

type KnownDataSchema = (typeof resources)[number]["dataSchema"];
const knownDataSchemas = resources.map((resource) => resource.dataSchema) as [
  KnownDataSchema,
  ...KnownDataSchema[],
];

/**
 * Any event with any resource's `data` and any `com.twilio.` type: the shape without the tie
 * between `type` and `data`. Used to word what is wrong with a message that is no event.
 */
export const StatusEventEnvelopeSchema = envelope(
  z.string().check(z.regex(/^com\.twilio\./)),
  z.discriminatedUnion("resourceType", [...knownDataSchemas, UnknownResourceDataSchema]),
);

function eventSchemaOf(resource: ResourceDefinition) {
  return envelope(z.enum(eventTypesOf(resource) as [string, ...string[]]), resource.dataSchema);
}

const unknownResourceEventSchema = envelope(
  z.literal(UNKNOWN_RESOURCE_TYPE),
  UnknownResourceDataSchema,
);

type EventSchema = ReturnType<typeof eventSchemaOf> | typeof unknownResourceEventSchema;
const eventSchemas: EventSchema[] = [...resources.map(eventSchemaOf), unknownResourceEventSchema];

/**
 * A relayed status callback, as read from the queue; one shape per resource, by `type`. Typed
 * {@link StatusEvent}: what it checks at run time, `type` tied to its resource's `data`, is what
 * that type says (the registry's types are not literal enough for zod to infer it).
 */
export const StatusEventSchema = z.discriminatedUnion(
  "type",
  eventSchemas as [EventSchema, ...EventSchema[]],
) as z.ZodMiniType<StatusEvent, unknown>;

/** {@link StatusEventSchema}, under the name the package exports. */
export const statusEventSchema = StatusEventSchema;

type Envelope = Omit<z.infer<typeof StatusEventEnvelopeSchema>, "type" | "data">;
type Flat<T> = { [K in keyof T]: T[K] };
type KnownEvent<R> =
  // biome-ignore lint/suspicious/noExplicitAny: any parameters; only data and type matter here
  R extends ResourceDefinition<any, infer D, infer T>
    ? Flat<Envelope & { type: `${T}.${Status}`; data: z.infer<D> }>
    : never;

/** `data` of a callback from a resource the relay does not know. */
export type UnknownResourceData = z.infer<typeof UnknownResourceDataSchema>;

/**
 * A relayed status callback, as read from the queue: a union of one event type per resource.
 * Narrowing on `type` or on `data.resourceType` gives that resource's `data`.
 */
export type StatusEvent =
  | KnownEvent<(typeof resources)[number]>
  | Flat<Envelope & { type: typeof UNKNOWN_RESOURCE_TYPE; data: UnknownResourceData }>;

/** The event of one resource, by `data.resourceType`: `StatusEventOf<"MediaProcessor">`. */
export type StatusEventOf<R extends string> = Extract<StatusEvent, { data: { resourceType: R } }>;

/** A MediaProcessor's event (`com.twilio.media.media-processor.*`). */
export type MediaProcessorStatusEvent = StatusEventOf<"MediaProcessor">;
/** A PlayerStreamer's event (`com.twilio.media.player-streamer.*`). */
export type PlayerStreamerStatusEvent = StatusEventOf<"PlayerStreamer">;
/** The event of a resource the relay does not know (`com.twilio.status-callback.unknown`). */
export type UnknownResourceStatusEvent = StatusEventOf<"unknown">;
