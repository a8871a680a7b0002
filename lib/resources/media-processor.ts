/**
 * MediaProcessor status callbacks (Twilio Live): `media-processor-started|ended|failed`.
 */
import * as z from "zod/mini";
import { commonData, commonParameters, defineResource, sidSchema } from "./define.ts";

const jsonObjectText = z.string().check(
  z.refine((text) => {
    try {
      const value: unknown = JSON.parse(text);
      return typeof value === "object" && value !== null && !Array.isArray(value);
    } catch {
      return false;
    }
  }, "must be a JSON object"),
);

export const mediaProcessor = defineResource({
  resourceType: "MediaProcessor",
  typePrefix: "com.twilio.media.media-processor",
  sidParameter: "MediaProcessorSid",
  events: {
    "media-processor-started": "started",
    "media-processor-ended": "ended",
    "media-processor-failed": "failed",
  },
  dataschema: "urn:twilio-status-relay:schema:media-processor:v1",
  parameters: z.object({
    ...commonParameters,
    MediaProcessorSid: sidSchema,
    Extension: z.string().check(z.minLength(1, "must not be empty")),
    ExtensionContext: jsonObjectText,
  }),
  dataSchema: z.object({
    ...commonData("MediaProcessor"),
    mediaProcessorSid: z.string(),
    extension: z.string(),
    extensionContext: z.record(z.string(), z.unknown()),
  }),
  sid: (params) => params.MediaProcessorSid,
  toData: (params) => ({
    mediaProcessorSid: params.MediaProcessorSid,
    extension: params.Extension,
    extensionContext: JSON.parse(params.ExtensionContext) as Record<string, unknown>,
  }),
});
