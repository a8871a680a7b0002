/**
 * `${file(./scripts/serverless-fragment.cjs):...}` in serverless.yml: the connection overrides of
 * the `connectionOverrides` deploy parameter, resolved when the stack is packaged, so that the
 * template holds literals and no condition.
 * - `overrides`: the value given to the function (`TWILIO_CONNECTION_OVERRIDES`), or "" when the
 *   parameter is empty or `none` (the CLI cannot pass an empty `--param`);
 * - `fragment`: what `StatusCallbackUrl` ends with, `#` and the overrides, or "".
 */
"use strict";

module.exports = async ({ resolveVariable }) => {
  const given = String((await resolveVariable("param:connectionOverrides")) ?? "").trim();
  const overrides = given === "none" ? "" : given;
  return { overrides, fragment: overrides === "" ? "" : `#${overrides}` };
};
