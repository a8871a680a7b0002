/**
 * A local stand-in for the parts of Twilio's REST API `npm run connect` uses, implemented as the
 * `twilio` package's pluggable HTTP client (`request(opts)` -> `{statusCode, body, headers}`), so
 * that the real package builds every request. It checks each one as Twilio's API would (host,
 * method, path, Basic auth of an account or one of its API keys, the form fields the API
 * documents), keeps state (Messaging Services, incoming numbers, sinks, subscriptions), and
 * answers with Twilio's JSON shapes and error shapes (`{code, message, more_info, status}`).
 * Its sink test sends a real Event Streams delivery, signed with the account's auth token as
 * Twilio signs it, to the sink's destination. Shapes: github.com/twilio/twilio-oai,
 * spec/json/twilio_api_v2010.json, twilio_messaging_v1.json, twilio_events_v1.json.
 */
import { randomBytes } from "node:crypto";
import twilio from "twilio";
import type { TwilioHttpRequest, TwilioHttpResponse } from "../../lib/connect/index.ts";
import { sinkTestEvent, withBodyHash } from "../../testing/event-streams.ts";

export interface StandInAccount {
  readonly sid: string;
  readonly authToken: string;
  /** Its parent's SID; its own for a main account. */
  readonly ownerAccountSid: string;
  readonly friendlyName: string;
  /** API key SID -> secret. */
  readonly apiKeys: Record<string, string>;
}

export interface StandInService {
  sid: string;
  accountSid: string;
  friendlyName: string;
  statusCallback: string | null;
}

export interface StandInNumber {
  sid: string;
  accountSid: string;
  phoneNumber: string;
  statusCallback: string;
  statusCallbackMethod: string;
}

export interface StandInSink {
  sid: string;
  accountSid: string;
  description: string;
  sinkType: string;
  status: string;
  sinkConfiguration: Record<string, unknown>;
}

export interface StandInSubscription {
  sid: string;
  accountSid: string;
  sinkSid: string;
  description: string;
  types: { type: string; schema_version: number }[];
}

/** A request as received: what a test can assert on. */
export interface SeenRequest {
  readonly method: string;
  readonly host: string;
  readonly path: string;
  readonly form: URLSearchParams;
  readonly username: string;
  readonly status: number;
}

/** What the sink test sent to the destination, and what the destination answered. */
export interface SinkDelivery {
  readonly url: string;
  readonly body: string;
  readonly status: number;
  readonly answer: string;
}

/** Event types the stand-in offers (`GET /v1/Types`): some of Twilio's, one deprecated. */
export const STAND_IN_EVENT_TYPES: readonly { type: string; status: string }[] = [
  { type: "com.twilio.messaging.message.queued", status: "available" },
  { type: "com.twilio.messaging.message.sent", status: "available" },
  { type: "com.twilio.messaging.message.delivered", status: "available" },
  { type: "com.twilio.messaging.message.failed", status: "available" },
  { type: "com.twilio.messaging.message.undelivered", status: "available" },
  { type: "com.twilio.messaging.inbound-message.received", status: "available" },
  { type: "com.twilio.messaging.message.read", status: "deprecated" },
  { type: "com.twilio.voice.status-callback.call.initiated", status: "available" },
  { type: "com.twilio.voice.status-callback.call.ringing", status: "available" },
  { type: "com.twilio.voice.status-callback.call.answered", status: "available" },
  { type: "com.twilio.voice.status-callback.call.completed", status: "available" },
  { type: "com.twilio.eventstreams.test-event", status: "available" },
];

const HOSTS = ["api.twilio.com", "messaging.twilio.com", "events.twilio.com"];

/** Form fields each writing endpoint documents (the create/update request schemas). */
const FIELDS = {
  service: [
    "FriendlyName",
    "InboundRequestUrl",
    "InboundMethod",
    "FallbackUrl",
    "FallbackMethod",
    "StatusCallback",
    "StickySender",
    "MmsConverter",
    "SmartEncoding",
    "ScanMessageContent",
    "FallbackToLongCode",
    "AreaCodeGeomatch",
    "ValidityPeriod",
    "SynchronousValidation",
    "Usecase",
    "UseInboundWebhookOnNumber",
  ],
  number: [
    "AccountSid",
    "ApiVersion",
    "FriendlyName",
    "SmsApplicationSid",
    "SmsFallbackMethod",
    "SmsFallbackUrl",
    "SmsMethod",
    "SmsUrl",
    "StatusCallback",
    "StatusCallbackMethod",
    "VoiceApplicationSid",
    "VoiceCallerIdLookup",
    "VoiceFallbackMethod",
    "VoiceFallbackUrl",
    "VoiceMethod",
    "VoiceUrl",
    "EmergencyStatus",
    "EmergencyAddressSid",
    "TrunkSid",
    "VoiceReceiveMode",
    "IdentitySid",
    "AddressSid",
    "BundleSid",
  ],
  sink: ["Description", "SinkConfiguration", "SinkType"],
  subscription: ["Description", "SinkSid", "Types"],
  subscribedEvent: ["Type", "SchemaVersion"],
} as const;

class ApiError extends Error {
  readonly status: number;
  readonly code: number;
  constructor(status: number, code: number, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function sid(prefix: string): string {
  return `${prefix}${randomBytes(16).toString("hex")}`;
}

/** The stand-in: give `httpClient` to `createTwilioPort`; inspect and seed the state. */
export class TwilioApiStandIn {
  readonly accounts = new Map<string, StandInAccount>();
  readonly services = new Map<string, StandInService>();
  readonly numbers = new Map<string, StandInNumber>();
  readonly sinks = new Map<string, StandInSink>();
  readonly subscriptions = new Map<string, StandInSubscription>();
  readonly eventTypes = [...STAND_IN_EVENT_TYPES];
  readonly requests: SeenRequest[] = [];
  readonly deliveries: Promise<SinkDelivery>[] = [];
  private rateLimited: { count: number; retryAfter?: string } = { count: 0 };

  /** The `twilio` package's `httpClient`. */
  readonly httpClient = {
    request: (options: TwilioHttpRequest): Promise<TwilioHttpResponse> => this.handle(options),
  };

  addAccount(account: Partial<StandInAccount> = {}): StandInAccount {
    const accountSid = account.sid ?? sid("AC");
    const added: StandInAccount = {
      sid: accountSid,
      authToken: account.authToken ?? randomBytes(16).toString("hex"),
      ownerAccountSid: account.ownerAccountSid ?? accountSid,
      friendlyName: account.friendlyName ?? "My account",
      apiKeys: account.apiKeys ?? {},
    };
    this.accounts.set(added.sid, added);
    return added;
  }

  addService(accountSid: string, friendlyName: string, statusCallback: string | null = null) {
    const service = { sid: sid("MG"), accountSid, friendlyName, statusCallback };
    this.services.set(service.sid, service);
    return service;
  }

  addNumber(accountSid: string, phoneNumber: string, statusCallback = "", method = "POST") {
    const number = {
      sid: sid("PN"),
      accountSid,
      phoneNumber,
      statusCallback,
      statusCallbackMethod: method,
    };
    this.numbers.set(number.sid, number);
    return number;
  }

  /** The next `count` requests are answered 429 (with `Retry-After: retryAfter` if given). */
  rateLimit(count: number, retryAfter?: string): void {
    this.rateLimited = { count, ...(retryAfter === undefined ? {} : { retryAfter }) };
  }

  /** Requests that change something (POST, DELETE), sink tests excepted. */
  writes(): SeenRequest[] {
    return this.requests.filter(
      (r) => r.method !== "GET" && !r.path.endsWith("/Test") && r.status < 400,
    );
  }

  private async handle(options: TwilioHttpRequest): Promise<TwilioHttpResponse> {
    const url = new URL(options.uri);
    const method = options.method.toUpperCase();
    const form = formOf(options.data);
    const query = new URLSearchParams(url.search);
    for (const [name, values] of Object.entries(formOf(options.params))) {
      for (const value of values) query.append(name, value);
    }
    let status = 500;
    try {
      const answer = this.route(method, url, query, form, options);
      status = answer.status;
      return {
        statusCode: answer.status,
        body: answer.body === undefined ? "" : JSON.stringify(answer.body),
        headers: { "content-type": "application/json; charset=utf-8" },
      };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      status = error.status;
      const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8" };
      if (error.status === 429 && this.lastRetryAfter !== undefined) {
        headers["retry-after"] = this.lastRetryAfter;
      }
      return {
        statusCode: error.status,
        body: JSON.stringify({
          code: error.code,
          message: error.message,
          ...(error.code === 20003
            ? { detail: "Your AccountSid or AuthToken was incorrect." }
            : {}),
          more_info: `https://www.twilio.com/docs/errors/${error.code}`,
          status: error.status,
        }),
        headers,
      };
    } finally {
      this.requests.push({
        method,
        host: url.hostname,
        path: url.pathname,
        form: new URLSearchParams(
          Object.entries(form).flatMap(([k, v]) => v.map((x): [string, string] => [k, x])),
        ),
        username: options.username ?? "",
        status,
      });
    }
  }

  private lastRetryAfter: string | undefined;

  private route(
    method: string,
    url: URL,
    query: URLSearchParams,
    form: Record<string, string[]>,
    options: TwilioHttpRequest,
  ): { status: number; body?: unknown } {
    if (!HOSTS.includes(url.hostname)) throw new Error(`stand-in: request to ${url.hostname}`);
    if (url.protocol !== "https:") throw new Error(`stand-in: ${url.protocol} request`);
    if (this.rateLimited.count > 0) {
      this.rateLimited.count -= 1;
      this.lastRetryAfter = this.rateLimited.retryAfter;
      throw new ApiError(429, 20429, "Too Many Requests");
    }
    const account = this.authenticate(options);
    if (method === "POST") {
      const type = options.headers?.["Content-Type"];
      if (type !== "application/x-www-form-urlencoded") {
        throw new ApiError(400, 20001, `unexpected Content-Type ${type}`);
      }
    }
    const path = url.pathname;
    const notFound = () => new ApiError(404, 20404, `The requested resource ${path} was not found`);
    let m: RegExpExecArray | null;

    if (url.hostname === "api.twilio.com") {
      m = /^\/2010-04-01\/Accounts\/(AC\w{32})(\/.*)?\.json$/.exec(path);
      if (!m || m[1] !== account.sid) throw notFound();
      const rest = m[2] ?? "";
      if (rest === "" && method === "GET") return ok(accountJson(account));
      if (rest === "/IncomingPhoneNumbers" && method === "GET") {
        const wanted = query.get("PhoneNumber");
        const list = [...this.numbers.values()].filter(
          (n) => n.accountSid === account.sid && (wanted === null || n.phoneNumber === wanted),
        );
        return ok({
          incoming_phone_numbers: list.map(numberJson),
          end: Math.max(0, list.length - 1),
          first_page_uri: `${path}?PageSize=50&Page=0`,
          next_page_uri: null,
          page: 0,
          page_size: 50,
          previous_page_uri: null,
          start: 0,
          uri: `${path}?PageSize=50&Page=0`,
        });
      }
      m = /^\/IncomingPhoneNumbers\/(PN\w{32})$/.exec(rest);
      const number = m ? this.numbers.get(m[1] ?? "") : undefined;
      if (!number || number.accountSid !== account.sid) throw notFound();
      if (method === "GET") return ok(numberJson(number));
      if (method === "POST") {
        allowOnly(form, FIELDS.number);
        const callback = one(form, "StatusCallback");
        const callbackMethod = one(form, "StatusCallbackMethod");
        if (callback !== undefined) number.statusCallback = validUrl(callback, "StatusCallback");
        if (callbackMethod !== undefined) {
          if (!["GET", "POST"].includes(callbackMethod.toUpperCase())) {
            throw new ApiError(400, 21603, "StatusCallbackMethod must be GET or POST");
          }
          number.statusCallbackMethod = callbackMethod.toUpperCase();
        }
        return ok(numberJson(number));
      }
      throw new ApiError(405, 20004, "Method not allowed");
    }

    if (url.hostname === "messaging.twilio.com") {
      if (path === "/v1/Services" && method === "GET") {
        const list = [...this.services.values()].filter((s) => s.accountSid === account.sid);
        return ok({ services: list.map(serviceJson), meta: meta("services", url) });
      }
      m = /^\/v1\/Services\/(MG\w{32})$/.exec(path);
      const service = m ? this.services.get(m[1] ?? "") : undefined;
      if (!service || service.accountSid !== account.sid) throw notFound();
      if (method === "GET") return ok(serviceJson(service));
      if (method === "POST") {
        allowOnly(form, FIELDS.service);
        const callback = one(form, "StatusCallback");
        if (callback !== undefined) {
          service.statusCallback = callback === "" ? null : validUrl(callback, "StatusCallback");
        }
        return ok(serviceJson(service));
      }
      throw new ApiError(405, 20004, "Method not allowed");
    }

    // events.twilio.com
    if (path === "/v1/Types" && method === "GET") {
      return ok({
        types: this.eventTypes.map((t) => ({
          type: t.type,
          schema_id: "Stand.In",
          status: t.status,
          description: t.type,
          documentation_url: null,
          date_created: "2020-08-13T13:28:20Z",
          date_updated: "2020-08-13T13:28:20Z",
          url: `https://events.twilio.com/v1/Types/${t.type}`,
          links: {},
        })),
        meta: meta("types", url),
      });
    }
    if (path === "/v1/Sinks") {
      if (method === "GET") {
        const list = [...this.sinks.values()].filter((s) => s.accountSid === account.sid);
        return ok({ sinks: list.map(sinkJson), meta: meta("sinks", url) });
      }
      if (method === "POST") {
        allowOnly(form, FIELDS.sink);
        const description = required(form, "Description");
        const sinkType = required(form, "SinkType");
        if (!["kinesis", "webhook", "segment", "email"].includes(sinkType)) {
          throw new ApiError(400, 20001, `Invalid SinkType ${sinkType}`);
        }
        let configuration: Record<string, unknown>;
        try {
          configuration = JSON.parse(required(form, "SinkConfiguration"));
        } catch {
          throw new ApiError(400, 20001, "SinkConfiguration is not valid JSON");
        }
        if (sinkType === "webhook") {
          validUrl(String(configuration.destination ?? ""), "destination");
          if (!["GET", "POST"].includes(String(configuration.method ?? "").toUpperCase())) {
            throw new ApiError(400, 20001, "sink method must be GET or POST");
          }
        }
        const sink: StandInSink = {
          sid: sid("DG"),
          accountSid: account.sid,
          description,
          sinkType,
          // A webhook sink is active at once (the spec's example shows it so).
          status: sinkType === "webhook" ? "active" : "initialized",
          sinkConfiguration: configuration,
        };
        this.sinks.set(sink.sid, sink);
        return { status: 201, body: sinkJson(sink) };
      }
    }
    m = /^\/v1\/Sinks\/(DG\w{32})(\/Test)?$/.exec(path);
    if (m) {
      const sink = this.sinks.get(m[1] ?? "");
      if (!sink || sink.accountSid !== account.sid) throw notFound();
      if (m[2] === "/Test" && method === "POST") {
        this.deliveries.push(this.sendTestEvent(sink, account));
        return ok({ result: "submitted" });
      }
      if (m[2] === undefined && method === "GET") return ok(sinkJson(sink));
      if (m[2] === undefined && method === "DELETE") {
        this.sinks.delete(sink.sid);
        return { status: 204 };
      }
      throw new ApiError(405, 20004, "Method not allowed");
    }
    if (path === "/v1/Subscriptions") {
      if (method === "GET") {
        const sinkSid = query.get("SinkSid");
        const list = [...this.subscriptions.values()].filter(
          (s) => s.accountSid === account.sid && (sinkSid === null || s.sinkSid === sinkSid),
        );
        return ok({ subscriptions: list.map(subscriptionJson), meta: meta("subscriptions", url) });
      }
      if (method === "POST") {
        allowOnly(form, FIELDS.subscription);
        const description = required(form, "Description");
        const sinkSid = required(form, "SinkSid");
        const sink = this.sinks.get(sinkSid);
        if (!sink || sink.accountSid !== account.sid) throw notFound();
        if (sink.status !== "active") {
          throw new ApiError(400, 20001, "Sink must be active for the subscription to be created");
        }
        const types = (form.Types ?? []).map((text) => {
          let parsed: { type?: unknown; schema_version?: unknown };
          try {
            parsed = JSON.parse(text);
          } catch {
            throw new ApiError(400, 20001, `Types entry is not JSON: ${text}`);
          }
          return this.subscribedType(String(parsed.type ?? ""), parsed.schema_version);
        });
        if (types.length === 0) throw new ApiError(400, 20001, "Missing required parameter Types");
        const subscription: StandInSubscription = {
          sid: sid("DF"),
          accountSid: account.sid,
          sinkSid,
          description,
          types,
        };
        this.subscriptions.set(subscription.sid, subscription);
        return { status: 201, body: subscriptionJson(subscription) };
      }
    }
    m = /^\/v1\/Subscriptions\/(DF\w{32})(\/SubscribedEvents)?(?:\/([^/]+))?$/.exec(path);
    if (m) {
      const subscription = this.subscriptions.get(m[1] ?? "");
      if (!subscription || subscription.accountSid !== account.sid) throw notFound();
      if (m[2] === undefined && m[3] === undefined) {
        if (method === "GET") return ok(subscriptionJson(subscription));
        if (method === "DELETE") {
          this.subscriptions.delete(subscription.sid);
          return { status: 204 };
        }
      }
      if (m[2] !== undefined && m[3] === undefined) {
        if (method === "GET") {
          return ok({
            types: subscription.types.map((t) => subscribedEventJson(subscription, t)),
            meta: meta("types", url),
          });
        }
        if (method === "POST") {
          allowOnly(form, FIELDS.subscribedEvent);
          const entry = this.subscribedType(
            required(form, "Type"),
            one(form, "SchemaVersion") === undefined
              ? undefined
              : Number(one(form, "SchemaVersion")),
          );
          if (subscription.types.some((t) => t.type === entry.type)) {
            throw new ApiError(409, 20001, `${entry.type} is subscribed already`);
          }
          subscription.types.push(entry);
          return ok(subscribedEventJson(subscription, entry));
        }
      }
      if (m[2] !== undefined && m[3] !== undefined && method === "DELETE") {
        const type = decodeURIComponent(m[3]);
        const before = subscription.types.length;
        subscription.types = subscription.types.filter((t) => t.type !== type);
        if (subscription.types.length === before) throw notFound();
        return { status: 204 };
      }
      throw new ApiError(405, 20004, "Method not allowed");
    }
    throw notFound();
  }

  private subscribedType(type: string, schemaVersion: unknown) {
    if (!this.eventTypes.some((t) => t.type === type)) {
      throw new ApiError(400, 20001, `Invalid event type ${type}`);
    }
    return { type, schema_version: typeof schemaVersion === "number" ? schemaVersion : 1 };
  }

  private authenticate(options: TwilioHttpRequest): StandInAccount {
    const username = options.username ?? "";
    const password = options.password ?? "";
    const refused = new ApiError(401, 20003, "Authenticate");
    if (username.startsWith("AC")) {
      const account = this.accounts.get(username);
      if (!account || account.authToken !== password) throw refused;
      return account;
    }
    for (const account of this.accounts.values()) {
      if (Object.hasOwn(account.apiKeys, username) && account.apiKeys[username] === password) {
        return account;
      }
    }
    throw refused;
  }

  /** What Event Streams does for a sink test: one test event, signed, POSTed to the destination. */
  private async sendTestEvent(sink: StandInSink, account: StandInAccount): Promise<SinkDelivery> {
    const destination = String(sink.sinkConfiguration.destination);
    const events = [sinkTestEvent({ accountSid: account.sid })];
    const body = JSON.stringify(sink.sinkConfiguration.batch_events === false ? events[0] : events);
    const url = withBodyHash(destination, body);
    const signature = twilio.getExpectedTwilioSignature(account.authToken, url, {});
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "Twilio-EventStreams/1.0 (stand-in)",
          "x-twilio-signature": signature,
        },
        body,
      });
      return { url, body, status: response.status, answer: await response.text() };
    } catch (error) {
      // As Event Streams does, a delivery that cannot be made is noted, not thrown at the caller.
      return { url, body, status: 0, answer: String((error as Error).cause ?? error) };
    }
  }
}

function ok(body: unknown) {
  return { status: 200, body };
}

/** The form as the `twilio` package's RequestClient encodes it (arrays as repeated fields). */
function formOf(data: object | undefined): Record<string, string[]> {
  const form: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(data ?? {})) {
    if (value === undefined) continue;
    form[name] = (Array.isArray(value) ? value : [value]).map(String);
  }
  return form;
}

function allowOnly(form: Record<string, string[]>, fields: readonly string[]): void {
  for (const name of Object.keys(form)) {
    if (!fields.includes(name)) throw new ApiError(400, 20001, `Unknown parameter ${name}`);
  }
}

function one(form: Record<string, string[]>, name: string): string | undefined {
  const values = form[name];
  if (values === undefined) return undefined;
  if (values.length !== 1) throw new ApiError(400, 20001, `${name} given ${values.length} times`);
  return values[0];
}

function required(form: Record<string, string[]>, name: string): string {
  const value = one(form, name);
  if (value === undefined || value === "") {
    throw new ApiError(400, 20001, `Missing required parameter ${name} in the post body`);
  }
  return value;
}

function validUrl(value: string, name: string): string {
  if (value === "") return value;
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new ApiError(400, 21609, `Invalid ${name}: ${value}`);
  }
  return value;
}

function meta(key: string, url: URL) {
  const page = `${url.origin}${url.pathname}?PageSize=50&Page=0`;
  return {
    page: 0,
    page_size: 50,
    first_page_url: page,
    previous_page_url: null,
    url: page,
    next_page_url: null,
    key,
  };
}

function accountJson(account: StandInAccount) {
  return {
    sid: account.sid,
    owner_account_sid: account.ownerAccountSid,
    friendly_name: account.friendlyName,
    // Twilio's account resource carries the auth token: connect must never print it.
    auth_token: account.authToken,
    status: "active",
    type: "Full",
    date_created: "Thu, 30 Jul 2015 20:00:00 +0000",
    date_updated: "Thu, 30 Jul 2015 20:00:00 +0000",
    uri: `/2010-04-01/Accounts/${account.sid}.json`,
    subresource_uris: {},
  };
}

function serviceJson(service: StandInService) {
  return {
    account_sid: service.accountSid,
    sid: service.sid,
    friendly_name: service.friendlyName,
    status_callback: service.statusCallback,
    inbound_request_url: null,
    inbound_method: "POST",
    fallback_url: null,
    fallback_method: "POST",
    sticky_sender: true,
    date_created: "2015-07-30T20:12:31Z",
    date_updated: "2015-07-30T20:12:33Z",
    url: `https://messaging.twilio.com/v1/Services/${service.sid}`,
    links: {},
  };
}

function numberJson(number: StandInNumber) {
  return {
    account_sid: number.accountSid,
    sid: number.sid,
    phone_number: number.phoneNumber,
    friendly_name: number.phoneNumber,
    status_callback: number.statusCallback,
    status_callback_method: number.statusCallbackMethod,
    voice_url: null,
    voice_method: "POST",
    capabilities: { voice: true, sms: true, mms: true, fax: false },
    api_version: "2010-04-01",
    date_created: "Thu, 30 Jul 2015 23:19:04 +0000",
    date_updated: "Thu, 30 Jul 2015 23:19:04 +0000",
    uri: `/2010-04-01/Accounts/${number.accountSid}/IncomingPhoneNumbers/${number.sid}.json`,
  };
}

function sinkJson(sink: StandInSink) {
  const url = `https://events.twilio.com/v1/Sinks/${sink.sid}`;
  return {
    sid: sink.sid,
    description: sink.description,
    sink_type: sink.sinkType,
    status: sink.status,
    sink_configuration: sink.sinkConfiguration,
    date_created: "2015-07-30T20:00:00Z",
    date_updated: "2015-07-30T20:00:00Z",
    url,
    links: { sink_test: `${url}/Test`, sink_validate: `${url}/Validate` },
  };
}

function subscriptionJson(subscription: StandInSubscription) {
  const url = `https://events.twilio.com/v1/Subscriptions/${subscription.sid}`;
  return {
    account_sid: subscription.accountSid,
    sid: subscription.sid,
    sink_sid: subscription.sinkSid,
    description: subscription.description,
    date_created: "2015-07-30T20:00:00Z",
    date_updated: "2015-07-30T20:01:33Z",
    url,
    links: { subscribed_events: `${url}/SubscribedEvents` },
  };
}

function subscribedEventJson(
  subscription: StandInSubscription,
  entry: { type: string; schema_version: number },
) {
  return {
    account_sid: subscription.accountSid,
    type: entry.type,
    schema_version: entry.schema_version,
    subscription_sid: subscription.sid,
    url: `https://events.twilio.com/v1/Subscriptions/${subscription.sid}/SubscribedEvents/${entry.type}`,
  };
}
