/**
 * `node scripts/bench/bundle-choices.ts`: the measurements behind the bundling decisions in
 * docs/design-decisions.md. Builds the ingest function as shipped and in the alternatives that
 * were weighed (an ES module, CommonJS builds of the SDK, the SDK's whole credential chain in the
 * bundle, no Powertools Logger, zod's classic API instead of zod/mini), imports each in fresh Node
 * processes, interleaved, and prints size, median import time and its ratio to the shipped bundle (median of per-run ratios,
 * wall and CPU); then the bytes each package adds to the shipped bundles.
 * `RUNS=<n>` sets the imports per bundle (default 21).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type BuildOptions, build, type Metafile, type Plugin } from "esbuild";
import { BUNDLE_SETTINGS, CREDENTIAL_SPLIT } from "../../testing/local/build.ts";
import { LOCAL_AUTH_TOKEN } from "../../testing/local/trigger-request.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const RUNS = Number(process.env.RUNS ?? 21);

/** Replaces a package with a few lines of source, to weigh what the package itself costs. */
function stub(name: string, contents: string): Plugin {
  const filter = new RegExp(`^${name.replace(/[/.]/g, "\\$&")}$`);
  return {
    name: `stub ${name}`,
    setup(esbuild) {
      esbuild.onResolve({ filter }, () => ({ path: name, namespace: "stub" }));
      esbuild.onLoad({ filter: /.*/, namespace: "stub" }, () => ({ contents, loader: "js" }));
    },
  };
}

const loggerStub = stub(
  "@aws-lambda-powertools/logger",
  "const line = (level) => function (message, attributes) {\n" +
    "  console.log(JSON.stringify({ level, message, ...attributes }));\n" +
    "};\n" +
    "export class Logger { constructor() {} }\n" +
    "for (const level of ['debug', 'info', 'warn', 'error']) Logger.prototype[level] = line(level);",
);

interface Variant {
  readonly label: string;
  readonly settings: BuildOptions;
  /** False: the SDK's whole credential chain in the bundle, as without `CREDENTIAL_SPLIT`. */
  readonly credentialSplit?: false;
}

const VARIANTS: readonly Variant[] = [
  {
    label: "shipped: CommonJS, SDK ES builds (`module` before `main`), credential split",
    settings: {},
  },
  {
    label: "the SDK's whole credential chain in the bundle (no credential split)",
    settings: {},
    credentialSplit: false,
  },
  {
    label: "ES module",
    settings: {
      format: "esm",
      outExtension: { ".js": ".mjs" },
      // Bundled CommonJS dependencies call require(); an ES module has none of its own.
      banner: {
        js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);',
      },
    },
  },
  {
    label: "CommonJS, SDK CommonJS builds (`main` before `module`)",
    settings: { mainFields: ["main", "module"] },
  },
  { label: "no Powertools Logger (a console JSON logger)", settings: { plugins: [loggerStub] } },
  { label: "zod classic API in place of `zod/mini`", settings: { alias: { "zod/mini": "zod" } } },
];

interface Built {
  readonly label: string;
  readonly file: string;
  readonly metafile: Metafile;
}

async function bundle(entry: string, variant: Variant, outDir: string): Promise<Built> {
  const format = variant.settings.format ?? BUNDLE_SETTINGS.format;
  const file = join(
    outDir,
    `${VARIANTS.indexOf(variant)}-${entry}.${format === "esm" ? "mjs" : "cjs"}`,
  );
  const split = variant.credentialSplit === false ? {} : CREDENTIAL_SPLIT;
  const result = await build({
    ...BUNDLE_SETTINGS,
    ...split,
    ...variant.settings,
    alias: { ...split.alias, ...variant.settings.alias },
    outExtension: undefined,
    entryPoints: [join(ROOT, "functions", `${entry}.ts`)],
    outfile: file,
    absWorkingDir: ROOT,
    sourcemap: false,
    metafile: true,
  });
  return { label: variant.label, file, metafile: result.metafile };
}

// Wall and CPU time of the import, as the bench measures cold start.
const PROBE =
  "const cpu=process.cpuUsage();const t=performance.now();await import(process.argv[1]);" +
  "const u=process.cpuUsage(cpu);" +
  "console.log(JSON.stringify([performance.now()-t,(u.user+u.system)/1000]));process.exit(0)";

function importOnce(file: string): [number, number] {
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", PROBE, file], {
    env: {
      PATH: process.env.PATH ?? "",
      QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/relay.fifo",
      TWILIO_AUTH_TOKEN: LOCAL_AUTH_TOKEN,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "bench",
      AWS_SECRET_ACCESS_KEY: "bench",
    },
    encoding: "utf8",
  });
  const [wall = Number.NaN, cpu = Number.NaN] = JSON.parse(
    out.trim().split("\n").at(-1) ?? "[]",
  ) as number[];
  return [wall, cpu];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
}

/** Bytes of the bundle that come from each package, largest first. */
function bytesByPackage(metafile: Metafile): Map<string, number> {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const owner = match?.[1] ?? "(the relay's own code)";
      totals.set(owner, (totals.get(owner) ?? 0) + input.bytesInOutput);
    }
  }
  return new Map([...totals].sort((a, b) => b[1] - a[1]));
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

const outDir = mkdtempSync(join(tmpdir(), "relay-bundle-choices-"));
try {
  const built: Built[] = [];
  for (const variant of VARIANTS) built.push(await bundle("ingest", variant, outDir));
  const samples = built.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  // Interleaved, so that a busy machine slows every bundle alike.
  for (let run = 0; run < RUNS; run += 1) {
    built.forEach((bundled, index) => {
      const [wall, cpu] = importOnce(bundled.file);
      samples[index]?.wall.push(wall);
      samples[index]?.cpu.push(cpu);
    });
  }
  const shipped = samples[0] ?? { wall: [], cpu: [] };
  const ratioTo = (values: readonly number[], base: readonly number[]) =>
    median(values.map((value, run) => value / (base[run] ?? Number.NaN))).toFixed(2);
  console.log(
    `## Ingest bundle alternatives: import in a fresh Node process (median of ${RUNS})\n`,
  );
  console.log("| bundle | size | import (wall) | CPU | vs shipped, wall / CPU |");
  console.log("| --- | ---: | ---: | ---: | ---: |");
  built.forEach((bundled, index) => {
    const { wall = [], cpu = [] } = samples[index] ?? {};
    console.log(
      `| ${bundled.label} | ${kib(statSync(bundled.file).size)} | ${median(wall).toFixed(1)} ms | ` +
        `${median(cpu).toFixed(1)} ms | ${ratioTo(wall, shipped.wall)} / ${ratioTo(cpu, shipped.cpu)} |`,
    );
  });

  const consumer = await bundle("consumer", VARIANTS[0] as Variant, outDir);
  for (const shipped of [
    { name: "functions/ingest.ts", metafile: built[0]?.metafile },
    { name: "functions/consumer.ts", metafile: consumer.metafile },
  ]) {
    if (!shipped.metafile) continue;
    console.log(`\n## ${shipped.name} as shipped: bytes per package (minified, no source map)\n`);
    console.log("| package | bytes in the bundle |");
    console.log("| --- | ---: |");
    for (const [owner, bytes] of bytesByPackage(shipped.metafile)) {
      console.log(`| ${owner} | ${kib(bytes)} |`);
    }
  }
  console.log(`\nNode ${process.version}, ${new Date().toISOString()}`);
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
