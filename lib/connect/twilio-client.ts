/**
 * The {@link TwilioPort} built from the official `twilio` package (a devDependency: this folder
 * is used by `npm run connect` and the tests only, never by a Lambda bundle or the published
 * package). Twilio's errors become {@link ConnectError}s that say what to fix.
 */
import twilio from "twilio";
import { type BackoffOptions, type TwilioHttpClient, withRateLimitBackoff } from "./backoff.ts";
import {
  type ConnectError,
  CredentialsError,
  RateLimitError,
  TwilioApiError,
  UnknownResourceError,
} from "./errors.ts";
import type {
  MessagingServiceView,
  PhoneNumberView,
  SinkView,
  SubscriptionView,
  TwilioPort,
} from "./port.ts";

/** Credentials the way Twilio's own tools take them; never stored, never printed. */
export type TwilioCredentials =
  | { readonly accountSid: string; readonly authToken: string }
  | { readonly accountSid: string; readonly apiKey: string; readonly apiSecret: string };

export interface TwilioClientOptions {
  readonly credentials: TwilioCredentials;
  /**
   * The HTTP client the package sends each request through (its `httpClient` option); default
   * the package's own `RequestClient`. Wrapped with the 429 backoff either way.
   */
  readonly httpClient?: TwilioHttpClient;
  readonly backoff?: BackoffOptions;
}

/** The credentials from `TWILIO_ACCOUNT_SID` and `TWILIO_API_KEY`/`TWILIO_API_SECRET` or `TWILIO_AUTH_TOKEN`. */
export function credentialsFrom(
  env: Readonly<Record<string, string | undefined>>,
): TwilioCredentials {
  const accountSid = env.TWILIO_ACCOUNT_SID?.trim() ?? "";
  const {
    TWILIO_API_KEY: apiKey,
    TWILIO_API_SECRET: apiSecret,
    TWILIO_AUTH_TOKEN: authToken,
  } = env;
  const how =
    "set TWILIO_ACCOUNT_SID and either TWILIO_API_KEY and TWILIO_API_SECRET (an API key of that " +
    "account) or TWILIO_AUTH_TOKEN, as Twilio's CLI takes them";
  if (!/^AC[0-9a-fA-F]{32}$/.test(accountSid)) {
    throw new CredentialsError(
      accountSid === ""
        ? `no Twilio account: ${how}`
        : `TWILIO_ACCOUNT_SID must be an account SID (AC followed by 32 hex digits): ${how}`,
    );
  }
  if (apiKey || apiSecret) {
    if (!apiKey || !apiSecret)
      throw new CredentialsError(`give both TWILIO_API_KEY and TWILIO_API_SECRET: ${how}`);
    if (!/^SK[0-9a-fA-F]{32}$/.test(apiKey))
      throw new CredentialsError(`TWILIO_API_KEY must be an API key SID (SK...): ${how}`);
    return { accountSid, apiKey, apiSecret };
  }
  if (!authToken) throw new CredentialsError(`no Twilio credentials: ${how}`);
  return { accountSid, authToken };
}

interface RestFailure {
  readonly status?: number;
  readonly code?: number;
  readonly message?: string;
  readonly moreInfo?: string;
}

/**
 * A Twilio failure as a {@link ConnectError}: `what` says what was being asked ("fetching
 * Messaging Service MG..."), `notFound` what to say when it does not exist.
 */
export function twilioFailure(
  error: unknown,
  what: string,
  accountSid: string,
  notFound?: string,
): ConnectError {
  const failure = (error ?? {}) as RestFailure;
  const status = typeof failure.status === "number" ? failure.status : undefined;
  if (status === undefined) {
    return new TwilioApiError(
      `${what}: Twilio could not be reached (${(error as Error)?.message ?? error})`,
      {
        cause: error,
      },
    );
  }
  const twilioSays = `Twilio answered ${status}${failure.code ? ` (error ${failure.code}${failure.message ? `: ${failure.message}` : ""})` : ""}`;
  if (status === 401 || failure.code === 20003) {
    return new CredentialsError(
      `${what}: ${twilioSays}: Twilio refused the credentials. Check TWILIO_ACCOUNT_SID ` +
        `(${accountSid}) and its TWILIO_AUTH_TOKEN, or TWILIO_API_KEY/TWILIO_API_SECRET of an API ` +
        "key of that account (a key of another account or a revoked key is refused the same way)",
      { cause: error },
    );
  }
  if ((status === 404 || failure.code === 20404) && notFound !== undefined) {
    return new UnknownResourceError(`${notFound} (${twilioSays})`, { cause: error });
  }
  if (status === 403) {
    return new CredentialsError(
      `${what}: ${twilioSays}: the credentials may not do this; an API key needs to be a ` +
        "Standard or Main key (or use the account's auth token)",
      { cause: error },
    );
  }
  if (status === 429 || failure.code === 20429) {
    return new RateLimitError(
      `${what}: ${twilioSays}: Twilio's rate limit held after every retry; wait a minute and run ` +
        "npm run connect again (what was done so far is recorded and is not done twice)",
      { cause: error },
    );
  }
  return new TwilioApiError(
    `${what}: ${twilioSays}${failure.moreInfo ? ` (see ${failure.moreInfo})` : ""}`,
    { cause: error },
  );
}

/** A {@link TwilioPort} over the official `twilio` package. */
export function createTwilioPort(options: TwilioClientOptions): TwilioPort {
  const { credentials } = options;
  const inner = options.httpClient ?? (new twilio.RequestClient() as unknown as TwilioHttpClient);
  // The package types its option as its own RequestClient class; it only ever calls request().
  const httpClient = withRateLimitBackoff(
    inner,
    options.backoff,
  ) as unknown as twilio.RequestClient;
  const client =
    "apiKey" in credentials
      ? twilio(credentials.apiKey, credentials.apiSecret, {
          accountSid: credentials.accountSid,
          httpClient,
        })
      : twilio(credentials.accountSid, credentials.authToken, { httpClient });
  const accountSid = credentials.accountSid;
  const fail = (what: string, notFound?: string) => (error: unknown) => {
    throw twilioFailure(error, what, accountSid, notFound);
  };
  const service = (s: { sid: string; friendlyName: string; statusCallback: string | null }) =>
    ({
      sid: s.sid,
      friendlyName: s.friendlyName,
      statusCallback: s.statusCallback || null,
    }) satisfies MessagingServiceView;
  const number = (n: {
    sid: string;
    phoneNumber: string;
    statusCallback: string | null;
    statusCallbackMethod: string | null;
  }) =>
    ({
      sid: n.sid,
      phoneNumber: n.phoneNumber,
      statusCallback: n.statusCallback || null,
      statusCallbackMethod: n.statusCallbackMethod || null,
    }) satisfies PhoneNumberView;
  const sink = (s: {
    sid: string;
    description: string;
    sinkType: string;
    status: string;
    sinkConfiguration: unknown;
  }): SinkView => {
    const config = (s.sinkConfiguration ?? {}) as Record<string, unknown>;
    return {
      sid: s.sid,
      description: s.description,
      sinkType: s.sinkType,
      status: s.status,
      ...(typeof config.destination === "string" ? { destination: config.destination } : {}),
      ...(typeof config.method === "string" ? { method: config.method } : {}),
      ...(typeof config.batch_events === "boolean" ? { batchEvents: config.batch_events } : {}),
    };
  };
  const subscriptionTypes = async (sid: string) =>
    (await client.events.v1.subscriptions(sid).subscribedEvents.list()).map((e) => e.type);

  return {
    async account() {
      const account = await client.api.v2010
        .accounts(accountSid)
        .fetch()
        .catch(
          fail(
            `reading account ${accountSid}`,
            `account ${accountSid} does not exist: check TWILIO_ACCOUNT_SID`,
          ),
        );
      return {
        sid: account.sid,
        ownerAccountSid: account.ownerAccountSid,
        friendlyName: account.friendlyName,
      };
    },
    async messagingServices() {
      const all = await client.messaging.v1.services
        .list()
        .catch(fail("listing Messaging Services"));
      return all.map(service);
    },
    async messagingService(sid) {
      return service(
        await client.messaging.v1
          .services(sid)
          .fetch()
          .catch(
            fail(
              `reading Messaging Service ${sid}`,
              `Messaging Service ${sid} does not exist in account ${accountSid}: check the SID ` +
                "(Console, Messaging > Services), or connect them all with --messaging-service all",
            ),
          ),
      );
    },
    async setMessagingServiceCallback(sid, url) {
      await client.messaging.v1
        .services(sid)
        .update({ statusCallback: url ?? "" })
        .catch(fail(`setting the StatusCallback of Messaging Service ${sid}`));
    },
    async phoneNumbers(phoneNumber) {
      const all = await client.incomingPhoneNumbers
        .list(phoneNumber === undefined ? {} : { phoneNumber })
        .catch(fail("listing incoming phone numbers"));
      return all.map(number);
    },
    async phoneNumber(sid) {
      return number(
        await client
          .incomingPhoneNumbers(sid)
          .fetch()
          .catch(
            fail(
              `reading phone number ${sid}`,
              `phone number ${sid} does not exist in account ${accountSid}: check the SID ` +
                "(PN...), give the number itself (+15017122661), or connect them all with --phone-number all",
            ),
          ),
      );
    },
    async setPhoneNumberCallback(sid, url, method) {
      await client
        .incomingPhoneNumbers(sid)
        .update({
          statusCallback: url ?? "",
          ...(method === null ? {} : { statusCallbackMethod: method as "GET" | "POST" }),
        })
        .catch(fail(`setting the status callback of phone number ${sid}`));
    },
    async sinks() {
      return (await client.events.v1.sinks.list().catch(fail("listing Event Streams sinks"))).map(
        sink,
      );
    },
    async createSink({ description, destination }) {
      return sink(
        await client.events.v1.sinks
          .create({
            description,
            sinkType: "webhook",
            sinkConfiguration: { destination, method: "POST", batch_events: true },
          })
          .catch(fail("creating the Event Streams sink")),
      );
    },
    async deleteSink(sid) {
      await client.events.v1
        .sinks(sid)
        .remove()
        .catch(fail(`deleting sink ${sid}`));
    },
    async testSink(sid) {
      const test = await client.events.v1
        .sinks(sid)
        .sinkTest.create()
        .catch(fail(`asking Event Streams to test sink ${sid}`));
      return test.result;
    },
    async subscriptions(sinkSid) {
      const all = await client.events.v1.subscriptions
        .list({ sinkSid })
        .catch(fail(`listing the subscriptions of sink ${sinkSid}`));
      const views: SubscriptionView[] = [];
      for (const s of all) {
        views.push({
          sid: s.sid,
          sinkSid: s.sinkSid,
          description: s.description,
          types: await subscriptionTypes(s.sid).catch(
            fail(`listing the event types of subscription ${s.sid}`),
          ),
        });
      }
      return views;
    },
    async createSubscription({ sinkSid, description, types }) {
      const created = await client.events.v1.subscriptions
        .create({ sinkSid, description, types: types.map((type) => ({ type })) })
        .catch(fail(`subscribing sink ${sinkSid} to ${types.length} event types`));
      return {
        sid: created.sid,
        sinkSid: created.sinkSid,
        description: created.description,
        types,
      };
    },
    async addSubscribedEvent(subscriptionSid, type) {
      await client.events.v1
        .subscriptions(subscriptionSid)
        .subscribedEvents.create({ type })
        .catch(fail(`adding ${type} to subscription ${subscriptionSid}`));
    },
    async removeSubscribedEvent(subscriptionSid, type) {
      await client.events.v1
        .subscriptions(subscriptionSid)
        .subscribedEvents(type)
        .remove()
        .catch(fail(`removing ${type} from subscription ${subscriptionSid}`));
    },
    async deleteSubscription(sid) {
      await client.events.v1
        .subscriptions(sid)
        .remove()
        .catch(fail(`deleting subscription ${sid}`));
    },
    async eventTypes() {
      const all = await client.events.v1.eventTypes
        .list()
        .catch(fail("listing Event Streams event types"));
      return all.map((t) => ({ type: t.type, status: t.status }));
    },
  };
}
