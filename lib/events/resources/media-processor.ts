/**
 * MediaProcessor status callbacks (Twilio Live): `media-processor-started|ended|failed`.
 */
import * as z from "zod/mini";
import { commonData, commonParameters, defineResource, sidSchema } from "./define.ts";

/**
 * Deepest nesting of ExtensionContext accepted. Twilio's are two or three levels deep; a much
 * deeper value (a few thousand levels fit in a callback body) parses, but JSON.stringify then
 * runs out of stack when the event is published or logged.
 */
export const MAX_EXTENSION_CONTEXT_DEPTH = 100;

const jsonObjectText = z.string().check(
  z.refine(
    (text) => {
      try {
        const value: unknown = JSON.parse(text);
        return typeof value === "object" && value !== null && !Array.isArray(value);
      } catch {
        return false;
      }
    },
    { error: "must be a JSON object", abort: true },
  ),
  z.refine(
    (text) => jsonDepth(text) <= MAX_EXTENSION_CONTEXT_DEPTH,
    `must not be nested more than ${MAX_EXTENSION_CONTEXT_DEPTH} levels deep`,
  ),
);

// Deepest bracket nesting of JSON text, outside strings; one pass, no recursion.
function jsonDepth(json: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < json.length; i += 1) {
    const c = json.charCodeAt(i);
    if (inString) {
      // A backslash escapes the next character, which then cannot end the string.
      if (c === 0x5c) i += 1;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x7d || c === 0x5d) {
      depth -= 1;
    }
  }
  return deepest;
}

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
