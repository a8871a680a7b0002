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
  const swallowed = flagsNpmKept(options);
  if (swallowed.length > 0) return fail(npmKeptMessage(options, swallowed, usage));
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

/**
 * The options npm took for itself: `npm run trigger stream-ended --method GET`, without `--`,
 * gives the script `stream-ended GET` and sets `npm_config_method` instead. `--verbose` is left
 * out: npm turns it into its own log level, indistinguishable from a user's setting.
 */
function flagsNpmKept(options: Options): string[] {
  if (process.env.npm_lifecycle_event === undefined) return [];
  const given = process.argv.slice(2);
  return Object.keys(options).filter((name) => {
    if (name === "verbose") return false;
    const inEnvironment = process.env[`npm_config_${name.replaceAll("-", "_")}`] !== undefined;
    const onCommandLine = given.some((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
    return inEnvironment && !onCommandLine;
  });
}

function npmKeptMessage(options: Options, flags: readonly string[], usage: string): string {
  const names = flags.map((name) => `--${name}`).join(", ");
  // How the usage spells the command: `npm start` or `npm run <name>`.
  const command = /^usage: (.*?) --/m.exec(usage)?.[1] ?? "npm run <script>";
  return (
    `npm kept ${names} for itself (a flag before \`--\` is npm's; a value after it came through as a ` +
    `plain argument): put -- before the flags, as in ${command} -- ${meantArguments(options, flags)}`
  );
}

// The arguments the user meant, as far as they can be told: those npm passed on, then the flags
// it kept; a single kept flag that takes a value gets the last argument as its value.
function meantArguments(options: Options, flags: readonly string[]): string {
  const given = process.argv.slice(2);
  const taking = flags.filter((name) => options[name]?.type === "string");
  const values = new Map<string, string>();
  if (taking.length === 1 && given.length > 0) values.set(taking[0] ?? "", given.pop() ?? "");
  const kept = flags.map((name) =>
    options[name]?.type === "string" ? `--${name} ${values.get(name) ?? "<value>"}` : `--${name}`,
  );
  return [...given, ...kept].join(" ");
}
