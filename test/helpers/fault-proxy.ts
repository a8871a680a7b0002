/**
 * `startFaultProxy({ upstream })`: an HTTP proxy on loopback that sits between an AWS SDK client
 * and a local service (fauxqs, a fake SSM) and injects one fault at a time, switchable at run
 * time, counting the requests it sees. No dependency beyond node:http.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

/** What the proxy does with a request. */
export type Fault =
  /** Forward to the upstream and relay its answer. */
  | { readonly kind: "pass" }
  /** Read the request, then reset the connection (TCP RST): the client sees ECONNRESET. */
  | { readonly kind: "reset" }
  /** Read the request and never answer. */
  | { readonly kind: "hang" }
  /** Answer this instead of the upstream. */
  | {
      readonly kind: "answer";
      readonly status: number;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: string;
    }
  /** Forward to the upstream, which acts on the request, then reset instead of answering. */
  | { readonly kind: "lose-response" }
  /**
   * Forward `request(body)` instead of the body sent, and answer `response(upstream's body)`:
   * for example a `SendMessageBatch` of which some entries never reach the queue and are
   * reported as failed.
   */
  | {
      readonly kind: "transform";
      readonly request: (body: string) => string;
      readonly response: (body: string) => string;
    };

/** Connection-level behaviour, or a fault for each request (which may look at the request). */
export type ProxyMode = "refuse" | Fault | ((request: SeenRequest) => Fault);

export interface SeenRequest {
  /** The `X-Amz-Target` header: which operation the SDK called (`AmazonSQS.SendMessage`). */
  readonly target: string | undefined;
  readonly body: string;
}

export interface SeenRecord extends SeenRequest {
  /** What the proxy did with it. */
  readonly fault: Fault["kind"];
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: the endpoint to give the SDK client. Stable across modes. */
  readonly endpoint: string;
  /** Every request that reached the proxy, in order (a refused connection never does). */
  readonly requests: readonly SeenRecord[];
  /**
   * Switches the mode. `"refuse"` stops listening and drops open connections, so that new ones
   * get ECONNREFUSED; any other mode listens again on the same port.
   */
  setMode(mode: ProxyMode): Promise<void>;
  /** Stops the proxy and drops every connection, hanging ones included. */
  close(): Promise<void>;
}

export const PASS: Fault = { kind: "pass" };
export const RESET: Fault = { kind: "reset" };
export const HANG: Fault = { kind: "hang" };
export const LOSE_RESPONSE: Fault = { kind: "lose-response" };

/** Starts a proxy to `upstream` (`http://host:port`) on a free loopback port, in `mode`. */
export async function startFaultProxy(options: {
  upstream: string;
  mode?: ProxyMode;
}): Promise<FaultProxy> {
  const upstream = new URL(options.upstream);
  const requests: SeenRecord[] = [];
  let mode: ProxyMode = options.mode ?? PASS;

  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const seen = { target: header(req.headers, "x-amz-target"), body: body.toString("utf8") };
      // A request read just before the switch to "refuse" gets the nearest thing: a reset.
      const fault =
        typeof mode === "function" ? mode(seen) : mode === "refuse" ? RESET : (mode as Fault);
      requests.push({ ...seen, fault: fault.kind });
      handle(fault, req, res, body);
    });
  });

  function handle(fault: Fault, req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    switch (fault.kind) {
      case "pass":
        forward(req, body)
          .then((answer) => {
            const { "transfer-encoding": _chunked, ...headers } = answer.headers;
            res.writeHead(answer.status, {
              ...headers,
              "content-length": String(answer.body.length),
            });
            res.end(answer.body);
          })
          .catch(() => req.socket.resetAndDestroy());
        return;
      case "reset":
        req.socket.resetAndDestroy();
        return;
      case "hang":
        return;
      case "answer":
        res.writeHead(fault.status, {
          ...fault.headers,
          "content-length": String(Buffer.byteLength(fault.body)),
        });
        res.end(fault.body);
        return;
      case "lose-response":
        // Wait for the upstream's full answer, so that the request has taken effect there.
        forward(req, body).finally(() => req.socket.resetAndDestroy());
        return;
      case "transform":
        forward(req, Buffer.from(fault.request(body.toString("utf8"))))
          .then((answer) => {
            const { "transfer-encoding": _chunked, ...headers } = answer.headers;
            const text = fault.response(answer.body.toString("utf8"));
            res.writeHead(answer.status, {
              ...headers,
              "content-length": String(Buffer.byteLength(text)),
            });
            res.end(text);
          })
          .catch(() => req.socket.resetAndDestroy());
        return;
    }
  }

  function forward(
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const out = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, "content-length": String(body.length) },
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on("data", (chunk: Buffer) => chunks.push(chunk));
          answer.on("end", () =>
            resolve({
              status: answer.statusCode ?? 502,
              headers: answer.headers,
              body: Buffer.concat(chunks),
            }),
          );
          answer.on("error", reject);
        },
      );
      out.on("error", reject);
      out.end(body);
    });
  }

  await listen(server, 0);
  const { port } = server.address() as AddressInfo;
  let listening = true;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    async setMode(next) {
      mode = next;
      if (next === "refuse" && listening) {
        listening = false;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
      } else if (next !== "refuse" && !listening) {
        await listen(server, port);
        listening = true;
      }
    },
    async close() {
      if (!listening) return;
      listening = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function listen(server: ReturnType<typeof createServer>, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    // A client that gives up mid-request: there is nothing left to answer.
    req.on("error", () => resolve(Buffer.alloc(0)));
  });
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
