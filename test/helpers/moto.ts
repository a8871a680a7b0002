/**
 * moto (`moto_server`) as a second AWS for the tests: started on a free loopback port by the
 * suites that need it, stopped afterwards. moto and the AWS CLI are Python tools, not npm
 * packages: where either is missing, `motoMissing` says which and how to install them, and those
 * suites skip with that one line (`describe.skipIf(motoMissing)`); `.ci/run` insists on both.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { createSqsClient } from "../../lib/ingest/aws/sqs-publisher.ts";

/** The credentials and region the suites sign with; moto accepts any. */
export const MOTO_REGION = "us-east-1";
export const MOTO_CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" };
/** The account moto puts every resource in. */
export const MOTO_ACCOUNT = "123456789012";

function onPath(command: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const missing = ["moto_server", "aws"].filter((command) => !onPath(command));

/**
 * Why the moto suites cannot run here, or `false` when they can. Printed once per suite that
 * skips, so that a machine without the tools says what it did not test.
 */
export const motoMissing: string | false =
  missing.length === 0
    ? false
    : `${missing.join(" and ")} not on PATH: these tests need moto and the AWS CLI (pip install "moto[server]" awscli)`;

if (motoMissing) console.warn(`skipping moto suites: ${motoMissing}`);

export interface Moto {
  /** `http://127.0.0.1:<port>`: every service's endpoint. */
  readonly endpoint: string;
  /** The environment for the AWS CLI and the project's scripts to reach this moto. */
  readonly env: Record<string, string>;
  /** An SQS client of the relay's kind on this moto; the caller destroys it. */
  sqsClient(): SQSClient;
  /** Runs `aws <args> --endpoint-url <endpoint>` and returns what it printed on stdout. */
  aws(args: readonly string[]): string;
  stop(): Promise<void>;
}

/** Starts `moto_server` on a free loopback port and resolves once it answers. */
export async function startMoto(): Promise<Moto> {
  const child = spawn("moto_server", ["-H", "127.0.0.1", "-p", "0"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`moto_server did not start within 20 s:\n${output}`));
    }, 20_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      // werkzeug names the port it bound when given port 0.
      const bound = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (bound?.[1]) {
        clearTimeout(timer);
        resolve(bound[1]);
      }
    };
    child.stdout?.on("data", read);
    child.stderr?.on("data", read);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`moto_server exited (${code}) before it started:\n${output}`));
    });
  });
  // Drain its request log so that the pipe never fills and blocks it.
  child.stdout?.resume();
  child.stderr?.resume();
  const env = {
    AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
    AWS_REGION: MOTO_REGION,
    AWS_DEFAULT_REGION: MOTO_REGION,
    AWS_ENDPOINT_URL: endpoint,
    // Neither a profile nor a config file of the machine's user may change what the tests reach.
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_PAGER: "",
  };
  return {
    endpoint,
    env,
    sqsClient: () =>
      createSqsClient({ endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS }),
    aws(args) {
      return execFileSync("aws", [...args, "--endpoint-url", endpoint, "--output", "json"], {
        env: { ...process.env, ...env },
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      });
    },
    stop: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
