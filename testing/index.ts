/**
 * Test helpers for the relay's tests and for users' own (`twilio-status-relay/testing`):
 * realistic sample callbacks of every event, the test auth tokens, and `signedCallback`, which
 * returns an API Gateway event carrying a correctly signed callback.
 */
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
