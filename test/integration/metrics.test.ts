/**
 * The relay's metrics as Lambda writes them: the built ingest bundle, loaded by Node 24 as
 * Lambda loads it (no NODE_OPTIONS, as deployed), answers one callback, and its stdout holds the
 * embedded metric format (EMF) CloudWatch turns into metrics, for 2xx, 4xx and 5xx alike: one
 * line per invocation, each metric with the dimensions the dashboard and alarms read.
 */

import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFunctions } from "../../testing/local/build.ts";
import {
  drainQueue,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type LocalSqs,
  startLocalSqs,
} from "../../testing/local/sqs.ts";
import { readZip } from "../../testing/local/zip.ts";
import { LOCAL_AUTH_TOKEN } from "../../testing/samples.ts";
import { signedCallback } from "../../testing/signed-callback.ts";
import { FORGER_AUTH_TOKEN } from "../../testing/tokens.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const NODE = resolve(ROOT, "node_modules/.bin/node");
const SERVICE = "twilio-status-relay-test";

// Loads index.cjs as Lambda's runtime does, invokes it with the event on stdin, and prints the
// response on a line of its own among the function's output.
const INVOKE = `
const { handler } = require(require("node:path").join(process.cwd(), "index.cjs"));
let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", async () => {
  const response = await handler(JSON.parse(input));
  process.stdout.write("\\nRESPONSE " + JSON.stringify(response) + "\\n");
});
`;

interface Emf {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [field: string]: unknown;
}

let sqs: LocalSqs;
let queueUrl: string;
let workDir: string;

function invoke(
  event: unknown,
  env: Record<string, string>,
): Promise<{ statusCode: number; emf: Emf[] }> {
  const {
    promise,
    resolve: done,
    reject,
  } = Promise.withResolvers<{
    statusCode: number;
    emf: Emf[];
  }>();
  const child = execFile(
    NODE,
    ["-e", INVOKE],
    {
      cwd: join(workDir, "task"),
      env: {
        PATH: process.env.PATH ?? "",
        AWS_REGION: LOCAL_REGION,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_SQS: sqs.endpoint,
        POWERTOOLS_SERVICE_NAME: SERVICE,
        ...env,
      },
    },
    (error, stdout) => {
      if (error) return reject(error);
      const lines = stdout.split("\n");
      const response = lines.find((line) => line.startsWith("RESPONSE "));
      if (!response) return reject(new Error(`no response:\n${stdout}`));
      done({
        statusCode: (JSON.parse(response.slice("RESPONSE ".length)) as { statusCode: number })
          .statusCode,
        emf: lines.filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line) as Emf),
      });
    },
  );
  child.stdin?.end(JSON.stringify(event));
  return promise;
}

// Each directive of each EMF line as `{ metric: value, dimension: value }` pairs, with its
// namespace: the metrics CloudWatch extracts from the lines.
function metricsOf(emf: Emf[]): Record<string, unknown>[] {
  return emf.flatMap((line) =>
    line._aws.CloudWatchMetrics.map((directive) => {
      const out: Record<string, unknown> = { namespace: directive.Namespace };
      for (const name of directive.Dimensions.flat()) out[name] = line[name];
      for (const { Name } of directive.Metrics) out[Name] = line[Name];
      return out;
    }),
  );
}

beforeAll(async () => {
  sqs = await startLocalSqs();
  queueUrl = (await sqs.createQueues("metrics")).queueUrl;
  workDir = await mkdtemp(join(tmpdir(), "relay-metrics-"));
  const built = await buildFunctions({ outDir: join(workDir, "dist") });
  const ingest = built.find((fn) => fn.name === "ingest");
  if (!ingest) throw new Error("the build made no ingest artifact");
  await mkdir(join(workDir, "task"));
  for (const entry of await readZip(await readFile(ingest.artifact))) {
    await writeFile(join(workDir, "task", entry.name), entry.data);
  }
});

afterAll(async () => {
  await sqs?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe("the ingest bundle's metrics on stdout", () => {
  it("writes CallbacksRelayed by resourceType and the publish's latency for a relayed callback", async () => {
    // Prepare
    const event = signedCallback({ event: "media-processor-ended" });

    // Act
    const { statusCode, emf } = await invoke(event, {
      QUEUE_URL: queueUrl,
      TWILIO_AUTH_TOKEN: LOCAL_AUTH_TOKEN,
    });

    // Assess
    expect(statusCode).toBe(200);
    expect(await drainQueue(sqs.client, queueUrl)).toHaveLength(1);
    expect(emf).toHaveLength(1);
    const metrics = metricsOf(emf);
    expect(metrics).toEqual([
      {
        namespace: "TwilioStatusRelay",
        service: SERVICE,
        resourceType: "MediaProcessor",
        CallbacksRelayed: 1,
      },
      {
        namespace: "TwilioStatusRelay",
        service: SERVICE,
        PublishLatency: expect.any(Number),
        PublishFailures: 0,
      },
    ]);
    expect(emf[0]?._aws.CloudWatchMetrics[1]?.Metrics).toContainEqual({
      Name: "PublishLatency",
      Unit: "Milliseconds",
    });
  });

  it("writes CallbacksRefused with the reason for a 403", async () => {
    // Prepare
    const event = signedCallback({ token: FORGER_AUTH_TOKEN });

    // Act
    const { statusCode, emf } = await invoke(event, {
      QUEUE_URL: queueUrl,
      TWILIO_AUTH_TOKEN: LOCAL_AUTH_TOKEN,
    });

    // Assess
    expect(statusCode).toBe(403);
    expect(metricsOf(emf)).toEqual([
      {
        namespace: "TwilioStatusRelay",
        service: SERVICE,
        reason: "SignatureMismatchError",
        CallbacksRefused: 1,
      },
    ]);
  });

  it("writes a publish failure and the 503 when the queue refuses the event", async () => {
    // Prepare: a queue that does not exist
    const missingQueue = queueUrl.replace(/[^/]+$/, "no-such-queue");

    // Act
    const { statusCode, emf } = await invoke(signedCallback(), {
      QUEUE_URL: missingQueue,
      TWILIO_AUTH_TOKEN: LOCAL_AUTH_TOKEN,
    });

    // Assess
    expect(statusCode).toBe(503);
    expect(emf).toHaveLength(1);
    expect(metricsOf(emf)).toEqual([
      {
        namespace: "TwilioStatusRelay",
        service: SERVICE,
        reason: "ServiceUnavailableError",
        CallbacksRefused: 1,
      },
      {
        namespace: "TwilioStatusRelay",
        service: SERVICE,
        PublishLatency: expect.any(Number),
        PublishFailures: 1,
      },
    ]);
  });

  it("writes the 503 of a relay that is not configured", async () => {
    // Prepare
    const withoutQueue = { TWILIO_AUTH_TOKEN: LOCAL_AUTH_TOKEN };

    // Act
    const { statusCode, emf } = await invoke(signedCallback(), withoutQueue);

    // Assess
    expect(statusCode).toBe(503);
    expect(metricsOf(emf)).toEqual([
      {
        namespace: "TwilioStatusRelay",
        service: SERVICE,
        reason: "ServiceUnavailableError",
        CallbacksRefused: 1,
      },
    ]);
  });
});
