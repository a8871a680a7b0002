/**
 * The published package, as a team in another repository gets it: `npm pack` (which builds it),
 * a real `npm install` of the tarball into a fresh project, a TypeScript consumer compiled there
 * with `tsc` against the installed types, then run by plain `node` on a message body the relay
 * produced; each subpath loaded, from an ES module and through `require`; and the examples of
 * docs/consuming.md (examples/), compiled and run the same way.
 */
import { execFile } from "node:child_process";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statusEventTypes } from "../../lib/events/registry.ts";
import { sqsMessage } from "../../lib/ingest/aws/sqs-publisher.ts";
import { NODE, ROOT } from "../helpers/child-process.ts";
import { statusEvent } from "../helpers/status-events.ts";

const exec = promisify(execFile);
const BIN = resolve(ROOT, "node_modules/.bin");
const TSC = join(BIN, "tsc");
const rootPackage = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as {
  devDependencies: Record<string, string>;
};

// npm's own variables (set when this runs under `npm test`) would point the child npm at this
// repository; the child gets a clean environment with the pinned Node first on PATH.
const env = Object.fromEntries(
  Object.entries({ ...process.env, PATH: `${BIN}:${process.env.PATH ?? ""}` }).filter(
    ([name]) => !/^npm_/i.test(name),
  ),
);

/** The consumer, in TypeScript: what a downstream team writes. */
const CONSUMER_TS = `
import {
  InvalidEventError,
  type MediaProcessorStatusEvent,
  parseStatusEvent,
  type StatusEvent,
  type StatusEventOf,
  statusEventTypes,
} from "twilio-status-relay";
import { createStatusEventBatchHandler } from "twilio-status-relay/consumer";

/** One line about a message body. */
export function describeBody(body: string): string {
  const event: StatusEvent = parseStatusEvent(body);
  // @ts-expect-error: extension is a MediaProcessor field, unknown before narrowing
  void event.data.extension;
  if (event.type === "com.twilio.media.media-processor.ended") {
    const narrowed: MediaProcessorStatusEvent = event;
    return [narrowed.type, narrowed.data.extension, narrowed.data.durationSeconds].join(" ");
  }
  if (event.data.resourceType === "PlayerStreamer") {
    const data: StatusEventOf<"PlayerStreamer">["data"] = event.data;
    return [event.type, data.source].join(" ");
  }
  return event.type;
}

/** Whether a foreign body is refused with the package's error. */
export function refusesForeign(): boolean {
  try {
    parseStatusEvent('{"hello":"world"}');
    return false;
  } catch (error) {
    return error instanceof InvalidEventError;
  }
}

export const typeCount: number = statusEventTypes.length;

export const seen: string[] = [];
export const handler = createStatusEventBatchHandler((event: StatusEvent) => {
  seen.push(event.id);
});
`;

/** Runs the compiled consumer and loads every subpath, as plain JavaScript. */
const RUN_MJS = `
import { readFileSync } from "node:fs";
import schema from "twilio-status-relay/status-event.schema.json" with { type: "json" };
import { signedCallback, PRIMARY_AUTH_TOKEN, ALL_EVENTS } from "twilio-status-relay/testing";
import { describeBody, handler, refusesForeign, seen, typeCount } from "./out/consumer.js";
import { handler as jsExample } from "./consumer.mjs";
import { handler as tsExample } from "./out/example.js";

const body = readFileSync(process.argv[2], "utf8");
const record = {
  messageId: "m1", receiptHandle: "r", body, attributes: {}, messageAttributes: {},
  md5OfBody: "", eventSource: "aws:sqs", awsRegion: "us-east-1",
  eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:status-events",
};
const batch = await handler({ Records: [record, { ...record, messageId: "m2", body: "{}" }] });
const signed = signedCallback({ event: ALL_EVENTS[0] });
// The examples of docs/consuming.md log each event: quiet here, their answers are what counts.
console.log = () => {};
const examples = [await jsExample({ Records: [record] }), await tsExample({ Records: [record] })];
process.stdout.write(JSON.stringify({
  line: describeBody(body),
  refusesForeign: refusesForeign(),
  typeCount,
  seen,
  failures: batch.batchItemFailures,
  schema: schema.$schema,
  signed: typeof signed.headers["x-twilio-signature"] === "string",
  tokenLength: PRIMARY_AUTH_TOKEN.length,
  examples,
}));
`;

/** The same package through require(), as a CommonJS consumer loads it. */
const REQUIRE_CJS = `
const relay = require("twilio-status-relay");
const consumer = require("twilio-status-relay/consumer");
const testing = require("twilio-status-relay/testing");
const schema = require("twilio-status-relay/status-event.schema.json");
console.log(JSON.stringify({
  parse: typeof relay.parseStatusEvent,
  batch: typeof consumer.createStatusEventBatchHandler,
  signed: typeof testing.signedCallback,
  schema: schema.$schema,
}));
`;

let work: string;
let project: string;
let packedFiles: string[];
let compileErrors: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "relay-npm-package-"));
  project = join(work, "consumer");
  const { stdout } = await exec("npm", ["pack", "--json", "--pack-destination", work], {
    cwd: ROOT,
    env,
    maxBuffer: 16 * 1024 * 1024,
  });
  // npm prints the prepack script's output before the JSON.
  const packed = JSON.parse(stdout.slice(stdout.indexOf("["))) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  const tarball = join(work, packed[0]?.filename ?? "");
  packedFiles = packed[0]?.files.map((file) => file.path) ?? [];

  await exec("mkdir", [project]);
  await writeFile(
    join(project, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  await exec(
    "npm",
    [
      "install",
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      "--ignore-scripts",
      tarball,
      // The optional peer the ./consumer entry needs, at the version the relay is tested with.
      `@aws-lambda-powertools/batch@${rootPackage.devDependencies["@aws-lambda-powertools/batch"]}`,
    ],
    { cwd: project, env },
  );
  await writeFile(join(project, "consumer.ts"), CONSUMER_TS);
  // The examples of docs/consuming.md, as a user copies them.
  await copyFile(join(ROOT, "examples/consumer.ts"), join(project, "example.ts"));
  await copyFile(join(ROOT, "examples/consumer.mjs"), join(project, "consumer.mjs"));
  await writeFile(join(project, "run.mjs"), RUN_MJS);
  await writeFile(join(project, "require.cjs"), REQUIRE_CJS);
  await writeFile(
    join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "es2022",
        module: "nodenext",
        moduleResolution: "nodenext",
        strict: true,
        // The examples log with console.
        lib: ["es2022", "dom"],
        types: [],
        outDir: "out",
        // As most projects compile; the @ts-expect-error above fails if the types were lost.
        skipLibCheck: true,
      },
      files: ["consumer.ts", "example.ts"],
    }),
  );
  // Compiled here, so that the tests that run the output do not depend on another test.
  compileErrors = await exec(TSC, ["-p", "."], { cwd: project, env }).then(
    () => "",
    (error: { stdout?: string }) => error.stdout ?? String(error),
  );
}, 180_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("the npm package", () => {
  it("holds the built entries and the schema, and no tests, fixtures, benchmarks or bundles", () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        "package.json",
        "LICENSE",
        "pkg/lib/events/index.js",
        "pkg/lib/events/index.d.ts",
        "pkg/lib/consumer/index.js",
        "pkg/testing/index.js",
        "schema/status-event.schema.json",
      ]),
    );
    const stray = packedFiles.filter((path) =>
      /^(test|dist|scripts|functions|docs|examples|testing\/local|lib)\/|bench|fixture|\.ts$/.test(
        path.replace(/\.d\.ts$/, ".d"),
      ),
    );
    expect(stray).toEqual([]);
    // npm run connect's code (and with it the twilio package) stays out of the package.
    expect(packedFiles.filter((path) => path.includes("connect/"))).toEqual([]);
  });

  it("compiles a TypeScript consumer and the TypeScript example against the installed types", () => {
    expect(compileErrors).toBe("");
  });

  it("runs it with plain node on a message body the relay produced, loading every subpath", async () => {
    // Prepare
    const event = statusEvent("media-processor-ended");
    const bodyFile = join(project, "body.json");
    await writeFile(bodyFile, sqsMessage(event, "https://sqs.local/q", false).MessageBody ?? "");

    // Act
    const { stdout } = await exec(NODE, ["run.mjs", bodyFile], { cwd: project, env });

    // Assess
    expect(JSON.parse(stdout)).toEqual({
      line: `${event.type} video-composer-v1-preview 3600`,
      refusesForeign: true,
      typeCount: statusEventTypes.length,
      seen: [event.id],
      failures: [{ itemIdentifier: "m2" }],
      schema: "https://json-schema.org/draft/2020-12/schema",
      signed: true,
      tokenLength: 32,
      examples: [{ batchItemFailures: [] }, { batchItemFailures: [] }],
    });
  }, 60_000);

  it("loads every subpath through require, as CommonJS does", async () => {
    // Act
    const { stdout } = await exec(NODE, ["require.cjs"], { cwd: project, env });
    // Assess
    expect(JSON.parse(stdout)).toEqual({
      parse: "function",
      batch: "function",
      signed: "function",
      schema: "https://json-schema.org/draft/2020-12/schema",
    });
  }, 60_000);
});
