import { createStatusEventBatchHandler } from "twilio-status-relay/consumer";

/** Your own work: page whoever is on call. */
declare function alertOnCall(resourceSid: string, reason: string | undefined): Promise<void>;

export const handler = createStatusEventBatchHandler(
  async (event) => {
    if (event.type === "com.twilio.messaging.message.undelivered") {
      await alertOnCall(event.subject, `error ${event.data.errorCode}`); // typed by narrowing
    }
  },
  { logger: console }, // logs each failed record: message id, group, error
);
