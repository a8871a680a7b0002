/**
 * The AWS API calls a Lambda function's code makes, read from its source, and the IAM action each
 * needs: what the least-privilege test compares the template's grants with.
 *
 * A call is an SDK command the file imports from `@aws-sdk/client-*` and constructs (`new
 * SendMessageCommand(`), or an operation the relay's own clients name in an `x-amz-target` header
 * (`"AmazonSSM.GetParameter"`, lib/ingest/aws/ssm-client.ts). Which files a function runs is
 * esbuild's answer: the files that put code into its bundle.
 */
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { BUNDLE_SETTINGS, CREDENTIAL_SPLIT } from "../../testing/local/build.ts";

const ROOT = resolve(import.meta.dirname, "../..");

/** The IAM service prefix of each `@aws-sdk/client-<name>` package the code may use. */
const CLIENT_SERVICES: Readonly<Record<string, string>> = {
  sqs: "sqs",
  ssm: "ssm",
  s3: "s3",
  kms: "kms",
  "cloudwatch-logs": "logs",
  cloudwatch: "cloudwatch",
};

/** The IAM service prefix of each `x-amz-target` prefix the relay's own clients send. */
const TARGET_SERVICES: Readonly<Record<string, string>> = {
  AmazonSSM: "ssm",
  AmazonSQS: "sqs",
};

/**
 * The IAM action each operation needs, in one place. Most are the operation's own name; the SQS
 * batch operations are authorised by the single one's action (SQS developer guide, "Amazon SQS API
 * permissions: Actions and resource reference"). An operation missing here fails the test that
 * meets it, with the name to add.
 */
export const IAM_ACTIONS: Readonly<Record<string, string>> = {
  "sqs:SendMessage": "sqs:SendMessage",
  "sqs:SendMessageBatch": "sqs:SendMessage",
  "sqs:ReceiveMessage": "sqs:ReceiveMessage",
  "sqs:DeleteMessage": "sqs:DeleteMessage",
  "sqs:DeleteMessageBatch": "sqs:DeleteMessage",
  "sqs:ChangeMessageVisibility": "sqs:ChangeMessageVisibility",
  "sqs:ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
  "sqs:GetQueueAttributes": "sqs:GetQueueAttributes",
  "sqs:StartMessageMoveTask": "sqs:StartMessageMoveTask",
  "sqs:CancelMessageMoveTask": "sqs:CancelMessageMoveTask",
  "sqs:ListMessageMoveTasks": "sqs:ListMessageMoveTasks",
  "ssm:GetParameter": "ssm:GetParameter",
};

/** One AWS operation a source file sends. */
export interface AwsCall {
  /** `service:Operation`, such as `sqs:SendMessageBatch`. */
  readonly operation: string;
  /** The file that sends it, relative to the root. */
  readonly file: string;
}

/** The AWS operations `source` (the text of `file`) sends. Throws on a client it cannot name. */
export function awsCallsIn(file: string, source: string): AwsCall[] {
  const calls: AwsCall[] = [];
  for (const [, names = "", client = ""] of source.matchAll(
    /import\s*\{([^}]*)\}\s*from\s*"@aws-sdk\/client-([\w-]+)"/g,
  )) {
    const service = CLIENT_SERVICES[client];
    if (service === undefined)
      throw new Error(`${file}: no IAM prefix for @aws-sdk/client-${client}`);
    for (const name of names.split(",").map((part) => part.trim())) {
      const command = /^(\w+)Command$/.exec(name);
      if (command?.[1] !== undefined && source.includes(`new ${name}(`)) {
        calls.push({ operation: `${service}:${command[1]}`, file });
      }
    }
  }
  for (const [, prefix = "", operation = ""] of source.matchAll(
    /["']x-amz-target["']\s*:\s*["'](\w+)\.(\w+)["']/gi,
  )) {
    const service = TARGET_SERVICES[prefix];
    if (service === undefined) throw new Error(`${file}: no IAM prefix for target ${prefix}`);
    calls.push({ operation: `${service}:${operation}`, file });
  }
  return calls;
}

/** The IAM action `call` needs; throws, naming the table, for an operation not in it. */
export function iamActionOf(call: AwsCall): string {
  const action = IAM_ACTIONS[call.operation];
  if (action === undefined) {
    throw new Error(
      `${call.file} sends ${call.operation}: add its IAM action to IAM_ACTIONS (test/helpers/aws-calls.ts)`,
    );
  }
  return action;
}

/**
 * The project files (not node_modules) that put code into the bundle of `functions/<name>.ts`,
 * bundled as `npm run build` bundles it; a file only imported for what tree-shaking drops is not
 * among them.
 */
export async function filesInBundle(name: string): Promise<string[]> {
  const result = await build({
    entryPoints: [join(ROOT, "functions", `${name}.ts`)],
    outfile: join(ROOT, "dist", name, "index.cjs"),
    absWorkingDir: ROOT,
    ...BUNDLE_SETTINGS,
    ...CREDENTIAL_SPLIT,
    sourcemap: false,
    metafile: true,
    write: false,
  });
  const files = new Set<string>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (bytesInOutput > 0 && !input.startsWith("node_modules/")) files.add(input);
    }
  }
  return [...files].sort();
}

/** Every AWS operation the code of `functions/<name>.ts` may send. */
export async function awsCallsOfFunction(name: string): Promise<AwsCall[]> {
  const calls: AwsCall[] = [];
  for (const file of await filesInBundle(name)) {
    calls.push(...awsCallsIn(file, await readFile(join(ROOT, file), "utf8")));
  }
  return calls;
}
