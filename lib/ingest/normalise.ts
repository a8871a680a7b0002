/**
 * Normalisation: turns a verified callback's parameters into one typed, versioned CloudEvent.
 * Pure: no AWS, no I/O; the clock is passed in.
 */
import { hash } from "node:crypto";
import { problemsOf } from "../events/issues.ts";
import { findResource } from "../events/registry.ts";
import type { ResourceDefinition } from "../events/resources/define.ts";
import {
  type StatusEvent,
  UNKNOWN_RESOURCE_DATASCHEMA,
  UNKNOWN_RESOURCE_TYPE,
  type UnknownResourceData,
} from "../events/schemas.ts";
import type { Clock } from "./clock.ts";
import { BadRequestError } from "./errors.ts";
import type { Params } from "./signature.ts";

type Unrecognized = Record<string, string | string[]>;

/**
 * Builds the event for a verified callback. A callback from a known resource must match its
 * schema; a `StatusCallbackEvent` the relay does not know gives status `unknown`; a resource the
 * relay does not know gives a `com.twilio.status-callback.unknown` event. Parameters without a
 * field of their own are kept verbatim in `data.unrecognizedParameters`.
 * @throws BadRequestError naming each parameter at fault
 */
export function normaliseCallback(params: Params, clock: Clock): StatusEvent {
  const resource = findResource((name) => params.has(name));
  return resource ? knownResourceEvent(resource, params) : unknownResourceEvent(params, clock);
}

// Each resource's parameter names, listed once rather than on every callback.
const parameterNamesOf = new WeakMap<ResourceDefinition, ReadonlySet<string>>();

function parameterNames(resource: ResourceDefinition): ReadonlySet<string> {
  let names = parameterNamesOf.get(resource);
  if (names === undefined) {
    names = new Set(Object.keys(resource.parameters.shape));
    parameterNamesOf.set(resource, names);
  }
  return names;
}

function knownResourceEvent(resource: ResourceDefinition, params: Params): StatusEvent {
  const known = parameterNames(resource);
  const problems: string[] = [];
  const flat: Record<string, string> = {};
  for (const name of known) {
    const values = params.get(name);
    if (values === undefined) continue;
    if (values.length > 1) problems.push(`parameter ${name} is sent ${values.length} times`);
    flat[name] = values[0] ?? "";
  }
  const parsed = resource.parameters.safeParse(flat);
  if (!parsed.success) {
    for (const problem of problemsOf(parsed.error, flat)) {
      const name = String(problem.path[0] ?? "(body)");
      problems.push(
        problem.missing ? `parameter ${name} is missing` : `parameter ${name} ${problem.message}`,
      );
    }
  }
  if (!parsed.success || problems.length > 0) throw new BadRequestError(problems);

  const p = parsed.data as Record<string, string | undefined> & {
    AccountSid: string;
    StatusCallbackEvent: string;
    Timestamp: string;
    Url: string;
  };
  const sid = resource.sid(parsed.data);
  // Own properties only: an event named "toString" or "__proto__" is just an unknown event.
  const status = Object.hasOwn(resource.events, p.StatusCallbackEvent)
    ? (resource.events[p.StatusCallbackEvent] ?? "unknown")
    : "unknown";
  // Built in place, field by field: the order of the fields is the order of the JSON.
  const data: Record<string, unknown> = {
    resourceType: resource.resourceType,
    status,
    statusCallbackEvent: p.StatusCallbackEvent,
    accountSid: p.AccountSid,
  };
  Object.assign(data, resource.toData(parsed.data));
  data.timestamp = p.Timestamp;
  data.url = p.Url;
  if (p.Duration) data.durationSeconds = Number(p.Duration);
  if (p.EndedReason !== undefined) data.endedReason = p.EndedReason;
  if (p.ErrorMessage !== undefined) data.errorMessage = p.ErrorMessage;
  data.unrecognizedParameters = unrecognized(params, known);
  // The resource's type and data, built from its definition: the union member of that resource.
  return {
    specversion: "1.0",
    id: eventId([p.AccountSid, sid, p.StatusCallbackEvent, p.Timestamp]),
    source: p.Url,
    subject: sid,
    type: `${resource.typePrefix}.${status}`,
    time: p.Timestamp,
    datacontenttype: "application/json",
    dataschema: resource.dataschema,
    data,
  } as StatusEvent;
}

const UNKNOWN_MAPPED = ["AccountSid", "StatusCallbackEvent", "Timestamp", "Url"] as const;

function unknownResourceEvent(params: Params, clock: Clock): StatusEvent {
  const single = (name: string): string | undefined => {
    const values = params.get(name);
    return values?.length === 1 ? values[0] : undefined;
  };
  const statusCallbackEvent = single("StatusCallbackEvent");
  const accountSid = single("AccountSid");
  const timestamp = single("Timestamp");
  const url = single("Url");
  const mapped = new Set(UNKNOWN_MAPPED.filter((name) => single(name) !== undefined));
  const sidParameter = [...params.keys()].find(
    (name) => name !== "AccountSid" && name.endsWith("Sid") && single(name) !== undefined,
  );
  const data: UnknownResourceData = {
    resourceType: "unknown",
    status: "unknown",
    ...(statusCallbackEvent !== undefined ? { statusCallbackEvent } : {}),
    ...(accountSid !== undefined ? { accountSid } : {}),
    ...(timestamp !== undefined ? { timestamp } : {}),
    ...(url !== undefined ? { url } : {}),
    unrecognizedParameters: unrecognized(params, mapped),
  };
  // Without the fields that identify a known callback, the id covers every parameter, so a
  // retried delivery still gets the same id. Values as the signature covers them (each distinct
  // value once, sorted): a replay that repeats or reorders a value is the same callback.
  const canonical = [...params.keys()].sort().map((name) => {
    const values = params.get(name) ?? [];
    return [name, values.length === 1 ? values : [...new Set(values)].sort()];
  });
  return {
    specversion: "1.0",
    id: eventId([JSON.stringify(canonical)]),
    source: url ?? "urn:twilio-status-relay:unknown-source",
    subject: (sidParameter && single(sidParameter)) ?? accountSid ?? "unknown",
    type: UNKNOWN_RESOURCE_TYPE,
    time: timestamp ?? clock().toISOString(),
    datacontenttype: "application/json",
    dataschema: UNKNOWN_RESOURCE_DATASCHEMA,
    data,
  };
}

/** Hex SHA-256 of the parts joined by newlines: the same callback always gets the same id. */
export function eventId(parts: readonly string[]): string {
  // One-shot: no Hash object for a single input.
  return hash("sha256", parts.join("\n"), "hex");
}

function unrecognized(params: Params, known: ReadonlySet<string>): Unrecognized {
  const entries: [string, string | string[]][] = [];
  for (const [name, values] of params) {
    if (!known.has(name))
      entries.push([name, values.length === 1 ? (values[0] ?? "") : [...values]]);
  }
  // Object.fromEntries defines own properties, so even a parameter named __proto__ is kept.
  return Object.fromEntries(entries);
}
