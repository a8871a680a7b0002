/**
 * `startFakeSsm()`: a loopback HTTP server that answers SSM's `GetParameter` (AWS JSON 1.1) from
 * a map of SecureString values, as Parameter Store would: decrypted on `WithDecryption`, and
 * `ParameterNotFound` for a name it does not hold. Put a fault proxy in front for other faults.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeSsm {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** The SecureString values by parameter name; set, change or delete to change what it holds. */
  readonly parameters: Map<string, string>;
  /** The `GetParameter` inputs received, in order. */
  readonly reads: ReadonlyArray<{ Name?: string; WithDecryption?: boolean }>;
  close(): Promise<void>;
}

/** Starts the fake on a free loopback port. */
export async function startFakeSsm(): Promise<FakeSsm> {
  const parameters = new Map<string, string>();
  const reads: Array<{ Name?: string; WithDecryption?: boolean }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const answer = (status: number, body: unknown) => {
        const text = JSON.stringify(body);
        res.writeHead(status, {
          "content-type": "application/x-amz-json-1.1",
          "content-length": String(Buffer.byteLength(text)),
        });
        res.end(text);
      };
      if (req.headers["x-amz-target"] !== "AmazonSSM.GetParameter") {
        answer(400, { __type: "UnknownOperationException" });
        return;
      }
      const input = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        Name?: string;
        WithDecryption?: boolean;
      };
      reads.push(input);
      const value = input.Name === undefined ? undefined : parameters.get(input.Name);
      if (value === undefined) {
        answer(400, { __type: "ParameterNotFound" });
        return;
      }
      answer(200, {
        Parameter: {
          Name: input.Name,
          Type: "SecureString",
          // Without decryption Parameter Store returns the ciphertext, never the token.
          Value: input.WithDecryption
            ? value
            : Buffer.from(`ciphertext:${value}`).toString("base64"),
          Version: 1,
          DataType: "text",
          ARN: `arn:aws:ssm:us-east-1:123456789012:parameter${input.Name}`,
        },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    parameters,
    reads,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
