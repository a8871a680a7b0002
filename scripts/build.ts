/**
 * `npm run build`: one minified CommonJS bundle per `functions/*.ts`, zipped as `dist/<name>.zip`
 * (see `testing/local/build.ts`). `--out-dir DIR` writes them elsewhere.
 */
import { parseArgs } from "node:util";
import { BUNDLE_FILE, buildFunctions } from "../testing/local/build.ts";

const { values } = parseArgs({ options: { "out-dir": { type: "string" } } });

const started = performance.now();
const built = await buildFunctions(values["out-dir"] ? { outDir: values["out-dir"] } : {});
for (const fn of built) {
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  console.log(
    `${fn.name}: ${BUNDLE_FILE} ${kib(fn.bundleBytes)}, map ${kib(fn.sourceMapBytes)}, ` +
      `zip ${kib(fn.zipBytes)}, ${fn.inputs.length} inputs -> ${fn.artifact}`,
  );
}
console.log(`built ${built.length} function(s) in ${Math.round(performance.now() - started)} ms`);
