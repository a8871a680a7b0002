/**
 * Programmable Messaging: the status callback of an outbound message (SMS, MMS, WhatsApp, RCS...),
 * sent to the message's `StatusCallback` URL each time its `MessageStatus` changes.
 * Twilio's reference: https://www.twilio.com/docs/messaging/guides/track-outbound-message-status
 * (statuses: https://www.twilio.com/docs/messaging/api/message-resource#message-status-values).
 *
 * The callback carries no `Timestamp`: the event `time` is the relay's clock at receipt.
 * `RawDlrDoneDate` (`YYMMDDhhmm`, the carrier's delivery-report date, in a time zone the carrier
 * chooses) is kept as sent, not taken as the event time.
 */
import { defineCallbackResource, integer, sid, text } from "./define.ts";

const ACCOUNT = "AC0123456789abcdef0123456789abcdef";
const SAMPLE_SID = "SM0123456789abcdef0123456789abcdef";
const type = <S extends string>(status: S) => `com.twilio.messaging.message.${status}` as const;

export const message = defineCallbackResource({
  resourceType: "Message",
  description:
    "An outbound message (SMS, MMS or a channel such as WhatsApp) changed status: `MessageStatus`.",
  docs: "https://www.twilio.com/docs/messaging/guides/track-outbound-message-status",
  typePrefix: "com.twilio.messaging.message",
  statusParameter: "MessageStatus",
  subjectParameters: ["MessageSid"],
  identifiedBy: ["MessageStatus", "MessageSid"],
  fields: {
    MessageSid: sid,
    SmsSid: sid,
    SmsStatus: text,
    From: text,
    To: text,
    ApiVersion: text,
    MessagingServiceSid: sid,
    ErrorCode: integer,
    RawDlrDoneDate: text,
    ChannelInstallSid: sid,
    ChannelStatusMessage: text,
    ChannelPrefix: text,
    EventType: text,
  },
  required: ["MessageSid"],
  // One callback per status change; a channel's post-delivery event (EventType=READ) and a
  // carrier's delivery report (RawDlrDoneDate) tell apart callbacks of one status.
  idParameters: [
    "AccountSid",
    "MessageSid",
    "MessageStatus",
    "EventType",
    "ErrorCode",
    "RawDlrDoneDate",
  ],
  dataschema: "urn:twilio-status-relay:schema:message:v1",
  events: {
    queued: { type: type("queued"), sample: {} },
    sending: { type: type("sending"), sample: {} },
    sent: { type: type("sent"), sample: {} },
    delivered: { type: type("delivered"), sample: { RawDlrDoneDate: "2611271015" } },
    undelivered: {
      type: type("undelivered"),
      sample: { ErrorCode: "30003", RawDlrDoneDate: "2611271016" },
    },
    failed: { type: type("failed"), sample: { ErrorCode: "30008" } },
    read: {
      type: type("read"),
      sample: {
        From: "whatsapp:+14155238886",
        To: "whatsapp:+15558675310",
        ChannelInstallSid: "XE0123456789abcdef0123456789abcdef",
        ChannelPrefix: "whatsapp",
        EventType: "READ",
      },
    },
    receiving: { type: type("receiving"), sample: {} },
    received: { type: type("received"), sample: {} },
    accepted: { type: type("accepted"), sample: {} },
    scheduled: { type: type("scheduled"), sample: {} },
    partially_delivered: { type: type("partially_delivered"), sample: {} },
    canceled: { type: type("canceled"), sample: {} },
  },
  source: (p) =>
    `https://api.twilio.com/2010-04-01/Accounts/${p.AccountSid}/Messages/${p.MessageSid}.json`,
  sample: ({ sid: messageSid = SAMPLE_SID }, status) => ({
    AccountSid: ACCOUNT,
    ApiVersion: "2010-04-01",
    From: "+15017250604",
    To: "+15558675310",
    MessageSid: messageSid,
    SmsSid: messageSid,
    MessageStatus: status,
    SmsStatus: status,
    MessagingServiceSid: "MG0123456789abcdef0123456789abcdef",
  }),
  summaryFields: ["to", "errorCode", "eventType"],
});
