/**
 * The package's public entry (`twilio-status-relay`): parse and type the events the relay puts
 * on the queue.
 */
export { parseStatusEvent } from "./parse.ts";
export type { StatusEvent } from "./schemas.ts";
