/** Lambda entry point: API Gateway (HTTP API or REST API) -> verify -> normalise -> SQS. */
import { ingestHandlerFromEnvironment } from "../lib/ingest/wiring.ts";

export const handler = ingestHandlerFromEnvironment();
