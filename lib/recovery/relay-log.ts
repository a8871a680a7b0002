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
}

/**
 * Reads the relay's log output in any of the forms an operator gets it:
 * - JSON lines as the function writes them (Lambda, `npm start`, serverless-offline);
 * - lines with a prefix before the JSON, as `sls logs` prints them (`<time>\t<level>\t{...}`),
 *   as the Lambda runtime writes console output (`<time>\t<request id>\t<LEVEL>\t{...}`), or as a
 *   CloudWatch Logs export to S3 holds them (`<time> {...}`), with or without colour codes;
 * - the JSON of `aws logs filter-log-events` or `aws logs get-log-events` (`events[].message`),
 *   and of a Logs Insights export (`[{"@message": ...}]`);
 * - any of these gzipped (CloudWatch exports to S3 are).
 */
export function readRelayLog(content: Buffer | string): RelayLog {
  const text =
    typeof content === "string"
      ? content
      : (isGzip(content) ? gunzipSync(content) : content).toString("utf8");
  const messages = cloudWatchMessages(text) ?? text.split(/\r?\n/);
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
  return classify(records, skippedLines);
}

function classify(records: Record<string, unknown>[], skippedLines: number): RelayLog {
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

// The messages of a CloudWatch Logs JSON document, or undefined if the text is not one.
function cloudWatchMessages(text: string): string[] | undefined {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) return undefined;
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    // A file of JSON lines, not one document.
    return undefined;
  }
  const events = Array.isArray(document)
    ? document
    : isObject(document) && Array.isArray(document.events)
      ? document.events
      : undefined;
  if (!events) return undefined;
  const messages = events
    .map((event: unknown) => (isObject(event) ? (event.message ?? event["@message"]) : undefined))
    .filter((message: unknown): message is string => typeof message === "string");
  // An array of log records (not of CloudWatch events) is no CloudWatch document.
  return messages.length > 0 || events.length === 0 ? messages : undefined;
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
