/**
 * The generated part of docs/events.md: every event type and each resource's fields, rendered
 * from the registry (`npm run docs:events` writes it; a unit test fails when the file is stale).
 */
import { eventTypesOf, resources, UNKNOWN_RESOURCE_TYPE } from "../lib/events/registry.ts";
import type { ResourceDefinition } from "../lib/events/resources/define.ts";

/** The lines around the generated section of docs/events.md. */
export const GENERATED_START =
  "<!-- generated from lib/events/registry.ts by `npm run docs:events`: do not edit by hand -->";
export const GENERATED_END = "<!-- end of the generated section -->";

const code = (text: string) => `\`${text}\``;

/** The generated section (markers included) for the resources in `list`. */
export function renderEventDocs(
  list: readonly ResourceDefinition[] = resources as unknown as readonly ResourceDefinition[],
): string {
  const lines: string[] = [GENERATED_START, "", "### Every event type", ""];
  lines.push("| `type` | `data.resourceType` | status values (`data.status`) |", "|---|---|---|");
  for (const resource of list) {
    for (const type of resource.types) {
      const statuses = Object.entries(resource.events)
        .filter(([, event]) => event.type === type)
        .map(([status, event]) =>
          event.status && event.status !== status
            ? `${code(status)} (${code(event.status)})`
            : code(status),
        );
      const described =
        statuses.length > 0
          ? statuses.join(", ")
          : `any other ${code(resource.statusParameter)}${resource.unknownStatus ? ` (${code(resource.unknownStatus)})` : " (as sent)"}`;
      lines.push(`| ${code(type)} | ${code(resource.resourceType)} | ${described} |`);
    }
  }
  lines.push(
    `| ${code(UNKNOWN_RESOURCE_TYPE)} | ${code("unknown")} | ${code("unknown")}: a signed callback of no resource above |`,
    "",
    `${eventTypesOf(list).length} types in all; the package exports them as ${code("statusEventTypes")}.`,
    "",
    "### Resources, in the order they are tried",
    "",
  );
  for (const resource of list) lines.push(...renderResource(resource), "");
  lines.push(GENERATED_END);
  return `${lines.join("\n")}\n`;
}

function renderResource(resource: ResourceDefinition): string[] {
  const identified = resource.identifiedBy
    .map((entry) => (typeof entry === "string" ? code(entry) : entry.map(code).join(" or ")))
    .join(" and ");
  return [
    `#### ${resource.resourceType}`,
    "",
    resource.description,
    "",
    `- Twilio's reference: ${resource.docs}`,
    `- Identified by: ${identified}`,
    `- Status parameter: ${code(resource.statusParameter)}`,
    `- ${code("subject")} and FIFO group: ${resource.subjectParameters.map(code).join(", else ")}`,
    `- ${code("time")}: ${
      resource.timeParameter
        ? `${code(resource.timeParameter)}, as ISO 8601`
        : "the relay's clock when the callback arrived"
    }`,
    `- ${code("id")} from: ${resource.idParameters.map(code).join(", ")}`,
    `- ${code("dataschema")}: ${code(resource.dataschema)}`,
    "",
    "| Parameter | `data` field | Type | Always sent |",
    "|---|---|---|---|",
    ...resource.fields.map(
      (field) =>
        `| ${code(field.parameter)} | ${code(field.field)} | ${field.type} | ${field.required ? "yes" : ""} |`,
    ),
  ];
}

/** docs/events.md with its generated section replaced by {@link renderEventDocs}. */
export function withEventDocs(markdown: string, generated: string = renderEventDocs()): string {
  const start = markdown.indexOf(GENERATED_START);
  const end = markdown.indexOf(GENERATED_END);
  if (start === -1 || end === -1 || end < start) {
    throw new Error("docs/events.md has no generated section: put the two marker lines back");
  }
  return markdown.slice(0, start) + generated + markdown.slice(end + GENERATED_END.length + 1);
}

/** The lines around the generated list of event types in README.md. */
export const README_TYPES_START =
  "<!-- every event type, generated from lib/events/registry.ts by `npm run docs:events` -->";
export const README_TYPES_END = "<!-- end of the generated list of event types -->";

/**
 * The README's compact list of every event type (markers included): one line per resource, each
 * type written as a shared prefix and its last parts, e.g. `com.twilio.messaging.message.` +
 * `queued`, `sent`.
 */
export function renderReadmeEventTypes(
  list: readonly ResourceDefinition[] = resources as unknown as readonly ResourceDefinition[],
): string {
  const lines = [README_TYPES_START, ""];
  for (const resource of list) {
    const byPrefix = new Map<string, string[]>();
    for (const type of resource.types) {
      const cut = type.lastIndexOf(".") + 1;
      const prefix = type.slice(0, cut);
      byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), type.slice(cut)]);
    }
    const groups = [...byPrefix].map(
      ([prefix, lasts]) => `${code(prefix)} + ${lasts.map(code).join(", ")}`,
    );
    lines.push(`- **${resource.resourceType}**: ${groups.join("; ")}`);
  }
  lines.push(
    `- a resource the relay does not know: ${code(UNKNOWN_RESOURCE_TYPE)}`,
    "",
    README_TYPES_END,
  );
  return `${lines.join("\n")}\n`;
}

/** Every type a README list rendered by {@link renderReadmeEventTypes} names, prefixes expanded. */
export function typesInReadmeList(section: string): string[] {
  const types: string[] = [];
  for (const line of section.split("\n")) {
    if (!line.startsWith("- ")) continue;
    const body = line.slice(line.indexOf(": ") + 2);
    for (const group of body.split("; ")) {
      const [prefix, lasts] = group.split(" + ");
      const names = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? "");
      if (lasts === undefined) types.push(...names(group));
      else for (const last of names(lasts)) types.push(`${names(prefix ?? "")[0] ?? ""}${last}`);
    }
  }
  return types;
}

/** README.md with its generated list of event types replaced by {@link renderReadmeEventTypes}. */
export function withReadmeEventTypes(
  markdown: string,
  generated: string = renderReadmeEventTypes(),
): string {
  const start = markdown.indexOf(README_TYPES_START);
  const end = markdown.indexOf(README_TYPES_END);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(
      "README.md has no generated list of event types: put the two marker lines back",
    );
  }
  return markdown.slice(0, start) + generated + markdown.slice(end + README_TYPES_END.length + 1);
}
