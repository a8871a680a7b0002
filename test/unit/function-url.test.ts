/**
 * A Lambda function URL (the `functionUrl` endpoint) sends payload 2.0 with its own
 * requestContext: no stage or route, the caller's account "anonymous", and the URL's own domain.
 * The handler relays it as it relays an HTTP API event, verifying the signature over the
 * function URL Twilio called.
 */

import type { APIGatewayProxyEventV2 } from "aws-lambda";
import twilio from "twilio";
import { describe, expect, it } from "vitest";
import type { StatusEvent } from "../../lib/events/schemas.ts";
import { decodeRequest } from "../../lib/ingest/decode.ts";
import { createIngestHandler } from "../../lib/ingest/handler.ts";
import { staticTokens } from "../../lib/ingest/tokens.ts";
import { callbackParams, LOCAL_AUTH_TOKEN } from "../../testing/samples.ts";
import { formBody } from "../../testing/signed-callback.ts";
import { FORGER_AUTH_TOKEN } from "../../testing/tokens.ts";
import { memoryLogger } from "../helpers/memory-logger.ts";

const URL_ID = "abcdefghijklmnopqrstuvwxyz012345";
const DOMAIN = `${URL_ID}.lambda-url.us-east-1.on.aws`;
const CALLBACK_URL = `https://${DOMAIN}/status-callbacks`;

// The shape of a function URL invocation (AWS Lambda Developer Guide, "Invoking Lambda function
// URLs", request payload), for a Twilio status callback.
function functionUrlEvent(
  options: { base64?: boolean; host?: boolean; token?: string } = {},
): APIGatewayProxyEventV2 {
  const params = callbackParams("media-processor-started");
  const body = formBody(params);
  const signature = twilio.getExpectedTwilioSignature(
    options.token ?? LOCAL_AUTH_TOKEN,
    CALLBACK_URL,
    params,
  );
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: "/status-callbacks",
    rawQueryString: "",
    headers: {
      ...(options.host === false ? {} : { host: DOMAIN }),
      "content-type": "application/x-www-form-urlencoded",
      "x-forwarded-proto": "https",
      "x-forwarded-port": "443",
      "x-twilio-signature": signature,
      "user-agent": "TwilioProxy/1.1",
    },
    requestContext: {
      accountId: "anonymous",
      apiId: URL_ID,
      domainName: DOMAIN,
      domainPrefix: URL_ID,
      http: {
        method: "POST",
        path: "/status-callbacks",
        protocol: "HTTP/1.1",
        sourceIp: "54.172.60.1",
        userAgent: "TwilioProxy/1.1",
      },
      requestId: "id",
      routeKey: "$default",
      stage: "$default",
      time: "27/Nov/2026:10:15:30 +0000",
      timeEpoch: 1_795_774_530_000,
    },
    body: options.base64 ? Buffer.from(body).toString("base64") : body,
    isBase64Encoded: options.base64 ?? false,
  };
}

function relay() {
  const events: StatusEvent[] = [];
  const handler = createIngestHandler({
    config: { publicUrl: undefined },
    tokens: staticTokens([LOCAL_AUTH_TOKEN]),
    publisher: { publish: async (event) => void events.push(event) },
    clock: () => new Date("2026-11-27T12:00:00Z"),
    logger: memoryLogger(),
  });
  return { handler, events };
}

describe("a function URL invocation", () => {
  it("is decoded to the function URL Twilio signed", () => {
    // Prepare
    const event = functionUrlEvent();

    // Act
    const request = decodeRequest(event, { maxBodyBytes: 64 * 1024 });

    // Assess
    expect(request.url).toBe(CALLBACK_URL);
    expect(request.method).toBe("POST");
  });

  it.each([
    ["plain", false],
    ["base64", true],
  ])("is relayed with a %s body", async (_, base64) => {
    // Prepare
    const { handler, events } = relay();

    // Act
    const response = await handler(functionUrlEvent({ base64 }));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(events).toHaveLength(1);
  });

  it("is verified over requestContext.domainName when no Host header is given", async () => {
    // Prepare
    const { handler } = relay();

    // Act
    const response = await handler(functionUrlEvent({ host: false }));

    // Assess
    expect(response.statusCode).toBe(200);
  });

  it("is refused with 403 when signed with another token", async () => {
    // Prepare
    const { handler, events } = relay();

    // Act
    const response = await handler(functionUrlEvent({ token: FORGER_AUTH_TOKEN }));

    // Assess
    expect(response.statusCode).toBe(403);
    expect(events).toEqual([]);
  });
});
