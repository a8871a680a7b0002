import { afterEach, describe, expect, it, vi } from "vitest";
import { ingestHandlerFromEnvironment } from "../../lib/ingest/wiring.ts";
import { signedCallback } from "../../testing/signed-callback.ts";
import { PRIMARY_AUTH_TOKEN } from "../../testing/tokens.ts";

// What the function logs at start-up (Powertools writes JSON lines to stdout and stderr).
function captureOutput(): { text: () => string } {
  const chunks: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, "write").mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    });
  }
  return { text: () => chunks.join("") };
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe("ingestHandlerFromEnvironment without a usable configuration", () => {
  it.each([
    [
      "QUEUE_URL is missing",
      { QUEUE_URL: "", TWILIO_AUTH_TOKEN: PRIMARY_AUTH_TOKEN },
      /QUEUE_URL is required/,
    ],
    [
      "no token source is set",
      {
        QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/relay.fifo",
        TWILIO_AUTH_TOKEN: "",
        TWILIO_AUTH_TOKEN_PARAMETER: "",
      },
      /set TWILIO_AUTH_TOKEN .* or TWILIO_AUTH_TOKEN_PARAMETER/,
    ],
  ])(
    "answers 503, never 403 or 2xx, when %s, and names the variable in the logs",
    async (_, env, named) => {
      // Prepare
      for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
      const output = captureOutput();

      // Act
      const handler = ingestHandlerFromEnvironment();
      const response = await handler(signedCallback());

      // Assess
      expect(response.statusCode).toBe(503);
      expect(JSON.parse(response.body)).toMatchObject({ error: "ServiceUnavailableError" });
      expect(output.text()).toMatch(named);
    },
  );
});
