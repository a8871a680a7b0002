/**
 * Reading the project's Markdown the way the docs tests check it: code blocks and the example
 * files they copy, references to issue numbers, and the npm scripts a page tells the reader to run.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** The repository's root directory. */
export const ROOT = resolve(import.meta.dirname, "../..");

/** A documentation page: its path from the root and its text. */
export interface Doc {
  readonly path: string;
  readonly text: string;
}

/** README.md and every docs/*.md, in a stable order. */
export function readDocs(): Doc[] {
  const pages = readdirSync(join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`);
  return ["README.md", ...pages].map((path) => ({
    path,
    text: readFileSync(join(ROOT, path), "utf8"),
  }));
}

/** A fenced code block: its language tag, its content, where it starts, and its example marker. */
export interface CodeBlock {
  /** The info string after the opening fence (`ts`, `sh`, ...), empty when there is none. */
  readonly language: string;
  /** The lines between the fences, each ending in a newline. */
  readonly code: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The file named by an `<!-- example: path -->` comment on the line before the fence. */
  readonly example: string | undefined;
}

/** An `<!-- example: path -->` marker that does not sit right above a code block. */
export interface StrayMarker {
  readonly example: string;
  readonly line: number;
}

const FENCE = /^(```+|~~~+)\s*([\w+-]*)/;
const MARKER = /^<!--\s*example:\s*(\S+)\s*-->\s*$/;

/** Every fenced code block of a Markdown text, and the example markers that precede none. */
export function codeBlocks(markdown: string): { blocks: CodeBlock[]; strayMarkers: StrayMarker[] } {
  const lines = markdown.split("\n");
  const blocks: CodeBlock[] = [];
  const strayMarkers: StrayMarker[] = [];
  let pending: StrayMarker | undefined;
  for (let i = 0; i < lines.length; i += 1) {
    const text = lines[i] ?? "";
    const marker = MARKER.exec(text);
    if (marker) {
      if (pending) strayMarkers.push(pending);
      pending = { example: marker[1] ?? "", line: i + 1 };
      continue;
    }
    const fence = FENCE.exec(text);
    if (!fence) {
      if (pending && text.trim() !== "") {
        strayMarkers.push(pending);
        pending = undefined;
      }
      continue;
    }
    const close = fence[1] ?? "```";
    const start = i;
    const body: string[] = [];
    for (i += 1; i < lines.length && !(lines[i] ?? "").startsWith(close); i += 1) {
      body.push(`${lines[i]}\n`);
    }
    blocks.push({
      language: fence[2] ?? "",
      code: body.join(""),
      line: start + 1,
      example: pending?.example,
    });
    pending = undefined;
  }
  if (pending) strayMarkers.push(pending);
  return { blocks, strayMarkers };
}

/** Languages whose samples must be files under examples/, type-checked with the project. */
export const CHECKED_LANGUAGES: ReadonlySet<string> = new Set([
  "ts",
  "typescript",
  "js",
  "javascript",
  "mjs",
  "cjs",
  "tsx",
]);

// `#12` or `(#12)`, but not a link to a heading (`](#1-cpu)`, `page.md#2-x`), an HTML entity
// (`&#123;`) or a word ending in a number sign; "issue 12", "issues 10-13", "issue-12", "issue #12".
const ISSUE_REFERENCES = [/(?<![\w&/.\]#])(?<!\]\()#\d+\b/g, /\bissues?[\s-]*#?\d+/gi];

/** The places where a text refers to an issue or pull request by its number. */
export function issueReferences(text: string): string[] {
  return ISSUE_REFERENCES.flatMap((pattern) => [...text.matchAll(pattern)].map((m) => m[0]));
}

/** The package.json scripts a text tells the reader to run (`npm run x`, `npm start`, `npm test`). */
export function npmScriptsNamed(text: string): string[] {
  const named = new Set<string>();
  for (const match of text.matchAll(/\bnpm run(?:-script)? ([\w:.-]+)/g)) named.add(match[1] ?? "");
  for (const match of text.matchAll(/\bnpm (start|test|stop|restart)\b/g))
    named.add(match[1] ?? "");
  return [...named].sort();
}

/** A link in a Markdown text: its target as written and the line it is on. */
export interface MarkdownLink {
  readonly target: string;
  readonly line: number;
}

/**
 * The relative links of a Markdown text (`[text](target)`, not `http:`, `https:` or `mailto:`),
 * outside fenced code blocks and inline code. Same-page links (`#anchor`) are included.
 */
export function relativeLinks(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  let fence: string | undefined;
  markdown.split("\n").forEach((text, index) => {
    const opening = FENCE.exec(text);
    if (opening) {
      const marker = opening[1] ?? "```";
      if (fence === undefined) fence = marker;
      else if (text.startsWith(fence)) fence = undefined;
      return;
    }
    if (fence !== undefined) return;
    const prose = text.replace(/`[^`]*`/g, "");
    for (const match of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = match[1] ?? "";
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      links.push({ target, line: index + 1 });
    }
  });
  return links;
}

/**
 * The anchors GitHub gives a Markdown text's headings: lower case, punctuation other than `-`
 * and `_` dropped, each space a `-`, and `-1`, `-2`, ... after a repeated one.
 */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  let fence: string | undefined;
  for (const text of markdown.split("\n")) {
    const opening = FENCE.exec(text);
    if (opening) {
      const marker = opening[1] ?? "```";
      if (fence === undefined) fence = marker;
      else if (text.startsWith(fence)) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(text);
    if (!heading) continue;
    const slug = (heading[1] ?? "")
      .toLowerCase()
      .replace(/<[^>]+>/g, "")
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/ /g, "-");
    const seen = counts.get(slug) ?? 0;
    counts.set(slug, seen + 1);
    anchors.add(seen === 0 ? slug : `${slug}-${seen}`);
  }
  return anchors;
}
