/**
 * The serverless-offline process of `npm start`: runs the Serverless CLI (`offline start` and the
 * arguments given) in this process, and stops it when its parent goes away, however the parent
 * ended (even SIGKILL), so that no server outlives `npm start`.
 */
import { resolve } from "node:path";

const SERVERLESS_BIN = resolve(import.meta.dirname, "../../node_modules/osls/bin/serverless.js");
/** How long serverless-offline may take to stop after losing its parent. */
const ORPHAN_STOP_MS = 5_000;

if (!process.send) {
  console.error("offline-process.ts is started by npm start, with an IPC channel");
  process.exit(2);
}
// The IPC channel closes when the parent exits, for whatever reason.
process.once("disconnect", () => {
  setTimeout(() => process.exit(1), ORPHAN_STOP_MS).unref();
  process.kill(process.pid, "SIGTERM");
});
process.argv = [process.execPath, SERVERLESS_BIN, "offline", "start", ...process.argv.slice(2)];
await import(SERVERLESS_BIN);
