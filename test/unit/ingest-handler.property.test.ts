/**
 * Properties of the whole ingest handler (decode, verify, normalise, publish) over hostile
 * events, genuinely valid callbacks signed by the official `twilio` package, and one-thing
 * mutations of them: every answer is a 4xx with a JSON error, or a 2xx for a genuinely valid
 * callback that was then published once, exactly as Twilio sent it. Never a 5xx for anything an
 * HTTP caller can send, never a thrown error or a hang, and nothing published for a refusal.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findResource } from "../../lib/events/registry.ts";
import { type StatusEvent, StatusEventSchema } from "../../lib/events/schemas.ts";
import type { ApiGatewayEvent } from "../../lib/ingest/decode.ts";
import { createIngestHandler } from "../../lib/ingest/handler.ts";
import { normaliseCallback } from "../../lib/ingest/normalise.ts";
import type { EventPublisher } from "../../lib/ingest/publisher.ts";
import { staticTokens } from "../../lib/ingest/tokens.ts";
import type { FormParams } from "../../testing/signed-callback.ts";
import {
  hostileEvent,
  LIMIT,
  RELAY_TOKENS,
  runs,
  type ValidCallback,
  validCallbackArbitrary,
  wrongTypeEvent,
} from "../helpers/arbitraries.ts";
import { memoryLogger } from "../helpers/memory-logger.ts";

const CLOCK = () => new Date("2026-11-27T12:00:00.000Z");
// Generous: a call takes well under a millisecond; only a hang or a pathological case exceeds it.
const BOUND_MS = 2_000;

interface Answer {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

function relay() {
  const published: StatusEvent[] = [];
  const publisher: EventPublisher = { publish: async (event) => void published.push(event) };
  const logger = memoryLogger();
  const handler = createIngestHandler({
    config: { publicUrl: undefined },
    tokens: staticTokens(RELAY_TOKENS),
    publisher,
    clock: CLOCK,
    logger,
  });
  return { handler, published, logger };
}

/** Calls the handler, failing if it throws or takes longer than BOUND_MS. */
async function answer(
  event: ApiGatewayEvent,
): Promise<{ response: Answer; published: StatusEvent[] }> {
  const { handler, published } = relay();
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${BOUND_MS} ms`)), BOUND_MS);
  });
  try {
    const response = await Promise.race([handler(event), hang]);
    return { response, published };
  } finally {
    clearTimeout(timer);
  }
}

function expectJsonError(response: Answer): { error: string; message: string } {
  expect(response.headers["content-type"]).toMatch(/^application\/json/);
  const body = JSON.parse(response.body) as { error: unknown; message: unknown };
  expect(typeof body.error).toBe("string");
  expect(typeof body.message).toBe("string");
  return body as { error: string; message: string };
}

function expectRefusal(response: Answer, published: readonly StatusEvent[]): void {
  expect(response.statusCode).toBeGreaterThanOrEqual(400);
  expect(response.statusCode).toBeLessThan(500);
  expectJsonError(response);
  expect(published).toEqual([]);
}

function asParams(params: FormParams): Map<string, string[]> {
  return new Map(
    Object.entries(params).map(([name, value]) => [name, Array.isArray(value) ? value : [value]]),
  );
}

function expectAccepted(
  callback: ValidCallback,
  response: Answer,
  published: readonly StatusEvent[],
): void {
  expect(response.statusCode).toBe(200);
  expect(published).toHaveLength(1);
  const [event] = published;
  expect(StatusEventSchema.safeParse(event).success).toBe(true);
  // What was published is what Twilio signed, nothing else.
  expect(event).toEqual(normaliseCallback(asParams(callback.params), CLOCK));
  expect(JSON.parse(response.body)).toEqual({ id: event?.id, type: event?.type });
}

// --- One-thing mutations of a valid callback, each with the answer it must get. ---

type Mutable = Record<string, unknown> & {
  headers: Record<string, string>;
  body?: string | null;
  isBase64Encoded?: boolean;
};

function headerKey(event: Mutable, name: string): string {
  return Object.keys(event.headers).find((key) => key.toLowerCase() === name) ?? name;
}

function setHeader(event: Mutable, name: string, value: string | undefined): void {
  const key = headerKey(event, name);
  if (value === undefined) delete event.headers[key];
  else event.headers[key] = value;
}

function plainBody(event: Mutable): string {
  const body = event.body ?? "";
  return event.isBase64Encoded ? Buffer.from(body, "base64").toString("utf8") : body;
}

function setPlainBody(event: Mutable, text: string): void {
  event.body = event.isBase64Encoded ? Buffer.from(text).toString("base64") : text;
}

function isV2(event: Mutable): boolean {
  return event.version === "2.0";
}

function setMethod(event: Mutable, method: string): void {
  if (isV2(event)) {
    const context = event.requestContext as { http: { method: string } };
    context.http.method = method;
  } else event.httpMethod = method;
}

function flipOneCharacter(text: string, at: number): string {
  const i = at % (text.length - 1); // never the final "="
  return `${text.slice(0, i)}${text[i] === "A" ? "B" : "A"}${text.slice(i + 1)}`;
}

interface Mutation {
  readonly name: string;
  /** Whether this mutation applies to the callback. */
  readonly applies: (callback: ValidCallback) => boolean;
  readonly mutate: (event: Mutable, callback: ValidCallback, at: number) => void;
  /** The status it must get: 200 (still the same, genuinely valid callback) or the refusal. */
  readonly status: number;
}

const isPost = (c: ValidCallback) => c.options.method !== "GET";
const isKnownResource = (c: ValidCallback) =>
  findResource((name) => Object.hasOwn(c.params, name)) !== undefined;
const always = () => true;

const MUTATIONS: readonly Mutation[] = [
  {
    name: "one character of the signature changed",
    applies: always,
    mutate: (e, _, at) =>
      setHeader(
        e,
        "x-twilio-signature",
        flipOneCharacter(e.headers[headerKey(e, "x-twilio-signature")] ?? "", at),
      ),
    status: 403,
  },
  {
    name: "signature header removed",
    applies: always,
    mutate: (e) => setHeader(e, "x-twilio-signature", undefined),
    status: 401,
  },
  {
    name: "signature sent twice (joined with a comma)",
    applies: always,
    mutate: (e) => {
      const signature = e.headers[headerKey(e, "x-twilio-signature")];
      setHeader(e, "x-twilio-signature", `${signature},${signature}`);
    },
    status: 403,
  },
  {
    name: "another Host",
    applies: always,
    mutate: (e) => setHeader(e, "host", "evil.example.com"),
    status: 403,
  },
  {
    name: "http instead of https",
    applies: always,
    mutate: (e) => setHeader(e, "x-forwarded-proto", "http"),
    status: 403,
  },
  {
    name: "another path",
    applies: always,
    mutate: (e) => {
      if (isV2(e)) e.rawPath = `${e.rawPath}/x`;
      else (e.requestContext as { path: string }).path += "/x";
    },
    status: 403,
  },
  {
    name: "a parameter added to the query string",
    applies: always,
    mutate: (e) => {
      if (isV2(e)) e.rawQueryString = e.rawQueryString ? `${e.rawQueryString}&x=1` : "x=1";
      else {
        e.multiValueQueryStringParameters = {
          ...((e.multiValueQueryStringParameters as object | null) ?? {}),
          zzz: ["1"],
        };
      }
    },
    status: 403,
  },
  {
    name: "method PUT",
    applies: always,
    mutate: (e) => setMethod(e, "PUT"),
    status: 405,
  },
  {
    name: "a POST replayed as a GET",
    // Without parameters, the GET is signed exactly as the POST was.
    applies: (c) => isPost(c) && Object.keys(c.params).length > 0,
    mutate: (e) => setMethod(e, "GET"),
    status: 403,
  },
  {
    name: "a JSON content type",
    applies: isPost,
    mutate: (e) => setHeader(e, "content-type", "application/json"),
    status: 415,
  },
  {
    name: "a parameter appended to the body",
    applies: isPost,
    mutate: (e) => setPlainBody(e, `${plainBody(e)}&Injected=1`),
    status: 403,
  },
  {
    // Removing a character could merely drop a repeated value, which Twilio signs only once.
    name: "the body's last character replaced",
    applies: (c) => isPost(c) && Object.keys(c.params).length > 0,
    mutate: (e) => {
      const body = plainBody(e);
      setPlainBody(e, `${body.slice(0, -1)}${body.endsWith("~") ? "!" : "~"}`);
    },
    status: 403,
  },
  {
    name: "the body padded beyond 64 KiB",
    applies: isPost,
    mutate: (e) => setPlainBody(e, `${plainBody(e)}&Pad=${"x".repeat(LIMIT)}`),
    status: 413,
  },
  {
    name: "AccountSid sent twice with the same value (same signature)",
    applies: (c) => isPost(c) && isKnownResource(c),
    mutate: (e, c) => setPlainBody(e, `${plainBody(e)}&AccountSid=${String(c.params.AccountSid)}`),
    status: 400,
  },
  {
    name: "the signature header name in capitals",
    applies: always,
    mutate: (e) => {
      const signature = e.headers[headerKey(e, "x-twilio-signature")];
      setHeader(e, "x-twilio-signature", undefined);
      e.headers["X-TWILIO-SIGNATURE"] = signature ?? "";
    },
    status: 200,
  },
  {
    name: "an unrelated header added",
    applies: always,
    mutate: (e) => {
      e.headers["x-amzn-trace-id"] = "Root=1-00000000-000000000000000000000000";
    },
    status: 200,
  },
];

describe("ingest handler, property-based", () => {
  it("answers every hostile event with a 4xx JSON error and publishes nothing", async () => {
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(hostileEvent, async (event) => {
        // Act
        const { response, published } = await answer(event);

        // Assess
        expectRefusal(response, published);
        seen.add(response.statusCode);
      }),
      { numRuns: runs(1000) },
    );
    // The generator reaches every refusal, not only the first check in the handler.
    expect([...seen].sort()).toEqual([400, 401, 403, 405, 413, 415]);
  });

  it("accepts every genuinely valid signed callback and publishes it once, as signed", async () => {
    await fc.assert(
      fc.asyncProperty(validCallbackArbitrary(), async (callback) => {
        // Act
        const { response, published } = await answer(callback.event);

        // Assess
        expectAccepted(callback, response, published);
      }),
      { numRuns: runs(500) },
    );
  });

  it("answers each one-thing mutation of a valid callback as it must", async () => {
    const mutation = fc.constantFrom(...MUTATIONS);
    const cases = fc
      .tuple(validCallbackArbitrary(), mutation, fc.nat())
      .filter(([callback, m]) => m.applies(callback));
    await fc.assert(
      fc.asyncProperty(cases, async ([callback, m, at]) => {
        // Prepare
        const event = structuredClone(callback.event) as unknown as Mutable;
        m.mutate(event, callback, at);

        // Act
        const { response, published } = await answer(event as unknown as ApiGatewayEvent);

        // Assess
        expect({ mutation: m.name, status: response.statusCode }).toEqual({
          mutation: m.name,
          status: m.status,
        });
        if (m.status === 200) expectAccepted(callback, response, published);
        else expectRefusal(response, published);
      }),
      { numRuns: runs(600) },
    );
  });

  it("answers an event with a field of the wrong type 400, naming the field, or on its merits", async () => {
    let shapeRefusals = 0;
    let runsSeen = 0;
    await fc.assert(
      fc.asyncProperty(wrongTypeEvent, async (event) => {
        // Act
        const { response, published } = await answer(event);

        // Assess: no HTTP caller can send this (API Gateway fills these fields with strings); an
        // empty object where one is expected is still an event, judged on its merits.
        runsSeen += 1;
        expect(response.statusCode).toBeLessThan(500);
        if (response.statusCode === 200) {
          expect(published).toHaveLength(1);
          expect(StatusEventSchema.safeParse(published[0]).success).toBe(true);
          return;
        }
        const body = expectJsonError(response);
        expect(published).toEqual([]);
        if (String(body.message).includes("not an API Gateway HTTP event")) {
          expect(response.statusCode).toBe(400);
          shapeRefusals += 1;
        }
      }),
      { numRuns: runs(400) },
    );
    // Most such events are refused for their shape, before anything else is read.
    expect(shapeRefusals).toBeGreaterThan(runsSeen / 2);
  });
});
