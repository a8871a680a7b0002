/**
 * The relay's own SSM client (lib/ingest/aws/ssm-client.ts, not the SDK's) against moto's
 * Parameter Store, with SecureStrings encrypted under a KMS key made by `aws kms create-key`: the
 * ingest function wired from its environment as in Lambda, reading its tokens with decryption
 * (without it, moto answers `kms:<key id>:<value>`, which no token matches), through a rotation of
 * two tokens, and with a parameter that does not exist. The values are written with the SDK's own
 * SSM client, the reads are the relay's.
 */
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { createSqsClient } from "../../lib/ingest/aws/sqs-publisher.ts";
import { ingestHandlerFromEnvironment } from "../../lib/ingest/wiring.ts";
import { createStackQueues, drainQueue } from "../../testing/local/sqs.ts";
import { callbackParams } from "../../testing/samples.ts";
import { signedCallback } from "../../testing/signed-callback.ts";
import { type CapturedOutput, captureOutput } from "../helpers/captured-output.ts";
import {
  MOTO_CREDENTIALS,
  MOTO_REGION,
  type Moto,
  motoMissing,
  startMoto,
} from "../helpers/moto.ts";

const OLD_TOKEN = "0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld00";
const NEW_TOKEN = "new0new0new0new0new0new0new0new";
const SUBACCOUNT = "AC11111111111111111111111111111111";
const SUBACCOUNT_TOKEN = "11111111111111111111111111111111";

describe.skipIf(motoMissing)("the relay's SSM client against moto's Parameter Store", () => {
  let moto: Moto;
  let keyId: string;
  let queueUrl: string;
  let sqs: ReturnType<typeof createSqsClient>;
  let ssm: SSMClient;
  let parameters = 0;
  let output: CapturedOutput;

  beforeAll(async () => {
    moto = await startMoto();
    keyId = JSON.parse(moto.aws(["kms", "create-key", "--description", "relay tokens"])).KeyMetadata
      .KeyId;
    sqs = moto.sqsClient();
    queueUrl = (await createStackQueues(sqs, "ssm-relay")).queueUrl;
    ssm = new SSMClient({
      endpoint: moto.endpoint,
      region: MOTO_REGION,
      credentials: MOTO_CREDENTIALS,
    });
  });
  afterAll(async () => {
    sqs?.destroy();
    ssm?.destroy();
    await moto?.stop();
  });
  // The function's log lines (and the metrics it writes as log lines), kept for the assertions.
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => {
    output.restore();
    vi.unstubAllEnvs();
  });

  /** A new SecureString under the test's KMS key; its name. */
  async function secureString(value: string): Promise<string> {
    parameters += 1;
    const name = `/twilio-status-relay/moto/secret-${parameters}`;
    await putSecureString(name, value);
    return name;
  }

  async function putSecureString(name: string, value: string, overwrite = false): Promise<void> {
    await ssm.send(
      new PutParameterCommand({
        Name: name,
        Type: "SecureString",
        KeyId: keyId,
        Value: value,
        Overwrite: overwrite,
      }),
    );
  }

  /** The ingest handler as Lambda builds it, from an environment pointing at moto. */
  function relayFromEnvironment(env: Record<string, string>) {
    for (const [name, value] of Object.entries({
      ...moto.env,
      QUEUE_URL: queueUrl,
      // Every callback reads the parameter again, so that a rotation is seen at once.
      AUTH_TOKEN_CACHE_TTL_SECONDS: "0",
      POWERTOOLS_METRICS_DISABLED: "true",
      ...env,
    })) {
      vi.stubEnv(name, value);
    }
    for (const name of ["TWILIO_AUTH_TOKEN", "TWILIO_ACCOUNT_AUTH_TOKENS", "TWILIO_SHARED_KEYS"]) {
      vi.stubEnv(name, undefined);
    }
    return ingestHandlerFromEnvironment();
  }

  async function statusFor(handler: ReturnType<typeof relayFromEnvironment>, authToken: string) {
    const response = await handler(
      signedCallback({ token: authToken, params: callbackParams("stream-started") }),
    );
    return response.statusCode;
  }

  it("reads the SecureString decrypted: a callback signed with its token is relayed", async () => {
    // Prepare
    const handler = relayFromEnvironment({
      TWILIO_AUTH_TOKEN_PARAMETER: await secureString(OLD_TOKEN),
    });

    // Act
    const status = await statusFor(handler, OLD_TOKEN);
    const messages = await drainQueue(sqs, queueUrl);

    // Assess
    expect(status).toBe(200);
    expect(messages).toHaveLength(1);
  });

  it("follows a rotation of two tokens: new and old both accepted, then only the new", async () => {
    // Prepare
    const name = await secureString(OLD_TOKEN);
    const handler = relayFromEnvironment({ TWILIO_AUTH_TOKEN_PARAMETER: name });
    const before = await statusFor(handler, NEW_TOKEN);

    // Act
    await putSecureString(name, `${NEW_TOKEN},${OLD_TOKEN}`, true);
    const during = [await statusFor(handler, NEW_TOKEN), await statusFor(handler, OLD_TOKEN)];
    await putSecureString(name, NEW_TOKEN, true);
    const after = [await statusFor(handler, NEW_TOKEN), await statusFor(handler, OLD_TOKEN)];
    await drainQueue(sqs, queueUrl);

    // Assess
    expect(before).toBe(403);
    expect(during).toEqual([200, 200]);
    expect(after).toEqual([200, 403]);
  });

  it("reads a subaccount's token from a JSON SecureString", async () => {
    // Prepare
    const handler = relayFromEnvironment({
      TWILIO_AUTH_TOKEN_PARAMETER: await secureString(OLD_TOKEN),
      TWILIO_ACCOUNT_AUTH_TOKENS_PARAMETER: await secureString(
        JSON.stringify({ [SUBACCOUNT]: SUBACCOUNT_TOKEN }),
      ),
    });

    // Act
    const response = await handler(
      signedCallback({
        token: SUBACCOUNT_TOKEN,
        params: { ...callbackParams("stream-started"), AccountSid: SUBACCOUNT },
      }),
    );
    await drainQueue(sqs, queueUrl);

    // Assess
    expect(response.statusCode).toBe(200);
  });

  it("answers 503 for a parameter that does not exist, and logs SSM's ParameterNotFound", async () => {
    // Prepare
    const missing = "/twilio-status-relay/moto/never-created";
    const handler = relayFromEnvironment({ TWILIO_AUTH_TOKEN_PARAMETER: missing });

    // Act
    const status = await statusFor(handler, OLD_TOKEN);

    // Assess
    expect(status).toBe(503);
    expect(output.text()).toContain(missing);
    expect(output.text()).toContain("ParameterNotFound");
    expect(await drainQueue(sqs, queueUrl)).toHaveLength(0);
  });
});
