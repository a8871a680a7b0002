/**
 * Entry point of the bare-SDK bundle (cold start floor): `@aws-sdk/client-sqs` and a client, as
 * any handler that publishes to SQS must load, and nothing else.
 */
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";

const client = new SQSClient({});

export const handler = async (body: string) =>
  client.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL ?? "", MessageBody: body }));
