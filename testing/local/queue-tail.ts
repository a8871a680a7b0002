/**
 * A live tail of an SQS queue of relayed events, for `npm start` and `npm run tail`: long-polls,
 * prints each event once (one readable line, or the raw body), and either consumes the messages
 * or leaves them for the queue's real consumers.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { formatTwilioCloudEvent, parseRelayedEvent } from "../../lib/events/cloud-event.ts";
import { formatStatusEvent } from "../../lib/events/summary.ts";

/** Long-poll wait, the most SQS allows: an idle tail costs three requests a minute. */
const WAIT_TIME_SECONDS = 20;
/**
 * How long a message the tail only looks at stays hidden if the tail dies before releasing it.
 * A received FIFO message hides its whole group, so keep it short.
 */
export const PEEK_VISIBILITY_SECONDS = 5;
/** How long a message being consumed stays hidden before it would be delivered again. */
const CONSUME_VISIBILITY_SECONDS = 30;
/** How many message ids the tail remembers, to print each message once. */
const SEEN_LIMIT = 10_000;

export interface TailOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** Print each message body raw (the CloudEvent JSON) instead of a readable line. */
  readonly json?: boolean;
  /** Consume: delete each message once printed. Default: leave it on the queue. */
  readonly delete?: boolean;
  /** Stops the tail; `tailQueue` then resolves. */
  readonly signal: AbortSignal;
  /** Where lines go (one call per line, no newline). */
  readonly write: (line: string) => void;
  /** Where problems go; the tail keeps going after a failed poll. */
  readonly warn?: (line: string) => void;
  readonly waitTimeSeconds?: number;
  /** While peeking, how often to check whether new messages arrived. */
  readonly recheckMs?: number;
}

/**
 * Tails a queue until `signal` aborts. With `delete`, every message received is printed and
 * deleted. Without it, messages stay: each one received is printed once and made visible again
 * at once (so consumers and FIFO groups are not held up), and the tail receives again only when
 * the queue has grown, because SQS has no peek: every receive counts towards the redrive
 * policy's `maxReceiveCount`. The first failing request rejects (a wrong URL or missing
 * credentials); later ones are reported through `warn` and retried.
 */
export async function tailQueue(options: TailOptions): Promise<void> {
  const { client, queueUrl, signal, write } = options;
  const warn = options.warn ?? write;
  const consume = options.delete ?? false;
  const seen = new Set<string>();
  let healthy = false;
  let retryMs = 500;

  while (!signal.aborted) {
    try {
      const { Messages: messages = [] } = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: options.waitTimeSeconds ?? WAIT_TIME_SECONDS,
          VisibilityTimeout: consume ? CONSUME_VISIBILITY_SECONDS : PEEK_VISIBILITY_SECONDS,
          MessageAttributeNames: ["All"],
          MessageSystemAttributeNames: ["All"],
        }),
        { abortSignal: signal },
      );
      healthy = true;
      retryMs = 500;
      let fresh = 0;
      for (const message of messages) {
        const id = message.MessageId ?? "";
        if (seen.has(id)) continue;
        fresh += 1;
        remember(seen, id);
        write(describeMessage(message, options.json ?? false));
      }
      if (messages.length === 0) continue;
      if (consume) {
        await client.send(
          new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries(messages) }),
        );
        continue;
      }
      await client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: entries(messages).map((entry) => ({ ...entry, VisibilityTimeout: 0 })),
        }),
      );
      // Only messages already shown came back: receiving again would only count against them.
      if (fresh === 0) await untilQueueGrows(options);
    } catch (error) {
      if (signal.aborted) return;
      if (!healthy) throw error;
      warn(`tail: ${(error as Error).message ?? error}; retrying in ${retryMs / 1000}s`);
      await sleep(retryMs, signal);
      retryMs = Math.min(retryMs * 2, 10_000);
    }
  }
}

/**
 * The line printed for a message: the readable line of its event, its raw body with `json`,
 * or a `!` line saying why it is not a relayed event.
 */
export function describeMessage(message: Message, json: boolean): string {
  const body = message.Body ?? "";
  if (json) return body.replace(/\r?\n/g, " ");
  try {
    const relayed = parseRelayedEvent(body);
    return relayed.kind === "status-callback"
      ? formatStatusEvent(relayed.event)
      : formatTwilioCloudEvent(relayed.event);
  } catch (error) {
    return `! message ${message.MessageId}: ${(error as Error).message}`;
  }
}

function entries(messages: readonly Message[]) {
  return messages.map((message, index) => ({
    Id: String(index),
    ReceiptHandle: message.ReceiptHandle,
  }));
}

function remember(seen: Set<string>, id: string): void {
  seen.add(id);
  if (seen.size > SEEN_LIMIT) {
    const oldest = seen.values().next().value;
    if (oldest !== undefined) seen.delete(oldest);
  }
}

// Counts are approximate on SQS (exact on fauxqs): a message deleted while another arrives may
// go unnoticed until the next arrival, which is the price of not receiving shown messages again.
// Resolves once the queue has grown and then held still for one recheck: a receive hands out the
// oldest messages again, so receiving on every arrival of a steady stream would push them past
// maxReceiveCount into the dead-letter queue.
async function untilQueueGrows(options: TailOptions): Promise<void> {
  const { client, queueUrl, signal } = options;
  const size = async () => total(await queueCounts(client, queueUrl, signal));
  let baseline = await size();
  let grown = false;
  while (!signal.aborted) {
    await sleep(options.recheckMs ?? 1_000, signal);
    if (signal.aborted) return;
    const now = await size();
    if (grown && now <= baseline) return;
    grown ||= now > baseline;
    baseline = now;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

export interface QueueCounts {
  /** Ready to be received. */
  readonly visible: number;
  /** Received by someone and not yet deleted or released. */
  readonly inFlight: number;
  readonly delayed: number;
}

/**
 * The queue's message counts, from its attributes: no receive, so nothing counts towards
 * `maxReceiveCount`. Approximate on SQS, exact on fauxqs.
 */
export async function queueCounts(
  client: SQSClient,
  queueUrl: string,
  signal?: AbortSignal,
): Promise<QueueCounts> {
  const { Attributes: a = {} } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
      ],
    }),
    signal ? { abortSignal: signal } : {},
  );
  return {
    visible: Number(a.ApproximateNumberOfMessages ?? Number.NaN),
    inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? Number.NaN),
    delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? Number.NaN),
  };
}

/** All messages the queue holds: visible, in flight and delayed. */
export function total(counts: QueueCounts): number {
  return counts.visible + counts.inFlight + counts.delayed;
}
