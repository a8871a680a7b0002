/**
 * `npm run connect` as a user runs it (scripts/connect.ts on Node 24): the mistakes it catches
 * before it speaks to Twilio, each with what to fix, and no secret in what it prints. (What it
 * does with Twilio: test/unit/connect.test.ts and test/integration/connect.test.ts.)
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NODE, ROOT, run } from "../helpers/child-process.ts";

const TOKEN = "5ec7e75ec7e75ec7e75ec7e75ec7e75e";
const ACCOUNT = "AC0123456789abcdef0123456789abcdef";

/** The environment without any Twilio credential of the machine running the tests. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("TWILIO_")),
  );
}

function connectCli(args: string[], env: Record<string, string> = {}) {
  return run(NODE, [`${ROOT}/scripts/connect.ts`, ...args], { baseEnv: cleanEnv(), env });
}

describe("npm run connect, used wrongly", () => {
  let notRelay: Server;
  let notRelayUrl: string;

  beforeAll(async () => {
    notRelay = createServer((_, response) => {
      response.writeHead(404, { "content-type": "application/json" });
      response.end('{"message":"Not Found"}');
    });
    await new Promise<void>((done) => notRelay.listen(0, "127.0.0.1", done));
    notRelayUrl = `http://127.0.0.1:${(notRelay.address() as AddressInfo).port}/status-callbacks`;
  });

  afterAll(() => new Promise<void>((done) => notRelay.close(() => done())));

  it("asks for --url", async () => {
    // Act
    const running = connectCli(["--sink"]);

    // Assess
    expect(await running.exited).toBe(2);
    expect(running.errorLines[0]).toBe(
      "give --url: the relay's StatusCallbackUrl (sls info prints it)",
    );
  });

  it("asks what to connect", async () => {
    // Act
    const running = connectCli(["--url", notRelayUrl]);

    // Assess
    expect(await running.exited).toBe(2);
    expect(running.errorLines[0]).toBe(
      "say what to connect: --messaging-service, --phone-number, --sink, --subscribe or --preset",
    );
  });

  it("names the presets", async () => {
    // Act
    const running = connectCli(["--url", notRelayUrl, "--preset", "video"]);

    // Assess
    expect(await running.exited).toBe(2);
    expect(running.errorLines[0]).toBe("--preset must be messaging or voice, not video");
  });

  it("says which variables to set when there are no credentials", async () => {
    // Act
    const running = connectCli(["--url", notRelayUrl, "--sink"]);

    // Assess
    expect(await running.exited).toBe(1);
    expect(running.errorLines[0]).toBe(
      "npm run connect: no Twilio account: set TWILIO_ACCOUNT_SID and either TWILIO_API_KEY and " +
        "TWILIO_API_SECRET (an API key of that account) or TWILIO_AUTH_TOKEN, as Twilio's CLI takes them",
    );
  });

  it("refuses a URL that is not the relay's, without printing the token", async () => {
    // Act
    const running = connectCli(["--url", notRelayUrl, "--messaging-service", "all"], {
      TWILIO_ACCOUNT_SID: ACCOUNT,
      TWILIO_AUTH_TOKEN: TOKEN,
    });

    // Assess
    expect(await running.exited).toBe(1);
    expect(running.errorLines[0]).toMatch(
      new RegExp(
        `^npm run connect: ${notRelayUrl} is not the relay: it answered an unsigned GET with 404 .*Nothing was changed$`,
      ),
    );
    expect(running.output()).not.toContain(TOKEN);
  });
});
