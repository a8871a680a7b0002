/**
 * The event contract, the package's main entry (`twilio-status-relay`): the event's types and
 * schema, the parser of a queue message, the list of event types, and the one-line summary.
 */
export { InvalidEventError, RelayError } from "./errors.ts";
export { parseStatusEvent } from "./parse.ts";
export { statusEventTypes, UNKNOWN_RESOURCE_TYPE } from "./registry.ts";
export {
  type MediaProcessorStatusEvent,
  type PlayerStreamerStatusEvent,
  type StatusEvent,
  type StatusEventOf,
  StatusEventSchema,
  statusEventSchema,
  type UnknownResourceStatusEvent,
} from "./schemas.ts";
export { formatStatusEvent } from "./summary.ts";
