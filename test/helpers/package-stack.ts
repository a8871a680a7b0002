/**
 * `npm run package` as CI runs it: offline, with no AWS credentials and every network request
 * refused, into a temporary directory. The CloudFormation template it writes, parsed, and its path
 * (for cfn-lint).
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
const NODE_BIN = resolve(ROOT, "node_modules/.bin");

/** What {@link packageStack} wrote. */
export interface PackagedStack {
  /** `cloudformation-template-update-stack.json`, parsed. */
  readonly template: Record<string, unknown>;
  /** Its path, under a temporary directory. */
  readonly templateFile: string;
  /** Wall time of the package step, build included. */
  readonly seconds: number;
  /** Removes the temporary directories. */
  remove(): Promise<void>;
}

/**
 * Packages the stack with `args` (`--stage`, `--param=name=value`, ...). Fails with the CLI's
 * output when the package step fails.
 */
export async function packageStack(args: readonly string[]): Promise<PackagedStack> {
  const home = await mkdtemp(join(tmpdir(), "relay-home-"));
  const out = await mkdtemp(join(tmpdir(), "relay-package-"));
  const remove = async () => {
    await rm(home, { recursive: true, force: true });
    await rm(out, { recursive: true, force: true });
  };
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^AWS_/.test(name)) delete env[name];
  }
  Object.assign(env, {
    // No ~/.aws to find credentials in, and a proxy that refuses every connection: the package
    // step must need neither.
    HOME: home,
    HTTP_PROXY: "http://127.0.0.1:9",
    HTTPS_PROXY: "http://127.0.0.1:9",
    PATH: `${NODE_BIN}:${process.env.PATH ?? ""}`,
  });
  const started = performance.now();
  try {
    await new Promise<void>((done, fail) => {
      execFile(
        "npm",
        ["run", "package", "--", "--package", out, ...args],
        { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) =>
          error ? fail(new Error(`npm run package failed:\n${stdout}\n${stderr}`)) : done(),
      );
    });
  } catch (error) {
    await remove();
    throw error;
  }
  const seconds = (performance.now() - started) / 1000;
  const templateFile = join(out, "cloudformation-template-update-stack.json");
  const template = JSON.parse(await readFile(templateFile, "utf8")) as Record<string, unknown>;
  return { template, templateFile, seconds, remove };
}
