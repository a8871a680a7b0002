/**
 * `hotPathOutcome(event)`: everything the relay's CPU-bound path decides for one API Gateway
 * event, as plain JSON: the SendMessage input (its body byte for byte) or the error with its
 * message and problems. Recorded once in `test/fixtures/hot-path-golden.json`, so that an
 * optimisation of that path is proven to change no output.
 */

import { sqsMessage } from "../../lib/ingest/aws/sqs-publisher.ts";
import { type ApiGatewayEvent, decodeRequest } from "../../lib/ingest/decode.ts";
import { HttpError } from "../../lib/ingest/errors.ts";
import { MAX_BODY_BYTES } from "../../lib/ingest/handler.ts";
import { normaliseCallback } from "../../lib/ingest/normalise.ts";
import { verifyTwilioSignature } from "../../lib/ingest/signature.ts";
import { PRIMARY_AUTH_TOKEN, SECONDARY_AUTH_TOKEN } from "../../testing/tokens.ts";

const FIXED_NOW = new Date("2026-11-27T12:00:00.000Z");
const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/relay.fifo";

export type HotPathOutcome =
  | { readonly message: unknown; readonly hmacs: number; readonly tokenIndex: number }
  | { readonly refused: { hmacs: number } }
  | { readonly error: { name: string; message: string; statusCode?: number; problems?: unknown } };

/** Decode, verify (tokens: the local one, then a second), normalise and build the message. */
export function hotPathOutcome(event: ApiGatewayEvent): HotPathOutcome {
  try {
    const request = decodeRequest(event, { publicUrl: undefined, maxBodyBytes: MAX_BODY_BYTES });
    const verdict = verifyTwilioSignature({
      url: request.url,
      params: request.signedParams,
      signature: request.signature,
      tokens: [PRIMARY_AUTH_TOKEN, SECONDARY_AUTH_TOKEN],
    });
    if (!verdict.valid) return { refused: { hmacs: verdict.hmacs } };
    const statusEvent = normaliseCallback(request.params, () => FIXED_NOW);
    return {
      message: sqsMessage(statusEvent, QUEUE_URL, true),
      hmacs: verdict.hmacs,
      tokenIndex: verdict.tokenIndex,
    };
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    return {
      error: {
        name: error.name,
        message: error.message,
        ...(error instanceof HttpError ? { statusCode: error.statusCode } : {}),
        ...("problems" in error ? { problems: error.problems } : {}),
      },
    };
  }
}
