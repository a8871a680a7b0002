/**
 * Captures what this process writes to stdout and stderr (where Powertools Logger writes its JSON
 * lines, as in Lambda), so that tests can keep the relay's real log output in a file.
 */

export interface CapturedOutput {
  /** Everything written so far, stdout and stderr interleaved as written. */
  text(): string;
  /** Stops capturing; later writes go to the terminal again. */
  restore(): void;
}

/** Starts capturing stdout and stderr writes (they are kept, not shown). */
export function captureOutput(): CapturedOutput {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      const done = rest.find((arg) => typeof arg === "function") as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof stream.write;
  }
  return {
    text: () => chunks.join(""),
    restore() {
      streams.forEach((stream, index) => {
        const original = originals[index];
        if (original) stream.write = original;
      });
    },
  };
}
