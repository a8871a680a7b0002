/**
 * What a CloudWatch Logs subscription filter gives a Lambda function: `{ awslogs: { data } }`,
 * `data` being base64 of the gzipped JSON of a DATA_MESSAGE (log events that matched) or a
 * CONTROL_MESSAGE (CloudWatch Logs checking that the destination is reachable). Decoded here, and
 * the relay's `publish failed` lines among the log events read back into the events to republish.
 */
import { gunzipSync } from "node:zlib";
import * as z from "zod/mini";
import { describeError } from "../events/errors.ts";
import { problemsOf } from "../events/issues.ts";
import { parseStatusEvent } from "../events/parse.ts";
import { UnreadablePayloadError } from "./errors.ts";
import { type LoggedEvent, logRecord, PUBLISH_FAILED } from "./relay-log.ts";

const LogEventSchema = z.object({
  // A string as CloudWatch Logs documents it (a number too long for a double); moto writes a
  // number. It only names a line in the function's own logs, so either is read, as text.
  id: z.pipe(
    z.union([z.string(), z.number()]),
    z.transform((id) => String(id)),
  ),
  timestamp: z.number(),
  message: z.string(),
});

const LogsPayloadSchema = z.object({
  messageType: z.enum(["DATA_MESSAGE", "CONTROL_MESSAGE"]),
  owner: z.string(),
  logGroup: z.string(),
  logStream: z.string(),
  subscriptionFilters: z.array(z.string()),
  logEvents: z.array(LogEventSchema),
});

/** One log event of a subscription payload. */
export type SubscriptionLogEvent = z.infer<typeof LogEventSchema>;

/** The JSON inside `awslogs.data`, as CloudWatch Logs documents it. */
export type LogsPayload = z.infer<typeof LogsPayloadSchema>;

/** The event Lambda is invoked with by a CloudWatch Logs subscription filter. */
export interface CloudWatchLogsEvent {
  readonly awslogs: { readonly data: string };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes the payload of a subscription delivery.
 * @throws UnreadablePayloadError saying which step failed: not base64, not gzip, not JSON, or
 *   not the documented shape (naming the fields at fault)
 */
export function decodeLogsPayload(input: unknown): LogsPayload {
  const data = isObject(input) && isObject(input.awslogs) ? input.awslogs.data : undefined;
  if (typeof data !== "string") {
    throw new UnreadablePayloadError("the invocation has no awslogs.data string");
  }
  if (data === "" || !BASE64.test(data)) {
    throw new UnreadablePayloadError("awslogs.data is not base64");
  }
  const compressed = Buffer.from(data, "base64");
  let json: string;
  try {
    json = gunzipSync(compressed).toString("utf8");
  } catch (cause) {
    throw new UnreadablePayloadError("awslogs.data is not gzip", { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    throw new UnreadablePayloadError("awslogs.data does not hold JSON", { cause });
  }
  const result = LogsPayloadSchema.safeParse(value);
  if (!result.success) {
    const problems = problemsOf(result.error, value).map((problem) => {
      const path = problem.path.map(String).join(".") || "the payload";
      return problem.missing ? `${path} is missing` : `${path} ${problem.message}`;
    });
    throw new UnreadablePayloadError(
      `awslogs.data is not a CloudWatch Logs subscription payload: ${problems.join("; ")}`,
      { cause: result.error },
    );
  }
  return result.data;
}

/** What the log events of a payload hold, sorted by what recovery does with them. */
export interface LogEventsRead {
  /** Events logged whole by `publish failed`, valid, each once, in the order logged. */
  readonly events: LoggedEvent[];
  /** Log events that are not a relay `publish failed` line (the filter should not send them). */
  readonly notRelayLines: { readonly logEventId: string }[];
  /**
   * `publish failed` lines of Event Streams deliveries: they carry only ids, and Event Streams
   * delivers again by itself, so there is nothing to republish.
   */
  readonly sinkDeliveries: { readonly logEventId: string; readonly ids: unknown }[];
  /** `publish failed` lines whose event is missing or fails the event schema: never recoverable. */
  readonly invalid: {
    readonly logEventId: string;
    readonly eventId: string | undefined;
    readonly reason: string;
  }[];
}

/**
 * Reads the relay's `publish failed` lines among `logEvents`, with the same tolerant reader as
 * `npm run replay` (JSON log format, or Text format's `<time>\t<request id>\t<LEVEL>\t{...}`),
 * and validates each logged event with the consumer's own parser.
 */
export function readLogEvents(logEvents: readonly SubscriptionLogEvent[]): LogEventsRead {
  const events = new Map<string, LoggedEvent>();
  const read: LogEventsRead = { events: [], notRelayLines: [], sinkDeliveries: [], invalid: [] };
  for (const logEvent of logEvents) {
    const record = logRecord(logEvent.message.trim());
    if (record?.message !== PUBLISH_FAILED) {
      read.notRelayLines.push({ logEventId: logEvent.id });
      continue;
    }
    if (record.delivery === "event-streams" && record.event === undefined) {
      read.sinkDeliveries.push({ logEventId: logEvent.id, ids: record.ids });
      continue;
    }
    const eventId = typeof record.eventId === "string" ? record.eventId : undefined;
    if (record.event === undefined) {
      read.invalid.push({ logEventId: logEvent.id, eventId, reason: "the line holds no event" });
      continue;
    }
    let parsed: ReturnType<typeof parseStatusEvent>;
    try {
      parsed = parseStatusEvent(JSON.stringify(record.event));
    } catch (error) {
      read.invalid.push({
        logEventId: logEvent.id,
        eventId,
        reason: String(describeError(error).message),
      });
      continue;
    }
    if (events.has(parsed.id)) continue;
    events.set(parsed.id, {
      id: parsed.id,
      type: parsed.type,
      // Published as logged, unchanged: what the relay meant to publish.
      event: record.event as Record<string, unknown>,
      loggedAt:
        typeof record.timestamp === "string"
          ? record.timestamp
          : new Date(logEvent.timestamp).toISOString(),
    });
  }
  read.events.push(...events.values());
  return read;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
