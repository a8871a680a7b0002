/**
 * Testing your own code with the package's helpers: realistic events without a queue, and
 * correctly signed callbacks for code that sits in front of the relay (a proxy, a router).
 */
import { parseStatusEvent, type StatusEvent } from "twilio-status-relay";
import {
  ACCOUNT_SID,
  callbackParams,
  PRIMARY_AUTH_TOKEN,
  signedCallback,
} from "twilio-status-relay/testing";
import { onStatusEvent } from "./consumer.ts";

/** An event as the relay would publish it, built by hand from a sample's fields. */
export function sampleEvent(): StatusEvent {
  const params = callbackParams("media-processor-failed");
  return parseStatusEvent(
    JSON.stringify({
      specversion: "1.0",
      id: "0".repeat(64),
      source: params.Url,
      subject: params.MediaProcessorSid,
      type: "com.twilio.media.media-processor.failed",
      time: params.Timestamp,
      datacontenttype: "application/json",
      dataschema: "urn:twilio-status-relay:schema:media-processor:v1",
      data: {
        resourceType: "MediaProcessor",
        status: "failed",
        statusCallbackEvent: params.StatusCallbackEvent,
        accountSid: ACCOUNT_SID,
        mediaProcessorSid: params.MediaProcessorSid,
        extension: params.Extension,
        extensionContext: JSON.parse(params.ExtensionContext ?? "{}"),
        timestamp: params.Timestamp,
        url: params.Url,
        errorMessage: params.ErrorMessage,
        unrecognizedParameters: {},
      },
    }),
  );
}

/** Your consumer on that event, as a test would run it. */
export async function consumeSample(): Promise<void> {
  await onStatusEvent(sampleEvent());
}

/** An API Gateway event with a valid X-Twilio-Signature for `PRIMARY_AUTH_TOKEN`. */
export const signed = signedCallback({ event: "stream-ended", token: PRIMARY_AUTH_TOKEN });
