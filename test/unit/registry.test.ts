/**
 * Adding a resource is one definition plus one registry entry: a throwaway resource, given to the
 * registry-consuming functions as a list (the registry file is not edited), flows through
 * identification, normalisation, the event schema, the summary line, a trigger sample and the
 * generated docs.
 */

import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { eventTypesOf, findResource, resources } from "../../lib/events/registry.ts";
import {
  defineCallbackResource,
  integer,
  isoTime,
  type ResourceDefinition,
  sid,
  text,
} from "../../lib/events/resources/define.ts";
import { StatusEventSchema, statusEventSchemaFor } from "../../lib/events/schemas.ts";
import { formatStatusEvent } from "../../lib/events/summary.ts";
import { normaliseCallback } from "../../lib/ingest/normalise.ts";
import { renderEventDocs } from "../../testing/event-docs.ts";
import { findSampleEvent, sampleEventsOf, sampleParams } from "../../testing/samples.ts";

const widget = defineCallbackResource({
  resourceType: "Widget",
  description: "A widget was built.",
  docs: "https://example.com/docs/widgets",
  typePrefix: "com.twilio.widgets.widget",
  statusParameter: "WidgetStatus",
  subjectParameters: ["WidgetSid"],
  identifiedBy: ["WidgetStatus", "WidgetSid"],
  fields: { WidgetSid: sid, Colour: text, Parts: integer, Timestamp: isoTime },
  required: ["WidgetSid"],
  timeParameter: "Timestamp",
  idParameters: ["AccountSid", "WidgetSid", "WidgetStatus", "Timestamp"],
  dataschema: "urn:twilio-status-relay:schema:widget:v1",
  events: {
    built: { type: "com.twilio.widgets.widget.built", sample: { Parts: "12" } },
  },
  source: (p) => `https://widgets.twilio.com/v1/Widgets/${p.WidgetSid}`,
  sample: (o, status) => ({
    AccountSid: "AC0123456789abcdef0123456789abcdef",
    WidgetSid: o.sid ?? "WX0123456789abcdef0123456789abcdef",
    WidgetStatus: status,
    Colour: "blue",
    Timestamp: o.timestamp ?? "2026-11-27T10:15:30.123Z",
  }),
  summaryFields: ["colour", "parts"],
});
const list = [...resources, widget] as unknown as readonly ResourceDefinition[];
const NOW = () => new Date("2026-11-27T12:00:00Z");

describe("a resource added to a list of resources", () => {
  // Prepare: the sample a trigger would send
  const [sample] = sampleEventsOf([widget as unknown as ResourceDefinition]);
  const params = sampleParams(widget as unknown as ResourceDefinition, "built");
  const asMap = new Map(Object.entries(params).map(([k, v]) => [k, [v]]));

  it("has a trigger sample for each of its events", () => {
    expect(sample?.name).toBe("widget.built");
    expect(findSampleEvent("widget.built", sampleEventsOf(list))?.resource).toBe(widget);
    expect(params).toMatchObject({ WidgetStatus: "built", Parts: "12", Colour: "blue" });
  });

  it("is identified, normalised and typed", () => {
    // Act
    const event = normaliseCallback(asMap, NOW, list);
    // Assess
    expect(findResource((name) => asMap.has(name), list)).toBe(widget);
    expect(event).toMatchObject({
      type: "com.twilio.widgets.widget.built",
      subject: "WX0123456789abcdef0123456789abcdef",
      time: "2026-11-27T10:15:30.123Z",
      source: "https://widgets.twilio.com/v1/Widgets/WX0123456789abcdef0123456789abcdef",
      dataschema: "urn:twilio-status-relay:schema:widget:v1",
      data: { resourceType: "Widget", status: "built", colour: "blue", parts: 12 },
    });
  });

  it("is valid against the schema built from the list, and not against the registry's", () => {
    // Act
    const event = normaliseCallback(asMap, NOW, list);
    // Assess
    expect(statusEventSchemaFor(list).parse(event)).toEqual(event);
    expect(StatusEventSchema.safeParse(event).success).toBe(false);
    expect(
      z.safeParse(statusEventSchemaFor(list), { ...event, type: "com.twilio.widgets.widget.eaten" })
        .success,
    ).toBe(false);
  });

  it("gets its summary line and its types listed", () => {
    // Act
    const event = normaliseCallback(asMap, NOW, list);
    // Assess
    expect(formatStatusEvent(event, list)).toBe(
      "2026-11-27T10:15:30.123Z  com.twilio.widgets.widget.built  WX0123456789abcdef0123456789abcdef  colour=blue parts=12",
    );
    expect(eventTypesOf(list)).toEqual(
      expect.arrayContaining([
        "com.twilio.widgets.widget.built",
        "com.twilio.widgets.widget.unknown",
      ]),
    );
  });

  it("appears in the generated docs, with its fields", () => {
    const docs = renderEventDocs(list);
    expect(docs).toContain("| `com.twilio.widgets.widget.built` | `Widget` | `built` |");
    expect(docs).toContain("| `Parts` | `parts` | integer |  |");
  });

  it("leaves the registry's own callbacks as they were", () => {
    // Prepare
    const message = new Map(
      Object.entries(sampleParams(resources.at(-1) as unknown as ResourceDefinition, "sent")).map(
        ([k, v]) => [k, [v]],
      ),
    );
    // Act / Assess
    expect(normaliseCallback(message, NOW, list)).toEqual(normaliseCallback(message, NOW));
  });
});
