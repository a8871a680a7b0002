/**
 * `npm run build`: one minified CommonJS bundle per `functions/*.ts`, with its source map, zipped as
 * `dist/<name>.zip` for `package.artifact` in serverless.yml. Everything the function imports is
 * bundled, `@aws-sdk/*` included, so the deployed code is exactly the pinned versions.
 */
import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { build, type BuildOptions as EsbuildOptions, type Metafile } from "esbuild";
import { FULL_CHAIN_FILE } from "../../lib/ingest/aws/credentials.ts";
import { writeZip } from "./zip.ts";

const ROOT = resolve(import.meta.dirname, "../..");

/**
 * The module that stands in for the SDK's credential chain, relative to the root, as esbuild
 * names it in a metafile.
 */
const CREDENTIALS_MODULE = "lib/ingest/aws/credentials.ts";

/** Packages that must never reach a bundle (`twilio` is the tests' signing oracle only). */
const FORBIDDEN_PACKAGES = ["twilio"] as const;

/**
 * The file Lambda loads, and so the `index.handler` handler string. CommonJS, not ESM: measured,
 * Node imports this bundle ~25 ms faster as CommonJS (an ES module is compiled whole up front,
 * and importing `node:http` from ESM loads undici). `.cjs` keeps it CommonJS wherever it is
 * unpacked, even under a `"type": "module"` package.json (serverless-offline unpacks it here).
 */
export const BUNDLE_FILE = "index.cjs";

/**
 * The esbuild settings of every function bundle, shared with `npm run bench` so that the bundles it
 * compares against are built exactly alike.
 */
export const BUNDLE_SETTINGS: EsbuildOptions = {
  bundle: true,
  platform: "node",
  target: "node24",
  format: "cjs",
  // The SDK's ES module builds tree-shake better than its CommonJS ones (718 KiB -> 451 KiB).
  mainFields: ["module", "main"],
  minify: true,
  sourcemap: "linked",
  // Stack traces need the mappings, not the sources: a third of the map's size.
  sourcesContent: false,
  logLevel: "warning",
};

/**
 * The credential split of the function bundles: the SDK clients' `defaultProvider` is the relay's
 * `lib/ingest/aws/credentials.ts` (the environment's credentials, as Lambda sets them), and the
 * SDK's whole default chain is a file of its own beside the bundle, loaded only when the
 * environment has none. Not part of {@link BUNDLE_SETTINGS}: the bench's bare SDK bundle is built
 * without it, as any handler's would be.
 */
export const CREDENTIAL_SPLIT: EsbuildOptions = {
  alias: { "@aws-sdk/credential-provider-node": join(ROOT, CREDENTIALS_MODULE) },
  external: [`./${FULL_CHAIN_FILE}`],
};

/** Bundles the SDK's whole default credential chain: the file {@link CREDENTIAL_SPLIT} loads. */
export async function buildFullCredentialChain(): Promise<Uint8Array> {
  const result = await build({
    ...BUNDLE_SETTINGS,
    stdin: {
      contents: 'export { defaultProvider } from "@aws-sdk/credential-provider-node";',
      resolveDir: ROOT,
      loader: "ts",
    },
    // SDK code only: the relay's stack traces never pass through it.
    sourcemap: false,
    write: false,
  });
  const [file] = result.outputFiles;
  if (!file) throw new Error(`esbuild did not write ${FULL_CHAIN_FILE}`);
  return file.contents;
}

export interface BuildOptions {
  /** Where bundles and zips go; default `dist/`. */
  readonly outDir?: string;
  /** Where the entry points are; default `functions/`. */
  readonly functionsDir?: string;
}

export interface BuiltFunction {
  readonly name: string;
  /** `<outDir>/<name>.zip`, holding `index.cjs` and `index.cjs.map`. */
  readonly artifact: string;
  readonly bundleBytes: number;
  readonly sourceMapBytes: number;
  readonly zipBytes: number;
  /** Every file esbuild put in the bundle, relative to the project root. */
  readonly inputs: readonly string[];
}

/** Bundles and zips every `functions/*.ts`; fails if a forbidden package is bundled. */
export async function buildFunctions(options: BuildOptions = {}): Promise<BuiltFunction[]> {
  const outDir = resolve(options.outDir ?? join(ROOT, "dist"));
  const functionsDir = resolve(options.functionsDir ?? join(ROOT, "functions"));
  const entries = (await readdir(functionsDir)).filter((file) => /^[^.].*\.ts$/.test(file)).sort();
  if (entries.length === 0) throw new Error(`no functions/*.ts in ${functionsDir}`);
  await mkdir(outDir, { recursive: true });
  const built: BuiltFunction[] = [];
  for (const entry of entries) {
    built.push(await buildFunction(join(functionsDir, entry), outDir));
  }
  return built;
}

async function buildFunction(entryPoint: string, outDir: string): Promise<BuiltFunction> {
  const name = basename(entryPoint, ".ts");
  const bundleDir = join(outDir, name);
  await rm(bundleDir, { recursive: true, force: true });
  const result = await build({
    entryPoints: [entryPoint],
    outfile: join(bundleDir, BUNDLE_FILE),
    absWorkingDir: ROOT,
    ...BUNDLE_SETTINGS,
    ...CREDENTIAL_SPLIT,
    metafile: true,
    write: false,
  });
  const inputs = Object.keys(result.metafile.inputs).sort();
  assertNoForbiddenPackages(name, result.metafile);

  const files = result.outputFiles.map((file) => ({
    name: basename(file.path),
    data: Buffer.from(file.contents),
  }));
  const bundle = files.find((file) => file.name === BUNDLE_FILE);
  const map = files.find((file) => file.name === `${BUNDLE_FILE}.map`);
  if (!bundle || !map) throw new Error(`esbuild did not write ${BUNDLE_FILE} and its map`);

  // A function whose SDK clients ask for credentials gets the full chain beside it.
  const splitFiles = inputs.includes(CREDENTIALS_MODULE)
    ? [{ name: FULL_CHAIN_FILE, data: Buffer.from(await buildFullCredentialChain()) }]
    : [];

  await mkdir(bundleDir, { recursive: true });
  for (const file of [...files, ...splitFiles])
    await writeFile(join(bundleDir, file.name), file.data);
  await writeFile(join(bundleDir, "meta.json"), JSON.stringify(result.metafile));
  const zip = await writeZip([bundle, map, ...splitFiles]);
  const artifact = join(outDir, `${name}.zip`);
  // Renamed into place, so a reader (serverless-offline, a test) never sees half a zip.
  await writeFile(`${artifact}.partial`, zip);
  await rename(`${artifact}.partial`, artifact);
  return {
    name,
    artifact,
    bundleBytes: bundle.data.length,
    sourceMapBytes: map.data.length,
    zipBytes: zip.length,
    inputs,
  };
}

function assertNoForbiddenPackages(name: string, metafile: Metafile): void {
  for (const input of Object.keys(metafile.inputs)) {
    const found = FORBIDDEN_PACKAGES.find((pkg) => input.includes(`node_modules/${pkg}/`));
    if (found) throw new Error(`${name}: package "${found}" must not be bundled (${input})`);
  }
}
