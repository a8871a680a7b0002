/**
 * The event the relay puts on the queue: a CloudEvents 1.0 JSON envelope around typed `data`.
 * Exported for consumers: `StatusEventSchema` validates a message body, `StatusEvent` types it.
 */
import * as z from "zod/mini";
import { resources } from "./registry.ts";
import { unrecognizedParametersSchema } from "./resources/define.ts";

/** `type` of a validly signed callback from a resource the relay does not know. */
export const UNKNOWN_RESOURCE_TYPE = "com.twilio.status-callback.unknown";
/** `dataschema` of such an event. */
export const UNKNOWN_RESOURCE_DATASCHEMA = "urn:twilio-status-relay:schema:unknown-resource:v1";

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

type KnownDataSchema = (typeof resources)[number]["dataSchema"];
const knownDataSchemas = resources.map((resource) => resource.dataSchema) as [
  KnownDataSchema,
  ...KnownDataSchema[],
];

/** `data` of any relayed event, discriminated by `resourceType`; built from the registry. */
export const StatusEventDataSchema = z.discriminatedUnion("resourceType", [
  ...knownDataSchemas,
  UnknownResourceDataSchema,
]);

/** A relayed status callback, as read from the queue. */
export const StatusEventSchema = z.object({
  specversion: z.literal("1.0"),
  id: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  source: z.string(),
  subject: z.string(),
  type: z.string().check(z.regex(/^com\.twilio\./)),
  time: z.string(),
  datacontenttype: z.literal("application/json"),
  dataschema: z.string(),
  data: StatusEventDataSchema,
});

export type StatusEvent = z.infer<typeof StatusEventSchema>;
export type StatusEventData = StatusEvent["data"];
export type MediaProcessorData = Extract<StatusEventData, { resourceType: "MediaProcessor" }>;
export type PlayerStreamerData = Extract<StatusEventData, { resourceType: "PlayerStreamer" }>;
export type UnknownResourceData = z.infer<typeof UnknownResourceDataSchema>;
