import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { statusEventTypes } from "../../lib/events/registry.ts";
import {
  README_TYPES_END,
  README_TYPES_START,
  renderEventDocs,
  renderReadmeEventTypes,
  typesInReadmeList,
  withEventDocs,
  withReadmeEventTypes,
} from "../../testing/event-docs.ts";

const file = resolve(import.meta.dirname, "../../docs/events.md");
const readmeFile = resolve(import.meta.dirname, "../../README.md");

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

describe("README.md's list of event types", () => {
  it("is the list the registry generates today (run npm run docs:events if not)", () => {
    // Prepare
    const markdown = readFileSync(readmeFile, "utf8");
    // Act
    const regenerated = withReadmeEventTypes(markdown);
    // Assess
    expect(markdown).toContain(renderReadmeEventTypes());
    expect(regenerated).toBe(markdown);
  });

  it("names every type the relay can emit, and no other", () => {
    // Prepare
    const markdown = readFileSync(readmeFile, "utf8");
    const section = markdown.slice(
      markdown.indexOf(README_TYPES_START),
      markdown.indexOf(README_TYPES_END),
    );
    // Act
    const listed = typesInReadmeList(section);
    // Assess
    expect([...listed].sort()).toEqual([...statusEventTypes].sort());
  });

  it("refuses to rewrite a README whose list lost its markers", () => {
    expect(() => withReadmeEventTypes("# readme\n")).toThrow(/no generated list/);
  });
});
