/**
 * Event Streams webhook sink deliveries: a POST of a JSON array of CloudEvents to a URL Twilio
 * signed with the body's SHA-256 appended (`bodySHA256`). Verified (signature, then body hash),
 * then validated, then every event is published as its own queue message, unchanged, and the
 * delivery is answered 2xx only once all of them are on the queue.
 */

import { hash } from "node:crypto";
import { SINK_TEST_EVENT_TYPE, type TwilioCloudEvent } from "../events/cloud-event.ts";
import { describeError } from "../events/errors.ts";
import { jsonNesting, MAX_JSON_DEPTH } from "../events/resources/define.ts";
import { authenticate, type SecretSources, type Signer } from "./authenticate.ts";
import type { CallbackRequest, SinkDelivery } from "./decode.ts";
import {
  AccountMismatchError,
  AccountNotAllowedError,
  BadRequestError,
  BodyHashMismatchError,
  ServiceUnavailableError,
  SignatureMismatchError,
} from "./errors.ts";
import type { RelayLogger } from "./logger.ts";
import type { RelayMetrics } from "./metrics.ts";
import type { CallbackPolicy } from "./policy.ts";
import type { CloudEventMessage, CloudEventPublisher } from "./publisher.ts";
import type { HttpResponse } from "./responses.ts";
import { bodyMatchesHash } from "./signature.ts";

/**
 * Most events in one delivery: ten `SendMessageBatch` calls, all sent at once, which SQS answers
 * well inside the time budget. Twilio does not document its batch size.
 */
export const MAX_SINK_EVENTS = 100;
/** Largest delivery body accepted: 1 MiB, room for 100 events of 10 KiB. */
export const MAX_SINK_BODY_BYTES = 1024 * 1024;
/**
 * Largest event, as JSON: it must fit an SQS message (256 KiB on every queue) with its
 * attributes.
 */
export const MAX_SINK_EVENT_BYTES = 255 * 1024;
/**
 * Time from the start of a delivery's handling to the end of its publishing: Event Streams waits
 * at most 5 s for an answer, and this leaves a second for a cold start, the answer, and the
 * network. Events not on the queue by then get a 503, and Twilio delivers them again.
 */
export const SINK_DEADLINE_MS = 4_000;

const REQUIRED = ["id", "type", "source", "specversion"] as const;
// What SQS takes as a FIFO group or deduplication id.
const SQS_ID = /^[\x21-\x7e]{1,128}$/;
const ACCOUNT_SID_IN_TEXT = /AC[0-9a-fA-F]{32}/;

export interface SinkDependencies {
  readonly sources: SecretSources;
  readonly publisher: Partial<CloudEventPublisher>;
  readonly policy: CallbackPolicy;
  readonly logger: RelayLogger;
  /** When handling began (ms since the epoch): the deadline counts from there. */
  readonly startedAt: number;
  /** Counts the publish and, once all are queued, each event (`resourceType` `EventStreams`). */
  readonly metrics: RelayMetrics;
}

/** The `resourceType` dimension of `CallbacksRelayed` for an Event Streams event. */
export const EVENT_STREAMS_RESOURCE_TYPE = "EventStreams";

/**
 * Handles a decoded sink delivery (`request.sink` set) and answers with the event ids queued.
 * @throws HttpError: 401/403 for signature, body hash, SharedKey or account problems, 400 for a
 *   body that is not an array of CloudEvents (nothing is published), 503 when the queue did not
 *   take every event in time
 */
export async function handleSinkDelivery(
  request: CallbackRequest & { readonly sink: SinkDelivery },
  deps: SinkDependencies,
): Promise<HttpResponse> {
  const { logger } = deps;
  // The account a sink URL names, if its owner added `AccountSid=AC...` to it (signed with it).
  const namedAccount = request.params.get("AccountSid")?.[0];
  let signer: Signer;
  try {
    signer = await authenticate(request, {
      sources: deps.sources,
      accountSid: namedAccount,
      logger,
    });
  } catch (error) {
    if (error instanceof SignatureMismatchError && namedAccount === undefined) {
      // Only what could have signed it is tried: without an account in the URL, the defaults.
      logger.warn(
        "a sink delivery whose URL names no account is verified with the default tokens only",
        {
          fix: "if a subaccount's sink sent it, add ?AccountSid=<that account> to the sink's destination URL",
        },
      );
    }
    throw error;
  }
  if (!bodyMatchesHash(request.sink.body, request.sink.bodySha256)) {
    logger.warn("body does not match bodySHA256", { bytes: request.sink.body.length });
    throw new BodyHashMismatchError();
  }

  let events: TwilioCloudEvent[];
  try {
    events = parseDelivery(request.sink.body);
  } catch (error) {
    // Signed by Twilio yet refused: say why (the body itself can be large; Twilio retries it).
    if (error instanceof BadRequestError) {
      logger.error("signed delivery is not an array of CloudEvents", {
        problems: error.problems,
        bytes: request.sink.body.length,
      });
    }
    throw error;
  }
  // The account whose own token signed the delivery, else the one its signed URL names.
  const deliveryAccount = signer.accountSid ?? namedAccount;
  const messages = events.map((event) => cloudEventMessage(event, deliveryAccount));
  enforceAccounts(messages, deliveryAccount, deps.policy, logger);

  const publish = deps.publisher.publishCloudEvents;
  const ids = events.map((event) => event.id);
  const started = performance.now();
  try {
    if (publish === undefined) throw new Error("the publisher cannot publish CloudEvents");
    await publish.call(deps.publisher, messages, deps.startedAt + SINK_DEADLINE_MS);
  } catch (error) {
    deps.metrics.published(performance.now() - started, false);
    // Event Streams delivers the whole array again later; deduplication absorbs what landed.
    logger.error("publish failed", { delivery: "event-streams", ids, error: describeError(error) });
    throw new ServiceUnavailableError({ cause: error });
  }
  deps.metrics.published(performance.now() - started, true);
  for (const _ of ids) deps.metrics.relayed(EVENT_STREAMS_RESOURCE_TYPE);
  // At DEBUG: the metrics count every event, and the trail of ids is for a closer look.
  logger.debug("published", { delivery: "event-streams", count: ids.length, ids });
  return {
    statusCode: 200,
    headers: { "content-type": "application/json; charset=utf-8" },
    body: JSON.stringify({ accepted: ids.length, ids }),
  };
}

/**
 * Parses a verified delivery body: a non-empty JSON array of at most {@link MAX_SINK_EVENTS}
 * CloudEvents, each with a non-empty string `id`, `type`, `source` and `specversion`, each at
 * most {@link MAX_SINK_EVENT_BYTES} as JSON and nested at most `MAX_JSON_DEPTH` levels deep.
 * @throws BadRequestError naming every problem (the first ten)
 */
export function parseDelivery(body: Uint8Array): TwilioCloudEvent[] {
  const fail = (problems: string[]) =>
    new BadRequestError(problems.slice(0, 10), { subject: "Event Streams delivery" });
  const text = Buffer.from(body).toString("utf8");
  // Before anything walks the events recursively (JSON.stringify to size them, then to publish
  // and log them), which a deep enough nesting would overflow: a 500 on every retry.
  const nesting = jsonNesting(text);
  if (nesting.depth - 1 > MAX_JSON_DEPTH) {
    throw fail([`event ${nesting.element} is nested more than ${MAX_JSON_DEPTH} levels deep`]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw fail(["the body is not JSON"]);
  }
  if (!Array.isArray(value)) throw fail(["the body must be a JSON array of CloudEvents"]);
  if (value.length === 0) throw fail(["the array holds no event"]);
  if (value.length > MAX_SINK_EVENTS) {
    throw fail([
      `the array holds ${value.length} events, more than the ${MAX_SINK_EVENTS} allowed`,
    ]);
  }
  const problems: string[] = [];
  value.forEach((event: unknown, index) => {
    if (typeof event !== "object" || event === null || Array.isArray(event)) {
      problems.push(`event ${index} is not a JSON object`);
      return;
    }
    const record = event as Record<string, unknown>;
    const missing = REQUIRED.filter(
      (field) => typeof record[field] !== "string" || record[field] === "",
    );
    if (missing.length > 0) {
      problems.push(
        `event ${index} is not a CloudEvent: ${missing.join(", ")} missing or not a non-empty string`,
      );
      return;
    }
    const bytes = Buffer.byteLength(JSON.stringify(event));
    if (bytes > MAX_SINK_EVENT_BYTES) {
      problems.push(
        `event ${index} is ${bytes} bytes, more than the ${MAX_SINK_EVENT_BYTES} allowed`,
      );
    }
  });
  if (problems.length > 0) throw fail(problems);
  return value as TwilioCloudEvent[];
}

/**
 * The queue message of one event: its FIFO group (see {@link resourceKey}), its deduplication id
 * (the CloudEvent `id`, or its SHA-256 when SQS would refuse it), and the attributes status
 * callbacks carry: `type`, `resourceType`, `status`, `accountSid`.
 */
export function cloudEventMessage(
  event: TwilioCloudEvent,
  deliveryAccount: string | undefined,
): CloudEventMessage {
  const key = resourceKey(event);
  const attributes: Record<string, string> = { type: event.type };
  const resourceType = RESOURCE_BY_PREFIX[key.slice(0, 2)];
  if (resourceType !== undefined && /^[A-Z]{2}[0-9a-f]{32}$/i.test(key)) {
    attributes.resourceType = resourceType;
  }
  const status = statusOf(event);
  if (status !== undefined) attributes.status = status;
  const accountSid = accountOf(event) ?? deliveryAccount;
  if (accountSid !== undefined) attributes.accountSid = accountSid;
  return {
    event,
    groupId: key,
    deduplicationId: SQS_ID.test(event.id) ? event.id : hash("sha256", event.id, "hex"),
    attributes,
  };
}

const RESOURCE_BY_PREFIX: Readonly<Record<string, string>> = {
  SM: "Message",
  MM: "Message",
  CA: "Call",
  CF: "Conference",
  RE: "Recording",
  RM: "Room",
  ZX: "MediaProcessor",
  VJ: "PlayerStreamer",
};

/**
 * The Twilio resource an event is about, as its FIFO group: the CloudEvent `subject`; else the
 * first SID of the Voice request parameters (`RecordingSid`, `ConferenceSid`, `CallSid`,
 * `MessageSid`); else the first of `data.messageSid`, `callSid`, `conferenceSid`,
 * `recordingSid`, `sid`; else the event's own `id` (its SHA-256 when SQS would refuse it).
 */
export function resourceKey(event: TwilioCloudEvent): string {
  const data = objectAt(event.data);
  const parameters = objectAt(objectAt(data?.request)?.parameters);
  const candidates = [
    event.subject,
    parameters?.RecordingSid,
    parameters?.ConferenceSid,
    parameters?.CallSid,
    parameters?.MessageSid,
    data?.messageSid,
    data?.callSid,
    data?.conferenceSid,
    data?.recordingSid,
    data?.sid,
    event.id,
  ];
  for (const candidate of candidates) {
    if (typeof candidate === "string" && SQS_ID.test(candidate)) return candidate;
  }
  return hash("sha256", event.id, "hex");
}

function statusOf(event: TwilioCloudEvent): string | undefined {
  const data = objectAt(event.data);
  const parameters = objectAt(objectAt(data?.request)?.parameters);
  for (const candidate of [
    data?.messageStatus,
    parameters?.CallStatus,
    parameters?.RecordingStatus,
    parameters?.StatusCallbackEvent,
  ]) {
    if (typeof candidate === "string" && candidate !== "") return candidate.toLowerCase();
  }
  return event.type.split(".").at(-1);
}

function accountOf(event: TwilioCloudEvent): string | undefined {
  const data = objectAt(event.data);
  const parameters = objectAt(objectAt(data?.request)?.parameters);
  // The sink test event's id is the account SID.
  const testEventAccount = event.type === SINK_TEST_EVENT_TYPE ? event.id : undefined;
  for (const candidate of [data?.accountSid, parameters?.AccountSid, testEventAccount]) {
    if (typeof candidate === "string" && /^AC[0-9a-f]{32}$/i.test(candidate)) return candidate;
  }
  return ACCOUNT_SID_IN_TEXT.exec(event.source)?.[0];
}

function objectAt(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

// A delivery an account signed, or whose URL names an account, holds that account's events only.
// ALLOWED_ACCOUNT_SIDS applies to that account and to every event: its own account (data, request
// parameters, source), or the delivery's.
function enforceAccounts(
  messages: readonly CloudEventMessage[],
  deliveryAccount: string | undefined,
  policy: CallbackPolicy,
  logger: RelayLogger,
): void {
  if (deliveryAccount !== undefined) {
    const bound = deliveryAccount.toLowerCase();
    messages.forEach((message, index) => {
      const accountSid = message.attributes.accountSid;
      if (accountSid !== undefined && accountSid.toLowerCase() !== bound) {
        logger.warn("delivery refused: an event of another account", {
          reason: "AccountMismatchError",
          eventId: message.event.id,
          accountSid,
          deliveryAccount,
        });
        throw new AccountMismatchError(index, accountSid, deliveryAccount);
      }
    });
  }
  const allowed = policy.allowedAccountSids;
  if (allowed === undefined) return;
  if (deliveryAccount !== undefined && !allowed.has(deliveryAccount.toLowerCase())) {
    logger.warn("delivery refused by policy", {
      reason: "AccountNotAllowedError",
      accountSid: deliveryAccount,
    });
    throw new AccountNotAllowedError(deliveryAccount);
  }
  for (const message of messages) {
    const accountSid = message.attributes.accountSid;
    if (accountSid === undefined || !allowed.has(accountSid.toLowerCase())) {
      logger.warn("delivery refused by policy", {
        reason: "AccountNotAllowedError",
        eventId: message.event.id,
        accountSid,
      });
      throw new AccountNotAllowedError(accountSid);
    }
  }
}
