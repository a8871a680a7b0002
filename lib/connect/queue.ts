/**
 * The proof's last step behind a port: wait for the sink test event on the relay's queue.
 * The SQS adapter is in `aws/sqs-watcher.ts`.
 */
import type { TwilioCloudEvent } from "../events/cloud-event.ts";

export interface TestEventWait {
  /** The test event's `id` is the account SID. */
  readonly accountSid: string;
  /** Only an event at least this recent counts (an older test event may still be queued). */
  readonly since: Date;
  readonly timeoutMs: number;
}

export interface QueueWatcher {
  /** Where it looks, for messages. */
  readonly queueUrl: string;
  /** Resolves with the test event once it is on the queue, or undefined after `timeoutMs`. */
  waitForTestEvent(wait: TestEventWait): Promise<TwilioCloudEvent | undefined>;
}
