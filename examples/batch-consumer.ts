import { createStatusEventBatchHandler } from "twilio-status-relay/consumer";

/** Your own work: page whoever is on call. */
declare function alertOnCall(resourceSid: string, reason: string | undefined): Promise<void>;

export const handler = createStatusEventBatchHandler(
  async (event) => {
    if (event.data.status === "failed") await alertOnCall(event.subject, event.data.errorMessage);
  },
  { logger: console }, // logs each failed record: message id, group, error
);
