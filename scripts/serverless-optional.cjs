/**
 * `${file(./scripts/serverless-optional.cjs):...}` in serverless.yml: what the optional deploy
 * parameters decide, resolved when the stack is packaged, so that the template holds the outcome
 * and no CloudFormation condition over two literals (which cfn-lint rightly reports: W8003, and
 * E3510 for the IAM `Resource` of "" in the branch that can never be taken).
 * - `isSet`: "true" or "false" for each optional parameter below, to select a block of
 *   serverless.yml the way `${param:deployConsumer}` does. Set means not empty, as the function's
 *   configuration reads it (lib/ingest/config.ts).
 * - `secretParameterArns`: the ARNs of the SSM parameters the ingest function reads: the auth
 *   token's, then the account auth tokens' and the SharedKeys' when they are set.
 */
"use strict";

const OPTIONAL = [
  "alarmEmail",
  "authTokenKmsKeyArn",
  "accountAuthTokensParameter",
  "sharedKeysParameter",
];

const parameterArn = (name) => ({
  "Fn::Sub": `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${name}`,
});

module.exports = async ({ resolveVariable }) => {
  const value = async (name) => String((await resolveVariable(`param:${name}`)) ?? "");
  const isSet = {};
  for (const name of OPTIONAL) isSet[name] = (await value(name)) === "" ? "false" : "true";
  const secretParameters = [await value("authTokenParameter")];
  if (isSet.accountAuthTokensParameter === "true") {
    secretParameters.push(await value("accountAuthTokensParameter"));
  }
  if (isSet.sharedKeysParameter === "true") {
    secretParameters.push(await value("sharedKeysParameter"));
  }
  return { isSet, secretParameterArns: secretParameters.map(parameterArn) };
};
