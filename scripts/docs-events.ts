/**
 * `npm run docs:events`: rewrites the generated sections from the registry: docs/events.md's
 * tables (every event type and each resource's fields) and README.md's list of every event type.
 * Run it after adding or changing a resource.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { withEventDocs, withReadmeEventTypes } from "../testing/event-docs.ts";

const pages: [string, (markdown: string) => string][] = [
  [resolve(import.meta.dirname, "../docs/events.md"), withEventDocs],
  [resolve(import.meta.dirname, "../README.md"), withReadmeEventTypes],
];
for (const [file, regenerate] of pages) {
  const before = readFileSync(file, "utf8");
  const after = regenerate(before);
  if (after === before) {
    console.log(`${file} is up to date`);
  } else {
    writeFileSync(file, after);
    console.log(`${file} rewritten from the registry`);
  }
}
