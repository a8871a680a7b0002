/**
 * The relay's real ingest handler behind a plain HTTP server on loopback (no serverless-offline,
 * no queue): requests become API Gateway HTTP API events, answers go back as sent. Events it
 * accepts are kept in memory. For tests that need a URL that answers as the relay does.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { StatusEvent } from "../../lib/events/schemas.ts";
import { createIngestHandler } from "../../lib/ingest/handler.ts";
import type { CloudEventMessage } from "../../lib/ingest/publisher.ts";
import { staticTokens } from "../../lib/ingest/tokens.ts";
import { memoryLogger } from "./memory-logger.ts";

export interface RelayServer {
  /** `http://127.0.0.1:<port>/status-callbacks` */
  readonly url: string;
  readonly statusEvents: StatusEvent[];
  readonly cloudEvents: CloudEventMessage[];
  close(): Promise<void>;
}

/** Serves the ingest handler, verifying with `tokens`. */
export async function startRelayServer(tokens: readonly string[]): Promise<RelayServer> {
  const statusEvents: StatusEvent[] = [];
  const cloudEvents: CloudEventMessage[] = [];
  const handler = createIngestHandler({
    config: { publicUrl: undefined },
    tokens: staticTokens([...tokens]),
    publisher: {
      publish: async (event) => void statusEvents.push(event),
      publishCloudEvents: async (messages) => void cloudEvents.push(...messages),
    },
    clock: () => new Date(),
    logger: memoryLogger(),
  });
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const [path = "/", query = ""] = (request.url ?? "/").split(/\?(.*)/s);
    const host = request.headers.host ?? "127.0.0.1";
    const headers: Record<string, string> = { "x-forwarded-proto": "http" };
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === "string") headers[name] = value;
    }
    const method = request.method ?? "GET";
    const event: APIGatewayProxyEventV2 = {
      version: "2.0",
      routeKey: `${method} /status-callbacks`,
      rawPath: path,
      rawQueryString: query,
      headers,
      requestContext: {
        accountId: "123456789012",
        apiId: "local",
        domainName: host,
        domainPrefix: "local",
        http: { method, path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "" },
        requestId: "req",
        routeKey: `${method} /status-callbacks`,
        stage: "$default",
        time: "",
        timeEpoch: Date.now(),
      },
      isBase64Encoded: false,
      ...(body === "" ? {} : { body }),
    };
    const answer = await handler(event);
    response.writeHead(answer.statusCode, answer.headers);
    response.end(answer.body);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/status-callbacks`,
    statusEvents,
    cloudEvents,
    close: () => new Promise((done) => server.close(() => done())),
  };
}
