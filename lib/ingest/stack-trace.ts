/**
 * Stack traces into the TypeScript sources without `--enable-source-maps`: that flag makes Node
 * parse the bundle's source map at every cold start, for traces the relay rarely prints. Here a
 * trace is mapped only when an error is logged, through the map next to the bundle
 * (`index.cjs.map`), read once, the first time it is needed.
 */
import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { dirname, resolve } from "node:path";

// A frame in a JavaScript file: "    at name (/var/task/index.cjs:1:2345)" or "    at /var/task/index.cjs:1:2345".
const FRAME = /^(\s*at (?:.*? \()?)([^()\s]+\.[cm]?js):(\d+):(\d+)(\)?)$/;

// Per file: its source map, or null when it has none (or none that parses).
const maps = new Map<string, SourceMap | null>();

function sourceMapOf(file: string): SourceMap | null {
  let map = maps.get(file);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, "utf8")));
    } catch {
      map = null;
    }
    maps.set(file, map);
  }
  return map;
}

/**
 * Rewrites the frames of `stack` that point into a bundle with a source map (`<file>.map` beside
 * it) to the original file, line and column. Other frames, and a stack Node already mapped, are
 * left as they are.
 */
export function mapStackTrace(stack: string): string {
  return stack
    .split("\n")
    .map((line) => {
      const frame = FRAME.exec(line);
      if (!frame) return line;
      const [, head = "", file = "", row = "", column = "", tail = ""] = frame;
      const origin = sourceMapOf(file)?.findOrigin(Number(row), Number(column));
      if (!origin || !("fileName" in origin)) return line;
      const source = resolve(dirname(file), origin.fileName);
      return `${head}${source}:${origin.lineNumber}:${origin.columnNumber}${tail}`;
    })
    .join("\n");
}

const mapped = new WeakSet<Error>();

/** Maps the stack of `error` and of its causes, once each (see {@link mapStackTrace}). */
export function mapErrorStack(error: Error): void {
  for (let e: unknown = error; e instanceof Error && !mapped.has(e); e = e.cause) {
    mapped.add(e);
    if (typeof e.stack === "string") e.stack = mapStackTrace(e.stack);
  }
}
