/**
 * The SSM token source: one decrypted read of the SecureString, split into tokens, failures as
 * SecretError, bounded in time, cached for the TTL so that a rotation is seen without a deploy.
 */
import { describe, expect, it } from "vitest";
import type {
  GetParameterClient,
  GetParameterInput,
  GetParameterOutput,
} from "../../lib/ingest/aws/ssm-client.ts";
import { ssmTokenLoader, ssmTokenSource } from "../../lib/ingest/aws/ssm-tokens.ts";
import { SecretError } from "../../lib/ingest/errors.ts";

const PARAMETER = "/twilio-status-relay/test/auth-token";

// SSM is not the queue: a client that answers GetParameter from a script is enough here.
function scriptedSsm(...answers: Array<string | undefined | Error>) {
  const requests: GetParameterInput[] = [];
  const client: GetParameterClient = {
    async getParameter(input) {
      requests.push(input);
      const answer = answers.length > 1 ? answers.shift() : answers[0];
      if (answer instanceof Error) throw answer;
      return {
        Parameter: answer === undefined ? undefined : { Name: PARAMETER, Value: answer },
      } satisfies GetParameterOutput;
    },
  };
  return { client, requests };
}

describe("ssmTokenLoader", () => {
  it("reads the named parameter with decryption and returns its tokens, primary first", async () => {
    // Prepare
    const ssm = scriptedSsm(" new-token , old-token ,");
    const load = ssmTokenLoader({ client: ssm.client, parameterName: PARAMETER });

    // Act
    const tokens = await load();

    // Assess
    expect(tokens).toEqual(["new-token", "old-token"]);
    expect(ssm.requests).toEqual([{ Name: PARAMETER, WithDecryption: true }]);
  });

  it("fails with a SecretError naming the parameter when SSM refuses the read", async () => {
    // Prepare
    const denied = Object.assign(new Error("User is not authorized to perform ssm:GetParameter"), {
      name: "AccessDeniedException",
    });
    const load = ssmTokenLoader({ client: scriptedSsm(denied).client, parameterName: PARAMETER });

    // Act
    const failure = await load().catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(SecretError);
    expect((failure as SecretError).message).toContain(PARAMETER);
    expect((failure as SecretError).cause).toBe(denied);
  });

  it.each([
    ["holds only separators", " , ,"],
    ["has no value", undefined],
  ])("fails with a SecretError when the parameter %s", async (_, value) => {
    // Prepare
    const load = ssmTokenLoader({ client: scriptedSsm(value).client, parameterName: PARAMETER });

    // Act
    const failure = await load().catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(SecretError);
    expect((failure as SecretError).message).toMatch(/holds no auth token/);
  });

  it("gives up on a read that hangs once the timeout passes", async () => {
    // Prepare
    const hanging: GetParameterClient = {
      getParameter: (_input, options) =>
        new Promise((_resolve, reject) => {
          options.abortSignal.addEventListener("abort", () => reject(options.abortSignal.reason));
        }),
    };
    const load = ssmTokenLoader({ client: hanging, parameterName: PARAMETER, timeoutMs: 50 });

    // Act
    const started = performance.now();
    const failure = await load().catch((error: unknown) => error);
    const elapsed = performance.now() - started;

    // Assess
    expect(failure).toBeInstanceOf(SecretError);
    expect(elapsed).toBeLessThan(2_000);
  });
});

describe("ssmTokenSource", () => {
  it("reads SSM once per TTL and picks up a rotated value after it", async () => {
    // Prepare
    let now = 1_000_000;
    const ssm = scriptedSsm("old-token", "new-token,old-token");
    const tokens = ssmTokenSource({
      client: ssm.client,
      parameterName: PARAMETER,
      ttlMs: 300_000,
      clock: () => new Date(now),
    });

    // Act
    const first = await tokens();
    now += 299_999;
    const withinTtl = await tokens();
    now += 1;
    const afterTtl = await tokens();

    // Assess
    expect(first).toEqual(["old-token"]);
    expect(withinTtl).toEqual(["old-token"]);
    expect(afterTtl).toEqual(["new-token", "old-token"]);
    expect(ssm.requests).toHaveLength(2);
  });

  it("reads again on the next call after a failed read, instead of caching the failure", async () => {
    // Prepare
    const ssm = scriptedSsm(new Error("throttled"), "token");
    const tokens = ssmTokenSource({
      client: ssm.client,
      parameterName: PARAMETER,
      ttlMs: 300_000,
      clock: () => new Date(0),
    });

    // Act
    const failure = await tokens().catch((error: unknown) => error);
    const recovered = await tokens();

    // Assess
    expect(failure).toBeInstanceOf(SecretError);
    expect(recovered).toEqual(["token"]);
  });
});
