/**
 * The reading of AWS calls from source that the least-privilege test relies on
 * (test/helpers/aws-calls.ts): a command counts when it is constructed, an `x-amz-target` names
 * its operation, and an operation without an IAM action in the table fails loudly.
 */
import { describe, expect, it } from "vitest";
import { awsCallsIn, iamActionOf } from "../helpers/aws-calls.ts";

describe("awsCallsIn", () => {
  it("counts an SDK command the file imports and constructs, with its service's IAM prefix", () => {
    // Prepare
    const source = [
      'import { SendMessageBatchCommand, type SendMessageCommandInput, SQSClient } from "@aws-sdk/client-sqs";',
      "await client.send(new SendMessageBatchCommand({ QueueUrl, Entries }));",
    ].join("\n");

    // Act
    const calls = awsCallsIn("lib/x.ts", source);

    // Assess
    expect(calls).toEqual([{ operation: "sqs:SendMessageBatch", file: "lib/x.ts" }]);
  });

  it("does not count a command that is imported but never constructed", () => {
    // Prepare
    const source = [
      'import { ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";',
      "await client.send(new SendMessageCommand(message));",
      "export type Receive = typeof ReceiveMessageCommand;",
    ].join("\n");

    // Act
    const operations = awsCallsIn("lib/x.ts", source).map((call) => call.operation);

    // Assess
    expect(operations).toEqual(["sqs:SendMessage"]);
  });

  it("counts the operation a hand-written client names in its x-amz-target header", () => {
    // Prepare
    const source = 'const headers = { "x-amz-target": "AmazonSSM.GetParameter" };';

    // Act
    const calls = awsCallsIn("lib/ssm.ts", source);

    // Assess
    expect(calls).toEqual([{ operation: "ssm:GetParameter", file: "lib/ssm.ts" }]);
  });

  it("refuses a client package it has no IAM prefix for", () => {
    // Prepare
    const source = 'import { PublishCommand } from "@aws-sdk/client-sns";\nnew PublishCommand({});';

    // Act
    const read = () => awsCallsIn("lib/sns.ts", source);

    // Assess
    expect(read).toThrow(/no IAM prefix for @aws-sdk\/client-sns/);
  });
});

describe("iamActionOf", () => {
  it("authorises an SQS batch operation with the single operation's action", () => {
    // Act
    const action = iamActionOf({ operation: "sqs:SendMessageBatch", file: "lib/x.ts" });

    // Assess
    expect(action).toBe("sqs:SendMessage");
  });

  it("fails, naming the table to extend, for an operation it does not know", () => {
    // Act
    const map = () => iamActionOf({ operation: "ssm:GetParametersByPath", file: "lib/x.ts" });

    // Assess
    expect(map).toThrow(/ssm:GetParametersByPath: add its IAM action to IAM_ACTIONS/);
  });
});
