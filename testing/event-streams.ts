/**
 * Twilio Event Streams webhook sink deliveries, for tests, `npm run trigger -- event-streams` and
 * the bench: realistic CloudEvents (Messaging, Voice, and the sink test event), and deliveries
 * signed as Twilio signs them: `bodySHA256=<hex SHA-256 of the body>` appended to the sink URL,
 * and `X-Twilio-Signature` over that URL alone (no parameters).
 */
import { createHash } from "node:crypto";
import type { TwilioCloudEvent } from "../lib/events/cloud-event.ts";
import type { ApiGatewayEvent } from "../lib/ingest/decode.ts";
import { computeTwilioSignature, hashOfAlgorithm } from "../lib/ingest/signature.ts";
import { ACCOUNT_SID } from "./samples.ts";
import {
  type SharedKeySigning,
  type SignedCallbackOptions,
  signatureSettings,
  signedCallback,
  twilioSignature,
} from "./signed-callback.ts";
import { PRIMARY_AUTH_TOKEN } from "./tokens.ts";

export type { SharedKeySigning } from "./signed-callback.ts";

/** `type` of the event Twilio sends to test a sink. */
export const SINK_TEST_EVENT_TYPE = "com.twilio.eventstreams.test-event";
/** A SharedKey id and secret for tests and the local loop only. */
export const LOCAL_SHARED_KEY: Required<SharedKeySigning> = {
  id: "webhooks_sharedkey_local",
  secret: "local-shared-key-secret-0000000000000001",
  algorithm: "HMAC_SHA256",
};

/**
 * The local SharedKey as `TWILIO_SHARED_KEYS` takes it (`JSON.stringify` it for the variable), and
 * as a relay's `config.sharedKeys`.
 */
export const LOCAL_SHARED_KEYS: Readonly<Record<string, string>> = {
  [LOCAL_SHARED_KEY.id]: LOCAL_SHARED_KEY.secret,
};
export const LOCAL_SHARED_KEY_MAP: ReadonlyMap<string, readonly string[]> = new Map([
  [LOCAL_SHARED_KEY.id, [LOCAL_SHARED_KEY.secret]],
]);

/**
 * What a bench needs for a SHA-256 callback: an API Gateway event carrying a status callback
 * signed with the local SharedKey (HMAC-SHA256); the relay needs `LOCAL_SHARED_KEY_MAP`.
 */
export function benchSharedKeyCallback(
  options: Omit<SignedCallbackOptions, "sharedKey"> = {},
): ApiGatewayEvent {
  return signedCallback({ ...options, sharedKey: LOCAL_SHARED_KEY });
}

let sequence = 0;
// A fresh 32-hex-digit suffix for SIDs and event ids: each call makes new events, not retries.
function freshHex(): string {
  sequence += 1;
  return createHash("sha256")
    .update(`${process.pid}:${Date.now()}:${sequence}:${Math.random()}`)
    .digest("hex")
    .slice(0, 32);
}

export interface SampleEventOptions {
  readonly accountSid?: string;
  /** The events' `time`; now by default. */
  readonly time?: string;
}

/** A Messaging `com.twilio.messaging.message.<status>` event (schema Messaging.MessageStatus/8). */
export function messageStatusEvent(
  status: "queued" | "sent" | "delivered" | "undelivered" | "failed" | "read" = "delivered",
  options: SampleEventOptions & { messageSid?: string } = {},
): TwilioCloudEvent {
  const accountSid = options.accountSid ?? ACCOUNT_SID;
  const messageSid = options.messageSid ?? `SM${freshHex()}`;
  const time = options.time ?? new Date().toISOString();
  const type = `com.twilio.messaging.message.${status}`;
  return {
    specversion: "1.0",
    type,
    source: `/2010-04-01/Accounts/${accountSid}/Messages/${messageSid}.json`,
    id: `EZ${freshHex()}`,
    dataschema: "https://events-schemas.twilio.com/Messaging.MessageStatus/8",
    datacontenttype: "application/json",
    time,
    data: {
      messageSid,
      timestamp: time,
      accountSid,
      eventName: type,
      apiVersion: "2010-04-01",
      from: "+15017250604",
      to: "+15558675310",
      messageStatus: status.toUpperCase(),
      messagingServiceSid: "MG0a1b2c3d4e5f60718293a4b5c6d7e8f9",
      numberOfSegments: 1,
      dateUpdated: time,
    },
  };
}

/** A Voice `com.twilio.voice.status-callback.call.<status>` event (schema Voice.WebhookEvent). */
export function callStatusEvent(
  status: "initiated" | "ringing" | "answered" | "completed" = "completed",
  options: SampleEventOptions & { callSid?: string } = {},
): TwilioCloudEvent {
  const accountSid = options.accountSid ?? ACCOUNT_SID;
  const callSid = options.callSid ?? `CA${freshHex()}`;
  const time = options.time ?? new Date().toISOString();
  return {
    specversion: "1.0",
    type: `com.twilio.voice.status-callback.call.${status}`,
    source: `/2010-04-01/Accounts/${accountSid}/Calls/${callSid}.json`,
    id: `EZ${freshHex()}`,
    dataschema: "https://events-schemas.twilio.com/Voice.WebhookEvent/1",
    datacontenttype: "application/json",
    time,
    data: {
      sid: callSid,
      timestamp: time,
      eventSid: `VW${freshHex()}`,
      requestDateCreated: new Date(time).toUTCString().replace("GMT", "+0000"),
      request: {
        method: "POST",
        url: "https://status.example.com/voice",
        parameters: {
          AccountSid: accountSid,
          CallSid: callSid,
          CallStatus: status === "answered" ? "in-progress" : status,
          Direction: "outbound-api",
          From: "+15017250604",
          To: "+15558675310",
          ApiVersion: "2010-04-01",
        },
      },
    },
  };
}

/**
 * The event Twilio sends to test a sink (`POST /v1/Sinks/{Sid}/Test`): its `id` is the account
 * SID, its `data` a `test_id`.
 */
export function sinkTestEvent(options: SampleEventOptions = {}): TwilioCloudEvent {
  return {
    specversion: "1.0",
    type: SINK_TEST_EVENT_TYPE,
    source: "Sink",
    id: options.accountSid ?? ACCOUNT_SID,
    dataschema: "https://events-schemas.twilio.com/EventStreams.TestSink/1.json",
    datacontenttype: "application/json",
    time: options.time ?? new Date().toISOString(),
    data: { test_id: crypto.randomUUID() },
  };
}

/**
 * A realistic delivery of `count` events (default 4): Messaging and Voice events about a few
 * resources (several events per resource), and, unless `testEvent` is false, the sink test
 * event last.
 */
export function sampleSinkEvents(
  options: SampleEventOptions & { count?: number; testEvent?: boolean } = {},
): TwilioCloudEvent[] {
  const { count = 4, testEvent = true } = options;
  const messageSid = `SM${freshHex()}`;
  const callSid = `CA${freshHex()}`;
  const messageStatuses = ["queued", "sent", "delivered"] as const;
  const callStatuses = ["initiated", "ringing", "answered", "completed"] as const;
  const events: TwilioCloudEvent[] = [];
  const real = testEvent ? count - 1 : count;
  for (let i = 0; i < real; i += 1) {
    events.push(
      i % 2 === 0
        ? messageStatusEvent(messageStatuses[(i / 2) % 3] ?? "delivered", {
            ...options,
            messageSid,
          })
        : callStatusEvent(callStatuses[((i - 1) / 2) % 4] ?? "completed", { ...options, callSid }),
    );
  }
  if (testEvent) events.push(sinkTestEvent(options));
  return events;
}

/** `url` with `bodySHA256=<hex SHA-256 of body>` appended, as Twilio signs a sink delivery. */
export function withBodyHash(url: string, body: string | Uint8Array): string {
  const hash = createHash("sha256").update(body).digest("hex");
  return `${url}${url.includes("?") ? "&" : "?"}bodySHA256=${hash}`;
}

export interface SignedSinkDeliveryOptions
  extends Omit<SignedCallbackOptions, "method" | "params" | "event" | "query" | "body"> {
  /** The events; a fresh {@link sampleSinkEvents} delivery by default. */
  readonly events?: readonly unknown[];
  /** The body as sent and hashed; `JSON.stringify(events)` by default. */
  readonly body?: string;
  /** The sink URL's own query string (raw, without `?`), before `bodySHA256` is appended. */
  readonly query?: string;
  /** Replace the `bodySHA256` value in the URL (after hashing). */
  readonly bodySha256?: string;
  /** Replace the body after signing. */
  readonly tamperedBody?: string;
}

/**
 * An API Gateway event carrying an Event Streams sink delivery, signed as Twilio signs it (the
 * signing is held to the official `twilio` package in the tests): each test changes one thing.
 */
export function signedSinkDelivery(options: SignedSinkDeliveryOptions = {}): ApiGatewayEvent {
  const body = options.body ?? JSON.stringify(options.events ?? sampleSinkEvents());
  const hash = options.bodySha256 ?? createHash("sha256").update(body).digest("hex");
  const query = [options.query, `bodySHA256=${hash}`].filter((part) => part).join("&");
  const { sharedKey } = options;
  const url = callbackUrlOf(options, query);
  const signature =
    options.signature === undefined
      ? twilioSignature(
          sharedKey?.secret ?? options.token ?? PRIMARY_AUTH_TOKEN,
          options.signedUrl ?? url,
          {},
          sharedKey ? (sharedKey.algorithm ?? "HMAC_SHA256") : undefined,
        )
      : options.signature;
  return signedCallback({
    ...options,
    method: "POST",
    params: {},
    query,
    body: options.tamperedBody ?? body,
    signature,
    contentType: options.contentType ?? "application/json",
  });
}

function callbackUrlOf(options: SignedCallbackOptions, query: string): string {
  const { proto = "https", host = "abc123.execute-api.us-east-1.amazonaws.com" } = options;
  return `${proto}://${host}${options.path ?? "/status-callbacks"}?${query}`;
}

export interface SinkDeliveryRequest {
  readonly method: "POST";
  /** The sink URL with `bodySHA256` appended. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * The HTTP request Twilio sends to a webhook sink at `url` for `events`, signed with `token`
 * (HMAC-SHA1) or with `sharedKey`; built with the relay's own signing code, for tools that run
 * without the `twilio` package (`npm run trigger`, the bench).
 */
export function sinkDeliveryRequest(options: {
  readonly url: string;
  readonly events: readonly unknown[];
  readonly token?: string;
  readonly sharedKey?: SharedKeySigning;
}): SinkDeliveryRequest {
  const body = JSON.stringify(options.events);
  const url = withBodyHash(options.url, body);
  const { sharedKey } = options;
  const hash = sharedKey ? hashOfAlgorithm(sharedKey.algorithm ?? "HMAC_SHA256") : "sha1";
  if (hash === undefined) throw new Error(`unsupported algorithm ${sharedKey?.algorithm}`);
  const signature = computeTwilioSignature(
    sharedKey?.secret ?? options.token ?? PRIMARY_AUTH_TOKEN,
    url,
    new Map(),
    hash,
  );
  return {
    method: "POST",
    url,
    headers: {
      "user-agent": "Twilio-EventStreams/1.0 (npm run trigger)",
      "content-type": "application/json",
      "x-twilio-signature": signature,
      ...(sharedKey
        ? { "x-twilio-webhooks-signature-settings": signatureSettings(sharedKey) }
        : {}),
    },
    body,
  };
}

/**
 * What a bench needs: an API Gateway event carrying a signed delivery of `count` (default 10)
 * fresh events, signed with the local auth token (or `sharedKey`).
 */
export function benchSinkDelivery(
  options: { count?: number; sharedKey?: SharedKeySigning } = {},
): ApiGatewayEvent {
  return signedSinkDelivery({
    events: sampleSinkEvents({ count: options.count ?? 10, testEvent: false }),
    ...(options.sharedKey ? { sharedKey: options.sharedKey } : {}),
  });
}
