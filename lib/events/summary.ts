/**
 * One readable line per relayed event, for people watching a queue (`npm start`, `npm run tail`)
 * and for consumer logs: time, type, resource SID, then the fields that tell events apart.
 */
import type { StatusEvent } from "./schemas.ts";

/**
 * Formats an event as one line: `<time>  <type>  <subject>  key=value ...`. Values with spaces,
 * quotes or `=` are JSON-quoted, so the line stays splittable; there is never a newline.
 */
export function formatStatusEvent(event: StatusEvent): string {
  return [event.time, event.type, event.subject, keyFields(event)]
    .filter((part) => part !== "")
    .map(oneLine)
    .join("  ");
}

function keyFields(event: StatusEvent): string {
  const data = event.data;
  const fields: [string, string | number | undefined][] = [];
  if (data.resourceType === "unknown") {
    fields.push(["event", data.statusCallbackEvent], ["account", data.accountSid]);
    fields.push(["params", Object.keys(data.unrecognizedParameters).sort().join(",")]);
    return render(fields);
  }
  // A known resource with an event the relay does not know: its name is the news.
  if (data.status === "unknown") fields.push(["event", data.statusCallbackEvent]);
  if (data.resourceType === "MediaProcessor") fields.push(["extension", data.extension]);
  else fields.push(["source", data.source]);
  fields.push(
    ["duration", data.durationSeconds === undefined ? undefined : `${data.durationSeconds}s`],
    ["endedReason", data.endedReason],
    ["error", data.errorMessage],
  );
  return render(fields);
}

function render(fields: readonly [string, string | number | undefined][]): string {
  return fields
    .filter(([, value]) => value !== undefined && value !== "")
    .map(([key, value]) => `${key}=${quote(String(value))}`)
    .join(" ");
}

function quote(value: string): string {
  return /^[^\s"'=\\]+$/.test(value) ? value : JSON.stringify(value);
}

// A sender controls every string here; control characters must not break the line.
function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}
