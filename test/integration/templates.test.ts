/**
 * Every template the stack can produce, as `npm run package` writes it offline, checked by a tool
 * nobody here wrote (cfn-lint) and the way a reviewer checks IAM: each grant is one the code's own
 * calls (or Lambda, on the function's behalf) need, on exactly the resources they are made on.
 *
 * The parameters that change the template are 8 two-valued ones: 256 stacks. The 8 below are a
 * covering set (asserted by the first test): every value of every parameter, every pair of values
 * of every two parameters, and all 8 combinations of the three that interact in one statement
 * (the KMS key's grant names the account tokens' and SharedKeys' parameters). Parameters that
 * change only values (connectionOverrides, throttles, ...) are packaged by package.test.ts.
 */
import { execFile, spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsCall, awsCallsOfFunction, iamActionOf } from "../helpers/aws-calls.ts";
import { type PackagedStack, packageStack } from "../helpers/package-stack.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const KMS_KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const CFN_LINT_AVAILABLE = spawnSync("cfn-lint", ["--version"]).status === 0;

/** Each parameter's default, then the other value it is packaged with. */
const PARAMETERS = {
  authTokenKmsKeyArn: ["", KMS_KEY_ARN],
  accountAuthTokensParameter: ["", "/acme/twilio/account-auth-tokens"],
  sharedKeysParameter: ["", "/acme/twilio/shared-keys"],
  endpoint: ["httpApi", "functionUrl"],
  queueType: ["fifo", "standard"],
  alarmEmail: ["", "ops@example.com"],
  deployConsumer: ["false", "true"],
  recovery: ["true", "false"],
} as const;
type Parameter = keyof typeof PARAMETERS;
const NAMES = Object.keys(PARAMETERS) as Parameter[];

// One row per stack, a column per parameter in the order above: 0 its default, 1 the other value.
// The first three columns are all 8 combinations; the others make every pair appear.
const COMBINATIONS = [
  [0, 0, 0, 0, 0, 0, 0, 0],
  [0, 0, 1, 0, 1, 0, 1, 1],
  [0, 1, 0, 1, 0, 1, 1, 0],
  [0, 1, 1, 1, 0, 0, 0, 1],
  [1, 0, 0, 1, 0, 1, 1, 1],
  [1, 0, 1, 0, 1, 0, 0, 0],
  [1, 1, 0, 0, 1, 1, 0, 0],
  [1, 1, 1, 1, 1, 1, 1, 1],
] as const;

type Values = Record<Parameter, string>;
const stacks: Values[] = COMBINATIONS.map(
  (row) =>
    Object.fromEntries(
      NAMES.map((name, column) => [name, PARAMETERS[name][row[column] ?? 0]]),
    ) as Values,
);
const label = (values: Values) =>
  NAMES.filter((name) => values[name] !== PARAMETERS[name][0])
    .map((name) => `${name}=${values[name] === KMS_KEY_ARN ? "<key>" : values[name]}`)
    .join(" ") || "defaults";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
interface Resource {
  Type: string;
  Properties?: JsonObject;
  DependsOn?: string | string[];
}
interface Template {
  Conditions?: JsonObject;
  Resources: Record<string, Resource>;
}
interface Statement {
  Effect: string;
  Action?: string | string[];
  NotAction?: Json;
  Resource?: Json;
  NotResource?: Json;
  Principal?: Json;
  Condition?: JsonObject;
}

const packaged: Array<{ values: Values; stack: PackagedStack; template: Template }> = [];
let calls: Map<string, AwsCall[]>;

beforeAll(async () => {
  // One after another: every package step rebuilds dist/, which two at once would race on.
  for (const values of stacks) {
    const stack = await packageStack(
      NAMES.filter((name) => values[name] !== PARAMETERS[name][0]).map(
        (name) => `--param=${name}=${values[name]}`,
      ),
    );
    packaged.push({ values, stack, template: stack.template as unknown as Template });
  }
  calls = new Map();
  for (const name of ["ingest", "recover", "consumer"]) {
    calls.set(name, await awsCallsOfFunction(name));
  }
}, 600_000);

afterAll(async () => {
  for (const { stack } of packaged) await stack.remove();
});

const properties = (resource: Resource | undefined): JsonObject => resource?.Properties ?? {};
const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
const key = (value: Json | undefined) => JSON.stringify(value ?? null);
const getAtt = (id: string, attribute = "Arn") => ({ "Fn::GetAtt": [id, attribute] });
const parameterArn = (name: string) => ({
  "Fn::Sub": `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${name}`,
});

describe("the stacks packaged", () => {
  it("cover every pair of parameter values, and every combination of the KMS key's three", () => {
    // Prepare
    const pairs = NAMES.flatMap((a, i) => NAMES.slice(i + 1).map((b) => [a, b] as const));

    // Act
    const missing = pairs.flatMap(([a, b]) =>
      PARAMETERS[a].flatMap((va) =>
        PARAMETERS[b]
          .filter((vb) => !stacks.some((values) => values[a] === va && values[b] === vb))
          .map((vb) => `${a}=${va} with ${b}=${vb}`),
      ),
    );
    const kmsTriples = new Set(
      stacks.map((v) =>
        key([v.authTokenKmsKeyArn, v.accountAuthTokensParameter, v.sharedKeysParameter]),
      ),
    );

    // Assess
    expect(missing).toEqual([]);
    expect(kmsTriples.size).toBe(8);
  });

  it.each(stacks.map((values, index) => [label(values), index] as const))(
    "leaves no condition to CloudFormation: the parameters decided them (%s)",
    (_, index) => {
      // Prepare
      const template = packaged[index]?.template;

      // Act
      const text = JSON.stringify(template);

      // Assess
      expect(template?.Conditions).toBeUndefined();
      expect(text).not.toContain('"Fn::If"');
      expect(text).not.toContain('"Fn::Equals"');
    },
  );
});

/** A cfn-lint match, as `--format json` prints it. */
interface LintMatch {
  Filename: string;
  Level: "Error" | "Warning" | "Informational";
  Message: string;
  Rule: { Id: string };
  Location: { Path: Array<string | number> | null };
}

// The warnings docs/deploying-and-operating.md lists as staying, as `<rule> <resource>`: the rows
// of its table whose first cell is a rule id, one entry per resource named in the second cell.
async function documentedWarnings(): Promise<string[]> {
  const page = await readFile(join(ROOT, "docs/deploying-and-operating.md"), "utf8");
  return page.split("\n").flatMap((line) => {
    const row = /^\|\s*`(W\d+)`\s*\|([^|]*)\|/.exec(line);
    if (!row) return [];
    return [...(row[2] ?? "").matchAll(/`(\w+)`/g)].map(([, id]) => `${row[1]} ${id}`);
  });
}

describe.skipIf(!CFN_LINT_AVAILABLE)("cfn-lint on every template", () => {
  let matches: LintMatch[];

  beforeAll(async () => {
    // One cfn-lint process for all the templates: most of its time is starting up.
    const files = packaged.map(({ stack }) => stack.templateFile);
    const stdout = await new Promise<string>((done, fail) => {
      execFile(
        "cfn-lint",
        ["--format", "json", "--", ...files],
        { maxBuffer: 64 * 1024 * 1024 },
        (error, out, err) => {
          // It exits non-zero whenever it reports anything; only unreadable output is a failure.
          if (error && out.trim() === "") fail(new Error(`cfn-lint failed: ${err}`));
          else done(out);
        },
      );
    });
    matches = JSON.parse(stdout) as LintMatch[];
  }, 120_000);

  it.each(stacks.map((values, index) => [label(values), index] as const))(
    "finds no error in the template (%s)",
    (_, index) => {
      // Prepare
      const file = packaged[index]?.stack.templateFile;

      // Act
      const errors = matches.filter((m) => m.Filename === file && m.Level === "Error");

      // Assess
      expect(
        errors.map((m) => `${m.Rule.Id} ${m.Message} at ${m.Location.Path?.join("/")}`),
      ).toEqual([]);
    },
  );

  it("reports only the warnings docs/deploying-and-operating.md lists, and each of them", async () => {
    // Prepare
    const documented = await documentedWarnings();

    // Act
    const found = new Set(
      matches
        .filter((m) => m.Level !== "Error")
        .map((m) => `${m.Rule.Id} ${m.Location.Path?.[1] ?? m.Message}`),
    );

    // Assess: a new warning is fixed or documented; a documented one that is gone is removed
    expect([...found].sort()).toEqual([...new Set(documented)].sort());
  });
});

if (!CFN_LINT_AVAILABLE) {
  console.warn(
    "templates.test.ts: cfn-lint suite skipped, cfn-lint is not on PATH (pip install cfn-lint)",
  );
}

// Every Allow statement of a role's inline policies.
function roleStatements(role: Resource): Statement[] {
  return asList(properties(role).Policies as JsonObject[] | undefined).flatMap((policy) =>
    asList((policy.PolicyDocument as JsonObject).Statement as unknown as Statement[]),
  );
}

// What a function's role must grant: action -> the resources it is used on, and the condition.
interface Need {
  resources: Json[];
  condition?: JsonObject;
}

function needsOf(template: Template, functionId: string, values: Values): Map<string, Need> {
  const fn = properties(template.Resources[functionId]);
  const name = /\/(\w+)\.zip$/.exec(String((fn.Code as JsonObject).S3Key))?.[1] ?? "";
  const env = ((fn.Environment as JsonObject | undefined)?.Variables ?? {}) as JsonObject;
  const needs = new Map<string, Need>();
  const need = (action: string, resources: Json[], condition?: JsonObject) => {
    const known = needs.get(action)?.resources ?? [];
    const merged = [...known, ...resources.filter((r) => !known.some((k) => key(k) === key(r)))];
    needs.set(action, condition ? { resources: merged, condition } : { resources: merged });
  };

  // Lambda writes the function's output to its log group with the function's role.
  const [logGroup] = Object.entries(template.Resources).find(
    ([, r]) =>
      r.Type === "AWS::Logs::LogGroup" &&
      properties(r).LogGroupName === `/aws/lambda/${fn.FunctionName}`,
  ) ?? [""];
  need("logs:CreateLogStream", [getAtt(logGroup)]);
  need("logs:PutLogEvents", [getAtt(logGroup)]);

  // What its code sends, on the resources its environment names.
  const parameters = Object.entries(env)
    .filter(([variable, value]) => variable.endsWith("_PARAMETER") && value !== "")
    .map(([, value]) => parameterArn(String(value)));
  for (const call of calls.get(name) ?? []) {
    const action = iamActionOf(call);
    if (action.startsWith("sqs:")) {
      const queue = (env.QUEUE_URL as JsonObject | undefined)?.Ref;
      need(action, [getAtt(String(queue))]);
    } else if (action === "ssm:GetParameter") {
      need(action, parameters);
      // SecureStrings read with decryption: with a customer key, kms:Decrypt through SSM only.
      if (values.authTokenKmsKeyArn !== "") {
        need("kms:Decrypt", [values.authTokenKmsKeyArn], {
          StringEquals: {
            "kms:ViaService": { "Fn::Sub": `ssm.\${AWS::Region}.amazonaws.com` },
            "kms:EncryptionContext:PARAMETER_ARN": parameters,
          },
        });
      }
    } else {
      throw new Error(`${call.file} sends ${call.operation}: say here which resource it is on`);
    }
  }

  // What Lambda itself calls with the function's role for its event sources and destinations.
  for (const r of Object.values(template.Resources)) {
    const p = properties(r);
    if (
      r.Type === "AWS::Lambda::EventSourceMapping" &&
      key(p.FunctionName) === key(getAtt(functionId))
    ) {
      // SQS developer guide, "Configuring an Amazon SQS queue to trigger an AWS Lambda function".
      for (const action of ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]) {
        need(action, [p.EventSourceArn ?? null]);
      }
    }
    if (
      r.Type === "AWS::Lambda::EventInvokeConfig" &&
      key(p.FunctionName) === key({ Ref: functionId })
    ) {
      const destination = ((p.DestinationConfig as JsonObject).OnFailure as JsonObject).Destination;
      const [bucket] = ((destination as JsonObject)["Fn::GetAtt"] ?? []) as string[];
      expect(template.Resources[bucket ?? ""]?.Type).toBe("AWS::S3::Bucket");
      // Lambda developer guide: an S3 destination needs s3:PutObject and s3:ListBucket.
      need("s3:PutObject", [{ "Fn::Sub": `\${${bucket}.Arn}/*` }]);
      need("s3:ListBucket", [getAtt(String(bucket))]);
    }
  }
  return needs;
}

function grantsOf(role: Resource): Map<string, Need> {
  const grants = new Map<string, Need>();
  for (const statement of roleStatements(role)) {
    expect(statement.Effect).toBe("Allow");
    expect(statement).not.toHaveProperty("NotAction");
    expect(statement).not.toHaveProperty("NotResource");
    for (const action of asList(statement.Action)) {
      const known = grants.get(action);
      const resources = [...(known?.resources ?? []), ...asList(statement.Resource)];
      const condition = statement.Condition ?? known?.condition;
      grants.set(action, condition ? { resources, condition } : { resources });
    }
  }
  return grants;
}

const sorted = (needs: Map<string, Need>) =>
  Object.fromEntries(
    [...needs.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([action, { resources, condition }]) => [
        action,
        { resources: resources.map(key).sort(), condition: condition ?? null },
      ]),
  );

describe("least privilege, in every template", () => {
  it.each(stacks.map((values, index) => [label(values), index] as const))(
    "gives each function a role of its own that grants exactly what it calls, where (%s)",
    (_, index) => {
      // Prepare
      const { template, values } = packaged[index] ?? {};
      if (!template || !values) throw new Error("not packaged");
      const functions = Object.entries(template.Resources).filter(
        ([, r]) => r.Type === "AWS::Lambda::Function",
      );

      // Act
      const compared = functions.map(([id, fn]) => {
        const [roleId] = ((properties(fn).Role as JsonObject)["Fn::GetAtt"] ?? []) as string[];
        const role = template.Resources[roleId ?? ""];
        if (role?.Type !== "AWS::IAM::Role") throw new Error(`${id} has no role of this template`);
        return {
          id,
          roleId,
          granted: sorted(grantsOf(role)),
          needed: sorted(needsOf(template, id, values)),
        };
      });

      // Assess
      expect(functions.length).toBeGreaterThan(0);
      for (const { id, granted, needed } of compared) expect(granted, id).toEqual(needed);
      const roles = Object.entries(template.Resources).filter(([, r]) =>
        r.Type.startsWith("AWS::IAM::"),
      );
      expect(roles.map(([id]) => id).sort()).toEqual(compared.map((c) => c.roleId).sort());
      for (const [, role] of roles) {
        expect(role.Type).toBe("AWS::IAM::Role");
        expect(properties(role)).not.toHaveProperty("ManagedPolicyArns");
        expect(properties(role).AssumeRolePolicyDocument).toEqual({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "lambda.amazonaws.com" },
              Action: "sts:AssumeRole",
            },
          ],
        });
      }
    },
  );

  it.each(stacks.map((values, index) => [label(values), index] as const))(
    "lets only the endpoint and CloudWatch Logs invoke the functions, each scoped (%s)",
    (_, index) => {
      // Prepare
      const { template, values } = packaged[index] ?? {};
      if (!template || !values) throw new Error("not packaged");

      // Act
      const permissions = Object.entries(template.Resources)
        .filter(([, r]) => r.Type === "AWS::Lambda::Permission")
        .map(([id, r]) => ({ id, ...properties(r) }));

      // Assess: API Gateway for this API only; the log group's subscription from this account only;
      // anyone only through the function URL, whose auth type NONE is the design (the Twilio
      // signature is the authentication: docs/operating.md).
      const expected: JsonObject[] = [];
      const ingest = getAtt("IngestLambdaFunction");
      if (values.endpoint === "httpApi") {
        expected.push({
          id: "IngestLambdaPermissionHttpApi",
          FunctionName: ingest,
          Action: "lambda:InvokeFunction",
          Principal: "apigateway.amazonaws.com",
          SourceArn: {
            "Fn::Join": [
              "",
              [
                "arn:",
                { Ref: "AWS::Partition" },
                ":execute-api:",
                { Ref: "AWS::Region" },
                ":",
                { Ref: "AWS::AccountId" },
                ":",
                { Ref: "HttpApi" },
                "/*",
              ],
            ],
          },
        });
      } else {
        expected.push(
          {
            id: "IngestLambdaPermissionFnUrl",
            FunctionName: ingest,
            Action: "lambda:InvokeFunctionUrl",
            Principal: "*",
            FunctionUrlAuthType: "NONE",
          },
          {
            id: "IngestLambdaPermissionFn",
            FunctionName: ingest,
            Action: "lambda:InvokeFunction",
            Principal: "*",
            InvokedViaFunctionUrl: true,
          },
        );
      }
      if (values.recovery === "true") {
        expected.push({
          id: "RecoverInvokedByLogs",
          Action: "lambda:InvokeFunction",
          FunctionName: getAtt("RecoverLambdaFunction"),
          Principal: "logs.amazonaws.com",
          SourceArn: getAtt("IngestLogGroup"),
          SourceAccount: { Ref: "AWS::AccountId" },
        });
      }
      const byId = (a: JsonObject, b: JsonObject) => String(a.id).localeCompare(String(b.id));
      expect(permissions.sort(byId)).toEqual(expected.sort(byId));
    },
  );
});
