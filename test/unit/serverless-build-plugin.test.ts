import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);

describe("the serverless build plugin", () => {
  it("builds the functions before sls package and sls deploy package them", () => {
    // Prepare
    const Plugin = require("../../scripts/serverless-build.cjs") as new (
      serverless: unknown,
      options: unknown,
      utils: { log: { notice(message: string): void } },
    ) => { hooks: Record<string, () => Promise<void>> };

    // Act
    const plugin = new Plugin({}, {}, { log: { notice: () => undefined } });

    // Assess
    expect(Object.keys(plugin.hooks).sort()).toEqual([
      "before:deploy:function:packageFunction",
      "before:package:createDeploymentArtifacts",
    ]);
  });
});
