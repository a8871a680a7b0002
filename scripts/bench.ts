/**
 * `npm run bench`: the relay against what a user would write without it (the `twilio` package's
 * `validateRequest` plus `@aws-sdk/client-sqs`, `scripts/bench/naive-handler.ts`) and against a
 * bare SQS client, measured side by side in one run, each figure with its target:
 * 1. CPU per valid callback, whole hot path, against URLSearchParams + twilio.validateRequest
 *    (one row per case of `scripts/bench/hot-path.ts`; besides MediaProcessor and PlayerStreamer
 *    callbacks: a Message callback (1b), an Event Streams delivery of 10 events (1c), and a
 *    callback signed with an HMAC-SHA256 SharedKey (1d));
 * 2. CPU to refuse a forged callback, against the same; and what a forged Event Streams delivery
 *    costs (HMACs and CPU) with 40 accounts of 5 tokens, against a malformed header (2b, 2c);
 * 3. cold start of the ingest bundle, with no flags and as deployed (serverless.yml's
 *    NODE_OPTIONS; tokens in the environment or in SSM), against the naive handler's bundle and a
 *    bare SQS client's (`scripts/bench/cold-start.ts`);
 * 4. size of the ingest bundle;
 * 5. throughput and latency at concurrency 50 into fauxqs, against the naive handler
 *    (`scripts/bench/throughput.ts`);
 * 6. resident memory after init and after 10,000 invocations (`scripts/bench/memory.ts`).
 * Figures vary with the machine and its load; the ratios are what to compare.
 * `RUNS` sets the cold-start runs (default 21), `ROUNDS` the throughput rounds (default 15).
 */
import { benchColdStart } from "./bench/cold-start.ts";
import { benchForgedSinkDelivery, benchHotPath, benchSignature } from "./bench/cpu.ts";
import { benchMemory } from "./bench/memory.ts";
import { machine, printSummary } from "./bench/report.ts";
import { benchThroughput } from "./bench/throughput.ts";

console.log(`# twilio-status-relay bench (${new Date().toISOString()})\n`);
console.log(`Node ${process.version}; ${machine()}`);
benchHotPath();
benchSignature();
await benchForgedSinkDelivery();
await benchColdStart();
await benchThroughput();
await benchMemory();
printSummary();
