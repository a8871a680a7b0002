/** Entry point of the naive handler's bundle (cold start): wired from the environment. */
import { SQSClient } from "@aws-sdk/client-sqs";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { createNaiveHandler } from "./naive-handler.ts";

const client = new SQSClient({});

export const handler = createNaiveHandler({
  authToken: process.env.TWILIO_AUTH_TOKEN ?? "",
  queueUrl: process.env.QUEUE_URL ?? "",
  client,
}) satisfies (event: APIGatewayProxyEventV2) => Promise<unknown>;
