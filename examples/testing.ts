/**
 * Testing your own code with the package's helpers: realistic events without a queue, and
 * correctly signed callbacks for code that sits in front of the relay (a proxy, a router).
 */
import { parseStatusEvent, type StatusEvent } from "twilio-status-relay";
import {
  ACCOUNT_SID,
  callbackParams,
  FORGER_AUTH_TOKEN,
  PRIMARY_AUTH_TOKEN,
  signedCallback,
} from "twilio-status-relay/testing";
import { onStatusEvent } from "./consumer.ts";

/** An event as the relay would publish it, built from the sample of an undelivered message. */
export function sampleEvent(): StatusEvent {
  const params = callbackParams("message.undelivered");
  return parseStatusEvent(
    JSON.stringify({
      specversion: "1.0",
      id: "0".repeat(64),
      source: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${params.MessageSid}.json`,
      subject: params.MessageSid,
      type: "com.twilio.messaging.message.undelivered",
      time: "2026-11-27T10:16:00.000Z",
      datacontenttype: "application/json",
      dataschema: "urn:twilio-status-relay:schema:message:v1",
      data: {
        resourceType: "Message",
        status: "undelivered",
        accountSid: ACCOUNT_SID,
        messageSid: params.MessageSid,
        from: params.From,
        to: params.To,
        errorCode: Number(params.ErrorCode),
        unrecognizedParameters: {},
      },
    }),
  );
}

/** Your consumer on that event, as a test would run it. */
export async function consumeSample(): Promise<void> {
  await onStatusEvent(sampleEvent());
}

/** An API Gateway event with a valid X-Twilio-Signature for `PRIMARY_AUTH_TOKEN` ... */
export const signed = signedCallback({ event: "message.delivered", token: PRIMARY_AUTH_TOKEN });
/** ... and the same callback signed with another token: a forgery your code must refuse. */
export const forged = signedCallback({ event: "message.delivered", token: FORGER_AUTH_TOKEN });
