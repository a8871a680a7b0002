/**
 * `npm run bench`: what the relay costs its users, then the relay against what a user would write
 * without it (the `twilio` package's `validateRequest` plus `@aws-sdk/client-sqs`,
 * `scripts/bench/naive-handler.ts`) and against a bare SQS client, each figure with its target:
 * C. cost per million callbacks in AWS, from the handler's own log bytes at each log level and
 *    its measured CPU and init, for both endpoints and both queue types; and the latency the
 *    handler adds to the `SendMessage` round trip into fauxqs, for a form callback (1) and a
 *    sink delivery of 10 events (5) (`scripts/bench/cost.ts`);
 * 1b-1d. CPU per valid request of other kinds, for the record, and 2. CPU to refuse a forged
 *    callback, against URLSearchParams + twilio.validateRequest (one row per case of
 *    `scripts/bench/hot-path.ts`); what a forged Event Streams delivery costs (HMACs and CPU)
 *    with 40 accounts of 5 tokens, against a malformed header (2b, 2c);
 * 3. cold start of the ingest bundle, with no flags and as deployed (serverless.yml's
 *    NODE_OPTIONS; tokens in the environment or in SSM), against the naive handler's bundle and a
 *    bare SQS client's (`scripts/bench/cold-start.ts`);
 * 4. size of the ingest bundle;
 * 6. resident memory after init and after 10,000 invocations (`scripts/bench/memory.ts`).
 * Figures vary with the machine and its load; the ratios are what to compare.
 * `RUNS` sets the cold-start runs (default 21); `scripts/bench/cost.ts` lists its own settings.
 */
import { benchColdStart } from "./bench/cold-start.ts";
import { benchCost } from "./bench/cost.ts";
import { benchForgedSinkDelivery, benchHotPath, benchSignature } from "./bench/cpu.ts";
import { benchMemory } from "./bench/memory.ts";
import { machine, printSummary } from "./bench/report.ts";

console.log(`# twilio-status-relay bench (${new Date().toISOString()})\n`);
console.log(`Node ${process.version}; ${machine()}`);
await benchCost();
benchHotPath();
benchSignature();
await benchForgedSinkDelivery();
await benchColdStart();
await benchMemory();
printSummary();
