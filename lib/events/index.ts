/**
 * The event contract, the package's main entry (`twilio-status-relay`): the event's types and
 * schema, the parser of a queue message, the list of event types, and the one-line summary.
 */
export {
  parseRelayedEvent,
  type RelayedEvent,
  type TwilioCloudEvent,
  TwilioCloudEventSchema,
} from "./cloud-event.ts";
export { InvalidEventError, RelayError } from "./errors.ts";
export { parseStatusEvent } from "./parse.ts";
export { statusEventTypes, UNKNOWN_RESOURCE_TYPE } from "./registry.ts";
export {
  type CallData,
  type CallStatusEvent,
  type CompositionData,
  type CompositionStatusEvent,
  type ConferenceData,
  type ConferenceStatusEvent,
  type MediaProcessorData,
  type MediaProcessorStatusEvent,
  type MessageData,
  type MessageStatusEvent,
  type PlayerStreamerData,
  type PlayerStreamerStatusEvent,
  type RecordingData,
  type RecordingStatusEvent,
  type ResourceType,
  type RoomData,
  type RoomStatusEvent,
  type StatusEvent,
  type StatusEventData,
  type StatusEventOf,
  StatusEventSchema,
  statusEventSchema,
  type UnknownResourceData,
  type UnknownResourceStatusEvent,
} from "./schemas.ts";
export { formatStatusEvent } from "./summary.ts";
