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

export interface TestEventSeen {
  /** The test event asked for, once it is on the queue; absent after `timeoutMs`. */
  readonly event?: TwilioCloudEvent;
  /**
   * An earlier test event of the account still on the queue, unconsumed: on a FIFO queue the
   * new one (same message group) waits behind it.
   */
  readonly earlier?: TwilioCloudEvent;
}

export interface QueueWatcher {
  /** Where it looks, for messages. */
  readonly queueUrl: string;
  /** Resolves once the test event is on the queue, or after `timeoutMs`. */
  waitForTestEvent(wait: TestEventWait): Promise<TestEventSeen>;
}
