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
