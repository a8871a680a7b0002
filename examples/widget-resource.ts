/**
 * Widgets: a widget's status callback, sent to its StatusCallback when WidgetStatus changes.
 * Twilio's reference: https://www.twilio.com/docs/widgets/status-callbacks
 */
import {
  defineCallbackResource,
  integer,
  isoTime,
  sid,
  text,
} from "../lib/events/resources/define.ts";

export const widget = defineCallbackResource({
  resourceType: "Widget", // data.resourceType
  description: "A widget was built or broke: `WidgetStatus`.",
  docs: "https://www.twilio.com/docs/widgets/status-callbacks",
  typePrefix: "com.twilio.widgets.widget", // <prefix>.unknown for a status not listed below
  statusParameter: "WidgetStatus", // becomes data.status, as sent
  subjectParameters: ["WidgetSid"], // the subject and FIFO group: the first one present
  identifiedBy: ["WidgetStatus", "WidgetSid"], // all must be present; ["A", "B"] inside means either
  fields: {
    // every other documented parameter, in data order
    WidgetSid: sid,
    Colour: text,
    Parts: integer,
    Timestamp: isoTime,
  },
  required: ["WidgetSid"], // refused with a 400 if missing or empty
  timeParameter: "Timestamp", // leave out if there is none: time = receipt time
  idParameters: ["AccountSid", "WidgetSid", "WidgetStatus", "Timestamp"],
  dataschema: "urn:twilio-status-relay:schema:widget:v1",
  events: {
    built: { type: "com.twilio.widgets.widget.built", sample: { Parts: "12" } },
    broken: { type: "com.twilio.widgets.widget.broken", sample: { Parts: "11" } },
  },
  source: (p) => `https://widgets.twilio.com/v1/Widgets/${p.WidgetSid}`,
  sample: (
    { sid = "WX0123456789abcdef0123456789abcdef", timestamp = "2026-11-27T10:15:30.123Z" },
    status,
  ) => ({
    AccountSid: "AC0123456789abcdef0123456789abcdef",
    WidgetSid: sid,
    WidgetStatus: status,
    Colour: "blue",
    Timestamp: timestamp,
  }),
  summaryFields: ["colour", "parts"], // data fields on the one-line summary
});
