/**
 * Republishing logged events: the SendMessage request the relay would have made for each, built
 * by the SQS publisher's own function, so that body, attributes, FIFO group and deduplication id
 * are the original ones. Used by `npm run replay` and by the recover function.
 */
import { SendMessageCommand, type SendMessageCommandInput, SQSClient } from "@aws-sdk/client-sqs";
import type { StatusEvent } from "../events/schemas.ts";
import { sqsMessage } from "../ingest/aws/sqs-publisher.ts";
import type { LoggedEvent } from "./relay-log.ts";

/**
 * The port replaying sends through: one SendMessage request, resolved once the queue has taken
 * it, rejected with the SDK's error otherwise. `abortSignal` ends a call that takes too long.
 */
export type MessageSender = (
  message: SendMessageCommandInput,
  abortSignal?: AbortSignal,
) => Promise<void>;

/** The {@link MessageSender} of an SQS client. */
export function sqsSender(client: Pick<SQSClient, "send">): MessageSender {
  return async (message, abortSignal) => {
    await client.send(new SendMessageCommand(message), abortSignal ? { abortSignal } : {});
  };
}

/** Whether a queue URL names a FIFO queue: as the ingest side's SQS publisher decides it. */
export function isFifoQueue(queueUrl: string): boolean {
  return queueUrl.endsWith(".fifo");
}

/**
 * The SendMessage request the relay would have made for a logged event: built by the SQS
 * publisher's own function, so the body, attributes, FIFO group and deduplication id (the event
 * id) are the ones the relay sends.
 */
export function replayMessage(logged: LoggedEvent, queueUrl: string): SendMessageCommandInput {
  // The logged object is what the relay meant to publish, unchanged (a JSON round trip of it).
  return sqsMessage(logged.event as unknown as StatusEvent, queueUrl, isFifoQueue(queueUrl));
}

export interface ReplayOutcome {
  readonly sent: LoggedEvent[];
  readonly failed: { logged: LoggedEvent; error: string; cause: unknown }[];
  /** Not tried: left when `signal` aborted or `stopAfter` said to stop. */
  readonly unsent: LoggedEvent[];
}

/**
 * Publishes the events one after another, in order (per-resource order on a FIFO queue).
 * Stops early, leaving the rest unsent, when `signal` aborts or `stopAfter` returns true for a
 * send's error.
 */
export async function replayEvents(options: {
  readonly send: MessageSender;
  readonly queueUrl: string;
  readonly events: readonly LoggedEvent[];
  readonly signal?: AbortSignal;
  readonly stopAfter?: (error: unknown) => boolean;
  readonly onSent?: (logged: LoggedEvent, index: number) => void;
}): Promise<ReplayOutcome> {
  const sent: LoggedEvent[] = [];
  const failed: ReplayOutcome["failed"] = [];
  for (const [index, logged] of options.events.entries()) {
    if (options.signal?.aborted) return { sent, failed, unsent: options.events.slice(index) };
    try {
      await options.send(replayMessage(logged, options.queueUrl));
      sent.push(logged);
      options.onSent?.(logged, index);
    } catch (error) {
      failed.push({ logged, error: (error as Error).message ?? String(error), cause: error });
      if (options.stopAfter?.(error)) {
        return { sent, failed, unsent: options.events.slice(index + 1) };
      }
    }
  }
  return { sent, failed, unsent: [] };
}

/**
 * An SQS client for a queue URL: endpoint, region and credentials from the SDK's usual settings
 * (AWS_ENDPOINT_URL_SQS, AWS_REGION, AWS_PROFILE, ...); without a configured region, the one in an
 * AWS queue URL (https://sqs.<region>.amazonaws.com/...). `env` is the caller's environment
 * (`process.env` in a script): only the region variables are read from it.
 */
export function sqsClientForQueue(
  queueUrl: string,
  env: Readonly<Record<string, string | undefined>>,
): SQSClient {
  const regionInUrl = /^sqs\.([a-z0-9-]+)\.amazonaws\.com$/.exec(new URL(queueUrl).hostname)?.[1];
  return new SQSClient(
    !env.AWS_REGION && !env.AWS_DEFAULT_REGION && regionInUrl ? { region: regionInUrl } : {},
  );
}
