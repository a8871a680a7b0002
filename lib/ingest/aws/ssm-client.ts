/**
 * Parameter Store's `GetParameter`, the one SSM call the relay makes, built from the AWS SDK's own
 * parts: the region, credential and endpoint settings as every SDK client resolves them
 * (`@smithy/core/config`, the credential chain), the SDK's SigV4 signer and Node HTTP handler,
 * and the partitions of `@aws-sdk/core` for the endpoint. What is the relay's own is small: the
 * AWS JSON 1.1 request, the error's name from the answer, and retries like the SDK's standard
 * mode.
 *
 * Why not `@aws-sdk/client-ssm`: its model of every SSM operation and error is evaluated when a
 * bundle is loaded, the largest single cost of the function's cold start (docs/performance.md).
 * The tests hold this client to it: the endpoint of every region and the request it signs.
 */

import { partition } from "@aws-sdk/core/client";
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { Sha256 } from "@smithy/core/checksum";
import {
  loadConfig,
  NODE_REGION_CONFIG_FILE_OPTIONS,
  NODE_REGION_CONFIG_OPTIONS,
  NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS,
  NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS,
} from "@smithy/core/config";
import { HttpRequest } from "@smithy/core/protocols";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { SignatureV4 } from "@smithy/signature-v4";
import { boundedClientSettings, MAX_ATTEMPTS } from "./client-settings.ts";

/** What `GetParameter` is asked: the parameter, and whether to decrypt a SecureString. */
export interface GetParameterInput {
  readonly Name: string;
  readonly WithDecryption: boolean;
}

/** The part of `GetParameter`'s answer the relay reads. */
export interface GetParameterOutput {
  readonly Parameter?: { readonly Name?: string; readonly Value?: string } | undefined;
}

/** The one SSM call the relay makes; {@link createSsmClient} has it, and so can a test double. */
export interface GetParameterClient {
  getParameter(
    input: GetParameterInput,
    options: { readonly abortSignal: AbortSignal },
  ): Promise<GetParameterOutput>;
}

/** An error answer of SSM: `name` is its error code (`ParameterNotFound`, `AccessDeniedException`...). */
export class SsmServiceError extends Error {
  /** The HTTP status of the answer. */
  readonly statusCode: number;

  constructor(code: string, message: string, statusCode: number) {
    super(message);
    this.name = code;
    this.statusCode = statusCode;
  }
}

/** Where SSM is, as the SDK's endpoint rules put it for the region and settings. */
export interface SsmEndpointSettings {
  readonly region: string;
  readonly useFipsEndpoint: boolean;
  readonly useDualstackEndpoint: boolean;
  /** `AWS_ENDPOINT_URL_SSM` or `AWS_ENDPOINT_URL`: used as given. */
  readonly endpointUrl?: string | undefined;
}

/**
 * The SSM endpoint URL for `settings`, by SSM's endpoint rules:
 * `https://ssm[-fips].<region>.<partition's DNS suffix>`, where GovCloud's plain endpoints are
 * its FIPS ones.
 */
export function ssmEndpoint(settings: SsmEndpointSettings): URL {
  if (settings.endpointUrl !== undefined) return new URL(settings.endpointUrl);
  const { name, dnsSuffix, dualStackDnsSuffix } = partition(settings.region);
  const fipsHost =
    settings.useFipsEndpoint && !(name === "aws-us-gov" && !settings.useDualstackEndpoint);
  const host = fipsHost ? "ssm-fips" : "ssm";
  const suffix = settings.useDualstackEndpoint ? dualStackDnsSuffix : dnsSuffix;
  return new URL(`https://${host}.${settings.region}.${suffix}`);
}

// The error codes the SDK's standard retry mode treats as throttling, and the statuses it retries.
const THROTTLING = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottledException",
  "TooManyRequestsException",
  "ProvisionedThroughputExceededException",
  "TransactionInProgressException",
  "RequestLimitExceeded",
  "BandwidthLimitExceeded",
  "LimitExceededException",
  "RequestThrottled",
  "SlowDown",
  "PriorRequestNotComplete",
  "EC2ThrottledException",
]);
const TRANSIENT_STATUS = new Set([429, 500, 502, 503, 504]);
/** The SDK's standard mode: the first retry waits up to 100 ms, each next one twice as long. */
const BASE_DELAY_MS = 100;

/** Whether the SDK's standard retry mode would try `error` again. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof SsmServiceError) {
    return TRANSIENT_STATUS.has(error.statusCode) || THROTTLING.has(error.name);
  }
  // Anything else is the connection's: refused, reset, timed out (not our own abort).
  return !(error instanceof Error && error.name === "AbortError");
}

/**
 * An SSM client for the relay: attempts bounded (one second each, three in all) so that an
 * unreachable Parameter Store answers 503 in seconds. Region, credentials and endpoint come from
 * the SDK's usual settings (`AWS_REGION`, the credential chain, `AWS_USE_FIPS_ENDPOINT`,
 * `AWS_USE_DUALSTACK_ENDPOINT`, `AWS_ENDPOINT_URL_SSM`, `AWS_ENDPOINT_URL`).
 */
export function createSsmClient(): GetParameterClient & { destroy(): void } {
  const region = loadConfig(NODE_REGION_CONFIG_OPTIONS, NODE_REGION_CONFIG_FILE_OPTIONS);
  const useFipsEndpoint = loadConfig(NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS);
  const useDualstackEndpoint = loadConfig(NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS);
  const endpointUrl = loadConfig<string | undefined>({
    environmentVariableSelector: (env) =>
      env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === "true"
        ? undefined
        : (env.AWS_ENDPOINT_URL_SSM ?? env.AWS_ENDPOINT_URL),
    configFileSelector: () => undefined,
    default: undefined,
  });
  const signer = new SignatureV4({
    service: "ssm",
    region,
    credentials: defaultProvider(),
    sha256: Sha256,
    uriEscapePath: true,
  });
  const http = new NodeHttpHandler(boundedClientSettings(1_000).requestHandler);
  let endpoint: Promise<URL> | undefined;
  const resolveEndpoint = async () =>
    ssmEndpoint({
      region: await region(),
      useFipsEndpoint: await useFipsEndpoint(),
      useDualstackEndpoint: await useDualstackEndpoint(),
      endpointUrl: await endpointUrl(),
    });

  const attempt = async (input: GetParameterInput, abortSignal: AbortSignal) => {
    endpoint ??= resolveEndpoint();
    const url = await endpoint.catch((error: unknown) => {
      endpoint = undefined;
      throw error;
    });
    const body = JSON.stringify({ Name: input.Name, WithDecryption: input.WithDecryption });
    const request = new HttpRequest({
      method: "POST",
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port === "" ? undefined : Number(url.port),
      path: url.pathname,
      headers: {
        host: url.host,
        "content-type": "application/x-amz-json-1.1",
        "content-length": String(Buffer.byteLength(body)),
        "x-amz-target": "AmazonSSM.GetParameter",
      },
      body,
    });
    const signed = await signer.sign(request);
    const { response } = await http.handle(signed as HttpRequest, { abortSignal });
    const text = await readBody(response.body);
    if (response.statusCode >= 200 && response.statusCode < 300) {
      return JSON.parse(text) as GetParameterOutput;
    }
    throw serviceError(response.statusCode, text);
  };

  return {
    async getParameter(input, { abortSignal }) {
      for (let attempts = 1; ; attempts += 1) {
        try {
          return await attempt(input, abortSignal);
        } catch (error) {
          if (attempts >= MAX_ATTEMPTS || abortSignal.aborted || !isRetryable(error)) {
            throw abortSignal.aborted ? abortSignal.reason : error;
          }
          await delay(Math.random() * BASE_DELAY_MS * 2 ** (attempts - 1), abortSignal);
        }
      }
    },
    destroy: () => http.destroy(),
  };
}

async function readBody(body: unknown): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

// AWS JSON 1.1 errors: `__type` is the code, possibly after a namespace and `#`, and possibly
// followed by `:` and a URL; the message is `message` or `Message`.
function serviceError(statusCode: number, text: string): SsmServiceError {
  let parsed: { __type?: unknown; message?: unknown; Message?: unknown } = {};
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    // Not JSON (a proxy's page, say): the status says what happened.
  }
  const type = typeof parsed.__type === "string" ? parsed.__type : "";
  const code = type.split("#").at(-1)?.split(":")[0] || `Http${statusCode}`;
  const message = parsed.message ?? parsed.Message;
  return new SsmServiceError(code, typeof message === "string" ? message : code, statusCode);
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
