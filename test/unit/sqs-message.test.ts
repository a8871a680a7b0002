import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sqsJson, sqsMessage } from "../../lib/ingest/aws/sqs-publisher.ts";
import { ACCOUNT_SID } from "../../testing/samples.ts";
import { fromParams } from "../helpers/status-events.ts";

// SQS takes #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF (fauxqs not the last range);
// JSON escapes the first three, so this is what a body may hold.
const SQS_BODY_CHARACTERS = /^[\x20-\uD7FF\uE000-\uFFFD]*$/;
const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/relay.fifo";

describe("sqsJson", () => {
  it("writes JSON of any strings that parses back the same and holds only characters SQS takes", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ unit: "binary" }), fc.string({ unit: "binary" })),
        (value) => {
          // Act
          const json = sqsJson(value);
          // Assess
          expect(json).toMatch(SQS_BODY_CHARACTERS);
          expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(value)));
        },
      ),
    );
  });

  it("leaves JSON that SQS takes as JSON.stringify writes it", () => {
    const value = { text: "é \u00a0 \ud7ff \ue000 \ufffd \u0001", n: 1 };
    expect(sqsJson(value)).toBe(JSON.stringify(value));
  });
});

describe("sqsMessage", () => {
  it("omits an AccountSid attribute SQS could not carry, keeping the others", () => {
    // Prepare: only a resource the relay does not know can have such an AccountSid
    const event = fromParams({
      AccountSid: "AC\uffff",
      WidgetSid: "WX0123456789abcdef0123456789abcdef",
    });
    // Act
    const message = sqsMessage(event, QUEUE_URL, true);
    // Assess
    expect(Object.keys(message.MessageAttributes ?? {}).sort()).toEqual([
      "resourceType",
      "status",
      "type",
    ]);
  });

  it("carries a genuine AccountSid as an attribute", () => {
    const event = fromParams({
      AccountSid: ACCOUNT_SID,
      WidgetSid: "WX0123456789abcdef0123456789abcdef",
    });
    expect(sqsMessage(event, QUEUE_URL, true).MessageAttributes?.accountSid?.StringValue).toBe(
      ACCOUNT_SID,
    );
  });
});
