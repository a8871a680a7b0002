import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";
import {
  CHECKED_LANGUAGES,
  codeBlocks,
  headingAnchors,
  issueReferences,
  npmScriptsNamed,
  ROOT,
  readDocs,
  relativeLinks,
} from "../helpers/docs.ts";

const docs = readDocs();
const readme = docs.find((doc) => doc.path === "README.md")?.text ?? "";
const packageScripts = Object.keys(
  (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: object }).scripts,
);

describe("the docs checks themselves", () => {
  it("find a marked block, its example file and an unmarked one", () => {
    // Prepare
    const markdown = [
      "<!-- example: examples/a.ts -->",
      "```ts",
      "const a = 1;",
      "```",
      "",
      "```ts",
      "const b = 2;",
      "```",
    ].join("\n");

    // Act
    const { blocks, strayMarkers } = codeBlocks(markdown);

    // Assess
    expect(blocks).toEqual([
      { language: "ts", code: "const a = 1;\n", line: 2, example: "examples/a.ts" },
      { language: "ts", code: "const b = 2;\n", line: 6, example: undefined },
    ]);
    expect(strayMarkers).toEqual([]);
  });

  it("report a marker followed by prose instead of a code block", () => {
    // Prepare
    const markdown = ["<!-- example: examples/a.ts -->", "Some prose.", "```ts", "x;", "```"].join(
      "\n",
    );

    // Act
    const { blocks, strayMarkers } = codeBlocks(markdown);

    // Assess
    expect(strayMarkers).toEqual([{ example: "examples/a.ts", line: 1 }]);
    expect(blocks[0]?.example).toBeUndefined();
  });

  it("find issue numbers however they are written", () => {
    // Prepare
    const text = "Fixed in #12. Issue 5 asks; see issues 10-13, issue-14 and (issue #7).";

    // Act
    const found = issueReferences(text);

    // Assess
    expect(found).toEqual(["#12", "#7", "Issue 5", "issues 10", "issue-14", "issue #7"]);
  });

  it("take heading links, HTML entities and status codes for what they are", () => {
    // Prepare
    const text =
      "See [rows](performance.md#1-cpu) and [here](#2-cold), &#123;, a 403, and the issue the tests cover.";

    // Act
    const found = issueReferences(text);

    // Assess
    expect(found).toEqual([]);
  });

  it("read the npm scripts a page names, with or without arguments", () => {
    // Prepare
    const text =
      "Run `npm test`, then `npm start -- --keep` and `npm run trigger -- all`; `npm ci`.";

    // Act
    const named = npmScriptsNamed(text);

    // Assess
    expect(named).toEqual(["start", "test", "trigger"]);
  });
});

describe("the link checks themselves", () => {
  it("find relative links and same-page anchors, but not web links or links in code", () => {
    // Prepare
    const markdown = [
      "See [events](events.md#the-id), [top](#intro) and [site](https://example.com).",
      "Not `[code](nowhere.md)`.",
      "```md",
      "[in a block](nowhere.md)",
      "```",
      "[file](../examples/consumer.ts)",
    ].join("\n");

    // Act
    const links = relativeLinks(markdown);

    // Assess
    expect(links).toEqual([
      { target: "events.md#the-id", line: 1 },
      { target: "#intro", line: 1 },
      { target: "../examples/consumer.ts", line: 6 },
    ]);
  });

  it("give headings GitHub's anchors: punctuation dropped, spaces to hyphens, repeats numbered", () => {
    // Prepare
    const markdown = [
      "# The events on the queue",
      "### Keeping events for your own consumer: `--keep`",
      "## Cold start as deployed (rows 3 and 4), median of 21",
      "## Proof",
      "## Proof",
    ].join("\n");

    // Act
    const anchors = headingAnchors(markdown);

    // Assess
    expect([...anchors]).toEqual([
      "the-events-on-the-queue",
      "keeping-events-for-your-own-consumer---keep",
      "cold-start-as-deployed-rows-3-and-4-median-of-21",
      "proof",
      "proof-1",
    ]);
  });
});

describe("the documentation", () => {
  it.each(docs.map((doc) => [doc.path, doc.text] as const))(
    "%s links only to files and headings that exist",
    (path, text) => {
      // Prepare
      const links = relativeLinks(text);

      // Act
      const broken = links.filter(({ target }) => {
        const [file = "", anchor] = target.split("#", 2);
        const resolved =
          file === "" ? join(ROOT, path) : normalize(join(ROOT, dirname(path), file));
        if (!resolved.startsWith(ROOT) || !existsSync(resolved)) return true;
        if (anchor === undefined || !resolved.endsWith(".md")) return false;
        return !headingAnchors(readFileSync(resolved, "utf8")).has(decodeURIComponent(anchor));
      });

      // Assess
      expect(broken.map((link) => `${path}:${link.line} ${link.target}`)).toEqual([]);
    },
  );

  it.each(docs.map((doc) => [doc.path, doc.text] as const))(
    "%s copies each marked code sample verbatim from its file under examples/",
    (path, text) => {
      // Prepare
      const marked = codeBlocks(text).blocks.filter((block) => block.example !== undefined);

      // Act
      const mismatched = marked.filter((block) => {
        const file = join(ROOT, block.example ?? "");
        return !existsSync(file) || readFileSync(file, "utf8") !== block.code;
      });

      // Assess
      expect(
        mismatched.map((block) => `${path}:${block.line} differs from ${block.example}`),
      ).toEqual([]);
    },
  );

  it.each(docs.map((doc) => [doc.path, doc.text] as const))(
    "%s keeps every TypeScript or JavaScript sample in examples/, marked above its block",
    (path, text) => {
      // Prepare
      const { blocks, strayMarkers } = codeBlocks(text);

      // Act
      const unmarked = blocks.filter(
        (block) => CHECKED_LANGUAGES.has(block.language) && block.example === undefined,
      );
      const outsideExamples = blocks.filter(
        (block) => block.example !== undefined && !block.example.startsWith("examples/"),
      );

      // Assess
      expect(unmarked.map((block) => `${path}:${block.line} (${block.language})`)).toEqual([]);
      expect(outsideExamples.map((block) => `${path}:${block.line} ${block.example}`)).toEqual([]);
      expect(strayMarkers.map((marker) => `${path}:${marker.line} ${marker.example}`)).toEqual([]);
    },
  );

  it("shows every file under examples/ on some page", () => {
    // Prepare
    const shown = new Set(
      docs.flatMap((doc) => codeBlocks(doc.text).blocks.map((block) => block.example)),
    );

    // Act
    const unshown = readdirSync(join(ROOT, "examples"))
      .map((name) => `examples/${name}`)
      .filter((file) => !shown.has(file));

    // Assess
    expect(unshown).toEqual([]);
  });

  it.each(docs.map((doc) => [doc.path, doc.text] as const))(
    "%s refers to no issue by its number",
    (_path, text) => {
      // Act
      const found = issueReferences(text);

      // Assess
      expect(found).toEqual([]);
    },
  );

  it.each(docs.map((doc) => [doc.path, doc.text] as const))(
    "%s names only npm scripts that package.json defines",
    (_path, text) => {
      // Act
      const missing = npmScriptsNamed(text).filter((name) => !packageScripts.includes(name));

      // Assess
      expect(missing).toEqual([]);
    },
  );

  it("README tells a newcomer to run npm test", () => {
    // Assess
    expect(readme).toContain("npm test");
  });

  it("README stays short enough to read in one sitting: 200 lines at most", () => {
    // Act
    const lines = readme.split("\n").length;

    // Assess
    expect(lines).toBeLessThanOrEqual(200);
  });
});
