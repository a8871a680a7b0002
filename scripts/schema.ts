/** `npm run schema`: writes the event's JSON Schema to schema/status-event.schema.json. */
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { statusEventJsonSchemaText } from "../lib/events/json-schema.ts";

const file = resolve(import.meta.dirname, "../schema/status-event.schema.json");
await writeFile(file, statusEventJsonSchemaText());
console.log(`wrote ${file}`);
