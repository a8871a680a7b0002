/**
 * Reading the relay's own log output: the events it logged whole because SQS refused them
 * ("publish failed"), to be republished exactly as the relay would have sent them; and the signed
 * callbacks it refused (malformed, or by the user's policy), logged for a human to look at. Used
 * by `npm run replay` and by the recover function, which gets the same lines from CloudWatch Logs.
 */
import { gunzipSync } from "node:zlib";

/** The relay's log messages this reads (lib/ingest/handler.ts). */
export const PUBLISH_FAILED = "publish failed";
export const MALFORMED = "signed callback does not match the schema";
export const REFUSED_BY_POLICY = "callback refused by policy";
export const PUBLISHED = "published";

/** An event the relay logged whole; `event` is the object it meant to publish, unchanged. */
export interface LoggedEvent {
  readonly id: string;
  readonly type: string;
  readonly event: Record<string, unknown>;
  /** When the relay logged it (ISO 8601), if the log line says. */
  readonly loggedAt: string | undefined;
}

/** A signed callback refused because it did not match the schema, as logged. */
export interface MalformedCallback {
  readonly problems: unknown;
  readonly parameters: Record<string, unknown>;
  readonly loggedAt: string | undefined;
}

/** A signed callback refused by the relay's policy (allowed accounts, maximum age), as logged. */
export interface RefusedCallback extends LoggedEvent {
  readonly reason: string;
}

export interface RelayLog {
  /** Events that could not be published, oldest first, each once (Twilio's retries log it again). */
  readonly unpublished: LoggedEvent[];
  /** Of those logged as failed, the ids a later retry did publish ("published", at DEBUG level). */
  readonly publishedOnRetry: string[];
  readonly malformed: MalformedCallback[];
  readonly refusedByPolicy: RefusedCallback[];
  /** Log records read (JSON objects found), whatever their message. */
  readonly records: number;
  /** Non-empty lines that held no JSON log record (START/END lines, other tools' output). */
  readonly skippedLines: number;
  /**
   * Why the file may not hold every log event of the time it covers, as the AWS CLI's own output
   * shows it: a last `filter-log-events` page that names a next one, or `get-log-events` output,
   * which the CLI never pages through. Empty when nothing shows the file to be short.
   */
  readonly incomplete: string[];
}

/**
 * Reads the relay's log output in any of the forms an operator gets it:
 * - JSON lines as the function writes them (Lambda, `npm start`, serverless-offline);
 * - lines with a prefix before the JSON, as `sls logs` prints them (`<time>\t<level>\t{...}`),
 *   as the Lambda runtime writes console output (`<time>\t<request id>\t<LEVEL>\t{...}`), or as a
 *   CloudWatch Logs export to S3 holds them (`<time> {...}`), with or without colour codes;
 * - the JSON of `aws logs filter-log-events` or `aws logs get-log-events` (`events[].message`),
 *   one document or several pages of them one after the other, and of a Logs Insights export
 *   (`[{"@message": ...}]`);
 * - any of these gzipped (CloudWatch exports to S3 are).
 */
export function readRelayLog(content: Buffer | string): RelayLog {
  const text =
    typeof content === "string"
      ? content
      : (isGzip(content) ? gunzipSync(content) : content).toString("utf8");
  const cloudWatch = cloudWatchMessages(text);
  const messages = cloudWatch?.messages ?? text.split(/\r?\n/);
  const records: Record<string, unknown>[] = [];
  let skippedLines = 0;
  for (const message of messages) {
    // One CloudWatch event may hold several lines.
    for (const line of message.split(/\r?\n/)) {
      if (line.trim() === "") continue;
      const record = logRecord(line);
      if (record) records.push(record);
      else skippedLines += 1;
    }
  }
  return classify(records, skippedLines, cloudWatch?.incomplete ?? []);
}

function classify(
  records: Record<string, unknown>[],
  skippedLines: number,
  incomplete: string[],
): RelayLog {
  const unpublished = new Map<string, LoggedEvent>();
  const published = new Set<string>();
  const malformed: MalformedCallback[] = [];
  const refused = new Map<string, RefusedCallback>();
  for (const record of ordered(records)) {
    const loggedAt = typeof record.timestamp === "string" ? record.timestamp : undefined;
    const logged = loggedEvent(record.event, loggedAt);
    switch (record.message) {
      case PUBLISH_FAILED:
        if (logged && !unpublished.has(logged.id)) unpublished.set(logged.id, logged);
        break;
      case PUBLISHED:
        if (typeof record.eventId === "string") published.add(record.eventId);
        break;
      case MALFORMED:
        malformed.push({
          problems: record.problems,
          parameters: isObject(record.parameters) ? record.parameters : {},
          loggedAt,
        });
        break;
      case REFUSED_BY_POLICY:
        if (logged && !refused.has(logged.id)) {
          refused.set(logged.id, { ...logged, reason: String(record.reason ?? "unknown") });
        }
        break;
    }
  }
  const publishedOnRetry = [...unpublished.keys()].filter((id) => published.has(id));
  return {
    unpublished: [...unpublished.values()].filter((logged) => !published.has(logged.id)),
    publishedOnRetry,
    malformed,
    refusedByPolicy: [...refused.values()],
    records: records.length,
    skippedLines,
    incomplete,
  };
}

// The order the relay handled them in, so that each resource's events go out in their order
// (CloudWatch interleaves log streams; a file of lines is already in order).
function ordered(records: Record<string, unknown>[]): Record<string, unknown>[] {
  const times = records.map((record) =>
    typeof record.timestamp === "string" ? Date.parse(record.timestamp) : Number.NaN,
  );
  if (times.some(Number.isNaN)) return records;
  return records
    .map((record, index) => ({ record, time: times[index] ?? 0 }))
    .sort((a, b) => a.time - b.time)
    .map(({ record }) => record);
}

function loggedEvent(value: unknown, loggedAt: string | undefined): LoggedEvent | undefined {
  if (!isObject(value) || typeof value.id !== "string" || value.id === "") return undefined;
  return {
    id: value.id,
    type: typeof value.type === "string" ? value.type : "(no type)",
    event: value,
    loggedAt,
  };
}

/**
 * The JSON log record in one log line, after whatever prefix the tool or the Lambda runtime put
 * before it (and inside Lambda's JSON wrapper of console output); undefined when it holds none.
 */
export function logRecord(line: string): Record<string, unknown> | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes start with ESC.
  const plain = line.replace(/\x1b\[[0-9;]*m/g, "");
  const start = plain.indexOf("{");
  if (start === -1) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(plain.slice(start));
  } catch {
    return undefined;
  }
  if (!isObject(parsed)) return undefined;
  // Lambda's JSON log format wraps console output: {"timestamp", "level", "requestId", "message"}.
  if (typeof parsed.message === "string" && parsed.message.trimStart().startsWith("{")) {
    return logRecord(parsed.message) ?? parsed;
  }
  if (isObject(parsed.message)) return parsed.message;
  return parsed;
}

/**
 * The messages of CloudWatch Logs JSON documents (one, or pages printed one after the other), or
 * undefined if the text is not made of them.
 */
function cloudWatchMessages(
  text: string,
): { messages: string[]; incomplete: string[] } | undefined {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) return undefined;
  const documents = jsonDocuments(text, (document) =>
    isObject(document) ? Array.isArray(document.events) : Array.isArray(document),
  );
  if (documents === undefined || documents.length === 0) return undefined;
  const messages: string[] = [];
  for (const document of documents) {
    const events = Array.isArray(document)
      ? document
      : isObject(document) && Array.isArray(document.events)
        ? document.events
        : undefined;
    if (!events) return undefined;
    const found = events
      .map((event: unknown) => (isObject(event) ? (event.message ?? event["@message"]) : undefined))
      .filter((message: unknown): message is string => typeof message === "string");
    // An array of log records (not of CloudWatch events) is no CloudWatch document; nor, so, is
    // a file of JSON lines.
    if (found.length === 0 && events.length > 0) return undefined;
    messages.push(...found);
  }
  return { messages, incomplete: pagesMissing(documents) };
}

/** What the CLI's pagination fields say is not in the file. */
function pagesMissing(documents: unknown[]): string[] {
  const incomplete: string[] = [];
  const last = documents.at(-1);
  // The CLI prints NextToken when --max-items cut the output short; the API's own is nextToken.
  const next = isObject(last) ? (last.NextToken ?? last.nextToken) : undefined;
  if (typeof next === "string" && next !== "") {
    incomplete.push(
      "its last `aws logs filter-log-events` page ends with a NextToken: more events follow that the file does not hold (run it without --max-items, or again with --starting-token, and append)",
    );
  }
  if (documents.some((document) => isObject(document) && "nextForwardToken" in document)) {
    incomplete.push(
      "it holds `aws logs get-log-events` output, which is one page of one log stream (the newest events, unless --start-from-head), never paged through by the CLI: events outside that page are missing; `aws logs filter-log-events` reads the whole log group",
    );
  }
  return incomplete;
}

/**
 * The JSON values of a text holding one or more of them one after the other (whitespace
 * between), as a shell loop appending the CLI's pages to one file writes them; undefined when
 * the text is anything else, or when a document fails `accept` (which spares reading a whole
 * file of JSON lines this way).
 */
function jsonDocuments(
  text: string,
  accept: (document: unknown) => boolean,
): unknown[] | undefined {
  try {
    return [JSON.parse(text)];
  } catch {
    // Not one document: perhaps several.
  }
  const documents: unknown[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (inString) {
      if (escaped) escaped = false;
      else if (char === "\\") escaped = true;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') {
      if (depth === 0) return undefined;
      inString = true;
    } else if (char === "{" || char === "[") {
      if (depth === 0) start = index;
      depth += 1;
    } else if (char === "}" || char === "]") {
      depth -= 1;
      if (depth < 0) return undefined;
      if (depth === 0) {
        let document: unknown;
        try {
          document = JSON.parse(text.slice(start, index + 1));
        } catch {
          return undefined;
        }
        if (!accept(document)) return undefined;
        documents.push(document);
      }
    } else if (depth === 0 && !/\s/.test(char ?? "")) {
      return undefined;
    }
  }
  return depth === 0 ? documents : undefined;
}

function isGzip(content: Buffer): boolean {
  return content[0] === 0x1f && content[1] === 0x8b;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** How many events of each CloudEvent type, sorted by type. */
export function countByType(events: readonly { type: string }[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const { type } of events) counts.set(type, (counts.get(type) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a.localeCompare(b));
}
