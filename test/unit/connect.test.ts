/**
 * `npm run connect` against the local stand-in for Twilio's REST API (test/helpers/twilio-api.ts,
 * the `twilio` package's own HTTP client replaced, so the package builds every request) and the
 * relay's real ingest handler on loopback: the plan, idempotence, sink reuse, --dry-run, --undo,
 * the errors, the 429 backoff, and that no secret is ever printed or recorded.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type ConnectOptions,
  type ConnectTargets,
  CredentialsError,
  connect,
  createTwilioPort,
  fileRecordStore,
  memoryRecordStore,
  NotTheRelayError,
  RateLimitError,
  recordPath,
  retryAfterMs,
  UnknownResourceError,
  undo,
} from "../../lib/connect/index.ts";
import { SINK_TEST_EVENT_TYPE } from "../../lib/events/cloud-event.ts";
import { freePort } from "../../testing/local/loop.ts";
import { type RelayServer, startRelayServer } from "../helpers/relay-server.ts";
import { type StandInAccount, sid, TwilioApiStandIn } from "../helpers/twilio-api.ts";

const NOTHING: ConnectTargets = {
  messagingServices: [],
  phoneNumbers: [],
  sink: false,
  types: [],
  presets: [],
};

let relay: RelayServer;
let standIn: TwilioApiStandIn;
let account: StandInAccount;
let output: string[];

beforeAll(async () => {
  // The relay verifies with the account's auth token, as a deployed stack holds it.
  relay = await startRelayServer(["0123456789abcdef0123456789abcdef"]);
});

afterAll(() => relay.close());

beforeEach(() => {
  standIn = new TwilioApiStandIn();
  account = standIn.addAccount({ authToken: "0123456789abcdef0123456789abcdef" });
  output = [];
});

function port(options: { authToken?: string; sleeps?: number[] } = {}) {
  return createTwilioPort({
    credentials: { accountSid: account.sid, authToken: options.authToken ?? account.authToken },
    httpClient: standIn.httpClient,
    backoff: { sleep: async (ms) => void options.sleeps?.push(ms) },
  });
}

function run(targets: Partial<ConnectTargets>, overrides: Partial<ConnectOptions> = {}) {
  return connect({
    url: relay.url,
    targets: { ...NOTHING, ...targets },
    twilio: port(),
    records: records,
    write: (line) => output.push(line),
    ...overrides,
  });
}

let records = memoryRecordStore();
beforeEach(() => {
  records = memoryRecordStore();
});

describe("npm run connect", () => {
  it("sets a Messaging Service's StatusCallback, a number's status callback, a sink and its subscription", async () => {
    // Prepare
    const service = standIn.addService(account.sid, "Notifications", "https://old.example.com/cb");
    const number = standIn.addNumber(account.sid, "+15017122661", "", "GET");

    // Act
    const result = await run({
      messagingServices: [service.sid],
      phoneNumbers: ["+15017122661"],
      presets: ["messaging"],
    });

    // Assess
    expect(result.changed).toBe(4);
    expect(standIn.services.get(service.sid)?.statusCallback).toBe(relay.url);
    expect(standIn.numbers.get(number.sid)).toMatchObject({
      statusCallback: relay.url,
      statusCallbackMethod: "POST",
    });
    const sinks = [...standIn.sinks.values()];
    expect(sinks).toHaveLength(1);
    expect(sinks[0]?.sinkConfiguration).toEqual({
      destination: relay.url,
      method: "POST",
      batch_events: true,
    });
    const subscriptions = [...standIn.subscriptions.values()];
    expect(subscriptions.map((s) => s.sinkSid)).toEqual([sinks[0]?.sid]);
    // Every available messaging type of Event Streams, not the deprecated one.
    expect(subscriptions[0]?.types.map((t) => t.type).sort()).toEqual([
      "com.twilio.messaging.inbound-message.received",
      "com.twilio.messaging.message.delivered",
      "com.twilio.messaging.message.failed",
      "com.twilio.messaging.message.queued",
      "com.twilio.messaging.message.sent",
      "com.twilio.messaging.message.undelivered",
    ]);
    // The plan shows each resource, its value before and the value set.
    const printed = output.join("\n");
    expect(printed).toContain(`Messaging Service ${service.sid} "Notifications" StatusCallback`);
    expect(printed).toContain("current: https://old.example.com/cb");
    expect(printed).toContain(`new:     ${relay.url}`);
    expect(printed).toContain("current: (none) (GET)");
  });

  it("proves the sink with Event Streams' test event, signed, accepted by the relay", async () => {
    // Act
    const result = await run({ sink: true });
    const deliveries = await Promise.all(standIn.deliveries);

    // Assess
    expect(result.proof).toBe("requested");
    expect(deliveries.map((d) => d.status)).toEqual([200]);
    expect(relay.cloudEvents.at(-1)?.event.type).toBe(SINK_TEST_EVENT_TYPE);
    expect(output.join("\n")).toContain("to see it arrive: npm run tail -- --queue-url");
  });

  it("changes nothing on a second run, and says so", async () => {
    // Prepare
    const service = standIn.addService(account.sid, "Notifications");
    standIn.addNumber(account.sid, "+15017122661");
    const targets = {
      messagingServices: [service.sid],
      phoneNumbers: "all",
      presets: ["voice"],
    } as const;
    await run(targets);
    const writes = standIn.writes().length;
    output = [];

    // Act
    const second = await run(targets);

    // Assess
    expect(second.changed).toBe(0);
    expect(standIn.writes()).toHaveLength(writes);
    expect(standIn.sinks.size).toBe(1);
    expect(standIn.subscriptions.size).toBe(1);
    expect(output).toContain("nothing to change: everything named already points at the relay");
    expect(output.join("\n")).not.toContain("  change  ");
    // Only the run that changed something is recorded for --undo.
    expect(records.records.get(account.sid)?.runs).toHaveLength(1);
  });

  it("reuses a sink with the same destination and adds only the missing event types to its subscription", async () => {
    // Prepare: a sink to the relay and a subscription to one voice type, made earlier by hand.
    await run({ types: ["com.twilio.voice.status-callback.call.completed"] });
    const [sink] = [...standIn.sinks.values()];

    // Act
    await run({ presets: ["voice"] });

    // Assess
    expect([...standIn.sinks.keys()]).toEqual([sink?.sid]);
    const subscriptions = [...standIn.subscriptions.values()];
    expect(subscriptions).toHaveLength(1);
    expect(subscriptions[0]?.types.map((t) => t.type).sort()).toEqual([
      "com.twilio.voice.status-callback.call.answered",
      "com.twilio.voice.status-callback.call.completed",
      "com.twilio.voice.status-callback.call.initiated",
      "com.twilio.voice.status-callback.call.ringing",
    ]);
    const printed = output.join("\n");
    expect(printed).toContain("  keep    Event Streams sink");
    expect(printed).toContain(`current: ${sink?.sid}: webhook sink, POST, batch_events on`);
  });

  it("with --dry-run prints the plan and changes nothing", async () => {
    // Prepare
    const service = standIn.addService(account.sid, "Alerts", "https://old.example.com/cb");

    // Act
    const result = await run(
      { messagingServices: "all", sink: true, types: ["com.twilio.messaging.message.sent"] },
      { dryRun: true },
    );

    // Assess
    expect(result.changed).toBe(0);
    expect(standIn.writes()).toEqual([]);
    expect(standIn.deliveries).toEqual([]);
    expect(standIn.services.get(service.sid)?.statusCallback).toBe("https://old.example.com/cb");
    expect(records.records.size).toBe(0);
    const printed = output.join("\n");
    expect(printed).toContain("plan (dry run: nothing is changed)");
    expect(printed).toContain(`change  Messaging Service ${service.sid} "Alerts" StatusCallback`);
    expect(printed).toContain("current: https://old.example.com/cb");
    expect(printed).toContain(`new:     ${relay.url}`);
    expect(printed).toContain(`new:     new webhook sink, POST, batch_events on, to ${relay.url}`);
    expect(printed).toContain("new:     + com.twilio.messaging.message.sent");
    expect(output.at(-1)).toBe("dry run: 3 changes would be made; nothing changed");
  });

  it("with --undo puts back what the last run changed, from its record", async () => {
    // Prepare
    const service = standIn.addService(account.sid, "Notifications", "https://old.example.com/cb");
    const number = standIn.addNumber(
      account.sid,
      "+15017122661",
      "https://old.example.com/calls",
      "GET",
    );
    await run({
      messagingServices: [service.sid],
      phoneNumbers: [number.sid],
      presets: ["messaging"],
    });

    // Act
    const result = await undo({ twilio: port(), records, write: (line) => output.push(line) });

    // Assess
    expect(result.reverted).toBe(4);
    expect(standIn.services.get(service.sid)?.statusCallback).toBe("https://old.example.com/cb");
    expect(standIn.numbers.get(number.sid)).toMatchObject({
      statusCallback: "https://old.example.com/calls",
      statusCallbackMethod: "GET",
    });
    expect(standIn.sinks.size).toBe(0);
    expect(standIn.subscriptions.size).toBe(0);
    expect(records.records.size).toBe(0);
  });

  it("with --undo after a run that reused a sink removes only the types it added", async () => {
    // Prepare
    await run({ types: ["com.twilio.voice.status-callback.call.completed"] });
    await run({ types: ["com.twilio.voice.status-callback.call.ringing"] });

    // Act
    await undo({ twilio: port(), records, write: (line) => output.push(line) });

    // Assess: the first run's sink and subscription stay, with its one type.
    expect(standIn.sinks.size).toBe(1);
    expect([...standIn.subscriptions.values()][0]?.types.map((t) => t.type)).toEqual([
      "com.twilio.voice.status-callback.call.completed",
    ]);
    expect(records.records.get(account.sid)?.runs).toHaveLength(1);
  });

  it("with --undo leaves alone a value someone changed since", async () => {
    // Prepare
    const service = standIn.addService(account.sid, "Notifications", null);
    await run({ messagingServices: [service.sid] });
    const live = standIn.services.get(service.sid);
    if (live) live.statusCallback = "https://someone-else.example.com/cb";

    // Act
    await undo({ twilio: port(), records, write: (line) => output.push(line) });

    // Assess
    expect(live?.statusCallback).toBe("https://someone-else.example.com/cb");
    expect(output.join("\n")).toContain(
      `leave Messaging Service ${service.sid} alone: its StatusCallback was changed since`,
    );
  });

  it("with --undo --dry-run says what it would put back, and changes nothing", async () => {
    // Prepare
    const service = standIn.addService(account.sid, "Notifications", "https://old.example.com/cb");
    await run({ messagingServices: [service.sid], sink: true });
    const writes = standIn.writes().length;

    // Act
    await undo({ twilio: port(), records, dryRun: true, write: (line) => output.push(line) });

    // Assess
    expect(standIn.writes()).toHaveLength(writes);
    expect(standIn.sinks.size).toBe(1);
    expect(records.records.get(account.sid)?.runs).toHaveLength(1);
    const printed = output.join("\n");
    expect(printed).toMatch(/ {2}would delete sink DG\w{32}/);
    expect(printed).toContain(
      `would put back the StatusCallback of Messaging Service ${service.sid}: https://old.example.com/cb`,
    );
  });

  it("says an earlier test event on a FIFO queue holds the new one back", async () => {
    // Prepare: the queue port answers as it does when an unconsumed test event is in the way.
    const earlier = {
      specversion: "1.0",
      id: account.sid,
      source: "Sink",
      type: SINK_TEST_EVENT_TYPE,
      time: "2026-12-07T08:00:00.000Z",
    };
    const queue = {
      queueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/relay.fifo",
      waitForTestEvent: async () => ({ earlier }),
    };

    // Act
    const attempt = run({ sink: true }, { queue, waitMs: 1_000 });

    // Assess
    await expect(attempt).rejects.toThrow(
      "and an earlier one (2026-12-07T08:00:00.000Z) is still there, unconsumed",
    );
  });

  it("says the queue cannot be read, once Twilio is connected", async () => {
    // Prepare
    const queue = {
      queueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/relay.fifo",
      waitForTestEvent: () =>
        Promise.reject(
          Object.assign(new Error("Could not load credentials from any providers"), {
            name: "CredentialsProviderError",
          }),
        ),
    };

    // Act
    const attempt = run({ sink: true }, { queue });

    // Assess
    await expect(attempt).rejects.toThrow(
      "Twilio is connected, but https://sqs.us-east-1.amazonaws.com/123456789012/relay.fifo " +
        "cannot be read (CredentialsProviderError: Could not load credentials from any providers)",
    );
    expect(standIn.sinks.size).toBe(1);
  });

  it("puts a subaccount's AccountSid in its sink's destination", async () => {
    // Prepare
    const parent = account;
    account = standIn.addAccount({ ownerAccountSid: parent.sid, authToken: parent.authToken });

    // Act
    await run({ sink: true });

    // Assess
    expect([...standIn.sinks.values()][0]?.sinkConfiguration.destination).toBe(
      `${relay.url}?AccountSid=${account.sid}`,
    );
  });

  it("works with an API key and secret instead of the auth token", async () => {
    // Prepare
    const key = sid("SK");
    account = standIn.addAccount({
      authToken: account.authToken,
      apiKeys: { [key]: "api-key-secret-value-1234567890ab" },
    });
    const service = standIn.addService(account.sid, "Keyed");

    // Act
    await run(
      { messagingServices: [service.sid] },
      {
        twilio: createTwilioPort({
          credentials: {
            accountSid: account.sid,
            apiKey: key,
            apiSecret: "api-key-secret-value-1234567890ab",
          },
          httpClient: standIn.httpClient,
        }),
      },
    );

    // Assess
    expect(standIn.services.get(service.sid)?.statusCallback).toBe(relay.url);
    expect(new Set(standIn.requests.map((r) => r.username))).toEqual(new Set([key]));
  });
});

describe("npm run connect, refusing", () => {
  let notRelay: Server;
  let notRelayUrl: string;

  beforeAll(async () => {
    notRelay = createServer((_, response) => {
      response.writeHead(200, { "content-type": "text/html" });
      response.end("<h1>Welcome</h1>");
    });
    await new Promise<void>((done) => notRelay.listen(0, "127.0.0.1", done));
    notRelayUrl = `http://127.0.0.1:${(notRelay.address() as AddressInfo).port}/status-callbacks`;
  });

  afterAll(() => new Promise<void>((done) => notRelay.close(() => done())));

  it("refuses a URL that does not answer as the relay, before any request to Twilio", async () => {
    // Prepare
    standIn.addService(account.sid, "Notifications");

    // Act
    const attempt = run({ messagingServices: "all", sink: true }, { url: notRelayUrl });

    // Assess
    await expect(attempt).rejects.toThrow(NotTheRelayError);
    await expect(attempt).rejects.toThrow(
      `${notRelayUrl} is not the relay: it answered an unsigned GET with 200 "<h1>Welcome</h1>"`,
    );
    expect(standIn.requests).toEqual([]);
  });

  it("refuses a URL where nothing listens", async () => {
    // Prepare
    const url = `http://127.0.0.1:${await freePort()}/status-callbacks`;

    // Act
    const attempt = run({ sink: true }, { url });

    // Assess
    await expect(attempt).rejects.toThrow(`nothing answered at ${url} (ECONNREFUSED)`);
    expect(standIn.requests).toEqual([]);
  });

  it("says the credentials are wrong, naming the variables, and changes nothing", async () => {
    // Prepare
    const service = standIn.addService(account.sid, "Notifications");

    // Act
    const attempt = run(
      { messagingServices: [service.sid] },
      { twilio: port({ authToken: "ffffffffffffffffffffffffffffffff" }) },
    );

    // Assess
    await expect(attempt).rejects.toThrow(CredentialsError);
    await expect(attempt).rejects.toThrow(
      /Twilio answered 401 \(error 20003: Authenticate\): Twilio refused the credentials\. Check TWILIO_ACCOUNT_SID \(AC\w{32}\) and its TWILIO_AUTH_TOKEN/,
    );
    expect(standIn.writes()).toEqual([]);
  });

  it("says a Messaging Service SID does not exist, and changes nothing", async () => {
    // Prepare
    const service = standIn.addService(account.sid, "Notifications");
    const missing = sid("MG");

    // Act
    const attempt = run({ messagingServices: [service.sid, missing], sink: true });

    // Assess
    await expect(attempt).rejects.toThrow(UnknownResourceError);
    await expect(attempt).rejects.toThrow(
      `Messaging Service ${missing} does not exist in account ${account.sid}: check the SID`,
    );
    expect(standIn.writes()).toEqual([]);
    expect(standIn.services.get(service.sid)?.statusCallback).toBeNull();
  });

  it("says an event type Event Streams does not offer, and changes nothing", async () => {
    // Act
    const attempt = run({ types: ["com.twilio.messaging.message.teleported"] });

    // Assess
    await expect(attempt).rejects.toThrow(
      'Event Streams has no event type "com.twilio.messaging.message.teleported"',
    );
    expect(standIn.writes()).toEqual([]);
  });

  it("says a phone number the account does not have", async () => {
    // Act
    const attempt = run({ phoneNumbers: ["+15005550006"] });

    // Assess
    await expect(attempt).rejects.toThrow(
      `account ${account.sid} has no incoming phone number +15005550006`,
    );
  });
});

describe("npm run connect and Twilio's rate limit", () => {
  it("reads Retry-After as seconds or as an HTTP date", () => {
    // Assess
    expect(retryAfterMs({ "Retry-After": "2" })).toBe(2_000);
    expect(
      retryAfterMs(
        { "retry-after": "Mon, 07 Dec 2026 10:00:05 GMT" },
        Date.parse("2026-12-07T10:00:00Z"),
      ),
    ).toBe(5_000);
    expect(retryAfterMs({ "retry-after": "soon" })).toBeUndefined();
    expect(retryAfterMs({})).toBeUndefined();
  });

  it("waits as Retry-After says, then continues", async () => {
    // Prepare
    const service = standIn.addService(account.sid, "Notifications");
    const sleeps: number[] = [];
    standIn.rateLimit(2, "3");

    // Act
    await run({ messagingServices: [service.sid] }, { twilio: port({ sleeps }) });

    // Assess
    expect(sleeps).toEqual([3_000, 3_000]);
    expect(standIn.requests.filter((r) => r.status === 429)).toHaveLength(2);
    expect(standIn.services.get(service.sid)?.statusCallback).toBe(relay.url);
  });

  it("backs off exponentially without Retry-After", async () => {
    // Prepare
    const sleeps: number[] = [];
    standIn.rateLimit(3);

    // Act
    await run({ sink: true }, { twilio: port({ sleeps }) });

    // Assess
    expect(sleeps).toEqual([1_000, 2_000, 4_000]);
    expect(standIn.sinks.size).toBe(1);
  });

  it("gives up after five retries and says to run again later", async () => {
    // Prepare
    const sleeps: number[] = [];
    standIn.rateLimit(6, "1");

    // Act
    const attempt = run({ sink: true }, { twilio: port({ sleeps }) });

    // Assess
    await expect(attempt).rejects.toThrow(RateLimitError);
    await expect(attempt).rejects.toThrow(
      /error 20429.*wait a minute and run npm run connect again/,
    );
    expect(sleeps).toHaveLength(5);
  });
});

describe("npm run connect and secrets", () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "relay-connect-"));
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("prints and records no auth token and no API secret, whatever happens", async () => {
    // Prepare
    const service = standIn.addService(account.sid, "Notifications");
    const store = fileRecordStore(dir);
    const lines: string[] = [];
    const write = (line: string) => lines.push(line);
    const key = sid("SK");
    const secret = "api-key-secret-value-abcdefabcdef";
    standIn.accounts.set(account.sid, { ...account, apiKeys: { [key]: secret } });
    const keyed = createTwilioPort({
      credentials: { accountSid: account.sid, apiKey: key, apiSecret: secret },
      httpClient: standIn.httpClient,
    });

    // Act: a run, a second run, an undo, and two failures.
    await connect({
      url: relay.url,
      targets: { ...NOTHING, messagingServices: "all", sink: true },
      twilio: keyed,
      records: store,
      write,
    });
    const recorded = await readFile(recordPath(dir, account.sid), "utf8");
    await connect({
      url: relay.url,
      targets: { ...NOTHING, messagingServices: [service.sid] },
      twilio: port(),
      records: store,
      write,
    });
    await undo({ twilio: port(), records: store, write });
    const failures = await Promise.allSettled([
      connect({
        url: relay.url,
        targets: { ...NOTHING, sink: true },
        twilio: port({ authToken: "bad0bad0bad0bad0bad0bad0bad0bad0" }),
        records: store,
        write,
      }),
      undo({ twilio: port(), records: store, write }),
    ]);

    // Assess
    const messages = failures.map((f) => (f.status === "rejected" ? String(f.reason) : "ok"));
    const everything = [...lines, ...messages, recorded].join("\n");
    expect(lines.length).toBeGreaterThan(10);
    expect(recorded).toContain(service.sid);
    for (const value of [account.authToken, secret, "bad0bad0bad0bad0bad0bad0bad0bad0"]) {
      expect(everything).not.toContain(value);
    }
  });
});
