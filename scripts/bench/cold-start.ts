/**
 * Rows 3 and 4 of the bench: cold start and size of the function bundles. Each bundle is imported
 * by fresh Node processes, as Lambda's init phase does, with no flags and with the `NODE_OPTIONS`
 * serverless.yml gives the functions (as deployed), interleaved across bundles so that a busy
 * machine slows them alike.
 *
 * Also a tool for levers: `node scripts/bench/cold-start.ts [--runs N] [--node-options "..."]
 * a.cjs b.cjs ...` imports the given bundles the same way and prints each one's medians and its
 * ratio to the first.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type BuildOptions, build } from "esbuild";
import {
  BUNDLE_FILE,
  BUNDLE_SETTINGS,
  buildFunctions,
  CREDENTIAL_SPLIT,
} from "../../testing/local/build.ts";
import { LOCAL_AUTH_TOKEN } from "../../testing/samples.ts";
import { deployedNodeOptions } from "./deployed.ts";
import { atMost, fmt, median, summary, table } from "./report.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const COLD_RUNS = Number(process.env.RUNS ?? 21);
/** The bare client built with the functions' credential split, printed beside the baseline. */
const BARE_SPLIT = "bare @aws-sdk/client-sqs client, credential split";
/** The flag that maps stack traces through source maps at load. */
const SOURCE_MAPS = "--enable-source-maps";

/** What one fresh process measured. */
export interface ImportSample {
  /** Wall time of the import (module evaluation), in ms. */
  readonly wallMs: number;
  /** CPU time the import took (steadier on a busy machine), in ms. */
  readonly cpuMs: number;
  /** Resident memory of the process after the import, in MiB. */
  readonly rssMiB: number;
}

/**
 * The environment of a function at import, with its tokens in the environment: what it needs to
 * start; nothing is sent anywhere at import.
 */
export const ENVIRONMENT_TOKEN: Readonly<Record<string, string>> = {
  QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/relay.fifo",
  TWILIO_AUTH_TOKEN: LOCAL_AUTH_TOKEN,
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
};

/**
 * The environment serverless.yml gives the ingest function by default: the tokens in an SSM
 * SecureString, read during init. The read goes to a closed local port (it fails after the
 * import, which is all that is timed), never to AWS.
 */
export const SSM_TOKEN: Readonly<Record<string, string>> = {
  QUEUE_URL: ENVIRONMENT_TOKEN.QUEUE_URL ?? "",
  TWILIO_AUTH_TOKEN_PARAMETER: "/twilio-status-relay/prod/auth-token",
  AUTH_TOKEN_CACHE_TTL_SECONDS: "300",
  AWS_ENDPOINT_URL_SSM: "http://127.0.0.1:9",
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
};

// Wall time of the import, the CPU time it took, and the memory the process holds after it.
// The exit is explicit: nothing started at import may keep it alive.
const PROBE =
  "const cpu=process.cpuUsage();const t=performance.now();await import(process.argv[1]);" +
  "const ms=performance.now()-t;const u=process.cpuUsage(cpu);" +
  "console.log(JSON.stringify([ms,(u.user+u.system)/1000,process.memoryUsage().rss/1048576]));" +
  "process.exit(0)";

/** Imports a bundle in a fresh Node process started with `nodeOptions`, as Lambda's init does. */
export function coldImport(
  file: string,
  nodeOptions: string,
  env: Readonly<Record<string, string>> = ENVIRONMENT_TOKEN,
): ImportSample {
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", PROBE, file], {
    // NODE_OPTIONS as Lambda passes it: in the environment.
    env: { PATH: process.env.PATH ?? "", ...env, NODE_OPTIONS: nodeOptions },
    encoding: "utf8",
  });
  const [wallMs = Number.NaN, cpuMs = Number.NaN, rssMiB = Number.NaN] = JSON.parse(
    out.trim().split("\n").at(-1) ?? "[]",
  ) as number[];
  return { wallMs, cpuMs, rssMiB };
}

/**
 * Bundles an entry point (relative to the project root) with the functions' esbuild settings,
 * and `extra` settings on top (in a directory named after both).
 */
export async function bundleLikeFunctions(
  entry: string,
  outDir: string,
  extra: BuildOptions = {},
): Promise<string> {
  const name = entry.replace(/\.ts$/, "").replaceAll("/", "_");
  const outfile = join(outDir, Object.keys(extra).length > 0 ? `${name}+` : name, BUNDLE_FILE);
  await build({
    ...BUNDLE_SETTINGS,
    ...extra,
    entryPoints: [join(ROOT, entry)],
    outfile,
    absWorkingDir: ROOT,
    // The twilio package reads its package.json and optional files at run time; a bundle holds
    // them all. Its warnings about them are not the benchmark's business.
    logLevel: "error",
  });
  return outfile;
}

/** One bundle and how its process is started. */
export interface ColdCase {
  readonly label: string;
  readonly file: string;
  readonly nodeOptions: string;
  readonly env?: Readonly<Record<string, string>>;
}

/** Imports every case `runs` times, interleaved (one of each per run); samples per case. */
export function measureImports(cases: readonly ColdCase[], runs: number): ImportSample[][] {
  const samples = cases.map(() => [] as ImportSample[]);
  for (let run = 0; run < runs; run += 1) {
    cases.forEach((c, index) => {
      samples[index]?.push(coldImport(c.file, c.nodeOptions, c.env));
    });
  }
  return samples;
}

const med = (list: readonly ImportSample[], key: keyof ImportSample) =>
  median(list.map((s) => s[key]));

// Ratios per run (the same run's processes ran back to back), then the median.
const ratio = (
  ours: readonly ImportSample[],
  theirs: readonly ImportSample[],
  key: keyof ImportSample = "wallMs",
) => median(ours.map((s, i) => s[key] / (theirs[i]?.[key] ?? Number.NaN)));

const ms = (list: readonly ImportSample[]) => `${fmt(med(list, "wallMs"))} ms`;

/** Prints the cold-start table and adds rows 3 and 4 to the summary. */
export async function benchColdStart(): Promise<void> {
  const outDir = mkdtempSync(join(tmpdir(), "relay-bench-"));
  const deployed = deployedNodeOptions();
  try {
    const built = await buildFunctions({ outDir });
    const empty = join(outDir, "empty.cjs");
    writeFileSync(empty, "module.exports = {};");
    const naive = await bundleLikeFunctions("scripts/bench/naive-ingest.ts", outDir);
    const bare = await bundleLikeFunctions("scripts/bench/bare-sqs.ts", outDir);
    // The same client with the relay's credential split: never the baseline, printed beside it.
    const bareSplit = await bundleLikeFunctions(
      "scripts/bench/bare-sqs.ts",
      outDir,
      CREDENTIAL_SPLIT,
    );
    const ingest = join(outDir, "ingest", BUNDLE_FILE);
    const bundles: { label: string; file: string; env?: Record<string, string> }[] = [
      { label: "empty module (floor)", file: empty },
      ...built.map((f) => ({
        label: `functions/${f.name}.ts`,
        file: join(outDir, f.name, BUNDLE_FILE),
      })),
      { label: "functions/ingest.ts, SSM token source", file: ingest, env: { ...SSM_TOKEN } },
      { label: "naive handler (twilio + client-sqs)", file: naive },
      { label: "bare @aws-sdk/client-sqs client", file: bare },
      { label: BARE_SPLIT, file: bareSplit },
    ];
    // As deployed first; then without flags and with source maps, whichever of them it is not.
    const flagSets = [...new Set([deployed, "", SOURCE_MAPS])];
    const cases = bundles.flatMap((b) => flagSets.map((nodeOptions) => ({ ...b, nodeOptions })));
    const samples = measureImports(cases, COLD_RUNS);
    const at = (label: string, nodeOptions: string) =>
      samples[cases.findIndex((c) => c.label === label && c.nodeOptions === nodeOptions)] ?? [];
    const flagsName = (flags: string) =>
      `${flags === "" ? "no flags" : flags}${flags === deployed ? ", as deployed" : ""}`;

    console.log(`\n## Cold start: import in a fresh Node process (median of ${COLD_RUNS})\n`);
    console.log(
      "Every bundle built with the functions' esbuild settings (`BUNDLE_SETTINGS`, minified " +
        "CommonJS, linked source map), imported with each set of `NODE_OPTIONS`; as deployed is " +
        `serverless.yml's (\`${deployed || "none"}\`). Tokens in the environment unless the row ` +
        "says SSM (a SecureString read started during init, as the stack deploys it by default).\n",
    );
    table(
      [
        "bundle",
        "size",
        ...flagSets.flatMap((flags) => [`import (${flagsName(flags)})`, "CPU"]),
        "RSS after (as deployed)",
      ],
      ["l", "r", ...flagSets.flatMap(() => ["r", "r"] as const), "r"],
      bundles.map((b) => [
        b.label,
        `${fmt(statSync(b.file).size / 1000)} KB`,
        ...flagSets.flatMap((flags) => [
          ms(at(b.label, flags)),
          `${fmt(med(at(b.label, flags), "cpuMs"))} ms`,
        ]),
        `${fmt(med(at(b.label, deployed), "rssMiB"))} MiB`,
      ]),
    );

    const NAIVE = "naive handler (twilio + client-sqs)";
    const BARE = "bare @aws-sdk/client-sqs client";
    const INGEST = "functions/ingest.ts";
    const INGEST_SSM = "functions/ingest.ts, SSM token source";
    atMost(
      "3a. Cold start (import, wall, no flags), ingest vs naive handler",
      ms(at(INGEST, "")),
      `naive ${ms(at(NAIVE, ""))}`,
      ratio(at(INGEST, ""), at(NAIVE, "")),
      0.45,
    );
    atMost(
      `3b. Cold start as deployed (${flagsName(deployed)}), ingest vs bare client-sqs`,
      ms(at(INGEST, deployed)),
      `bare SDK ${ms(at(BARE, deployed))}`,
      ratio(at(INGEST, deployed), at(BARE, deployed)),
      1.15,
    );
    atMost(
      "3c. Cold start as deployed, SSM token source, ingest vs bare client-sqs",
      ms(at(INGEST_SSM, deployed)),
      `bare SDK ${ms(at(BARE, deployed))}`,
      ratio(at(INGEST_SSM, deployed), at(BARE, deployed)),
      1.15,
    );
    const ratios = (label: string, key: keyof ImportSample) =>
      flagSets
        .map(
          (flags) =>
            `${fmt(ratio(at(label, flags), at(BARE, flags), key), 2)} (${flagsName(flags)})`,
        )
        .join(", ");
    console.log(
      "\nRatios to the bare SDK bundle with the same flags (median of per-run ratios), wall: " +
        `ingest ${ratios(INGEST, "wallMs")}; ingest with SSM ${ratios(INGEST_SSM, "wallMs")}; ` +
        `naive ${ratios(NAIVE, "wallMs")}. CPU: ingest ${ratios(INGEST, "cpuMs")}; ` +
        `ingest with SSM ${ratios(INGEST_SSM, "cpuMs")}.`,
    );
    // "wall / CPU" of the per-run ratios of two sample lists.
    const wallCpu = (ours: readonly ImportSample[], theirs: readonly ImportSample[]) =>
      `${fmt(ratio(ours, theirs), 2)} / ${fmt(ratio(ours, theirs, "cpuMs"), 2)}`;
    console.log(
      "The baseline is the bare client as any handler bundles it, with the SDK's whole credential " +
        "chain. Against the same client with the relay's credential split (environment first, the " +
        "chain loaded only without), as deployed, wall / CPU: " +
        `ingest ${wallCpu(at(INGEST, deployed), at(BARE_SPLIT, deployed))}; ` +
        `ingest with SSM ${wallCpu(at(INGEST_SSM, deployed), at(BARE_SPLIT, deployed))}.`,
    );
    console.log(
      `Source maps at load (${SOURCE_MAPS} against no flags, same bundle, per-run ratio, wall / CPU): ` +
        `ingest ${wallCpu(at(INGEST, SOURCE_MAPS), at(INGEST, ""))}, ` +
        `bare SDK ${wallCpu(at(BARE, SOURCE_MAPS), at(BARE, ""))}.`,
    );

    const ingestBytes = statSync(ingest).size;
    summary.push({
      measure: "4. Ingest bundle size (minified index.cjs)",
      relay: `${fmt(ingestBytes / 1000)} KB`,
      baseline: `naive ${fmt(statSync(naive).size / 1000)} KB`,
      ratio: ingestBytes / statSync(naive).size,
      target: "<= 600 KB",
      met: ingestBytes <= 600_000,
    });
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      runs: { type: "string", default: "15" },
      "node-options": { type: "string" },
      ssm: { type: "boolean", default: false },
    },
  });
  const nodeOptions = values["node-options"] ?? deployedNodeOptions();
  const files = positionals.map((file) => resolve(file));
  const cases = files.map((file) => ({
    label: file,
    file,
    nodeOptions,
    env: values.ssm ? SSM_TOKEN : ENVIRONMENT_TOKEN,
  }));
  const samples = measureImports(cases, Number(values.runs));
  console.log(`NODE_OPTIONS=${JSON.stringify(nodeOptions)}, ${values.runs} runs, interleaved`);
  table(
    ["bundle", "import", "CPU", "RSS", "ratio to the first (wall / CPU)"],
    ["l", "r", "r", "r", "r"],
    cases.map((c, index) => {
      const list = samples[index] ?? [];
      return [
        c.label,
        ms(list),
        `${fmt(med(list, "cpuMs"))} ms`,
        `${fmt(med(list, "rssMiB"))} MiB`,
        `${fmt(ratio(list, samples[0] ?? []), 2)} / ${fmt(ratio(list, samples[0] ?? [], "cpuMs"), 2)}`,
      ];
    }),
  );
}
