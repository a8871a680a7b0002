/**
 * The recover function's configuration (QUEUE_URL, named when wrong) and what its CloudWatch
 * metrics adapter writes: EventsRecovered and RecoveryFailures in the relay's namespace, with the
 * ingest metrics' `service` dimension.
 */
import { Metrics } from "@aws-lambda-powertools/metrics";
import { describe, expect, it } from "vitest";
import { parseRecoveryConfig } from "../../lib/ingest/config.ts";
import { ConfigError } from "../../lib/ingest/errors.ts";
import { createRecoveryCloudWatchMetrics } from "../../lib/recovery/index.ts";
import { captureOutput } from "../helpers/captured-output.ts";

describe("the recover function's configuration", () => {
  it("takes the queue URL", () => {
    // Act
    const config = parseRecoveryConfig({
      QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/123456789012/relay.fifo",
    });

    // Assess
    expect(config.queueUrl).toBe("https://sqs.eu-west-1.amazonaws.com/123456789012/relay.fifo");
  });

  it.each([
    ["missing", {}, "QUEUE_URL is required"],
    ["empty", { QUEUE_URL: "" }, "QUEUE_URL is required"],
    ["not a URL", { QUEUE_URL: "relay.fifo" }, "QUEUE_URL must be an http(s) URL"],
  ])("fails naming QUEUE_URL when it is %s", (_, env, message) => {
    // Act
    const act = () => parseRecoveryConfig(env);

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(message);
  });
});

describe("the recover function's CloudWatch metrics", () => {
  it("writes EventsRecovered and RecoveryFailures as counts, by service, in TwilioStatusRelay", () => {
    // Prepare
    const metrics = createRecoveryCloudWatchMetrics(
      new Metrics({ namespace: "TwilioStatusRelay", serviceName: "relay-dev" }),
    );
    metrics.recovered(3);
    metrics.recovered(2);
    metrics.failed(1);
    const output = captureOutput();

    // Act
    try {
      metrics.flush();
      metrics.flush();
    } finally {
      output.restore();
    }

    // Assess
    const lines = output
      .text()
      .split("\n")
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toMatchObject([
      { EventsRecovered: 5, RecoveryFailures: 1, service: "relay-dev" },
      { EventsRecovered: 0, RecoveryFailures: 0, service: "relay-dev" },
    ]);
    expect(lines[0]).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: "TwilioStatusRelay",
            Dimensions: [["service"]],
            Metrics: expect.arrayContaining([
              { Name: "EventsRecovered", Unit: "Count" },
              { Name: "RecoveryFailures", Unit: "Count" },
            ]),
          },
        ],
      },
    });
  });
});
