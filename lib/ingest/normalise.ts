/**
 * Normalisation: turns a verified callback's parameters into one typed, versioned CloudEvent.
 * Pure: no AWS, no I/O; the clock is passed in. Which resource a callback belongs to, how its
 * parameters are typed, its `type`, `time`, `source` and which parameters make its id all come
 * from the resource's definition in the registry.
 */

import { hash } from "node:crypto";
import { problemsOf } from "../events/issues.ts";
import {
  findResource,
  resources,
  UNKNOWN_RESOURCE_DATASCHEMA,
  UNKNOWN_RESOURCE_TYPE,
} from "../events/registry.ts";
import type { ResourceDefinition } from "../events/resources/define.ts";
// Types only: the consumers' union schema is never built on the ingest path.
import type { StatusEvent, UnknownResourceData } from "../events/schemas.ts";
import { BadRequestError } from "./errors.ts";
import type { Params } from "./signature.ts";

type Unrecognized = Record<string, string | string[]>;

/**
 * Builds the event for a verified callback. A callback from a known resource (the first in
 * `list`, the registry by default, whose identifying parameters it carries) must match its
 * schema; a status the resource does not know gives type `<prefix>.unknown`; a resource the relay
 * does not know gives a `com.twilio.status-callback.unknown` event, provided the callback carries
 * an `AccountSid` (without one it is not a Twilio callback). Parameters without a field of their
 * own are kept verbatim in `data.unrecognizedParameters`.
 * @throws BadRequestError naming each parameter at fault
 */
export function normaliseCallback(
  params: Params,
  now: () => Date,
  list: readonly ResourceDefinition[] = resources as unknown as readonly ResourceDefinition[],
): StatusEvent {
  const resource = findResource((name) => params.has(name), list);
  return resource ? knownResourceEvent(resource, params, now) : unknownResourceEvent(params, now);
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

function knownResourceEvent(
  resource: ResourceDefinition,
  params: Params,
  now: () => Date,
): StatusEvent {
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
  const subjectName = resource.subjectParameters.find((name) => flat[name]);
  if (subjectName === undefined && problems.length === 0) {
    problems.push(`parameter ${resource.subjectParameters.join(" or ")} is missing`);
  }
  if (!parsed.success || problems.length > 0 || subjectName === undefined) {
    throw new BadRequestError(problems);
  }

  const statusValue = flat[resource.statusParameter] ?? "";
  // Own properties only: a status named "toString" or "__proto__" is just one the relay does not know.
  const event = Object.hasOwn(resource.events, statusValue)
    ? resource.events[statusValue]
    : undefined;
  // Built in place, field by field: the order of the fields is the order of the JSON.
  const data: Record<string, unknown> = {
    resourceType: resource.resourceType,
    status: event ? (event.status ?? statusValue) : (resource.unknownStatus ?? statusValue),
  };
  Object.assign(data, resource.toData(parsed.data));
  data.unrecognizedParameters = unrecognized(params, known);
  return {
    specversion: "1.0",
    id: eventId(resource.idParameters.map((name) => flat[name] ?? "")),
    source: resource.source(parsed.data),
    subject: flat[subjectName] ?? "",
    type: event ? event.type : `${resource.typePrefix}.unknown`,
    time: resource.time(parsed.data) ?? now().toISOString(),
    datacontenttype: "application/json",
    dataschema: resource.dataschema,
    data: data as StatusEvent["data"],
  } as StatusEvent;
}

const UNKNOWN_MAPPED = ["AccountSid", "StatusCallbackEvent", "Timestamp", "Url"] as const;

function unknownResourceEvent(params: Params, now: () => Date): StatusEvent {
  const single = (name: string): string | undefined => {
    const values = params.get(name);
    return values?.length === 1 ? values[0] : undefined;
  };
  // Every Twilio callback names its account: without one, this is not a status callback.
  if (!params.get("AccountSid")?.some((value) => value !== "")) {
    throw new BadRequestError([
      "parameter AccountSid is missing: every Twilio status callback carries one, so this request is not a status callback",
    ]);
  }
  const accountSid = single("AccountSid");
  const statusCallbackEvent = single("StatusCallbackEvent");
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
    time: timestamp ?? now().toISOString(),
    datacontenttype: "application/json",
    dataschema: UNKNOWN_RESOURCE_DATASCHEMA,
    data,
  };
}

/** Hex SHA-256 of {@link eventIdText}: the same callback always gets the same id. */
export function eventId(parts: readonly string[]): string {
  // One-shot: no Hash object for a single input.
  return hash("sha256", eventIdText(parts), "hex");
}

/**
 * The text an event id hashes: the parts joined by newlines, as ever, when no part holds one
 * (every callback Twilio has been seen to send), so those ids never change. A newline inside a
 * part would move a boundary (`a\nb`,`c` against `a`,`b\nc`), so parts that hold one are written
 * as their JSON array followed by one newline per part instead. JSON holds no raw newline, so
 * that text has exactly as many newlines as parts, one more than any joined text of that many
 * parts: the two forms never meet, and each is unambiguous on its own.
 */
export function eventIdText(parts: readonly string[]): string {
  if (!parts.some((part) => part.includes("\n"))) return parts.join("\n");
  return JSON.stringify(parts) + "\n".repeat(parts.length);
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
