/**
 * Command-line parsing shared by `npm start`, `npm run trigger` and `npm run tail`: `node:util`
 * `parseArgs` plus `--help`, with a usage message and exit code 2 on a mistake.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

export interface CommandLine<O extends Options> {
  /** Parsed options and positionals; prints usage and exits on `--help` or a bad argument. */
  readonly parsed: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>;
  /** Prints `problem` and the usage, and exits with status 2. */
  fail(problem: string): never;
}

/**
 * Parses this process's arguments against `options`; `--help`/`-h` prints `usage`. Positional
 * arguments are refused unless `positionals` is true.
 */
export function commandLine<O extends Options>(
  usage: string,
  options: O,
  { positionals = false } = {},
): CommandLine<O> {
  const fail = (problem: string): never => {
    console.error(`${problem}\n\n${usage}`);
    process.exit(2);
  };
  const withHelp = { ...options, help: { type: "boolean", short: "h", default: false } } as const;
  let parsed: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ options: withHelp, allowPositionals: true }) as typeof parsed;
  } catch (error) {
    return fail((error as Error).message);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage);
    process.exit(0);
  }
  if (!positionals && parsed.positionals.length > 0) {
    return fail(`unexpected argument ${parsed.positionals[0]}`);
  }
  return { parsed, fail };
}
