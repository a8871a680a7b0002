/**
 * A local SQS-compatible server (fauxqs) on loopback, with the queues the stack creates: a FIFO
 * queue in high-throughput mode with a FIFO dead-letter queue, and a standard pair for users who
 * choose one. Used by the tests and by `npm start`.
 */
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { type SqsSpyMessage, startFauxqs } from "fauxqs";

export const LOCAL_REGION = "us-east-1";
export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

/** Attributes as `serverless.yml` sets them on the queues it deploys. */
export const DEAD_LETTER_RETENTION_SECONDS = String(14 * 24 * 60 * 60);
export const MAX_RECEIVE_COUNT = 5;

export interface LocalQueues {
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
}

/** What happened to a message, as the SQS server saw it: no receive is involved in seeing it. */
export interface QueueActivity {
  /** The queue's name (not its URL). */
  readonly queueName: string;
  readonly messageId: string;
  readonly body: string;
  /**
   * `published`: it was put on `queueName` (a send, or a move into a dead-letter queue);
   * `consumed`: it was deleted from it; `dlq`: it left `queueName` for its dead-letter queue.
   */
  readonly status: "published" | "consumed" | "dlq";
}

export interface LocalSqs {
  /** `http://127.0.0.1:<port>`: the endpoint to give the SDK (`AWS_ENDPOINT_URL_SQS`). */
  readonly endpoint: string;
  readonly client: SQSClient;
  /** Creates a queue and its dead-letter queue, FIFO when `fifo`, as the stack does. */
  createQueues(name: string, options?: { fifo?: boolean }): Promise<LocalQueues>;
  /**
   * Calls `listener` for every message the server records from now on (sent, deleted, moved to a
   * dead-letter queue), synchronously, as it happens. Observing is not receiving: it changes no
   * message's receive count or visibility. Returns a function that stops the listener.
   */
  observe(listener: (activity: QueueActivity) => void): () => void;
  stop(): Promise<void>;
}

/** Starts fauxqs on a loopback port (`0`: any free port). */
export async function startLocalSqs(port = 0): Promise<LocalSqs> {
  const server = await startFauxqs({
    port,
    logger: false,
    defaultRegion: LOCAL_REGION,
    // The spy is what lets the local loop watch a queue without receiving from it; its buffer
    // (for retroactive look-ups, which nothing here makes) stays small.
    messageSpies: { bufferSize: 10 },
  });
  const endpoint = server.address;
  const client = new SQSClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });

  // fauxqs names queues http://sqs.<region>.localhost:<port>/...; that host does not resolve
  // everywhere and the SDK sends to the queue URL's host, so address them on the loopback IP.
  const onLoopback = (url: string) => endpoint + new URL(url).pathname;

  return {
    endpoint,
    client,
    createQueues: (name, options) => createStackQueues(client, name, options, onLoopback),
    observe(listener) {
      let listening = true;
      // The spy offers waiters, not subscriptions; but a waiter's predicate is called with each
      // message as the server records it, so one that never matches is a subscription. It is
      // first run over what the spy buffered earlier, which is not "from now on": skipped. Once
      // stopped it matches, and the spy drops it at the next message.
      const earlier = new Set(server.spy.getAllMessages());
      server.spy
        .waitForMessage((message) => {
          if (!listening) return true;
          if (message.service === "sqs" && !earlier.has(message)) listener(activityOf(message));
          return false;
        })
        .catch(() => {
          // The spy rejects pending waiters when the server stops: nothing to do.
        });
      earlier.clear();
      return () => {
        listening = false;
      };
    },
    stop: () => server.stop(),
  };
}

/**
 * Creates a queue and its dead-letter queue on any SQS-compatible endpoint, with the attributes
 * `serverless.yml` gives them: FIFO (high-throughput mode) when `fifo`, else standard. `queueUrl`
 * rewrites the URLs the server answers with, for servers that name a host that does not resolve.
 */
export async function createStackQueues(
  client: SQSClient,
  name: string,
  { fifo = true }: { fifo?: boolean } = {},
  queueUrl: (url: string) => string = (url) => url,
): Promise<LocalQueues> {
  async function createQueue(queueName: string, attributes: Record<string, string>) {
    const created = await client.send(
      new CreateQueueCommand({ QueueName: queueName, Attributes: attributes }),
    );
    if (!created.QueueUrl) throw new Error(`the SQS server did not create ${queueName}`);
    return queueUrl(created.QueueUrl);
  }
  const suffix = fifo ? ".fifo" : "";
  const fifoAttributes: Record<string, string> = fifo ? { FifoQueue: "true" } : {};
  const deadLetterQueueUrl = await createQueue(`${name}-dlq${suffix}`, {
    ...fifoAttributes,
    MessageRetentionPeriod: DEAD_LETTER_RETENTION_SECONDS,
  });
  const dlq = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: deadLetterQueueUrl, AttributeNames: ["QueueArn"] }),
  );
  const queueUrlCreated = await createQueue(`${name}${suffix}`, {
    ...fifoAttributes,
    ...(fifo
      ? { DeduplicationScope: "messageGroup", FifoThroughputLimit: "perMessageGroupId" }
      : {}),
    VisibilityTimeout: "60",
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: dlq.Attributes?.QueueArn,
      maxReceiveCount: MAX_RECEIVE_COUNT,
    }),
  });
  return { queueUrl: queueUrlCreated, deadLetterQueueUrl };
}

function activityOf(message: SqsSpyMessage): QueueActivity {
  return {
    queueName: message.queueName,
    messageId: message.messageId,
    body: message.body,
    status: message.status,
  };
}

/**
 * Receives and deletes every message currently on a queue, with all attributes, including the
 * FIFO group and deduplication ids. (A FIFO group stays locked while a message of it is in
 * flight, so reading everything means consuming it.)
 */
export async function drainQueue(client: SQSClient, queueUrl: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const batch = await takeBatch(client, queueUrl);
    if (batch.length === 0) return messages;
    messages.push(...batch);
  }
}

/**
 * Receives up to ten messages, with all attributes, and deletes them: one step of a drain. Empty
 * when nothing can be received right now.
 */
export async function takeBatch(
  client: SQSClient,
  queueUrl: string,
  visibilityTimeoutSeconds = 30,
): Promise<Message[]> {
  const { Messages = [] } = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      VisibilityTimeout: visibilityTimeoutSeconds,
      MessageAttributeNames: ["All"],
      MessageSystemAttributeNames: ["All"],
    }),
  );
  if (Messages.length > 0) {
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle,
        })),
      }),
    );
  }
  return Messages;
}
