/**
 * The publisher port: where normalised events go. The SQS adapter is in `sqs-publisher.ts`.
 */
import type { StatusEvent } from "../events/schemas.ts";

export interface EventPublisher {
  /** Resolves once the event is durably accepted; rejects otherwise. */
  publish(event: StatusEvent): Promise<void>;
}
