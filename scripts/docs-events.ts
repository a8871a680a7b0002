/**
 * `npm run docs:events`: rewrites the generated section of docs/events.md (every event type and
 * each resource's fields) from the registry. Run it after adding or changing a resource.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { withEventDocs } from "../testing/event-docs.ts";

const file = resolve(import.meta.dirname, "../docs/events.md");
const before = readFileSync(file, "utf8");
const after = withEventDocs(before);
if (after === before) {
  console.log(`${file} is up to date`);
} else {
  writeFileSync(file, after);
  console.log(`${file} rewritten from the registry`);
}
