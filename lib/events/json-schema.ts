/**
 * The JSON Schema (2020-12) of the relayed event, generated from the zod schemas, for consumers
 * in other languages. `npm run schema` writes it to `schema/status-event.schema.json`; a test
 * fails when the committed file is stale.
 */
import * as z from "zod/mini";
import { StatusEventSchema } from "./schemas.ts";

/** Where the schema is published, as its `$id`. */
const STATUS_EVENT_SCHEMA_ID = "urn:twilio-status-relay:schema:status-event";

/**
 * The event's JSON Schema. Generated as the parser reads input: an object may carry fields it
 * does not know (a compatible addition does not break older consumers), as `parseStatusEvent`
 * accepts them.
 */
function statusEventJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(StatusEventSchema, { target: "draft-2020-12", io: "input" }),
    $id: STATUS_EVENT_SCHEMA_ID,
    title: "twilio-status-relay status event",
    description:
      "A Twilio status callback relayed by twilio-status-relay: a CloudEvents 1.0 JSON envelope " +
      "whose `type` names the resource and status and whose `data` is that resource's.",
  };
}

/** The schema as the file holds it: two-space indented JSON and a final newline. */
export function statusEventJsonSchemaText(): string {
  return `${JSON.stringify(statusEventJsonSchema(), null, 2)}\n`;
}
