/**
 * The deployable file itself: the ingest zip, unpacked into an empty directory far from any
 * node_modules, loaded by Node 24 as Lambda loads it, relays a signed callback into fauxqs.
 * And what must not be in it (twilio) is not.
 */

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FULL_CHAIN_FILE } from "../../lib/ingest/aws/credentials.ts";
import { normaliseCallback } from "../../lib/ingest/normalise.ts";
import { BUNDLE_FILE, type BuiltFunction, buildFunctions } from "../../testing/local/build.ts";
import {
  drainQueue,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type LocalSqs,
  startLocalSqs,
} from "../../testing/local/sqs.ts";
import { readZip } from "../../testing/local/zip.ts";
import { callbackParams, MEDIA_PROCESSOR_SID } from "../../testing/samples.ts";
import { signedCallback } from "../../testing/signed-callback.ts";
import { FORGER_AUTH_TOKEN, PRIMARY_AUTH_TOKEN } from "../../testing/tokens.ts";

const ROOT = resolve(import.meta.dirname, "../..");
// The runtime the stack deploys to (nodejs24.x): the pinned Node 24, whatever runs the tests.
const NODE = resolve(ROOT, "node_modules/.bin/node");

// Loads the handler the way Lambda's Node runtime resolves `index.handler` (the first of
// index.js, index.mjs, index.cjs), with the event on stdin and the response on stdout, on a
// line of its own among the function's JSON logs.
const INVOKE = `
const { existsSync } = require("node:fs");
const file = ["index.js", "index.mjs", "index.cjs"].find((name) => existsSync(name));
const { handler } = require(require("node:path").join(process.cwd(), file));
let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", async () => {
  // The part of Lambda's context the functions read.
  const response = await handler(JSON.parse(input), { getRemainingTimeInMillis: () => 60000 });
  process.stdout.write("\\nRESPONSE " + JSON.stringify(response) + "\\n");
});
`;

let sqs: LocalSqs;
let queueUrl: string;
let outDir: string;
let taskDir: string;
let built: BuiltFunction[];

function ingest(): BuiltFunction {
  const fn = built.find((candidate) => candidate.name === "ingest");
  if (!fn) throw new Error("the build made no ingest artifact");
  return fn;
}

// Asynchronous on purpose: fauxqs runs in this process and must keep answering meanwhile.
function invoke(
  event: unknown,
  env: Record<string, string>,
  cwd = taskDir,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { promise, resolve: done } = Promise.withResolvers<{
    code: number;
    stdout: string;
    stderr: string;
  }>();
  const child = execFile(
    NODE,
    ["-e", INVOKE],
    {
      cwd,
      // Only what Lambda would set: no NODE_PATH, nothing inherited from the test runner.
      env: {
        PATH: process.env.PATH ?? "",
        AWS_REGION: LOCAL_REGION,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        // No NODE_OPTIONS, as serverless.yml deploys it: the logger maps stacks itself.
        ...env,
      },
    },
    (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
  );
  child.stdin?.end(JSON.stringify(event));
  return promise;
}

// The function's configuration in these tests: the local queue, and the token callbacks sign with.
function relayEnvironment(): Record<string, string> {
  return {
    QUEUE_URL: queueUrl,
    TWILIO_AUTH_TOKEN: PRIMARY_AUTH_TOKEN,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
  };
}

// No credentials in the environment or from instance metadata: only what these files hold.
function credentialsOnlyIn(credentialsFile: string, configFile: string): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: "",
    AWS_SECRET_ACCESS_KEY: "",
    AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
    AWS_CONFIG_FILE: configFile,
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

function responseOf(
  stdout: string,
): { statusCode: number; body: string } & Record<string, unknown> {
  const line = stdout.split("\n").find((candidate) => candidate.startsWith("RESPONSE "));
  if (!line) throw new Error(`the handler printed no response:\n${stdout}`);
  return JSON.parse(line.slice("RESPONSE ".length));
}

beforeAll(async () => {
  sqs = await startLocalSqs();
  queueUrl = (await sqs.createQueues("artifact")).queueUrl;
  outDir = await mkdtemp(join(tmpdir(), "relay-dist-"));
  built = await buildFunctions({ outDir });
  taskDir = await mkdtemp(join(tmpdir(), "relay-task-"));
  for (const entry of await readZip(await readFile(ingest().artifact))) {
    await writeFile(join(taskDir, entry.name), entry.data);
  }
});

afterAll(async () => {
  await sqs?.stop();
  for (const dir of [outDir, taskDir]) if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the ingest artifact", () => {
  it("holds only the bundle, its source map and the SDK's credential chain, with no node_modules anywhere above it", async () => {
    // Prepare
    const ancestors: string[] = [];
    for (let dir = taskDir; dir !== resolve(dir, ".."); dir = resolve(dir, "..")) {
      ancestors.push(dir);
    }

    // Act
    const files = (await readdir(taskDir)).sort();

    // Assess
    expect(files).toEqual([FULL_CHAIN_FILE, BUNDLE_FILE, `${BUNDLE_FILE}.map`].sort());
    expect(ancestors.filter((dir) => existsSync(join(dir, "node_modules")))).toEqual([]);
  });

  it("relays a signed callback into the queue when loaded on its own", async () => {
    // Prepare
    const event = signedCallback({ event: "media-processor-started" });

    // Act
    const { stdout } = await invoke(event, relayEnvironment());

    // Assess
    const response = responseOf(stdout);
    expect(response.statusCode).toBe(200);
    const { id } = JSON.parse(response.body) as { id: string };
    const messages = await drainQueue(sqs.client, queueUrl);
    expect(messages).toHaveLength(1);
    const [message] = messages;
    expect(JSON.parse(message?.Body ?? "{}")).toMatchObject({
      id,
      specversion: "1.0",
      subject: MEDIA_PROCESSOR_SID,
    });
    expect(message?.Attributes?.MessageGroupId).toBe(MEDIA_PROCESSOR_SID);
    expect(message?.MessageAttributes?.status?.StringValue).toBe("started");
  });

  it("relays with credentials only a profile holds, through the SDK's chain shipped beside the bundle", async () => {
    // Prepare
    const event = signedCallback({ event: "media-processor-ended" });
    const profileDir = await mkdtemp(join(tmpdir(), "relay-profile-"));
    const credentialsFile = join(profileDir, "credentials");
    await writeFile(
      credentialsFile,
      `[default]\naws_access_key_id = ${LOCAL_CREDENTIALS.accessKeyId}\n` +
        `aws_secret_access_key = ${LOCAL_CREDENTIALS.secretAccessKey}\n`,
    );

    // Act
    const { stdout } = await invoke(event, {
      ...relayEnvironment(),
      ...credentialsOnlyIn(credentialsFile, join(profileDir, "config")),
    });
    await rm(profileDir, { recursive: true, force: true });

    // Assess
    expect(responseOf(stdout).statusCode).toBe(200);
    expect(await drainQueue(sqs.client, queueUrl)).toHaveLength(1);
  });

  it("answers 503 and queues nothing when no source has credentials", async () => {
    // Prepare
    const event = signedCallback({ event: "media-processor-started" });

    // Act
    const { stdout } = await invoke(event, {
      ...relayEnvironment(),
      ...credentialsOnlyIn(join(taskDir, "no-credentials"), join(taskDir, "no-config")),
    });

    // Assess
    expect(responseOf(stdout).statusCode).toBe(503);
    expect(await drainQueue(sqs.client, queueUrl)).toHaveLength(0);
  });

  it("refuses a callback signed with another token, and queues nothing", async () => {
    // Prepare
    const event = signedCallback({ token: FORGER_AUTH_TOKEN });

    // Act
    const { stdout } = await invoke(event, relayEnvironment());

    // Assess
    expect(responseOf(stdout).statusCode).toBe(403);
    expect(await drainQueue(sqs.client, queueUrl)).toHaveLength(0);
  });

  it("answers 503 without a queue, and logs the missing variable with a stack into the TypeScript source", async () => {
    // Prepare
    const withoutQueue = { TWILIO_AUTH_TOKEN: PRIMARY_AUTH_TOKEN };

    // Act
    const { code, stdout, stderr } = await invoke(signedCallback(), withoutQueue);

    // Assess
    expect(code).toBe(0);
    const response = responseOf(stdout);
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body)).toMatchObject({ error: "ServiceUnavailableError" });
    expect(response.body).not.toContain("QUEUE_URL");
    expect(stderr).toContain("QUEUE_URL is required");
    expect(stderr).toMatch(/lib\/ingest\/config\.ts:\d+/);
  });

  it("bundles the AWS SDK parts it uses, not the SDK's SSM client, and leaves twilio out", async () => {
    // Prepare
    const fn = ingest();

    // Act
    const bundle = await readFile(join(taskDir, BUNDLE_FILE), "utf8");

    // Assess
    expect(fn.inputs.some((input) => input.includes("node_modules/@aws-sdk/client-sqs/"))).toBe(
      true,
    );
    expect(fn.inputs).toContain("lib/ingest/aws/ssm-client.ts");
    expect(fn.inputs.some((input) => input.includes("node_modules/@smithy/signature-v4/"))).toBe(
      true,
    );
    expect(
      fn.inputs.filter((input) => input.includes("node_modules/@aws-sdk/client-ssm/")),
    ).toEqual([]);
    expect(fn.inputs.filter((input) => input.includes("node_modules/twilio/"))).toEqual([]);
    const required = new Set(
      [...bundle.matchAll(/require\("([^"]+)"\)/g)]
        .map((match) => match[1] ?? "")
        .filter((name) => !name.startsWith("node:") && !builtinModules.includes(name)),
    );
    // Nothing but the SDK's credential chain, shipped beside the bundle.
    expect([...required]).toEqual([`./${FULL_CHAIN_FILE}`]);
  });
});

describe("the recover artifact", () => {
  it("loaded as Lambda loads it, puts a logged event from a subscription payload on the queue", async () => {
    // Prepare
    const fn = built.find((candidate) => candidate.name === "recover");
    if (!fn) throw new Error("the build made no recover artifact");
    const recoverDir = await mkdtemp(join(tmpdir(), "relay-recover-"));
    for (const entry of await readZip(await readFile(fn.artifact))) {
      await writeFile(join(recoverDir, entry.name), entry.data);
    }
    const { queueUrl: recoverQueueUrl } = await sqs.createQueues("artifact-recover");
    const event = normaliseCallback(
      new Map(Object.entries(callbackParams("stream-ended")).map(([k, v]) => [k, [v]])),
      () => new Date(),
    );
    const line = JSON.stringify({
      level: "ERROR",
      message: "publish failed",
      eventId: event.id,
      event,
    });
    const payload = {
      messageType: "DATA_MESSAGE",
      owner: "123456789012",
      logGroup: "/aws/lambda/ingest",
      logStream: "stream",
      subscriptionFilters: ["recover"],
      logEvents: [{ id: "1", timestamp: Date.now(), message: line }],
    };
    const awslogs = { awslogs: { data: gzipSync(JSON.stringify(payload)).toString("base64") } };

    // Act
    const { code, stdout } = await invoke(
      awslogs,
      { QUEUE_URL: recoverQueueUrl, AWS_ENDPOINT_URL_SQS: sqs.endpoint },
      recoverDir,
    );
    const onQueue = await drainQueue(sqs.client, recoverQueueUrl);
    await rm(recoverDir, { recursive: true, force: true });

    // Assess
    expect(code).toBe(0);
    expect(responseOf(stdout)).toEqual({ recovered: 1, failed: 0, skipped: 0 });
    expect(onQueue.map((message) => message.Attributes?.MessageDeduplicationId)).toEqual([
      event.id,
    ]);
  });
});

describe("the build", () => {
  it("makes one artifact for every function in functions/", async () => {
    // Prepare
    const entries = (await readdir(join(ROOT, "functions")))
      .filter((file) => file.endsWith(".ts"))
      .map((file) => file.slice(0, -".ts".length))
      .sort();

    // Act
    const names = built.map((fn) => fn.name).sort();

    // Assess
    expect(names).toEqual(entries);
    for (const fn of built) expect(existsSync(fn.artifact)).toBe(true);
  });

  it("puts neither the twilio package nor npm run connect's code (lib/connect) in any function", () => {
    // Act
    const strays = built.flatMap((fn) =>
      fn.inputs
        .filter(
          (input) => input.includes("node_modules/twilio/") || input.startsWith("lib/connect/"),
        )
        .map((input) => `${fn.name}: ${input}`),
    );

    // Assess
    expect(built.length).toBeGreaterThan(1);
    expect(strays).toEqual([]);
  });

  it("fails when a function would bundle the twilio package", async () => {
    // Prepare
    const functionsDir = await mkdtemp(join(tmpdir(), "relay-functions-"));
    const twilioEntry = join(ROOT, "node_modules/twilio/lib/index.js");
    await writeFile(
      join(functionsDir, "leaky.ts"),
      `import twilio from ${JSON.stringify(twilioEntry)};\nexport const handler = () => twilio;\n`,
    );

    // Act
    const failure = await buildFunctions({
      functionsDir,
      outDir: join(functionsDir, "dist"),
    }).catch((error: unknown) => error);

    // Assess
    await rm(functionsDir, { recursive: true, force: true });
    expect(String(failure)).toMatch(/package "twilio" must not be bundled/);
  });
});
