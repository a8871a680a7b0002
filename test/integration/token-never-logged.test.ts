/**
 * The auth tokens never reach the logs nor a response. The production entry point
 * (`functions/ingest.ts`, wired from the environment, Powertools Logger at DEBUG) runs in a child
 * process, and everything that process writes to stdout and stderr is searched for the tokens
 * and for their comma-separated list, after valid callbacks, a callback signed with the
 * secondary token, forgeries, signed-but-invalid callbacks, refusals of every kind, a token
 * source that fails and then answers slowly, and a queue that refuses every message. The same for
 * the other secrets: account auth tokens (TWILIO_ACCOUNT_AUTH_TOKENS) and SharedKey secrets
 * (TWILIO_SHARED_KEYS_PARAMETER), through sink deliveries, SharedKey and subaccount callbacks,
 * their forgeries, and a configuration whose malformed JSON holds a secret.
 */

import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiGatewayEvent } from "../../lib/ingest/decode.ts";
import { sampleSinkEvents, signedSinkDelivery } from "../../testing/event-streams.ts";
import {
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type LocalSqs,
  startLocalSqs,
} from "../../testing/local/sqs.ts";
import { callbackParams } from "../../testing/samples.ts";
import { signedCallback } from "../../testing/signed-callback.ts";
import {
  FORGER_AUTH_TOKEN,
  PRIMARY_AUTH_TOKEN,
  SECONDARY_AUTH_TOKEN,
} from "../../testing/tokens.ts";
import { NODE, ROOT, run } from "../helpers/child-process.ts";

const PRIMARY = PRIMARY_AUTH_TOKEN;
const SECONDARY = SECONDARY_AUTH_TOKEN;
const FORGER = FORGER_AUTH_TOKEN;
const PARAMETER = "/twilio-status-relay/test/auth-token";
/** Everything that must never be printed: each token, and the list as configured. */
const SECRETS = [PRIMARY, SECONDARY, `${PRIMARY},${SECONDARY}`, `${PRIMARY}, ${SECONDARY}`];

// Runs the Lambda entry point on each event of a file, printing each response on one line.
const CHILD = `
import { readFileSync } from "node:fs";
const events = JSON.parse(readFileSync(process.env.RELAY_EVENTS_FILE, "utf8"));
const { handler } = await import(process.env.RELAY_ENTRY);
for (const event of events) {
  process.stdout.write("RESPONSE " + JSON.stringify(await handler(event)) + "\\n");
}
process.exit(0);
`;

/** Every kind of request the relay meets, signed with `token` where signed at all. */
function callbacks(token: string): ApiGatewayEvent[] {
  const stamp = (i: number) => `2026-11-27T10:15:${String(i).padStart(2, "0")}.000Z`;
  const params = (i: number) => callbackParams("media-processor-ended", { timestamp: stamp(i) });
  return [
    signedCallback({ token, params: params(1) }),
    signedCallback({ token, params: params(2) }),
    signedCallback({ token, params: params(3), version: "1.0", base64: false }),
    signedCallback({ token, params: params(4), method: "GET" }),
    signedCallback({ token: SECONDARY, params: params(5) }),
    signedCallback({ token, params: { FooSid: "FO1", AccountSid: "AC1", Thing: "x" } }),
    signedCallback({ token: FORGER, params: params(6) }),
    signedCallback({ token, params: params(7), signature: "not a signature" }),
    signedCallback({ token, params: params(8), signature: null }),
    signedCallback({ token, params: { ...params(9), AccountSid: "AC123", Timestamp: "never" } }),
    signedCallback({ token: FORGER, params: params(10), query: "tenant=a&secret=s3cr3t" }),
    signedCallback({ token, params: { ...params(11), Pad: "x".repeat(70_000) } }),
    signedCallback({ token, params: params(12), method: "PUT" }),
    signedCallback({ token, params: params(13), contentType: "application/json" }),
  ];
}

interface ChildRun {
  readonly output: string;
  readonly statuses: number[];
  readonly exitCode: number | string;
}

async function runEntryPoint(
  events: readonly ApiGatewayEvent[],
  env: Record<string, string>,
): Promise<ChildRun> {
  const file = join(tmpdir(), `relay-events-${process.pid}-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(events));
  const child = run(NODE, ["--input-type=module", "-e", CHILD], {
    env: {
      RELAY_EVENTS_FILE: file,
      RELAY_ENTRY: pathToFileURL(resolve(ROOT, "functions/ingest.ts")).href,
      POWERTOOLS_LOG_LEVEL: "DEBUG",
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      TWILIO_AUTH_TOKEN: "",
      TWILIO_AUTH_TOKEN_PARAMETER: "",
      ...env,
    },
  });
  const exitCode = await child.exited;
  const statuses = child.lines
    .filter((line) => line.startsWith("RESPONSE "))
    .map((line) => (JSON.parse(line.slice(9)) as { statusCode: number }).statusCode);
  return { output: child.output(), statuses, exitCode };
}

/**
 * A Parameter Store endpoint holding the comma-separated tokens: it throttles the first
 * `failures` reads, then answers each read after `delayMs`.
 */
async function fakeParameterStore(failures: number, delayMs: number) {
  let reads = 0;
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      reads += 1;
      response.setHeader("content-type", "application/x-amz-json-1.1");
      if (reads <= failures) {
        response.statusCode = 400;
        response.end(JSON.stringify({ __type: "ThrottlingException", message: "Rate exceeded" }));
        return;
      }
      setTimeout(() => {
        response.end(
          JSON.stringify({
            Parameter: {
              Name: PARAMETER,
              Type: "SecureString",
              Value: `${PRIMARY}, ${SECONDARY}`,
              Version: 1,
            },
          }),
        );
      }, delayMs);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    reads: () => reads,
    stop: () => new Promise<void>((done) => server.close(() => done())),
  };
}

function expectNoSecret(output: string): void {
  const text = output.toLowerCase();
  for (const secret of SECRETS) expect(text).not.toContain(secret.toLowerCase());
}

let sqs: LocalSqs;
let queueUrl: string;

beforeAll(async () => {
  sqs = await startLocalSqs();
  queueUrl = (await sqs.createQueues("token-never-logged")).queueUrl;
});

afterAll(async () => {
  await sqs?.stop();
});

describe("the auth tokens in the output of the ingest function", () => {
  it("never appear, with tokens read from SSM that fails at first and then answers slowly", async () => {
    // Prepare: the read at start-up, which the first callback waits for, is throttled (three
    // attempts); the next read takes 300 ms.
    const store = await fakeParameterStore(3, 300);
    try {
      // Act
      const child = await runEntryPoint(callbacks(PRIMARY), {
        TWILIO_AUTH_TOKEN_PARAMETER: PARAMETER,
        AWS_ENDPOINT_URL_SSM: store.endpoint,
        AWS_ENDPOINT_URL_SQS: sqs.endpoint,
        QUEUE_URL: queueUrl,
      });

      // Assess: the run went through every path (so the search below means something)...
      expect(child.exitCode).toBe(0);
      expect(store.reads()).toBe(4);
      expect(child.statuses).toEqual([
        503, 200, 200, 200, 200, 200, 403, 403, 401, 400, 403, 413, 405, 415,
      ]);
      for (const message of [
        "auth tokens unavailable",
        "published",
        "callback signed with a secondary auth token",
        "relaying a callback the relay does not know",
        "signature does not match",
        "signed callback does not match the schema",
      ]) {
        expect(child.output).toContain(message);
      }
      // ...and printed no token, in a log line or a response.
      expectNoSecret(child.output);
      expect(child.output).not.toContain("s3cr3t");
    } finally {
      await store.stop();
    }
  });

  it("never appear, with a comma-separated TWILIO_AUTH_TOKEN and a queue that refuses every message", async () => {
    // Prepare: a queue that does not exist refuses every SendMessage.
    const missingQueue = `${sqs.endpoint}/000000000000/no-such-queue.fifo`;

    // Act
    const child = await runEntryPoint(callbacks(PRIMARY), {
      TWILIO_AUTH_TOKEN: ` ${PRIMARY},${SECONDARY} `,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      QUEUE_URL: missingQueue,
    });

    // Assess
    expect(child.exitCode).toBe(0);
    expect(child.statuses).toEqual([
      503, 503, 503, 503, 503, 503, 403, 403, 401, 400, 403, 413, 405, 415,
    ]);
    for (const message of ["publish failed", "callback signed with a secondary auth token"]) {
      expect(child.output).toContain(message);
    }
    expectNoSecret(child.output);
  });
});

const SUBACCOUNT = "AC11111111111111111111111111111111";
const SUBACCOUNT_TOKEN = "5e1a7c93b2d04f68a1e9c37b5d2f8a40";
const SHARED_KEY_ID = "webhooks_sharedkey_prod";
const SHARED_SECRET = "Zq8vL2xN4pR7tW1yB5mC9dF3gH6jK0sA";
const SHARED_SECRET_OLD = "oLdSeCrEt-6b7c2d9e0f1a4b8c3d5e7f90";
const KEYS_PARAMETER = "/twilio-status-relay/test/shared-keys";
const NEW_SECRETS = [SUBACCOUNT_TOKEN, SHARED_SECRET, SHARED_SECRET_OLD];
const ACCOUNT_TOKENS_JSON = JSON.stringify({ [SUBACCOUNT]: [SUBACCOUNT_TOKEN] });
const SHARED_KEYS_JSON = JSON.stringify({ [SHARED_KEY_ID]: [SHARED_SECRET, SHARED_SECRET_OLD] });

/** A Parameter Store answering each parameter's value by name. */
async function parameterStoreOf(values: Record<string, string>) {
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const name = (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { Name: string }).Name;
      response.setHeader("content-type", "application/x-amz-json-1.1");
      const value = values[name];
      if (value === undefined) {
        response.statusCode = 400;
        response.end(JSON.stringify({ __type: "ParameterNotFound", message: "" }));
        return;
      }
      response.end(
        JSON.stringify({ Parameter: { Name: name, Type: "SecureString", Value: value } }),
      );
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** Requests signed with the new secrets, their forgeries and refusals. */
function newSecretRequests(): ApiGatewayEvent[] {
  const stamp = (i: number) => `2026-11-27T11:15:${String(i).padStart(2, "0")}.000Z`;
  const params = (i: number) => callbackParams("stream-started", { timestamp: stamp(i) });
  const key = { id: SHARED_KEY_ID, secret: SHARED_SECRET };
  return [
    signedSinkDelivery({ token: PRIMARY, events: sampleSinkEvents({ count: 3 }) }),
    signedSinkDelivery({ sharedKey: key, events: sampleSinkEvents({ count: 3 }) }),
    signedCallback({ sharedKey: { ...key, secret: SHARED_SECRET_OLD }, params: params(1) }),
    signedCallback({ token: SUBACCOUNT_TOKEN, params: { ...params(2), AccountSid: SUBACCOUNT } }),
    signedCallback({ sharedKey: { ...key, secret: FORGER }, params: params(3) }),
    signedCallback({
      sharedKey: { id: "webhooks_sharedkey_unknown", secret: SHARED_SECRET },
      params: params(4),
    }),
    signedCallback({
      params: params(5),
      headers: {
        "x-twilio-webhooks-signature-settings": `key=${SHARED_KEY_ID},algorithm=HMAC_SHA512`,
      },
    }),
    // A subaccount's sink names its account, so that its token is tried.
    signedSinkDelivery({
      query: `AccountSid=${SUBACCOUNT}`,
      token: SUBACCOUNT_TOKEN,
      tamperedBody: "[]",
    }),
    signedSinkDelivery({ token: PRIMARY, body: `[{"id":"${SHARED_SECRET}"}]` }),
    signedCallback({ token: FORGER, params: { ...params(6), AccountSid: SUBACCOUNT } }),
  ];
}

function expectNoNewSecret(output: string): void {
  expectNoSecret(output);
  const text = output.toLowerCase();
  for (const secret of [...NEW_SECRETS, ACCOUNT_TOKENS_JSON, SHARED_KEYS_JSON]) {
    expect(text).not.toContain(secret.toLowerCase());
  }
}

describe("account auth tokens and SharedKey secrets in the output of the ingest function", () => {
  it("never appear, with account tokens in the environment and SharedKeys read from SSM", async () => {
    // Prepare
    const store = await parameterStoreOf({ [KEYS_PARAMETER]: SHARED_KEYS_JSON });
    try {
      // Act
      const child = await runEntryPoint(newSecretRequests(), {
        TWILIO_AUTH_TOKEN: PRIMARY,
        TWILIO_ACCOUNT_AUTH_TOKENS: ACCOUNT_TOKENS_JSON,
        TWILIO_SHARED_KEYS_PARAMETER: KEYS_PARAMETER,
        AWS_ENDPOINT_URL_SSM: store.endpoint,
        AWS_ENDPOINT_URL_SQS: sqs.endpoint,
        QUEUE_URL: queueUrl,
      });

      // Assess: every path ran...
      expect(child.exitCode).toBe(0);
      expect(child.statuses).toEqual([200, 200, 200, 200, 403, 403, 403, 403, 400, 403]);
      for (const message of [
        "published",
        "callback signed with a secondary SharedKey secret",
        "signature does not match",
        "body does not match bodySHA256",
      ]) {
        expect(child.output).toContain(message);
      }
      // ...and no secret was printed.
      expectNoNewSecret(child.output);
    } finally {
      await store.stop();
    }
  });

  it("never appear when the configuration's JSON is malformed: every request is answered 503", async () => {
    // Act
    const child = await runEntryPoint(newSecretRequests().slice(0, 3), {
      TWILIO_AUTH_TOKEN: PRIMARY,
      TWILIO_ACCOUNT_AUTH_TOKENS: `{"${SUBACCOUNT}": "${SUBACCOUNT_TOKEN}"`,
      TWILIO_SHARED_KEYS: `{"${SHARED_KEY_ID}": ["${SHARED_SECRET}", ""]}`,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      QUEUE_URL: queueUrl,
    });

    // Assess
    expect(child.exitCode).toBe(0);
    expect(child.statuses).toEqual([503, 503, 503]);
    expect(child.output).toContain("TWILIO_ACCOUNT_AUTH_TOKENS is not valid JSON");
    expect(child.output).toContain(`TWILIO_SHARED_KEYS ${SHARED_KEY_ID} has an empty secret`);
    expectNoNewSecret(child.output);
  });

  it("never appear when the SharedKeys parameter holds malformed JSON", async () => {
    // Prepare
    const store = await parameterStoreOf({ [KEYS_PARAMETER]: SHARED_KEYS_JSON.slice(0, -1) });
    try {
      // Act
      const child = await runEntryPoint(newSecretRequests().slice(1, 3), {
        TWILIO_AUTH_TOKEN: PRIMARY,
        TWILIO_SHARED_KEYS_PARAMETER: KEYS_PARAMETER,
        AWS_ENDPOINT_URL_SSM: store.endpoint,
        AWS_ENDPOINT_URL_SQS: sqs.endpoint,
        QUEUE_URL: queueUrl,
      });

      // Assess
      expect(child.statuses).toEqual([503, 503]);
      expect(child.output).toContain(`${KEYS_PARAMETER} is not valid JSON`);
      expectNoNewSecret(child.output);
    } finally {
      await store.stop();
    }
  });
});
