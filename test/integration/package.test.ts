/**
 * `npm run package` offline, with no AWS credentials and every network request refused, and the
 * CloudFormation template it writes: routes, queue settings, alarms, outputs, runtime, and IAM
 * statements each scoped to named resources. Once with the defaults, once with every option.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CONNECTION_OVERRIDES } from "../../lib/ingest/config.ts";
import { DEAD_LETTER_RETENTION_SECONDS, MAX_RECEIVE_COUNT } from "../../testing/local/sqs.ts";
import { type PackagedStack, packageStack as packageOffline } from "../helpers/package-stack.ts";

const ALLOWED_ACCOUNTS = "AC0123456789abcdef0123456789abcdef,ACfedcba9876543210fedcba9876543210";
const KMS_KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const TWILIO_BUDGET_SECONDS = 15;
const CUSTOM_OVERRIDES = "ct=2000&rc=2&rp=5xx";
// The stack's own outputs, whatever the endpoint.
const RELAY_OUTPUTS = [
  "StatusCallbackUrl",
  "QueueUrl",
  "QueueArn",
  "DeadLetterQueueUrl",
  "DeadLetterQueueArn",
];
// A CloudFormation Fn::Sub placeholder, such as ${AWS::Region}.
const cfn = (name: string) => `\${${name}}`;
const parameterArn = (name: string) =>
  `arn:${cfn("AWS::Partition")}:ssm:${cfn("AWS::Region")}:${cfn("AWS::AccountId")}:parameter${name}`;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
interface Resource {
  Type: string;
  Condition?: string;
  Properties: JsonObject;
}
interface Template {
  Resources: Record<string, Resource>;
  Outputs: Record<string, JsonObject>;
}

const packaged: PackagedStack[] = [];

async function packageStack(args: string[]): Promise<{ template: Template; seconds: number }> {
  const stack = await packageOffline(args);
  packaged.push(stack);
  return { template: asTemplate(stack.template as JsonObject), seconds: stack.seconds };
}

// What the optional parameters decide is resolved at package time: the template has no condition
// to evaluate (templates.test.ts asserts it holds no Conditions, Fn::If or Fn::Equals).
function asTemplate(raw: JsonObject): Template {
  return {
    Resources: raw.Resources as unknown as Template["Resources"],
    Outputs: (raw.Outputs ?? {}) as Template["Outputs"],
  };
}

function ofType(template: Template, type: string): Array<[string, Resource]> {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

function resource(template: Template, id: string): Resource {
  const found = template.Resources[id];
  if (!found) throw new Error(`no resource ${id}`);
  return found;
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource?: Json;
  Condition?: JsonObject;
}

function roleStatements(template: Template, roleId: string): Statement[] {
  const policies = (resource(template, roleId).Properties.Policies ?? []) as JsonObject[];
  return policies.flatMap(
    (policy) => ((policy.PolicyDocument as JsonObject).Statement ?? []) as unknown as Statement[],
  );
}

// Every Allow statement in every IAM role or policy of the template.
function allowStatements(template: Template): Array<{ owner: string; statement: Statement }> {
  return Object.entries(template.Resources)
    .filter(([, r]) => /^AWS::IAM::(Role|Policy|ManagedPolicy)$/.test(r.Type))
    .flatMap(([id, r]) => {
      const documents =
        r.Type === "AWS::IAM::Role"
          ? ((r.Properties.Policies ?? []) as JsonObject[]).map((p) => p.PolicyDocument)
          : [r.Properties.PolicyDocument];
      return documents.flatMap((document) =>
        (((document as JsonObject).Statement ?? []) as unknown as Statement[]).map((statement) => ({
          owner: id,
          statement,
        })),
      );
    })
    .filter(({ statement }) => statement.Effect === "Allow");
}

// A named resource: a Ref or GetAtt of a resource of this template, or an ARN without wildcards.
function isNamedResource(template: Template, value: Json): boolean {
  if (typeof value === "string") return value.startsWith("arn:") && !value.includes("*");
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  if (typeof value.Ref === "string") return value.Ref in template.Resources;
  if (Array.isArray(value["Fn::GetAtt"])) {
    const [id] = value["Fn::GetAtt"];
    return typeof id === "string" && id in template.Resources;
  }
  if (typeof value["Fn::Sub"] === "string") {
    const arn = value["Fn::Sub"];
    // The objects of a bucket of this template, whose keys Lambda chooses.
    const objects = /^\$\{(\w+)\.Arn\}\/\*$/.exec(arn);
    if (objects?.[1] !== undefined)
      return template.Resources[objects[1]]?.Type === "AWS::S3::Bucket";
    return arn.startsWith("arn:") && !arn.includes("*") && !/:$/.test(arn);
  }
  return false;
}

function actions(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

let defaults: Template;
let options: Template;
let functionUrl: Template;

beforeAll(async () => {
  const first = await packageStack([]);
  defaults = first.template;
  options = (
    await packageStack([
      "--stage",
      "prod",
      "--region",
      "eu-west-1",
      "--param=deployConsumer=true",
      "--param=queueType=standard",
      `--param=authTokenKmsKeyArn=${KMS_KEY_ARN}`,
      "--param=alarmEmail=ops@example.com",
      "--param=authTokenParameter=/acme/twilio/auth-token",
      `--param=allowedAccountSids=${ALLOWED_ACCOUNTS}`,
      "--param=maxCallbackAgeSeconds=900",
      "--param=accountAuthTokensParameter=/acme/twilio/account-auth-tokens",
      "--param=sharedKeysParameter=/acme/twilio/shared-keys",
      `--param=connectionOverrides=${CUSTOM_OVERRIDES}`,
      "--param=logLevel=DEBUG",
      "--param=systemLogLevel=INFO",
    ])
  ).template;
  functionUrl = (
    await packageStack([
      "--param=endpoint=functionUrl",
      "--param=reservedConcurrency=25",
      "--param=connectionOverrides=none",
    ])
  ).template;
}, 240_000);

afterAll(async () => {
  for (const stack of packaged) await stack.remove();
});

describe("npm run package, offline and without credentials", () => {
  it("turns on the optional protections only when their parameters are set", () => {
    // Prepare
    const variables = (template: Template) =>
      (resource(template, "IngestLambdaFunction").Properties.Environment as JsonObject)
        .Variables as JsonObject;

    // Act
    const [off, on] = [variables(defaults), variables(options)];

    // Assess: an empty variable leaves a protection off (lib/ingest/config.ts)
    expect(off.ALLOWED_ACCOUNT_SIDS).toBe("");
    expect(off.MAX_CALLBACK_AGE_SECONDS).toBe("");
    expect(on.ALLOWED_ACCOUNT_SIDS).toBe(ALLOWED_ACCOUNTS);
    expect(on.MAX_CALLBACK_AGE_SECONDS).toBe("900");
  });

  it("routes every method of /status-callbacks to the ingest function, throttled", () => {
    // Prepare
    const routes = ofType(defaults, "AWS::ApiGatewayV2::Route");

    // Act
    const routeKeys = routes.map(([, route]) => route.Properties.RouteKey).sort();
    const [, stage] = ofType(defaults, "AWS::ApiGatewayV2::Stage")[0] ?? [];
    const [, integration] = ofType(defaults, "AWS::ApiGatewayV2::Integration")[0] ?? [];

    // Assess: one route for any method, so that the function answers 405 (not API Gateway 404)
    expect(routeKeys).toEqual(["ANY /status-callbacks"]);
    expect(integration?.Properties.IntegrationUri).toMatchObject({
      "Fn::GetAtt": ["IngestLambdaFunction", "Arn"],
    });
    const throttling = stage?.Properties.DefaultRouteSettings as JsonObject;
    expect(Number(throttling.ThrottlingRateLimit)).toBe(500);
    expect(Number(throttling.ThrottlingBurstLimit)).toBe(1000);
  });

  it("runs the ingest bundle on Node 24 arm64, answering well inside Twilio's 15 seconds", () => {
    // Prepare
    const fn = resource(defaults, "IngestLambdaFunction").Properties;

    // Act
    const env = (fn.Environment as JsonObject).Variables as JsonObject;

    // Assess
    expect(fn.Runtime).toBe("nodejs24.x");
    expect(fn.Architectures).toEqual(["arm64"]);
    expect(fn.Handler).toBe("index.handler");
    expect(fn.Timeout).toBeLessThan(TWILIO_BUDGET_SECONDS);
    // Chosen from the measured cost and memory (docs/operating.md, "Memory: why 256 MB").
    expect(fn.MemorySize).toBe(256);
    expect(String((fn.Code as JsonObject).S3Key)).toMatch(/\/ingest\.zip$/);
    expect(env.QUEUE_URL).toEqual({ Ref: "Queue" });
    expect(env.TWILIO_AUTH_TOKEN_PARAMETER).toBe("/twilio-status-relay/dev/auth-token");
    expect(env).not.toHaveProperty("TWILIO_AUTH_TOKEN");
    // Source maps are read when an error is logged, not parsed at every cold start.
    expect(env).not.toHaveProperty("NODE_OPTIONS");
    expect(env.POWERTOOLS_SERVICE_NAME).toBe("twilio-status-relay-dev");
    expect(resource(defaults, "IngestLogGroup").Properties.RetentionInDays).toBeGreaterThan(0);
  });

  it("logs the ingest function in JSON at INFO, without Lambda's own lines for a good invocation", () => {
    // Act
    const fn = resource(defaults, "IngestLambdaFunction").Properties;

    // Assess: INFO keeps the metrics' EMF lines (Lambda counts a line with no level as INFO);
    // WARN drops START and REPORT, not a timeout or a crash.
    expect(fn.LoggingConfig).toEqual({
      LogFormat: "JSON",
      ApplicationLogLevel: "INFO",
      SystemLogLevel: "WARN",
    });
    const env = (fn.Environment as JsonObject).Variables as JsonObject;
    expect(env.POWERTOOLS_LOG_LEVEL).toBe("INFO");
  });

  it("takes the log levels from logLevel and systemLogLevel", () => {
    // Act
    const fn = resource(options, "IngestLambdaFunction").Properties;

    // Assess
    expect(fn.LoggingConfig).toEqual({
      LogFormat: "JSON",
      ApplicationLogLevel: "DEBUG",
      SystemLogLevel: "INFO",
    });
    expect(((fn.Environment as JsonObject).Variables as JsonObject).POWERTOOLS_LOG_LEVEL).toBe(
      "DEBUG",
    );
  });

  it("refuses logLevel=WARN, which would drop the metrics' EMF lines", async () => {
    // Act
    const packaging = packageStack(["--param=logLevel=WARN"]);

    // Assess
    await expect(packaging).rejects.toThrow(/functions\.0\.ingest\.logs\.applicationLogLevel/);
  }, 120_000);

  it("creates a high-throughput FIFO queue with SSE and a FIFO dead-letter queue kept 14 days", () => {
    // Prepare
    const queue = resource(defaults, "Queue").Properties;

    // Act
    const dlq = resource(defaults, "DeadLetterQueue").Properties;

    // Assess
    expect(queue).toMatchObject({
      FifoQueue: true,
      DeduplicationScope: "messageGroup",
      FifoThroughputLimit: "perMessageGroupId",
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: { "Fn::GetAtt": ["DeadLetterQueue", "Arn"] },
        maxReceiveCount: MAX_RECEIVE_COUNT,
      },
    });
    expect(String(queue.QueueName)).toMatch(/\.fifo$/);
    expect(queue.VisibilityTimeout).toBeGreaterThan(0);
    expect(queue.MessageRetentionPeriod).toBeGreaterThan(0);
    expect(dlq).toMatchObject({
      FifoQueue: true,
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: Number(DEAD_LETTER_RETENTION_SECONDS),
    });
  });

  it("creates standard queues, still encrypted and redriven, when queueType=standard", () => {
    // Prepare
    const queue = resource(options, "Queue").Properties;

    // Act
    const dlq = resource(options, "DeadLetterQueue").Properties;

    // Assess
    expect(queue).not.toHaveProperty("FifoQueue");
    expect(queue).not.toHaveProperty("DeduplicationScope");
    expect(dlq).not.toHaveProperty("FifoQueue");
    expect(String(queue.QueueName)).not.toMatch(/\.fifo$/);
    expect(queue.SqsManagedSseEnabled).toBe(true);
    expect(dlq.SqsManagedSseEnabled).toBe(true);
    expect(queue.RedrivePolicy).toMatchObject({
      deadLetterTargetArn: { "Fn::GetAtt": ["DeadLetterQueue", "Arn"] },
    });
  });

  it("alarms on the DLQ, ingest errors and throttles, 5xx answers, publish failures and queue age", () => {
    // Prepare
    const alarms = ofType(defaults, "AWS::CloudWatch::Alarm").map(([, alarm]) => alarm.Properties);

    // Act: each alarm's metrics (a metric math alarm has several), with their first dimension
    const watched = alarms.map((alarm) =>
      (alarm.Metrics
        ? (alarm.Metrics as JsonObject[])
            .filter((m) => m.MetricStat)
            .map((m) => (m.MetricStat as JsonObject).Metric as JsonObject)
        : [alarm]
      ).map((metric) => ({
        metric: `${metric.Namespace} ${metric.MetricName}`,
        on: (metric.Dimensions as JsonObject[]).map((d) => d.Value),
      })),
    );

    // Assess
    const service = "twilio-status-relay-dev";
    expect(watched).toEqual(
      expect.arrayContaining([
        [
          {
            metric: "AWS/SQS ApproximateNumberOfMessagesVisible",
            on: [{ "Fn::GetAtt": ["DeadLetterQueue", "QueueName"] }],
          },
        ],
        [{ metric: "AWS/Lambda Errors", on: [{ Ref: "IngestLambdaFunction" }] }],
        [{ metric: "AWS/Lambda Throttles", on: [{ Ref: "IngestLambdaFunction" }] }],
        [
          {
            metric: "TwilioStatusRelay CallbacksRefused",
            on: [service, "ServiceUnavailableError"],
          },
          { metric: "TwilioStatusRelay CallbacksRefused", on: [service, "InternalError"] },
        ],
        [{ metric: "TwilioStatusRelay PublishFailures", on: [service] }],
        [
          {
            metric: "AWS/SQS ApproximateAgeOfOldestMessage",
            on: [{ "Fn::GetAtt": ["Queue", "QueueName"] }],
          },
        ],
        [{ metric: "TwilioStatusRelay RecoveryFailures", on: [service] }],
        [{ metric: "AWS/Lambda Errors", on: [{ Ref: "RecoverLambdaFunction" }] }],
      ]),
    );
    expect(watched).toHaveLength(8);
    expect(ofType(defaults, "AWS::SNS::Topic")).toEqual([]);
    // No topic, so nothing to notify: each alarm's actions are an empty list.
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([]);
      expect(alarm.OKActions).toEqual([]);
    }
  });

  it("draws the relay's metrics and the queue's depth and age on a dashboard", () => {
    // Prepare
    const dashboard = resource(defaults, "Dashboard");
    const body = (dashboard.Properties.DashboardBody as JsonObject)["Fn::Sub"] as string;

    // Act: the JSON CloudFormation would render (placeholders such as the queue name stubbed)
    const widgets = (
      JSON.parse(body.replace(/\$\{[^}]+\}/g, "X")) as {
        widgets: { properties: { metrics: Json[][] } }[];
      }
    ).widgets;
    const drawn = widgets.flatMap((w) =>
      w.properties.metrics.map((line) =>
        typeof line[0] === "string"
          ? `${line[0]} ${line[1]}`
          : String((line[0] as JsonObject).expression),
      ),
    );

    // Assess
    for (const name of ["CallbacksRelayed", "CallbacksRefused"]) {
      expect(drawn.some((d) => d.includes(`MetricName="${name}"`))).toBe(true);
    }
    expect(drawn).toEqual(
      expect.arrayContaining([
        "TwilioStatusRelay PublishLatency",
        "TwilioStatusRelay PublishFailures",
        "AWS/SQS ApproximateNumberOfMessagesVisible",
        "AWS/SQS ApproximateAgeOfOldestMessage",
      ]),
    );
    expect(body).toContain('service=\\"twilio-status-relay-dev\\"');
    expect(body).toContain(cfn("Queue.QueueName"));
    expect(body).toContain(cfn("DeadLetterQueue.QueueName"));
  });

  it("notifies an SNS topic with an email subscription when alarmEmail is given", () => {
    // Prepare
    const alarms = ofType(options, "AWS::CloudWatch::Alarm").map(([, alarm]) => alarm.Properties);

    // Act
    const topic = resource(options, "AlarmTopic").Properties;

    // Assess
    expect(topic.Subscription).toEqual([{ Protocol: "email", Endpoint: "ops@example.com" }]);
    expect(alarms).toHaveLength(8);
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: "AlarmTopic" }]);
  });

  it("exports the callback URL, and the URL and ARN of both queues", () => {
    // Prepare
    const names = [
      "StatusCallbackUrl",
      "QueueUrl",
      "QueueArn",
      "DeadLetterQueueUrl",
      "DeadLetterQueueArn",
    ];

    // Act
    const outputs = names.map((name) => defaults.Outputs[name]);

    // Assess
    names.forEach((name, index) => {
      expect(outputs[index]?.Export, name).toEqual({ Name: `twilio-status-relay-dev-${name}` });
    });
    const url = (defaults.Outputs.StatusCallbackUrl?.Value as JsonObject | undefined)?.[
      "Fn::Join"
    ] as Json[];
    expect(url[1]).toEqual(expect.arrayContaining([{ Ref: "HttpApi" }]));
    expect((url[1] as Json[]).at(-1)).toBe(`/status-callbacks#${DEFAULT_CONNECTION_OVERRIDES}`);
  });

  it.each([
    ["by default", () => defaults, DEFAULT_CONNECTION_OVERRIDES, "/status-callbacks"],
    ["as given", () => options, CUSTOM_OVERRIDES, "/status-callbacks"],
    ["none, with connectionOverrides=none", () => functionUrl, "", "status-callbacks"],
  ])(
    "gives StatusCallbackUrl and the ingest function the connection overrides %s",
    (_, template, overrides, path) => {
      // Prepare
      const value = template().Outputs.StatusCallbackUrl?.Value as JsonObject;
      const ingest = template().Resources.IngestLambdaFunction?.Properties as JsonObject;

      // Act
      const parts = (value["Fn::Join"] as Json[])[1] as Json[];
      const variables = (ingest.Environment as JsonObject).Variables as JsonObject;

      // Assess
      expect(parts.at(-1)).toBe(overrides ? `${path}#${overrides}` : path);
      expect(variables.TWILIO_CONNECTION_OVERRIDES).toBe(overrides);
    },
  );

  it.each([
    ["defaults", () => defaults],
    ["every option", () => options],
  ])("scopes every IAM statement to named resources (%s)", (_, template) => {
    // Prepare
    const statements = allowStatements(template());

    // Act
    const unscoped = statements.filter(({ statement }) => {
      const resources = Array.isArray(statement.Resource)
        ? statement.Resource
        : [statement.Resource ?? null];
      return !resources.every((r) => isNamedResource(template(), r));
    });

    // Assess
    expect(statements.length).toBeGreaterThan(0);
    expect(unscoped).toEqual([]);
  });

  it("lets the ingest role send to the queue and read the token parameter, and nothing else", () => {
    // Prepare
    const statements = roleStatements(defaults, "IngestRole");

    // Act
    const granted = statements.map((s) => ({ actions: actions(s).sort(), resource: s.Resource }));

    // Assess
    expect(granted).toEqual([
      {
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resource: { "Fn::GetAtt": ["IngestLogGroup", "Arn"] },
      },
      { actions: ["sqs:SendMessage"], resource: { "Fn::GetAtt": ["Queue", "Arn"] } },
      {
        actions: ["ssm:GetParameter"],
        resource: [{ "Fn::Sub": parameterArn("/twilio-status-relay/dev/auth-token") }],
      },
    ]);
  });

  it("reads account auth tokens and SharedKeys from SSM only when their parameters are set", () => {
    // Prepare
    const variables = (template: Template) =>
      (resource(template, "IngestLambdaFunction").Properties.Environment as JsonObject)
        .Variables as JsonObject;
    const reads = (template: Template) =>
      roleStatements(template, "IngestRole")
        .filter((s) => actions(s).includes("ssm:GetParameter"))
        .map((s) => s.Resource);

    // Act
    const [off, on] = [variables(defaults), variables(options)];

    // Assess
    expect(off.TWILIO_ACCOUNT_AUTH_TOKENS_PARAMETER).toBe("");
    expect(off.TWILIO_SHARED_KEYS_PARAMETER).toBe("");
    expect(on.TWILIO_ACCOUNT_AUTH_TOKENS_PARAMETER).toBe("/acme/twilio/account-auth-tokens");
    expect(on.TWILIO_SHARED_KEYS_PARAMETER).toBe("/acme/twilio/shared-keys");
    expect(reads(defaults)).toEqual([
      [{ "Fn::Sub": parameterArn("/twilio-status-relay/dev/auth-token") }],
    ]);
    expect(reads(options)).toEqual([
      [
        { "Fn::Sub": parameterArn("/acme/twilio/auth-token") },
        { "Fn::Sub": parameterArn("/acme/twilio/account-auth-tokens") },
        { "Fn::Sub": parameterArn("/acme/twilio/shared-keys") },
      ],
    ]);
  });

  it("grants kms:Decrypt on the given key only through SSM, for those parameters", () => {
    // Prepare
    const statements = roleStatements(options, "IngestRole");

    // Act
    const decrypt = statements.filter((s) => actions(s).includes("kms:Decrypt"));

    // Assess
    expect(decrypt).toHaveLength(1);
    expect(decrypt[0]?.Resource).toBe(KMS_KEY_ARN);
    expect(decrypt[0]?.Condition).toEqual({
      StringEquals: {
        "kms:ViaService": { "Fn::Sub": `ssm.${cfn("AWS::Region")}.amazonaws.com` },
        "kms:EncryptionContext:PARAMETER_ARN": [
          { "Fn::Sub": parameterArn("/acme/twilio/auth-token") },
          { "Fn::Sub": parameterArn("/acme/twilio/account-auth-tokens") },
          { "Fn::Sub": parameterArn("/acme/twilio/shared-keys") },
        ],
      },
    });
  });

  it("deploys no consumer by default", () => {
    // Prepare
    const functions = ofType(defaults, "AWS::Lambda::Function").map(([id]) => id);

    // Act
    const mappings = ofType(defaults, "AWS::Lambda::EventSourceMapping");

    // Assess
    expect(functions).toEqual(["IngestLambdaFunction", "RecoverLambdaFunction"]);
    expect(mappings).toEqual([]);
    expect(defaults.Resources).not.toHaveProperty("ConsumerRole");
  });

  it("deploys the consumer on the queue with its own role when deployConsumer=true", () => {
    // Prepare
    const [, mapping] = ofType(options, "AWS::Lambda::EventSourceMapping")[0] ?? [];

    // Act
    const fn = resource(options, "ConsumerLambdaFunction").Properties;
    const granted = roleStatements(options, "ConsumerRole").map((s) => ({
      actions: actions(s).sort(),
      resource: s.Resource,
    }));

    // Assess
    expect(fn.Handler).toBe("index.handler");
    expect(String((fn.Code as JsonObject).S3Key)).toMatch(/\/consumer\.zip$/);
    expect(fn.Role).toEqual({ "Fn::GetAtt": ["ConsumerRole", "Arn"] });
    expect(mapping?.Properties).toMatchObject({
      EventSourceArn: { "Fn::GetAtt": ["Queue", "Arn"] },
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
    expect(mapping?.Properties.BatchSize).toBeLessThanOrEqual(10);
    expect(granted).toEqual([
      {
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resource: { "Fn::GetAtt": ["ConsumerLogGroup", "Arn"] },
      },
      {
        actions: ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
        resource: { "Fn::GetAtt": ["Queue", "Arn"] },
      },
    ]);
    expect(roleStatements(options, "IngestRole").flatMap(actions)).not.toContain(
      "sqs:ReceiveMessage",
    );
  });
});

describe("the recover function", () => {
  it.each([
    ["defaults", () => defaults],
    ["every option", () => options],
    ["functionUrl", () => functionUrl],
  ])("subscribes to exactly the ingest function's recoverable publish failures (%s)", (_, t) => {
    // Prepare
    const filter = resource(t(), "RecoverSubscriptionFilter").Properties;
    // Act
    const pattern = filter.FilterPattern;
    // Assess
    expect(pattern).toBe('{ ($.message = "publish failed") && ($.event.id = "*") }');
    expect(filter.LogGroupName).toEqual({ Ref: "IngestLogGroup" });
    expect(filter.DestinationArn).toEqual({ "Fn::GetAtt": ["RecoverLambdaFunction", "Arn"] });
  });

  it("may be invoked by CloudWatch Logs for the ingest function's log group only", () => {
    // Act
    const permission = resource(defaults, "RecoverInvokedByLogs").Properties;
    // Assess
    expect(permission).toEqual({
      Action: "lambda:InvokeFunction",
      FunctionName: { "Fn::GetAtt": ["RecoverLambdaFunction", "Arn"] },
      Principal: "logs.amazonaws.com",
      SourceArn: { "Fn::GetAtt": ["IngestLogGroup", "Arn"] },
      SourceAccount: { Ref: "AWS::AccountId" },
    });
  });

  it("is retried twice by Lambda, then leaves the payload in an encrypted, private bucket", () => {
    // Act
    const config = resource(defaults, "RecoverInvokeConfig").Properties;
    const bucket = resource(defaults, "RecoveryFailuresBucket");
    // Assess
    expect(config).toEqual({
      FunctionName: { Ref: "RecoverLambdaFunction" },
      Qualifier: "$LATEST",
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21600,
      DestinationConfig: {
        OnFailure: { Destination: { "Fn::GetAtt": ["RecoveryFailuresBucket", "Arn"] } },
      },
    });
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.BucketEncryption).toBeDefined();
    const recover = resource(defaults, "RecoverLambdaFunction").Properties;
    expect(recover.Timeout).toBe(900);
  });

  it("has its own role: its logs, SendMessage to the queue, and the failure bucket, nothing else", () => {
    // Act
    const statements = roleStatements(defaults, "RecoverRole");
    // Assess
    expect(statements.map((s) => [actions(s), s.Resource])).toEqual([
      [["logs:CreateLogStream", "logs:PutLogEvents"], { "Fn::GetAtt": ["RecoverLogGroup", "Arn"] }],
      [["sqs:SendMessage"], { "Fn::GetAtt": ["Queue", "Arn"] }],
      [["s3:PutObject"], { "Fn::Sub": `${cfn("RecoveryFailuresBucket.Arn")}/*` }],
      [["s3:ListBucket"], { "Fn::GetAtt": ["RecoveryFailuresBucket", "Arn"] }],
    ]);
    expect(resource(defaults, "RecoverLambdaFunction").Properties.Role).toEqual({
      "Fn::GetAtt": ["RecoverRole", "Arn"],
    });
  });

  it.each([
    ["without alarmEmail", () => defaults, []],
    ["with alarmEmail", () => options, [{ Ref: "AlarmTopic" }]],
  ])("alarms on RecoveryFailures and on recover's errors (%s)", (_, t, alarmActions) => {
    // Act
    const failures = resource(t(), "RecoveryFailuresAlarm").Properties;
    const errors = resource(t(), "RecoverErrorsAlarm").Properties;
    // Assess
    expect(failures).toMatchObject({
      Namespace: "TwilioStatusRelay",
      MetricName: "RecoveryFailures",
    });
    expect(errors).toMatchObject({
      Namespace: "AWS/Lambda",
      MetricName: "Errors",
      Dimensions: [{ Name: "FunctionName", Value: { Ref: "RecoverLambdaFunction" } }],
    });
    expect(failures.AlarmActions).toEqual(alarmActions);
  });

  it("draws EventsRecovered and RecoveryFailures on the dashboard", () => {
    // Act
    const body = JSON.stringify(resource(defaults, "Dashboard").Properties.DashboardBody);
    // Assess
    expect(body).toContain('\\"EventsRecovered\\"');
    expect(body).toContain('\\"RecoveryFailures\\"');
  });

  it("is left out, with everything it needs, with recovery=false", async () => {
    // Act
    const { template } = await packageStack(["--param=recovery=false"]);
    // Assess
    expect(Object.keys(template.Resources).filter((id) => /Recover/.test(id))).toEqual([]);
    expect(template.Outputs).not.toHaveProperty("RecoveryFailuresBucketName");
  }, 120_000);
});

describe("npm run package with endpoint=functionUrl", () => {
  it("fronts the ingest function with a function URL, auth type NONE, and no API Gateway", () => {
    // Prepare
    const [, url] = ofType(functionUrl, "AWS::Lambda::Url")[0] ?? [];

    // Act
    const apiGateway = Object.values(functionUrl.Resources).filter((r) =>
      r.Type.startsWith("AWS::ApiGatewayV2::"),
    );

    // Assess
    expect(url?.Properties).toMatchObject({
      AuthType: "NONE",
      TargetFunctionArn: { "Fn::GetAtt": ["IngestLambdaFunction", "Arn"] },
    });
    expect(apiGateway).toEqual([]);
    expect(ofType(defaults, "AWS::Lambda::Url")).toEqual([]);
  });

  it("throttles by the reserved concurrency parameter, which the HTTP API leaves unset", () => {
    // Prepare
    const fn = (template: Template) => resource(template, "IngestLambdaFunction").Properties;

    // Act
    const [url, api] = [fn(functionUrl), fn(defaults)];

    // Assess
    // A --param value is a string; CloudFormation reads it as the integer.
    expect(Number(url.ReservedConcurrentExecutions)).toBe(25);
    expect(api).not.toHaveProperty("ReservedConcurrentExecutions");
  });

  it("outputs the function URL plus the path as StatusCallbackUrl, and the same outputs", () => {
    // Prepare
    const output = functionUrl.Outputs.StatusCallbackUrl;

    // Act
    const names = (template: Template) =>
      RELAY_OUTPUTS.filter((name) => template.Outputs[name]?.Export !== undefined);

    // Assess
    expect(output?.Value).toEqual({
      "Fn::Join": [
        "",
        [{ "Fn::GetAtt": ["IngestLambdaFunctionUrl", "FunctionUrl"] }, "status-callbacks"],
      ],
    });
    expect(output?.Export).toEqual({ Name: "twilio-status-relay-dev-StatusCallbackUrl" });
    expect(names(functionUrl)).toEqual(RELAY_OUTPUTS);
    expect(names(defaults)).toEqual(RELAY_OUTPUTS);
  });

  it.each([
    ["httpApi", () => defaults],
    ["functionUrl", () => functionUrl],
  ])("refers only to resources of its own template (%s)", (_, template) => {
    // Prepare
    const ids = new Set(Object.keys(template().Resources));
    const referred: string[] = [];
    const walk = (node: Json): void => {
      if (Array.isArray(node)) {
        node.forEach(walk);
        return;
      }
      if (typeof node !== "object" || node === null) return;
      if (typeof node.Ref === "string" && !node.Ref.startsWith("AWS::")) referred.push(node.Ref);
      if (Array.isArray(node["Fn::GetAtt"])) referred.push(String(node["Fn::GetAtt"][0]));
      if (typeof node["Fn::Sub"] === "string") {
        for (const [, name] of node["Fn::Sub"].matchAll(/\$\{([A-Za-z0-9]+)[.}]/g)) {
          referred.push(String(name));
        }
      }
      Object.values(node).forEach(walk);
    };

    // Act
    walk(template().Resources as unknown as Json);
    walk(template().Outputs as unknown as Json);

    // Assess
    expect(referred.filter((id) => !ids.has(id))).toEqual([]);
  });
});
