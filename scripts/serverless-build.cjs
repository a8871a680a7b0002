/**
 * A local Serverless Framework plugin: builds every function (`scripts/build.ts`) before
 * `sls package` and `sls deploy` package them, so `npx sls deploy` alone always uploads bundles
 * of the code as it is now, never stale or missing ones.
 */
"use strict";

class BuildFunctions {
  constructor(_serverless, _options, { log }) {
    const build = async () => {
      const { buildFunctions } = await import("../testing/local/build.ts");
      const built = await buildFunctions();
      log.notice(
        `Built ${built.map((fn) => `${fn.name} (${Math.round(fn.zipBytes / 1024)} KiB)`).join(", ")}`,
      );
    };
    this.hooks = {
      "before:package:createDeploymentArtifacts": build,
      "before:deploy:function:packageFunction": build,
    };
  }
}

module.exports = BuildFunctions;
