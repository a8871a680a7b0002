import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { statusEventTypes } from "../../lib/events/registry.ts";
import { renderEventDocs, withEventDocs } from "../../testing/event-docs.ts";

const file = resolve(import.meta.dirname, "../../docs/events.md");

describe("docs/events.md", () => {
  it("holds the tables the registry generates today (run npm run docs:events if not)", () => {
    // Prepare
    const markdown = readFileSync(file, "utf8");
    // Act
    const regenerated = withEventDocs(markdown);
    // Assess
    expect(markdown).toContain(renderEventDocs());
    expect(regenerated).toBe(markdown);
  });

  it("lists every type the relay can emit", () => {
    const markdown = readFileSync(file, "utf8");
    for (const type of statusEventTypes) expect(markdown).toContain(`| \`${type}\` |`);
  });

  it("refuses to rewrite a file whose generated section lost its markers", () => {
    expect(() => withEventDocs("# events\n")).toThrow(/no generated section/);
  });
});
