import { describe, expect, it } from "vitest";
import {
  BadRequestError,
  MethodNotAllowedError,
  MissingSignatureError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  SignatureMismatchError,
  UnsupportedMediaTypeError,
} from "../../lib/ingest/errors.ts";
import { acceptedResponse, errorResponse } from "../../lib/ingest/responses.ts";

describe("errorResponse", () => {
  it.each([
    [new BadRequestError(["parameter X is missing"]), 400],
    [new MissingSignatureError(), 401],
    [new SignatureMismatchError(), 403],
    [new MethodNotAllowedError("PUT"), 405],
    [new PayloadTooLargeError(65536), 413],
    [new UnsupportedMediaTypeError("text/plain"), 415],
    [new ServiceUnavailableError(), 503],
  ])("maps %s to its status with a JSON body", (error, statusCode) => {
    // Act
    const response = errorResponse(error);
    // Assess
    expect(response.statusCode).toBe(statusCode);
    expect(response.headers["content-type"]).toMatch(/^application\/json/);
    expect(JSON.parse(response.body)).toMatchObject({ error: error.name, message: error.message });
  });

  it("lists each problem of a 400", () => {
    const body = JSON.parse(errorResponse(new BadRequestError(["a", "b"])).body);
    expect(body.problems).toEqual(["a", "b"]);
  });

  it("sends Allow with a 405", () => {
    expect(errorResponse(new MethodNotAllowedError("PUT")).headers.allow).toBe("GET, POST");
  });

  it("tells a 403 caller to check the URL and the token", () => {
    const body = JSON.parse(errorResponse(new SignatureMismatchError()).body);
    expect(body.message).toMatch(/URL configured in Twilio/);
    expect(body.message).toMatch(/auth token/);
  });

  it("never leaks the cause of a 503", () => {
    const error = new ServiceUnavailableError({ cause: new Error("secret-queue-arn timeout") });
    expect(errorResponse(error).body).not.toMatch(/secret-queue-arn/);
  });

  it("answers an unexpected error with a bare 500", () => {
    const response = errorResponse(new TypeError("x is undefined at /var/task/index.mjs:1"));
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toMatch(/index\.mjs|TypeError/);
  });
});

describe("acceptedResponse", () => {
  it("answers 200 with the event id and type", () => {
    const response = acceptedResponse({ id: "abc", type: "t" });
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ id: "abc", type: "t" });
  });
});
