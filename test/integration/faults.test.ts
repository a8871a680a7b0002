/**
 * Faults, injected: the real handler with the production SQS and SSM clients (their timeouts and
 * retries), fauxqs as the queue and a fake Parameter Store, a fault proxy in between. Every
 * fault answers 503 with a body that says nothing of the cause, within a bound, and logs the
 * whole event; once the fault is gone, the next delivery of the same callback puts exactly one
 * message on the queue.
 */

import type { Message } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it, type TestContext, vi } from "vitest";
import {
  createSqsClient,
  createSqsPublisher,
  PUBLISH_TIMEOUT_MS,
} from "../../lib/ingest/aws/sqs-publisher.ts";
import { createSsmClient } from "../../lib/ingest/aws/ssm-client.ts";
import { SSM_READ_TIMEOUT_MS, ssmTokenSource } from "../../lib/ingest/aws/ssm-tokens.ts";
import { systemClock } from "../../lib/ingest/clock.ts";
import type { ApiGatewayEvent } from "../../lib/ingest/decode.ts";
import { ServiceUnavailableError } from "../../lib/ingest/errors.ts";
import { SINK_DEADLINE_MS } from "../../lib/ingest/event-streams.ts";
import { createIngestHandler, type IngestHandler } from "../../lib/ingest/handler.ts";
import type { HttpResponse } from "../../lib/ingest/responses.ts";
import { staticTokens } from "../../lib/ingest/tokens.ts";
import { sampleSinkEvents, signedSinkDelivery } from "../../testing/event-streams.ts";
import {
  drainQueue,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type LocalSqs,
  startLocalSqs,
} from "../../testing/local/sqs.ts";
import { callbackParams } from "../../testing/samples.ts";
import { signedCallback } from "../../testing/signed-callback.ts";
import { PRIMARY_AUTH_TOKEN } from "../../testing/tokens.ts";
import {
  SQS_INTERNAL_ERROR,
  SQS_QUEUE_DOES_NOT_EXIST,
  SQS_REQUEST_THROTTLED,
  SQS_THROTTLING_EXCEPTION,
  SQS_TOO_MANY_REQUESTS,
  SSM_ACCESS_DENIED,
  SSM_INTERNAL_SERVER_ERROR,
  SSM_INVALID_KEY_ID,
  SSM_KMS_DECRYPT_DENIED,
  sqsBatchAllFailed,
  sqsBatchPartialFailure,
} from "../fixtures/aws-errors.ts";
import { type FakeSsm, startFakeSsm } from "../helpers/fake-ssm.ts";
import {
  type Fault,
  type FaultProxy,
  HANG,
  LOSE_RESPONSE,
  PASS,
  type ProxyMode,
  RESET,
  type SeenRequest,
  startFaultProxy,
} from "../helpers/fault-proxy.ts";
import { type LogLine, memoryLogger } from "../helpers/memory-logger.ts";

/**
 * Every queue fault is answered within this. Measured worst case: SQS hanging, 6.0 s, the
 * publish budget (`PUBLISH_TIMEOUT_MS`); the others take 0.1-3 s.
 */
const PUBLISH_FAULT_BOUND_MS = PUBLISH_TIMEOUT_MS + 1_000;
/** Every token-store fault is answered within this. Measured worst case: SSM hanging, 3.0 s. */
const TOKEN_FAULT_BOUND_MS = SSM_READ_TIMEOUT_MS + 1_000;
/** The ingest function's timeout in `serverless.yml`. */
const LAMBDA_TIMEOUT_MS = 10_000;
/** The SDK attempts per call in `createSqsClient` and `createSsmClient`. */
const ATTEMPTS = 3;

const UNAVAILABLE = {
  error: "ServiceUnavailableError",
  message: new ServiceUnavailableError().message,
};

// The faults wait on timers, not on the CPU: run them side by side.
vi.setConfig({ maxConcurrency: 32 });

let sqs: LocalSqs;
let ssm: FakeSsm;
let ssmProxy: FaultProxy;
type RequestFault = Fault | ((request: SeenRequest) => Fault);
/** Faults of the token store, by parameter name, so that tests can share one SSM endpoint. */
const ssmFaults = new Map<string, RequestFault>();
const SSM_ENV = [
  "AWS_ENDPOINT_URL_SSM",
  "AWS_REGION",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
] as const;
const savedEnv = SSM_ENV.map((name) => [name, process.env[name]] as const);

function ssmByParameter(request: SeenRequest): Fault {
  const fault = ssmFaults.get(parameterOf(request)) ?? PASS;
  return typeof fault === "function" ? fault(request) : fault;
}

beforeAll(async () => {
  sqs = await startLocalSqs();
  ssm = await startFakeSsm();
  ssmProxy = await startFaultProxy({ upstream: ssm.endpoint, mode: ssmByParameter });
  // createSsmClient takes its endpoint, region and credentials from the SDK's usual settings.
  process.env.AWS_ENDPOINT_URL_SSM = ssmProxy.endpoint;
  process.env.AWS_REGION = LOCAL_REGION;
  process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
});

afterAll(async () => {
  for (const [name, value] of savedEnv) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  vi.resetConfig();
  await ssmProxy?.close();
  await ssm?.close();
  await sqs?.stop();
});

// FIFO deduplication outlives deletion, so each test relays callbacks of its own.
let sequence = 0;
let queues = 0;
function freshCallback(): ApiGatewayEvent {
  sequence += 1;
  const timestamp = new Date(Date.UTC(2026, 10, 27, 12, 0, 0, sequence)).toISOString();
  return signedCallback({ params: callbackParams("stream-ended", { timestamp }) });
}

interface Relay {
  readonly handler: IngestHandler;
  readonly queueUrl: string;
  readonly logger: ReturnType<typeof memoryLogger>;
}

/**
 * A queue of its own and the handler wired as in production, reaching SQS at `endpoint` (by
 * default fauxqs itself), and reading its tokens from SSM `parameterName` when given.
 */
async function relay(
  context: TestContext,
  options: { endpoint?: string; fifo?: boolean; parameterName?: string } = {},
): Promise<Relay> {
  const { endpoint = sqs.endpoint, fifo = true, parameterName } = options;
  queues += 1;
  const { queueUrl } = await sqs.createQueues(`faults-${queues}`, { fifo });
  const client = createSqsClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const ssmClient = parameterName === undefined ? undefined : createSsmClient();
  context.onTestFinished(() => {
    client.destroy();
    ssmClient?.destroy();
  });
  const logger = memoryLogger();
  const handler = createIngestHandler({
    config: { publicUrl: undefined },
    publisher: createSqsPublisher({ queueUrl, client }),
    clock: systemClock,
    tokens:
      ssmClient && parameterName
        ? ssmTokenSource({ client: ssmClient, parameterName, ttlMs: 300_000 })
        : staticTokens([PRIMARY_AUTH_TOKEN]),
    logger,
  });
  return { handler, queueUrl, logger };
}

async function proxyToSqs(context: TestContext): Promise<FaultProxy> {
  const proxy = await startFaultProxy({ upstream: sqs.endpoint });
  context.onTestFinished(() => proxy.close());
  return proxy;
}

async function timed(
  act: () => Promise<HttpResponse>,
): Promise<{ response: HttpResponse; ms: number }> {
  const started = performance.now();
  const response = await act();
  return { response, ms: performance.now() - started };
}

function expectUnavailable(response: HttpResponse): void {
  expect(response.statusCode).toBe(503);
  expect(response.headers["content-type"]).toMatch(/^application\/json/);
  expect(JSON.parse(response.body)).toEqual(UNAVAILABLE);
}

function errorLines(logger: Relay["logger"], message: string): LogLine[] {
  return logger.lines.filter((line) => line.level === "error" && line.message === message);
}

function sendMessages(proxy: FaultProxy): number {
  return proxy.requests.filter((request) => request.target === "AmazonSQS.SendMessage").length;
}

function parameterOf(request: SeenRequest): string {
  try {
    return (JSON.parse(request.body) as { Name?: string }).Name ?? "";
  } catch {
    return "";
  }
}

function readsOf(parameterName: string): number {
  return ssmProxy.requests.filter((request) => parameterOf(request) === parameterName).length;
}

/** The one message on the queue, as relayed: its body parsed, its FIFO ids. */
function onlyMessage(messages: Message[]): {
  event: { id: string; type: string; subject: string };
  deduplicationId: string | undefined;
  groupId: string | undefined;
} {
  expect(messages).toHaveLength(1);
  const [message] = messages;
  return {
    event: JSON.parse(message?.Body ?? "null"),
    deduplicationId: message?.Attributes?.MessageDeduplicationId,
    groupId: message?.Attributes?.MessageGroupId,
  };
}

describe("when the auth token store is unreachable", () => {
  it("answers 503 while SSM refuses connections, then verifies once it is back", async (context) => {
    // Prepare: the whole SSM endpoint is down, so this one runs alone
    const parameterName = "/twilio-status-relay/faults/refused";
    ssm.parameters.set(parameterName, PRIMARY_AUTH_TOKEN);
    const { handler, queueUrl, logger } = await relay(context, { parameterName });
    const callback = freshCallback();
    await ssmProxy.setMode("refuse");

    // Act
    const { response, ms } = await timed(() => handler(callback)).finally(() =>
      ssmProxy.setMode(ssmByParameter),
    );
    const whileDown = await drainQueue(sqs.client, queueUrl);
    const recovered = await handler(callback);
    const messages = await drainQueue(sqs.client, queueUrl);

    // Assess
    expectUnavailable(response);
    expect(ms).toBeLessThan(TOKEN_FAULT_BOUND_MS);
    expect(errorLines(logger, "auth tokens unavailable")).toHaveLength(1);
    expect(JSON.stringify(logger.lines)).toMatch(/ECONNREFUSED/);
    expect(whileDown).toEqual([]);
    expect(recovered.statusCode).toBe(200);
    expect(messages).toHaveLength(1);
  });
});

// [what SQS does, proxy mode, SendMessage attempts the proxy sees, what the log says of the cause]
const QUEUE_FAULTS: Array<[string, ProxyMode, number, RegExp]> = [
  ["refuses connections", "refuse", 0, /ECONNREFUSED/],
  ["resets the connection", RESET, ATTEMPTS, /ECONNRESET/],
  ["answers 500 InternalError", SQS_INTERNAL_ERROR, ATTEMPTS, /"name":"InternalError"/],
  ["throttles with RequestThrottled", SQS_REQUEST_THROTTLED, ATTEMPTS, /"RequestThrottled"/],
  [
    "throttles with ThrottlingException",
    SQS_THROTTLING_EXCEPTION,
    ATTEMPTS,
    /"ThrottlingException"/,
  ],
  ["throttles with HTTP 429", SQS_TOO_MANY_REQUESTS, ATTEMPTS, /"TooManyRequests"/],
  ["says the queue does not exist", SQS_QUEUE_DOES_NOT_EXIST, 1, /"QueueDoesNotExist"/],
  ["accepts the request and never answers", HANG, ATTEMPTS, /"AbortError"/],
  ["takes the message but the answer is lost", LOSE_RESPONSE, ATTEMPTS, /ECONNRESET/],
];

describe.concurrent("when SQS fails", () => {
  it.for(QUEUE_FAULTS)(
    "answers 503 when SQS %s, logs the event, and relays the next delivery exactly once",
    async ([, mode, attempts, cause], context) => {
      // Prepare
      const proxy = await proxyToSqs(context);
      const { handler, queueUrl, logger } = await relay(context, { endpoint: proxy.endpoint });
      const callback = freshCallback();
      await proxy.setMode(mode);

      // Act
      const { response, ms } = await timed(() => handler(callback));
      const attemptsSeen = sendMessages(proxy);
      await proxy.setMode(PASS);
      const redelivery = await handler(callback);
      const messages = await drainQueue(sqs.client, queueUrl);

      // Assess: 503 in time, the event logged whole, and it is what lands once SQS is back
      expectUnavailable(response);
      expect(ms).toBeLessThan(PUBLISH_FAULT_BOUND_MS);
      expect(attemptsSeen).toBe(attempts);
      const [failure, ...more] = errorLines(logger, "publish failed");
      expect(more).toEqual([]);
      expect(JSON.stringify(failure?.attributes.error)).toMatch(cause);
      expect(redelivery.statusCode).toBe(200);
      const landed = onlyMessage(messages);
      expect(landed.event).toEqual(failure?.attributes.event);
      expect(JSON.parse(redelivery.body)).toEqual({ id: landed.event.id, type: landed.event.type });
      expect(landed.deduplicationId).toBe(landed.event.id);
      expect(landed.groupId).toBe(landed.event.subject);
    },
  );

  it("publishes within the budget when one attempt hangs and the retry gets through", async (context) => {
    // Prepare: the first SendMessage hangs, the rest pass
    const proxy = await proxyToSqs(context);
    const { handler, queueUrl } = await relay(context, { endpoint: proxy.endpoint });
    let sent = 0;
    await proxy.setMode(() => {
      sent += 1;
      return sent === 1 ? HANG : PASS;
    });

    // Act
    const { response, ms } = await timed(() => handler(freshCallback()));
    const messages = await drainQueue(sqs.client, queueUrl);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(sendMessages(proxy)).toBe(2);
    expect(ms).toBeLessThan(PUBLISH_TIMEOUT_MS);
    expect(messages).toHaveLength(1);
  });

  it("leaves one copy per attempt on a standard queue when the answers are lost, one on FIFO", async (context) => {
    // Prepare: the same lost answers against a standard and a FIFO queue
    const standardProxy = await proxyToSqs(context);
    const fifoProxy = await proxyToSqs(context);
    const standard = await relay(context, { endpoint: standardProxy.endpoint, fifo: false });
    const fifo = await relay(context, { endpoint: fifoProxy.endpoint });
    await standardProxy.setMode(LOSE_RESPONSE);
    await fifoProxy.setMode(LOSE_RESPONSE);
    const callback = freshCallback();

    // Act
    const answers = await Promise.all([standard.handler(callback), fifo.handler(callback)]);
    const onStandard = await drainQueue(sqs.client, standard.queueUrl);
    const onFifo = await drainQueue(sqs.client, fifo.queueUrl);

    // Assess: each attempt landed; only FIFO deduplication keeps Twilio's event single
    expect(answers.map((answer) => answer.statusCode)).toEqual([503, 503]);
    expect(sendMessages(standardProxy)).toBe(ATTEMPTS);
    expect(onStandard).toHaveLength(ATTEMPTS);
    expect(new Set(onStandard.map((message) => message.Body)).size).toBe(1);
    expect(sendMessages(fifoProxy)).toBe(ATTEMPTS);
    expect(onFifo).toHaveLength(1);
  });
});

// [what SSM does, how (a fault by the proxy, or the value it holds), reads the proxy sees,
// what the log says of the cause]
const TOKEN_FAULTS: Array<
  [string, { fault: Fault } | { value: string | undefined }, number, RegExp]
> = [
  ["resets the connection", { fault: RESET }, ATTEMPTS, /ECONNRESET/],
  [
    "answers 500 InternalServerError",
    { fault: SSM_INTERNAL_SERVER_ERROR },
    ATTEMPTS,
    /"InternalServerError"/,
  ],
  // The read's own budget (SSM_READ_TIMEOUT_MS) ends the last attempt.
  ["accepts the request and never answers", { fault: HANG }, ATTEMPTS, /"TimeoutError"/],
  [
    "denies access to the parameter",
    { fault: SSM_ACCESS_DENIED },
    1,
    /not authorized to perform: ssm:GetParameter/,
  ],
  [
    "cannot decrypt it with KMS (access denied)",
    { fault: SSM_KMS_DECRYPT_DENIED },
    1,
    /ciphertext refers to a customer master key/,
  ],
  ["cannot decrypt it with KMS (key disabled)", { fault: SSM_INVALID_KEY_ID }, 1, /"InvalidKeyId"/],
  ["does not hold the parameter", { value: undefined }, 1, /"ParameterNotFound"/],
  ["holds an empty value", { value: " , " }, 1, /holds no auth token/],
];

describe.concurrent("when the auth tokens cannot be read", () => {
  it.for(TOKEN_FAULTS)(
    "answers 503, not 403, when SSM %s, and relays the next delivery once it recovers",
    async ([label, cause, reads, logged], context) => {
      // Prepare: a parameter of its own, so that the faults share one SSM endpoint
      const parameterName = `/twilio-status-relay/faults/${label.replaceAll(/\W+/g, "-")}`;
      if ("fault" in cause) {
        ssm.parameters.set(parameterName, PRIMARY_AUTH_TOKEN);
        ssmFaults.set(parameterName, cause.fault);
      } else if (cause.value !== undefined) {
        ssm.parameters.set(parameterName, cause.value);
      }
      const { handler, queueUrl, logger } = await relay(context, { parameterName });
      const callback = freshCallback();

      // Act
      const { response, ms } = await timed(() => handler(callback));
      const readsSeen = readsOf(parameterName);
      const whileDown = await drainQueue(sqs.client, queueUrl);
      ssmFaults.delete(parameterName);
      ssm.parameters.set(parameterName, PRIMARY_AUTH_TOKEN);
      const recovered = await handler(callback);
      const messages = await drainQueue(sqs.client, queueUrl);

      // Assess: 503 in time, the cause in the log only, and the failure was not cached
      expectUnavailable(response);
      expect(ms).toBeLessThan(TOKEN_FAULT_BOUND_MS);
      expect(readsSeen).toBe(reads);
      const [failure, ...more] = errorLines(logger, "auth tokens unavailable");
      expect(more).toEqual([]);
      expect(JSON.stringify(failure?.attributes.error)).toMatch(logged);
      expect(whileDown).toEqual([]);
      expect(recovered.statusCode).toBe(200);
      expect(messages).toHaveLength(1);
    },
  );

  it("reads the tokens within the budget when one SSM attempt hangs and the retry gets through", async (context) => {
    // Prepare
    const parameterName = "/twilio-status-relay/faults/hangs-once";
    ssm.parameters.set(parameterName, PRIMARY_AUTH_TOKEN);
    let reads = 0;
    ssmFaults.set(parameterName, () => {
      reads += 1;
      return reads === 1 ? HANG : PASS;
    });
    const { handler, queueUrl } = await relay(context, { parameterName });

    // Act
    const { response, ms } = await timed(() => handler(freshCallback()));
    const messages = await drainQueue(sqs.client, queueUrl);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(readsOf(parameterName)).toBe(2);
    expect(ms).toBeLessThan(SSM_READ_TIMEOUT_MS);
    expect(messages).toHaveLength(1);
  });

  it("answers within the Lambda timeout when a slow token read is followed by a hanging queue", async (context) => {
    // Prepare: the worst case that still reaches the queue: SSM's first two attempts hang, its
    // third answers; then every SendMessage hangs
    const parameterName = "/twilio-status-relay/faults/slow-then-queue-hangs";
    ssm.parameters.set(parameterName, PRIMARY_AUTH_TOKEN);
    let reads = 0;
    ssmFaults.set(parameterName, () => {
      reads += 1;
      return reads < ATTEMPTS ? HANG : PASS;
    });
    const proxy = await proxyToSqs(context);
    await proxy.setMode(HANG);
    const { handler, logger } = await relay(context, { endpoint: proxy.endpoint, parameterName });

    // Act
    const { response, ms } = await timed(() => handler(freshCallback()));

    // Assess: the tokens were read (late), the publish failed, and Lambda would not time out
    expectUnavailable(response);
    expect(readsOf(parameterName)).toBe(ATTEMPTS);
    expect(errorLines(logger, "auth tokens unavailable")).toEqual([]);
    expect(errorLines(logger, "publish failed")).toHaveLength(1);
    expect(sendMessages(proxy)).toBe(ATTEMPTS);
    expect(ms).toBeLessThan(LAMBDA_TIMEOUT_MS - 500);
  });
});

/** A fresh delivery of 12 events: two SendMessageBatch calls (10 + 2). */
function freshDelivery(): { delivery: ApiGatewayEvent; ids: string[] } {
  const events = sampleSinkEvents({ count: 12 });
  return { delivery: signedSinkDelivery({ events }), ids: events.map((event) => event.id) };
}

function batchCalls(proxy: FaultProxy): number {
  return proxy.requests.filter((request) => request.target === "AmazonSQS.SendMessageBatch").length;
}

function queuedIds(messages: Message[]): string[] {
  return messages.map((message) => JSON.parse(message.Body ?? "{}").id as string).sort();
}

describe.concurrent("when SQS fails a sink delivery's SendMessageBatch", () => {
  it("sends the failed entries of a partial failure again and answers 200 once all are queued", async (context) => {
    // Prepare: the first call loses three entries (reported failed); every later call passes
    const proxy = await proxyToSqs(context);
    const { handler, queueUrl } = await relay(context, { endpoint: proxy.endpoint });
    const { delivery, ids } = freshDelivery();
    let calls = 0;
    await proxy.setMode(() => {
      calls += 1;
      return calls === 1 ? sqsBatchPartialFailure((_, index) => index < 3) : PASS;
    });

    // Act
    const { response, ms } = await timed(() => handler(delivery));
    const messages = await drainQueue(sqs.client, queueUrl);

    // Assess: two batches and one retry of the three failed entries; each event once
    expect(response.statusCode).toBe(200);
    expect(batchCalls(proxy)).toBe(3);
    expect(queuedIds(messages)).toEqual([...ids].sort());
    expect(ms).toBeLessThan(SINK_DEADLINE_MS);
  });

  it("answers 503 within the bound when entries keep failing, and a redelivery queues each event once", async (context) => {
    // Prepare: every call's entries fail for SQS's own reasons
    const proxy = await proxyToSqs(context);
    const { handler, queueUrl, logger } = await relay(context, { endpoint: proxy.endpoint });
    const { delivery, ids } = freshDelivery();
    await proxy.setMode((request) => sqsBatchAllFailed(request.body, "InternalError", false));

    // Act
    const { response, ms } = await timed(() => handler(delivery));
    const retries = batchCalls(proxy);
    await proxy.setMode(PASS);
    const redelivery = await handler(delivery);
    const messages = await drainQueue(sqs.client, queueUrl);

    // Assess
    expectUnavailable(response);
    expect(ms).toBeLessThan(SINK_DEADLINE_MS + 500);
    expect(retries).toBeGreaterThan(4);
    expect(JSON.stringify(errorLines(logger, "publish failed"))).toMatch(/InternalError/);
    expect(redelivery.statusCode).toBe(200);
    expect(queuedIds(messages)).toEqual([...ids].sort());
  });

  it("answers 503 at once when SQS refuses entries for the sender's fault", async (context) => {
    // Prepare
    const proxy = await proxyToSqs(context);
    const { handler, queueUrl } = await relay(context, { endpoint: proxy.endpoint });
    const { delivery } = freshDelivery();
    await proxy.setMode((request) =>
      sqsBatchAllFailed(request.body, "InvalidMessageContents", true),
    );

    // Act
    const { response, ms } = await timed(() => handler(delivery));
    const messages = await drainQueue(sqs.client, queueUrl);

    // Assess: one call per batch, no retry
    expectUnavailable(response);
    expect(batchCalls(proxy)).toBe(2);
    expect(ms).toBeLessThan(1_000);
    expect(messages).toEqual([]);
  });

  it("answers 503 within the bound when SQS hangs, and a redelivery queues each event once", async (context) => {
    // Prepare: the first batch passes, every later call hangs
    const proxy = await proxyToSqs(context);
    const { handler, queueUrl } = await relay(context, { endpoint: proxy.endpoint });
    const { delivery, ids } = freshDelivery();
    let calls = 0;
    await proxy.setMode(() => {
      calls += 1;
      return calls === 1 ? PASS : HANG;
    });

    // Act
    const { response, ms } = await timed(() => handler(delivery));
    await proxy.setMode(PASS);
    const redelivery = await handler(delivery);
    const messages = await drainQueue(sqs.client, queueUrl);

    // Assess: half the delivery landed the first time; FIFO deduplication absorbs the redelivery
    expectUnavailable(response);
    expect(ms).toBeLessThan(SINK_DEADLINE_MS + 500);
    expect(redelivery.statusCode).toBe(200);
    expect(queuedIds(messages)).toEqual([...ids].sort());
  });
});
