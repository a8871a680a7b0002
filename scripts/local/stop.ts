/**
 * How `npm start` and `npm run sqs` learn that they should stop: SIGINT (Ctrl-C), SIGTERM, SIGHUP
 * (a closed terminal), to this process or its process group, or forwarded by npm; or npm going
 * away without a word (npm does not forward SIGHUP and dies of it, and SIGKILL forwards nothing).
 */

/** How often the parent is checked; a system call each time. */
const PARENT_CHECK_MS = 500;

/**
 * Calls `stop` once, with the reason, at the first request to stop. Listens from the moment it
 * is called, so that a request during start-up is not the default death by signal, which
 * would leave child processes to notice on their own.
 */
export function onStopRequest(stop: (why: string) => void): void {
  let requested = false;
  const request = (why: string) => {
    if (requested) return;
    requested = true;
    stop(why);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => request(signal));
  }
  // `npm start` runs as `exec node ...`: this process is npm's child, re-parented when npm dies.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) request("its parent process is gone");
  }, PARENT_CHECK_MS).unref();
}
