/**
 * The relay's SSM client against `@aws-sdk/client-ssm`, the oracle: the endpoint it calls for
 * every region the SDK knows (FIPS and dual-stack too), and the request it sends, which a server
 * checking SigV4 as SSM does accepts, as it accepts the SDK's.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { Sha256 } from "@smithy/core/checksum";
import { HttpRequest } from "@smithy/core/protocols";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  createSsmClient,
  isRetryable,
  SsmServiceError,
  ssmEndpoint,
} from "../../lib/ingest/aws/ssm-client.ts";

const CREDENTIALS = { accessKeyId: "AKIARELAYTEST0000001", secretAccessKey: "relay-test-secret" };
const SESSION_TOKEN = "relay-test-session-token";
const PARAMETER = "/twilio-status-relay/test/auth-token";

// Every region of the SDK's partition data, and one unknown region of each naming scheme.
function sdkRegions(): string[] {
  const file = createRequire(import.meta.url).resolve("@aws-sdk/core/client");
  const partitions = readFileSync(
    file.replace(/dist-cjs\/.*$/, "dist-es/submodules/client/util-endpoints/lib/aws/partitions.js"),
    "utf8",
  );
  const known = [...partitions.matchAll(/"([a-z]{2,}(?:-[a-z]+)+-\d+)": \{/g)].map((m) => m[1]);
  return [...new Set([...known, "us-east-9", "eu-central-9", "cn-north-9", "us-gov-east-9"])]
    .filter((region): region is string => region !== undefined)
    .sort();
}

async function sdkEndpoint(region: string, useFips: boolean, useDualstack: boolean) {
  const client = new SSMClient({ region, credentials: CREDENTIALS });
  const { url } = client.config.endpointProvider({
    Region: region,
    UseFIPS: useFips,
    UseDualStack: useDualstack,
  });
  client.destroy();
  return url.href;
}

describe("ssmEndpoint", () => {
  const regions = sdkRegions();

  it("knows the SDK's regions (the list is read, not empty)", () => {
    expect(regions.length).toBeGreaterThan(30);
    expect(regions).toContain("us-east-1");
    expect(regions).toContain("cn-north-1");
    expect(regions).toContain("us-gov-west-1");
  });

  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])(
    "gives the SDK's endpoint for every region (FIPS %s, dual-stack %s)",
    async (useFipsEndpoint, useDualstackEndpoint) => {
      // Prepare
      const expected: Record<string, string> = {};
      for (const region of regions) {
        expected[region] = await sdkEndpoint(region, useFipsEndpoint, useDualstackEndpoint);
      }

      // Act
      const actual = Object.fromEntries(
        regions.map((region) => [
          region,
          ssmEndpoint({ region, useFipsEndpoint, useDualstackEndpoint }).href,
        ]),
      );

      // Assess
      expect(actual).toEqual(expected);
    },
  );

  it("uses an endpoint URL given in the settings as it is", () => {
    // Act
    const url = ssmEndpoint({
      region: "us-east-1",
      useFipsEndpoint: false,
      useDualstackEndpoint: false,
      endpointUrl: "http://127.0.0.1:4583",
    });

    // Assess
    expect(url.href).toBe("http://127.0.0.1:4583/");
  });
});

interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

// Verifies a received request's SigV4 signature as SSM would: over the headers it says it signed,
// with the body's hash computed from the body received.
async function signatureValid(request: Received, port: number): Promise<boolean> {
  const claimedHash = request.headers["x-amz-content-sha256"];
  const bodyHash = createHash("sha256").update(request.body).digest("hex");
  if (claimedHash !== undefined && claimedHash !== bodyHash) return false;
  const authorization = String(request.headers.authorization ?? "");
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(";") ?? [];
  const scope = /Credential=[^/]+\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization);
  const amzDate = String(request.headers["x-amz-date"] ?? "");
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) headers[name] = String(request.headers[name] ?? "");
  const signer = new SignatureV4({
    service: scope?.[3] ?? "",
    region: scope?.[2] ?? "",
    credentials: { ...CREDENTIALS, sessionToken: SESSION_TOKEN },
    sha256: Sha256,
    uriEscapePath: true,
  });
  const unsigned = new HttpRequest({
    method: request.method,
    protocol: "http:",
    hostname: "127.0.0.1",
    port,
    path: request.path,
    headers,
    body: request.body,
  });
  const date = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const resigned = await signer.sign(unsigned, {
    signingDate: date,
    unsignableHeaders: new Set(Object.keys(request.headers).filter((h) => !headers[h])),
  });
  return (resigned.headers as Record<string, string>).authorization === authorization;
}

describe("createSsmClient", () => {
  const received: Received[] = [];
  let answer: { status: number; body: unknown } = { status: 200, body: {} };
  let port = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      res.writeHead(answer.status, { "content-type": "application/x-amz-json-1.1" });
      res.end(JSON.stringify(answer.body));
    });
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    received.length = 0;
  });

  function environment(): void {
    vi.stubEnv("AWS_REGION", "eu-west-1");
    vi.stubEnv("AWS_ENDPOINT_URL_SSM", `http://127.0.0.1:${port}`);
    vi.stubEnv("AWS_ACCESS_KEY_ID", CREDENTIALS.accessKeyId);
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", CREDENTIALS.secretAccessKey);
    vi.stubEnv("AWS_SESSION_TOKEN", SESSION_TOKEN);
    vi.stubEnv("AWS_PROFILE", "");
  }

  it("sends the request the SDK sends, signed so that SSM's check accepts it", async () => {
    // Prepare
    environment();
    answer = { status: 200, body: { Parameter: { Name: PARAMETER, Value: "token-a,token-b" } } };
    const sdk = new SSMClient({});
    const ours = createSsmClient();

    // Act
    const sdkOutput = await sdk.send(
      new GetParameterCommand({ Name: PARAMETER, WithDecryption: true }),
    );
    const output = await ours.getParameter(
      { Name: PARAMETER, WithDecryption: true },
      { abortSignal: AbortSignal.timeout(2_000) },
    );
    sdk.destroy();
    ours.destroy();

    // Assess
    expect(output.Parameter?.Value).toBe(sdkOutput.Parameter?.Value);
    const [fromSdk, fromRelay] = received;
    if (!fromSdk || !fromRelay) throw new Error("both requests should have arrived");
    expect(fromRelay.method).toBe(fromSdk.method);
    expect(fromRelay.path).toBe(fromSdk.path);
    expect(JSON.parse(fromRelay.body)).toEqual(JSON.parse(fromSdk.body));
    for (const header of ["content-type", "x-amz-target", "x-amz-security-token", "host"]) {
      expect(fromRelay.headers[header], header).toBe(fromSdk.headers[header]);
    }
    const scope = (r: Received) => /Credential=[^,]+/.exec(String(r.headers.authorization))?.[0];
    expect(scope(fromRelay)).toBe(scope(fromSdk));
    expect(await signatureValid(fromSdk, port)).toBe(true);
    expect(await signatureValid(fromRelay, port)).toBe(true);
  });

  it("sends a request whose signature fails SSM's check once its body is changed", async () => {
    // Prepare
    environment();
    answer = { status: 200, body: { Parameter: { Name: PARAMETER, Value: "token" } } };
    const ours = createSsmClient();
    await ours.getParameter(
      { Name: PARAMETER, WithDecryption: true },
      { abortSignal: AbortSignal.timeout(2_000) },
    );
    ours.destroy();
    const [sent] = received;
    if (!sent) throw new Error("the request should have arrived");

    // Act
    const tampered = { ...sent, body: sent.body.replace(PARAMETER, `${PARAMETER}-other`) };

    // Assess
    expect(await signatureValid(sent, port)).toBe(true);
    expect(await signatureValid(tampered, port)).toBe(false);
  });

  it("fails with SSM's error name and message, as the SDK does, without retrying a refusal", async () => {
    // Prepare
    environment();
    answer = {
      status: 400,
      body: { __type: "com.amazonaws.ssm#ParameterNotFound", message: "not there" },
    };
    const sdk = new SSMClient({});
    const ours = createSsmClient();

    // Act
    const sdkFailure: Error = await sdk
      .send(new GetParameterCommand({ Name: PARAMETER, WithDecryption: true }))
      .then(() => new Error("the SDK should have failed"))
      .catch((error: unknown) => error as Error);
    const failure: Error = await ours
      .getParameter(
        { Name: PARAMETER, WithDecryption: true },
        { abortSignal: AbortSignal.timeout(2_000) },
      )
      .then(() => new Error("the relay's client should have failed"))
      .catch((error: unknown) => error as Error);
    sdk.destroy();
    ours.destroy();

    // Assess
    expect(failure).toBeInstanceOf(SsmServiceError);
    expect([failure.name, failure.message]).toEqual([sdkFailure.name, sdkFailure.message]);
    expect(received).toHaveLength(2);
  });
});

describe("isRetryable", () => {
  it.each([
    ["a 500", new SsmServiceError("InternalServerError", "x", 500), true],
    ["a 503", new SsmServiceError("ServiceUnavailable", "x", 503), true],
    ["throttling", new SsmServiceError("ThrottlingException", "x", 400), true],
    ["a refusal", new SsmServiceError("AccessDeniedException", "x", 400), false],
    ["a missing parameter", new SsmServiceError("ParameterNotFound", "x", 400), false],
    [
      "a reset connection",
      Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
      true,
    ],
    ["the caller's abort", Object.assign(new Error("aborted"), { name: "AbortError" }), false],
  ])("retries %s: %s", (_, error, expected) => {
    // Act
    const retryable = isRetryable(error);

    // Assess
    expect(retryable).toBe(expected);
  });
});
