/**
 * The whole path on one machine: the local loop as `npm start` runs it (fauxqs, the ingest
 * function behind serverless-offline), `connect` against the stand-in for Twilio's REST API with
 * the loop's StatusCallback URL, the stand-in's sink test sending a delivery signed with the
 * account's auth token, and connect waiting on the local queue (`--queue-url`) until the test
 * event is there.
 */
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ConnectResult,
  connect,
  createTwilioPort,
  memoryRecordStore,
  sqsQueueWatcher,
} from "../../lib/connect/index.ts";
import { SINK_TEST_EVENT_TYPE } from "../../lib/events/cloud-event.ts";
import { freePort, type LocalLoop, startLocalLoop } from "../../testing/local/loop.ts";
import { drainQueue, LOCAL_CREDENTIALS, LOCAL_REGION } from "../../testing/local/sqs.ts";
import { TwilioApiStandIn } from "../helpers/twilio-api.ts";

describe("npm run connect against the local loop", () => {
  let loop: LocalLoop;
  let client: SQSClient;
  const tail: string[] = [];
  const standIn = new TwilioApiStandIn();
  const output: string[] = [];
  let result: ConnectResult;

  beforeAll(async () => {
    // --keep: the loop only watches, so the queue keeps what connect looks for.
    loop = await startLocalLoop({
      port: await freePort(),
      keep: true,
      write: (line) => tail.push(line),
      warn: (line) => tail.push(line),
    });
    client = new SQSClient({
      endpoint: loop.sqsEndpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
  }, 120_000);

  afterAll(async () => {
    client?.destroy();
    await loop?.stop();
  });

  it("connects a Messaging Service and a sink, and sees the sink test event on the queue", async () => {
    // Prepare: the account whose auth token the local relay holds.
    const account = standIn.addAccount({ authToken: loop.token });
    const service = standIn.addService(account.sid, "Notifications");

    // Act
    result = await connect({
      url: loop.callbackUrl,
      targets: {
        messagingServices: [service.sid],
        phoneNumbers: [],
        sink: true,
        types: [],
        presets: ["messaging"],
      },
      twilio: createTwilioPort({
        credentials: { accountSid: account.sid, authToken: account.authToken },
        httpClient: standIn.httpClient,
      }),
      records: memoryRecordStore(),
      queue: sqsQueueWatcher(client, loop.queueUrl),
      waitMs: 30_000,
      write: (line) => output.push(line),
    });
    const deliveries = await Promise.all(standIn.deliveries);
    const messages = await drainQueue(client, loop.queueUrl);

    // Assess
    expect(result.proof).toBe("seen");
    // The status callback URL keeps its connection overrides; the sink's destination has none.
    expect(standIn.services.get(service.sid)?.statusCallback).toBe(loop.callbackUrl);
    expect([...standIn.sinks.values()][0]?.sinkConfiguration.destination).toBe(
      loop.callbackUrl.split("#")[0],
    );
    expect(deliveries.map((d) => [d.status, JSON.parse(d.answer).accepted])).toEqual([[200, 1]]);
    const arrived = output.find((line) => line.startsWith("arrived: "));
    expect(arrived).toContain(SINK_TEST_EVENT_TYPE);
    expect(arrived).toContain(`id=${account.sid}`);
    // connect looked without consuming: the event is still on the queue for its consumers.
    const bodies = messages.map((m) => JSON.parse(m.Body ?? "{}"));
    expect(bodies.map((b) => [b.type, b.id])).toEqual([[SINK_TEST_EVENT_TYPE, account.sid]]);
    expect(tail.join("\n")).toContain(SINK_TEST_EVENT_TYPE);
  }, 90_000);
});
