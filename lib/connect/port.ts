/**
 * What `connect` needs of Twilio's REST API, as a small port: the adapter (`twilio-client.ts`)
 * builds it from the official `twilio` package; tests give that package a local stand-in of the
 * API as its HTTP client, so every request is still built by the package.
 */

/** The account the credentials belong to. */
export interface AccountView {
  readonly sid: string;
  /** The parent account's SID; equal to `sid` for a main account. */
  readonly ownerAccountSid: string;
  readonly friendlyName: string;
}

export interface MessagingServiceView {
  readonly sid: string;
  readonly friendlyName: string;
  /** `null` (or empty) when none is set. */
  readonly statusCallback: string | null;
}

export interface PhoneNumberView {
  readonly sid: string;
  /** E.164, `+15017122661`. */
  readonly phoneNumber: string;
  readonly statusCallback: string | null;
  readonly statusCallbackMethod: string | null;
}

export interface SinkView {
  readonly sid: string;
  readonly description: string;
  readonly sinkType: string;
  readonly status: string;
  /** The webhook sink's configuration (`destination`, `method`, `batch_events`). */
  readonly destination?: string;
  readonly method?: string;
  readonly batchEvents?: boolean;
}

export interface SubscriptionView {
  readonly sid: string;
  readonly sinkSid: string;
  readonly description: string;
  /** The event types it subscribes to. */
  readonly types: readonly string[];
}

export interface EventTypeView {
  readonly type: string;
  /** `available`, `deprecated`, `restricted` or `discontinued`. */
  readonly status: string;
}

/** Twilio's REST API, as far as `connect` uses it. Errors are {@link ConnectError}s. */
export interface TwilioPort {
  /** The account the credentials name (`GET /2010-04-01/Accounts/{Sid}.json`). */
  account(): Promise<AccountView>;
  messagingServices(): Promise<MessagingServiceView[]>;
  /** @throws UnknownResourceError when the account has no such service. */
  messagingService(sid: string): Promise<MessagingServiceView>;
  /** Sets (or, with `null`, clears) the service's `StatusCallback`. */
  setMessagingServiceCallback(sid: string, url: string | null): Promise<void>;
  /** All incoming phone numbers, or those with `phoneNumber` (E.164). */
  phoneNumbers(phoneNumber?: string): Promise<PhoneNumberView[]>;
  /** @throws UnknownResourceError when the account has no such number. */
  phoneNumber(sid: string): Promise<PhoneNumberView>;
  /** Sets the number's `StatusCallback` and `StatusCallbackMethod` (`null` clears the URL). */
  setPhoneNumberCallback(sid: string, url: string | null, method: string | null): Promise<void>;
  sinks(): Promise<SinkView[]>;
  /** A webhook sink: POST, `batch_events` on. */
  createSink(options: { description: string; destination: string }): Promise<SinkView>;
  deleteSink(sid: string): Promise<void>;
  /** Asks Event Streams to send the sink its test event; resolves with Twilio's `result`. */
  testSink(sid: string): Promise<string>;
  /** The sink's subscriptions, each with its event types. */
  subscriptions(sinkSid: string): Promise<SubscriptionView[]>;
  createSubscription(options: {
    sinkSid: string;
    description: string;
    types: readonly string[];
  }): Promise<SubscriptionView>;
  addSubscribedEvent(subscriptionSid: string, type: string): Promise<void>;
  removeSubscribedEvent(subscriptionSid: string, type: string): Promise<void>;
  deleteSubscription(sid: string): Promise<void>;
  /** Every event type Event Streams offers (`GET /v1/Types`). */
  eventTypes(): Promise<EventTypeView[]>;
}
