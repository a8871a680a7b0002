/**
 * Test helpers for the relay's tests and for users' own (`twilio-status-relay/testing`):
 * realistic sample callbacks of every event, the test auth tokens, `signedCallback`, which
 * returns an API Gateway event carrying a correctly signed callback, and `signedSinkDelivery`,
 * its twin for an Event Streams webhook sink delivery.
 */

export {
  callStatusEvent,
  LOCAL_SHARED_KEY,
  LOCAL_SHARED_KEY_MAP,
  messageStatusEvent,
  type SharedKeySigning,
  SINK_TEST_EVENT_TYPE,
  type SignedSinkDeliveryOptions,
  sampleSinkEvents,
  signedSinkDelivery,
  sinkDeliveryRequest,
  sinkTestEvent,
} from "./event-streams.ts";
export * from "./samples.ts";
export {
  type ApiGatewayEvent,
  callbackUrl,
  type FormParams,
  formBody,
  type SignedCallbackOptions,
  signedCallback,
  twilioSignature,
} from "./signed-callback.ts";
export * from "./tokens.ts";
