/** Lambda entry point: CloudWatch Logs subscription (`publish failed` lines) -> SQS again. */
import { recoverHandlerFromEnvironment } from "../lib/recovery/wiring.ts";

export const handler = recoverHandlerFromEnvironment();
