/**
 * The verifier accepts exactly what the official `twilio` package's `validateRequest` accepts,
 * over randomised requests: odd characters, repeated and empty parameters, non-ASCII text,
 * query strings, ports, normalised and legacy-encoded URLs, and tampered signatures; with
 * HMAC-SHA1 and HMAC-SHA256 (SharedKey), the `X-Twilio-Webhooks-Signature-Settings` header as
 * `getSignatureAlgorithm` reads it, and JSON bodies as `validateRequestWithBody` checks them.
 */
import { createHmac } from "node:crypto";
import { parse as parseQuery, stringify as stringifyQuery } from "node:querystring";
import twilio from "twilio";
import { describe, expect, it } from "vitest";
import { parseForm } from "../../lib/ingest/decode.ts";
import {
  bodyMatchesHash,
  hashOfAlgorithm,
  parseSignatureSettings,
  verifyTwilioSignature,
} from "../../lib/ingest/signature.ts";
import { callbackParams, SAMPLE_EVENTS } from "../../testing/samples.ts";

type OracleParams = Record<string, string | string[]>;

// A small seeded PRNG (mulberry32), so a failure can be replayed from its seed.
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  return { next, int, pick };
}

const CHARS = [
  ..."abcXYZ019-_.~",
  ..." !'()*+,;=:@$&/?#[]|^`{}<>\"\\%",
  "%20",
  "%27",
  "%2F",
  "%zz",
  "é",
  "ü",
  "日本",
  "😀",
  "\u00a0",
  "\t",
];

function text(r: ReturnType<typeof random>, max: number): string {
  let out = "";
  const length = r.int(max + 1);
  for (let i = 0; i < length; i += 1) out += r.pick(CHARS);
  return out;
}

function pathSegment(r: ReturnType<typeof random>): string {
  return text(r, 6).replace(/[?#]/g, "");
}

function randomUrl(r: ReturnType<typeof random>): string {
  const scheme = r.pick(["https://", "http://", "HTTPS://"]);
  const host = r.pick([
    "abc123.execute-api.us-east-1.amazonaws.com",
    "hooks.example.com",
    "user:pw@hooks.example.com",
    "[::1]",
    "127.0.0.1",
  ]);
  const port = r.pick(["", "", ":443", ":80", ":8443"]);
  const segments = Array.from({ length: r.int(4) }, () => pathSegment(r));
  const path = `/${segments.join("/")}`;
  const query =
    r.next() < 0.5
      ? ""
      : `?${Array.from({ length: r.int(4) }, () => `${text(r, 4).replace(/[#&=]/g, "")}=${text(r, 5).replace(/[#&]/g, "")}`).join("&")}`;
  return scheme + host + port + path + query;
}

function randomParams(r: ReturnType<typeof random>): OracleParams {
  const params: OracleParams = {};
  const names = [
    "AccountSid",
    "StatusCallbackEvent",
    "Timestamp",
    "Url",
    "Duration",
    "a",
    "A",
    "é",
    "ä",
    "x y",
    "",
  ];
  const count = r.int(7);
  for (let i = 0; i < count; i += 1) {
    const name = r.next() < 0.7 ? r.pick(names) : text(r, 4);
    const value = r.next() < 0.15 ? "" : text(r, 8);
    const existing = params[name];
    if (existing === undefined) params[name] = value;
    else
      params[name] = [
        ...(Array.isArray(existing) ? existing : [existing]),
        r.next() < 0.3 ? (Array.isArray(existing) ? (existing[0] ?? "") : existing) : value,
      ];
  }
  return params;
}

function toMap(params: OracleParams): Map<string, string[]> {
  return new Map(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
}

function oracleAccepts(
  tokens: string[],
  header: string,
  url: string,
  params: OracleParams,
): boolean {
  return tokens.some((token) => {
    try {
      return twilio.validateRequest(token, header, url, params);
    } catch {
      return false;
    }
  });
}

function addDefaultPort(url: string): string {
  return url.replace(/^(https?:\/\/[^/?#]*?)(\/|$)/i, (_, authority: string, slash: string) =>
    /:\d+$/.test(authority)
      ? authority + slash
      : `${authority}${/^https/i.test(authority) ? ":443" : ":80"}${slash}`,
  );
}

function legacyQuery(url: string): string {
  const at = url.indexOf("?");
  return at === -1 ? url : `${url.slice(0, at)}?${stringifyQuery(parseQuery(url.slice(at + 1)))}`;
}

describe("verifyTwilioSignature against twilio.validateRequest", () => {
  it("accepts exactly what the twilio package accepts over 2,400 randomised requests", () => {
    // Prepare
    const seed = 20261127;
    const r = random(seed);
    let accepted = 0;
    let rejected = 0;
    const disagreements: string[] = [];
    for (let i = 0; i < 2400; i += 1) {
      const token = createHmac("md5", String(i)).digest("hex");
      const otherToken = createHmac("md5", `other${i}`).digest("hex");
      const url = randomUrl(r);
      const params = randomParams(r);
      let signedParams = params;
      let signingToken = token;
      const variant = r.int(10);
      let signedUrl = urlVariant(url, variant);
      if (variant === 4) signingToken = otherToken;
      if (variant === 5) signedParams = { ...params, Extra: "1" };
      if (variant === 6) signedUrl = `${url}x`;
      let header = twilio.getExpectedTwilioSignature(signingToken, signedUrl, signedParams);
      if (variant === 7)
        header = header.slice(0, 10) + (header[10] === "A" ? "B" : "A") + header.slice(11);
      if (variant === 8)
        header = r.pick(["", "garbage", header.slice(0, 27), `${header} `, header.toLowerCase()]);
      const tokens = r.next() < 0.3 ? [otherToken, token] : [token];

      // Act
      const ours = verifyTwilioSignature({
        url,
        params: toMap(params),
        signature: header,
        tokens,
      }).valid;
      const theirs = oracleAccepts(tokens, header, url, params);

      // Assess (collected, so one run reports every disagreement)
      if (ours !== theirs) {
        disagreements.push(
          `#${i} seed ${seed}: ours=${ours} twilio=${theirs} url=${JSON.stringify(url)} params=${JSON.stringify(params)} header=${header}`,
        );
      }
      if (theirs) accepted += 1;
      else rejected += 1;
    }
    expect(disagreements).toEqual([]);
    expect(accepted).toBeGreaterThan(800);
    expect(rejected).toBeGreaterThan(800);
  });
});

/**
 * The URL a randomised case signs: for variants 1 to 3 a form of `url` Twilio may have signed
 * (with the default port, WHATWG-normalised, legacy query encoding); otherwise `url` itself.
 */
function urlVariant(url: string, variant: number): string {
  try {
    if (variant === 1) return addDefaultPort(url);
    if (variant === 2) return new URL(url).toString();
    if (variant === 3) return legacyQuery(new URL(url).toString());
  } catch {
    // A URL the WHATWG parser refuses is signed as sent.
  }
  return url;
}

function tamper(header: string): string {
  return header.slice(0, 10) + (header[10] === "A" ? "B" : "A") + header.slice(11);
}

describe("verifyTwilioSignature with a SharedKey against twilio.validateRequest(..., algorithm)", () => {
  it("accepts exactly what the twilio package accepts over 2,400 randomised requests, SHA-256 and SHA-1", () => {
    // Prepare
    const seed = 20261202;
    const r = random(seed);
    let accepted = 0;
    let rejected = 0;
    const disagreements: string[] = [];
    for (let i = 0; i < 2400; i += 1) {
      const secret = r.next() < 0.5 ? createHmac("md5", String(i)).digest("base64") : text(r, 40);
      const otherSecret = createHmac("md5", `other${i}`).digest("hex");
      const algorithm = r.next() < 0.75 ? r.pick(["HMAC_SHA256", "hmac_sha256"]) : "HMAC_SHA1";
      const url = randomUrl(r);
      const params = randomParams(r);
      let signingSecret = secret;
      let signingAlgorithm = algorithm;
      const variant = r.int(10);
      let signedUrl = urlVariant(url, variant);
      if (variant === 4) signingSecret = otherSecret;
      if (variant === 5) signingAlgorithm = algorithm === "HMAC_SHA1" ? "HMAC_SHA256" : "HMAC_SHA1";
      if (variant === 6) signedUrl = `${url}x`;
      let header = twilio.getExpectedTwilioSignature(
        signingSecret,
        signedUrl,
        params,
        signingAlgorithm,
      );
      if (variant === 7) header = tamper(header);
      if (variant === 8) header = r.pick(["", header.slice(0, 43), `${header} `, header.slice(1)]);
      const secrets = r.next() < 0.3 ? [otherSecret, secret] : [secret];
      const hash = hashOfAlgorithm(algorithm);

      // Act
      const ours =
        hash !== undefined &&
        verifyTwilioSignature({
          url,
          params: toMap(params),
          signature: header,
          tokens: secrets,
          algorithm: hash,
        }).valid;
      const theirs = secrets.some((s) => {
        try {
          return twilio.validateRequest(s, header, url, params, algorithm);
        } catch {
          return false;
        }
      });

      // Assess
      if (ours !== theirs) {
        disagreements.push(
          `#${i} seed ${seed}: ours=${ours} twilio=${theirs} alg=${algorithm} url=${JSON.stringify(url)} header=${header}`,
        );
      }
      if (theirs) accepted += 1;
      else rejected += 1;
    }
    expect(disagreements).toEqual([]);
    expect(accepted).toBeGreaterThan(800);
    expect(rejected).toBeGreaterThan(800);
  });
});

describe("parseSignatureSettings against twilio.getSignatureAlgorithm", () => {
  it("reads the same algorithm from 2,000 randomised headers, and supports exactly what twilio signs with", () => {
    // Prepare
    const r = random(7);
    const parts = [
      "key=webhooks_sharedkey_1",
      "algorithm=HMAC_SHA256",
      "algorithm=HMAC_SHA1",
      "algorithm=hmac_sha256",
      "algorithm=HMAC_SHA512",
      "algorithm=",
      " algorithm = HMAC_SHA256 ",
      "Algorithm=HMAC_SHA256",
      "algorithm",
      "=",
      "",
      "key=",
      "x=y",
      "algorithm=a=b",
    ];
    const disagreements: string[] = [];
    for (let i = 0; i < 2000; i += 1) {
      const header = Array.from({ length: r.int(4) + 1 }, () => r.pick(parts)).join(
        r.pick([",", ", "]),
      );

      // Act
      const ours = parseSignatureSettings(header).algorithm;
      const theirs = twilio.getSignatureAlgorithm(header);
      let twilioSupports = true;
      try {
        twilio.getExpectedTwilioSignature("secret", "https://h.example/", {}, theirs);
      } catch {
        twilioSupports = false;
      }

      // Assess
      if (ours !== theirs || (hashOfAlgorithm(ours) !== undefined) !== twilioSupports) {
        disagreements.push(`${JSON.stringify(header)}: ours=${ours} twilio=${theirs}`);
      }
    }
    expect(disagreements).toEqual([]);
  });
});

function randomBody(r: ReturnType<typeof random>): string {
  const events = Array.from({ length: r.int(4) }, (_, i) => ({
    specversion: "1.0",
    id: `EZ${i}${text(r, 6)}`,
    type: "com.twilio.messaging.message.delivered",
    source: text(r, 10),
    data: { body: text(r, 20), n: r.int(1000) },
  }));
  return r.next() < 0.2 ? text(r, 30) : JSON.stringify(events, null, r.pick([0, 2]));
}

describe("a JSON delivery against twilio.validateRequestWithBody", () => {
  it("accepts exactly what the twilio package accepts over 2,000 randomised deliveries", () => {
    // Prepare
    const seed = 5021;
    const r = random(seed);
    let accepted = 0;
    let rejected = 0;
    const disagreements: string[] = [];
    for (let i = 0; i < 2000; i += 1) {
      const secret = createHmac("md5", String(i)).digest("hex");
      const algorithm = r.pick(["HMAC_SHA1", "HMAC_SHA256"]);
      const body = randomBody(r);
      let hash = twilio.getExpectedBodyHash(body);
      const variant = r.int(8);
      if (variant === 1) hash = hash.toUpperCase();
      if (variant === 2) hash = hash.slice(1);
      if (variant === 3) hash = twilio.getExpectedBodyHash(`${body} `);
      const base = randomUrl(r);
      const url = `${base}${base.includes("?") ? "&" : "?"}bodySHA256=${hash}`;
      let header = twilio.getExpectedTwilioSignature(secret, url, {}, algorithm);
      if (variant === 4) header = tamper(header);
      const sentBody = variant === 5 ? `${body}\n` : body;

      // Act
      const query = url.slice(url.indexOf("?") + 1).replace(/#.*$/, "");
      const bodySha256 = parseForm(query).get("bodySHA256")?.[0] ?? "";
      const hashName = hashOfAlgorithm(algorithm) ?? "sha1";
      const ours =
        verifyTwilioSignature({
          url,
          params: new Map(),
          signature: header,
          tokens: [secret],
          algorithm: hashName,
        }).valid && bodyMatchesHash(Buffer.from(sentBody, "utf8"), bodySha256);
      let theirs: boolean;
      try {
        theirs = twilio.validateRequestWithBody(secret, header, url, sentBody, algorithm);
      } catch {
        theirs = false;
      }

      // Assess
      if (ours !== theirs) {
        disagreements.push(
          `#${i} seed ${seed}: ours=${ours} twilio=${theirs} url=${JSON.stringify(url)} body=${JSON.stringify(sentBody)}`,
        );
      }
      if (theirs) accepted += 1;
      else rejected += 1;
    }
    expect(disagreements).toEqual([]);
    expect(accepted).toBeGreaterThan(500);
    expect(rejected).toBeGreaterThan(500);
  });
});

describe("verifyTwilioSignature against twilio.validateRequest, on every resource's callbacks", () => {
  const url = "https://abc123.execute-api.us-east-1.amazonaws.com/status-callbacks?tenant=a+b";
  const token = "0123456789abcdef0123456789abcdef";
  // Shapes Twilio sends: a name repeated (as Conversations repeats some), empty values, and `+`
  // in phone numbers, which a form decoder must not turn into a space.
  const shapes: Array<[string, (params: OracleParams) => OracleParams]> = [
    ["as sampled", (params) => params],
    [
      "with a repeated name",
      (params) => ({ ...params, Attributes: ['{"a":1}', '{"b":2}', '{"a":1}'] }),
    ],
    ["with empty values", (params) => ({ ...params, ToZip: "", Extra: ["", ""] })],
    [
      "with + in phone numbers",
      (params) => ({ ...params, From: "+14155238886", To: "whatsapp:+15558675310" }),
    ],
  ];

  it.each(
    SAMPLE_EVENTS.flatMap((event) =>
      shapes.map(([shape, change]) => [event.name, shape, change] as const),
    ),
  )("agrees on %s %s, signed and tampered", (name, _, change) => {
    // Prepare
    const params = change(callbackParams(name));
    const header = twilio.getExpectedTwilioSignature(token, url, params);
    const plusAsSpace = Object.fromEntries(
      Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v : v.replaceAll("+", " ")]),
    );
    const cases: Array<[OracleParams, string]> = [
      [params, header],
      [{ ...params, Injected: "1" }, header],
      [plusAsSpace, header],
    ];
    for (const [sent, signature] of cases) {
      // Act
      const ours = verifyTwilioSignature({ url, params: toMap(sent), signature, tokens: [token] });
      // Assess
      expect(ours.valid).toBe(oracleAccepts([token], signature, url, sent));
    }
    expect(
      verifyTwilioSignature({ url, params: toMap(params), signature: header, tokens: [token] })
        .valid,
    ).toBe(true);
  });
});
