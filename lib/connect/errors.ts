/**
 * What can stop `npm run connect`, each with a message that says what to fix. None carries a
 * credential: the messages name accounts and resources by SID only.
 */
import { RelayError } from "../events/errors.ts";

/** Base of the connect errors: the run stopped, and the message says why and what to do. */
export class ConnectError extends RelayError {
  override name = "ConnectError";
}

/** Twilio refused the credentials (error 20003), or none were given. */
export class CredentialsError extends ConnectError {
  override name = "CredentialsError";
}

/** A Messaging Service, phone number or event type that the account does not have. */
export class UnknownResourceError extends ConnectError {
  override name = "UnknownResourceError";
}

/** The URL does not answer as the relay does: nothing was changed. */
export class NotTheRelayError extends ConnectError {
  override name = "NotTheRelayError";
}

/** Twilio's rate limit (429, error 20429) outlasted the retries. */
export class RateLimitError extends ConnectError {
  override name = "RateLimitError";
}

/** Twilio answered an error connect has no better advice for. */
export class TwilioApiError extends ConnectError {
  override name = "TwilioApiError";
}

/** The sink test event did not arrive on the queue in time. */
export class ProofError extends ConnectError {
  override name = "ProofError";
}
