import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { decodeRequest } from "../../lib/ingest/decode.ts";
import {
  BadRequestError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from "../../lib/ingest/errors.ts";
import { callbackParams } from "../../testing/samples.ts";
import { formBody, signedCallback } from "../../testing/signed-callback.ts";

const OPTIONS = { maxBodyBytes: 64 * 1024 };
const API_URL = "https://abc123.execute-api.us-east-1.amazonaws.com/status-callbacks";

describe("decodeRequest", () => {
  it("decodes a base64 form body from an HTTP API event", () => {
    // Prepare
    const event = signedCallback({ base64: true });
    // Act
    const request = decodeRequest(event, OPTIONS);
    // Assess
    expect(request.method).toBe("POST");
    expect(request.url).toBe(API_URL);
    expect(request.params.get("StatusCallbackEvent")).toEqual(["media-processor-started"]);
    expect(request.signedParams).toBe(request.params);
  });

  it("decodes a plain form body as local emulators send it", () => {
    const request = decodeRequest(signedCallback({ base64: false }), OPTIONS);
    expect(request.params.get("AccountSid")).toEqual([callbackParams("stream-started").AccountSid]);
  });

  it("decodes a REST API (payload 1.0) event with its stage in the URL", () => {
    const event = signedCallback({ version: "1.0", path: "/prod/status-callbacks" });
    const request = decodeRequest(event, OPTIONS);
    expect(request.url).toBe(
      "https://abc123.execute-api.us-east-1.amazonaws.com/prod/status-callbacks",
    );
    expect(request.signature).toMatch(/=$/);
  });

  it("takes a GET's parameters from the query string and signs none besides the URL", () => {
    const request = decodeRequest(signedCallback({ method: "GET" }), OPTIONS);
    expect(request.signedParams.size).toBe(0);
    expect(request.params.get("StatusCallbackEvent")).toEqual(["media-processor-started"]);
    expect(request.url).toBe(`${API_URL}?${formBody(callbackParams("media-processor-started"))}`);
  });

  it("rebuilds a REST API GET's query string form-encoded, as Twilio sends it", () => {
    const params = { a: "x y", b: "it's (1)*" };
    const request = decodeRequest(
      signedCallback({ version: "1.0", method: "GET", params }),
      OPTIONS,
    );
    expect(request.url).toBe(
      `https://abc123.execute-api.us-east-1.amazonaws.com/status-callbacks?${formBody(params)}`,
    );
  });

  it("keeps the raw query string of the configured URL, byte for byte", () => {
    const request = decodeRequest(signedCallback({ query: "tenant=a%20b&x='1'" }), OPTIONS);
    expect(request.url).toBe(`${API_URL}?tenant=a%20b&x='1'`);
  });

  it("keeps a named stage's prefix in the path", () => {
    const request = decodeRequest(signedCallback({ path: "/dev/status-callbacks" }), OPTIONS);
    expect(request.url).toBe(
      "https://abc123.execute-api.us-east-1.amazonaws.com/dev/status-callbacks",
    );
  });

  it("uses x-forwarded-proto for the scheme", () => {
    const request = decodeRequest(
      signedCallback({ proto: "http", host: "127.0.0.1:3000" }),
      OPTIONS,
    );
    expect(request.url).toBe("http://127.0.0.1:3000/status-callbacks");
  });

  it("replaces scheme and host with PUBLIC_URL", () => {
    const request = decodeRequest(signedCallback({ query: "a=1" }), {
      ...OPTIONS,
      publicUrl: "https://hooks.example.com/twilio/",
    });
    expect(request.url).toBe("https://hooks.example.com/twilio/status-callbacks?a=1");
  });

  it("keeps repeated parameters in order", () => {
    const request = decodeRequest(signedCallback({ params: { A: ["2", "1"], B: "" } }), OPTIONS);
    expect(request.params.get("A")).toEqual(["2", "1"]);
    expect(request.params.get("B")).toEqual([""]);
  });

  it("decodes UTF-8 text in a base64 body", () => {
    const request = decodeRequest(signedCallback({ params: { Name: "Zoë 日本 😀" } }), OPTIONS);
    expect(request.params.get("Name")).toEqual(["Zoë 日本 😀"]);
  });

  it("reads the signature header whatever its case (payload 1.0)", () => {
    const event = signedCallback({ version: "1.0" });
    expect(decodeRequest(event, OPTIONS).signature).toBeDefined();
  });

  it("refuses methods other than POST and GET with 405 and an Allow header", () => {
    const attempt = () => decodeRequest(signedCallback({ method: "PUT" }), OPTIONS);
    expect(attempt).toThrow(MethodNotAllowedError);
    expect(attempt).toThrow(/POST or GET/);
  });

  it("refuses a body over the limit with 413, before decoding it", () => {
    const params = { Big: "x".repeat(64 * 1024) };
    expect(() => decodeRequest(signedCallback({ params }), OPTIONS)).toThrow(PayloadTooLargeError);
    expect(() => decodeRequest(signedCallback({ params, base64: false }), OPTIONS)).toThrow(
      PayloadTooLargeError,
    );
  });

  it("accepts a body of exactly the limit", () => {
    const body = `A=${"x".repeat(64 * 1024 - 2)}`;
    const request = decodeRequest(signedCallback({ body }), OPTIONS);
    expect(request.params.get("A")?.[0]).toHaveLength(64 * 1024 - 2);
  });

  it("refuses a POST that is not a form with 415", () => {
    const event = signedCallback({ contentType: "application/json" });
    expect(() => decodeRequest(event, OPTIONS)).toThrow(UnsupportedMediaTypeError);
  });

  it("accepts a form content type with a charset, in any case", () => {
    const event = signedCallback({
      contentType: "Application/X-WWW-Form-Urlencoded; charset=utf-8",
    });
    expect(decodeRequest(event, OPTIONS).method).toBe("POST");
  });

  it("refuses a request without a Host with 400", () => {
    const event = signedCallback() as APIGatewayProxyEventV2;
    const { host: _host, ...headers } = event.headers;
    const noHost = {
      ...event,
      headers,
      requestContext: { ...event.requestContext, domainName: "" },
    };
    expect(() => decodeRequest(noHost, OPTIONS)).toThrow(BadRequestError);
  });

  it.each([
    ["the event is not an object", null],
    ["body is not a string", { body: 42 }],
    ["isBase64Encoded is not a boolean", { isBase64Encoded: "true" }],
    ["headers holds a value that is not a string", { headers: { host: ["a", "b"] } }],
    ["requestContext.http is not an object", { requestContext: { http: "POST" } }],
    ["rawQueryString is not a string", { rawQueryString: { a: "1" } }],
  ])("refuses an event where %s with 400 naming it", (problem, change) => {
    // Prepare
    const event = change === null ? null : { ...signedCallback(), ...change };
    // Act
    const attempt = () => decodeRequest(event as never, OPTIONS);
    // Assess
    expect(attempt).toThrow(BadRequestError);
    expect(attempt).toThrow(`not an API Gateway HTTP event: ${problem}`);
  });

  it("treats a header whose value is null as absent", () => {
    // Prepare
    const event = signedCallback() as APIGatewayProxyEventV2;
    const withNull = { ...event, headers: { ...event.headers, "x-forwarded-proto": null } };
    // Act
    const request = decodeRequest(withNull as never, OPTIONS);
    // Assess
    expect(request.url).toBe(API_URL);
  });
});
