/**
 * One readable line per relayed event, for people watching a queue (`npm start`, `npm run tail`)
 * and for consumer logs: time, type, resource SID, then the fields that tell events apart (each
 * resource's `summary`, from the registry).
 */
import { resources } from "./registry.ts";
import type { ResourceDefinition, SummaryField } from "./resources/define.ts";
import type { StatusEvent } from "./schemas.ts";

/** What the summary needs of an event: the envelope, and `data` as any resource's. */
type AnyEvent = Pick<StatusEvent, "time" | "type" | "subject"> & {
  readonly data: { readonly resourceType: string; readonly status: string } & Record<
    string,
    unknown
  >;
};

/**
 * Formats an event as one line: `<time>  <type>  <subject>  key=value ...`. Values with spaces,
 * quotes or `=` are JSON-quoted, so the line stays splittable; there is never a newline.
 * `list` is the registry unless a test passes its own resources.
 */
export function formatStatusEvent(
  event: StatusEvent | AnyEvent,
  list: readonly Pick<ResourceDefinition, "resourceType" | "summary">[] = resources,
): string {
  return [event.time, event.type, event.subject, keyFields(event as AnyEvent, list)]
    .filter((part) => part !== "")
    .map(oneLine)
    .join("  ");
}

function keyFields(
  event: AnyEvent,
  list: readonly Pick<ResourceDefinition, "resourceType" | "summary">[],
): string {
  const data = event.data;
  const resource = list.find((candidate) => candidate.resourceType === data.resourceType);
  if (resource === undefined) {
    const parameters = (data.unrecognizedParameters ?? {}) as Record<string, unknown>;
    return render([
      ["event", data.statusCallbackEvent as string | undefined],
      ["account", data.accountSid as string | undefined],
      ["params", Object.keys(parameters).sort().join(",")],
    ]);
  }
  // The status, where the type does not already say it (call.completed, <prefix>.unknown).
  const fields: SummaryField[] = event.type.endsWith(`.${data.status}`)
    ? []
    : [["status", data.status]];
  return render([...fields, ...resource.summary(data)]);
}

function render(fields: readonly SummaryField[]): string {
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
