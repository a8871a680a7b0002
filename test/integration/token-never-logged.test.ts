/**
 * The auth tokens never reach the logs nor a response. The production entry point
 * (`functions/ingest.ts`, wired from the environment, Powertools Logger at DEBUG) runs in a child
 * process, and everything that process writes to stdout and stderr is searched for the tokens
 * and for their comma-separated list, after valid callbacks, a callback signed with the
 * secondary token, forgeries, signed-but-invalid callbacks, refusals of every kind, a token
 * source that fails and then answers slowly, and a queue that refuses every message.
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
