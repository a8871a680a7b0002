/**
 * The publisher ports: where normalised events go, and where the CloudEvents of an Event Streams
 * delivery go. The SQS adapter of both is in `aws/sqs-publisher.ts`.
 */
import type { TwilioCloudEvent } from "../events/cloud-event.ts";
import type { StatusEvent } from "../events/schemas.ts";

export interface EventPublisher {
  /** Resolves once the event is durably accepted; rejects otherwise. */
  publish(event: StatusEvent): Promise<void>;
}

/** One CloudEvent of a sink delivery, ready for the queue. */
export interface CloudEventMessage {
  /** The event, published unchanged as the message body. */
  readonly event: TwilioCloudEvent;
  /** FIFO `MessageGroupId`: one group per Twilio resource. */
  readonly groupId: string;
  /** FIFO `MessageDeduplicationId`: derived from the CloudEvent's `id`. */
  readonly deduplicationId: string;
  /** Message attributes (`type`, `resourceType`, `status`, `accountSid`), those that apply. */
  readonly attributes: Readonly<Record<string, string>>;
}

export interface CloudEventPublisher {
  /**
   * Resolves once every message is durably accepted. Messages the queue refuses for a passing
   * reason are sent again until `deadline` (ms since the epoch); then it rejects with a
   * PublishError naming the events that are not on the queue.
   */
  publishCloudEvents(messages: readonly CloudEventMessage[], deadline: number): Promise<void>;
}
