// Per-account channel configuration: which channel an account's flows send through (simulator,
// the real Twilio carrier, or a plain webhook) and, for Twilio, the upstream account to use.
//
// Stored in the store's key/value settings (the Store interface stays unchanged) under
// `carrier:<local AccountSid>` as JSON. Secrets are stored as given (the settings table is as
// private as the accounts table, which holds auth tokens too) and never returned by the API.
import { accountSettingKey, type Store } from '../../runtime/ports/store.ts';

export const DEFAULT_TWILIO_API_BASE_URL = 'https://api.twilio.com';
export const DEFAULT_CONVERSATIONS_BASE_URL = 'https://conversations.twilio.com';
export const DEFAULT_TASKROUTER_BASE_URL = 'https://taskrouter.twilio.com';
export const DEFAULT_FLEX_API_BASE_URL = 'https://flex-api.twilio.com';

export interface TwilioUpstream {
  /** The upstream Twilio account (AC…) messages are sent from. */
  accountSid: string;
  /**
   * The upstream account's auth token: REST auth when no API key is set, and the key Twilio signs
   * its webhooks and status callbacks with (X-Twilio-Signature always uses the auth token).
   */
  authToken: string;
  /** Optional API key (SK…) + secret for REST calls, Twilio's recommended credential. */
  apiKey?: { sid: string; secret: string } | undefined;
  /** Messages/Calls API base; tests point it at a local fake. */
  apiBaseUrl: string;
  /** Conversations API base. */
  conversationsBaseUrl: string;
  /** TaskRouter API base (send-to-flex); absent in configurations saved before it existed. */
  taskrouterBaseUrl?: string | undefined;
  /** The Flex workspace (WS…) tasks are created in; when absent it is looked up from the workflow. */
  taskrouterWorkspaceSid?: string | undefined;
  /** Flex API base (Interactions, for send-to-flex in Conversations executions). */
  flexApiBaseUrl?: string | undefined;
  /** Base for the StatusCallback URLs we give Twilio; default: the server's public base URL. */
  statusCallbackBaseUrl?: string | undefined;
  /**
   * Connect Virtual Agent in a conversation: the connector's webhook URL (a Dialogflow CX bridge), which a
   * conversation-scoped webhook hands the conversation's messages to. Twilio has no public API to attach its own
   * connector to a conversation (twilio-channel.ts, connectVirtualAgent). Absent: the widget takes `failed`.
   */
  virtualAgentUrl?: string | undefined;
}

export interface WebhookTarget {
  /** Where each message is POSTed, exactly as configured (the signature covers this URL). */
  url: string;
  /** Base for the StatusCallback URLs the gateway is given; default: the server's public base URL. */
  statusCallbackBaseUrl?: string | undefined;
}

export type CarrierConfig =
  | { channel: 'simulator' }
  | { channel: 'twilio'; twilio: TwilioUpstream }
  | { channel: 'webhook'; webhook: WebhookTarget };

export const SIMULATOR: CarrierConfig = { channel: 'simulator' };

/** The account's own setting (Store.setAccountSetting) holding its carrier configuration. */
const CARRIER_SETTING = 'carrier';

export function carrierKey(accountSid: string): string {
  return accountSettingKey(accountSid, CARRIER_SETTING);
}

export class CarrierConfigError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

const SID = (prefix: string) => new RegExp(`^${prefix}[0-9a-fA-F]{32}$`);

/**
 * Validates an http(s) URL. A base URL (ApiBaseUrl, StatusCallbackBaseUrl, …) loses its trailing
 * slashes since paths are appended to it; any other URL is kept exactly as given, because a
 * receiver validates X-Twilio-Signature over the URL it was reached at (`http://host/`, `/sms/`).
 */
function httpUrl(field: string, value: string, base: boolean): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CarrierConfigError(field, `${field} must be an absolute http(s) URL, got '${value}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CarrierConfigError(field, `${field} must be an http(s) URL`);
  // Paths are appended to a base: a query or fragment would land in the middle of every URL made from it.
  if (base && /[?#]/.test(value)) throw new CarrierConfigError(field, `${field} is a base URL (paths are appended to it) and cannot have a query or fragment, got '${value}'`);
  return base ? value.replace(/\/+$/, '') : value;
}

/** Input as the API and CLI take it (PascalCase, like every Twilio resource). */
export interface CarrierInput {
  Channel?: string | undefined;
  UpstreamAccountSid?: string | undefined;
  AuthToken?: string | undefined;
  ApiKeySid?: string | undefined;
  ApiKeySecret?: string | undefined;
  ApiBaseUrl?: string | undefined;
  ConversationsBaseUrl?: string | undefined;
  TaskRouterBaseUrl?: string | undefined;
  TaskRouterWorkspaceSid?: string | undefined;
  FlexApiBaseUrl?: string | undefined;
  StatusCallbackBaseUrl?: string | undefined;
  VirtualAgentUrl?: string | undefined;
  WebhookUrl?: string | undefined;
}

type Field = Exclude<keyof CarrierInput, 'Channel'>;

const TWILIO_FIELDS: readonly Field[] = [
  'UpstreamAccountSid',
  'AuthToken',
  'ApiKeySid',
  'ApiKeySecret',
  'ApiBaseUrl',
  'ConversationsBaseUrl',
  'TaskRouterBaseUrl',
  'TaskRouterWorkspaceSid',
  'FlexApiBaseUrl',
  'StatusCallbackBaseUrl',
  'VirtualAgentUrl',
];

/** Every field a carrier configuration request may carry (the API's form, the CLI's flags). */
export const CARRIER_INPUT_FIELDS: readonly (keyof CarrierInput)[] = ['Channel', ...TWILIO_FIELDS, 'WebhookUrl'];

const CHANNELS = ['simulator', 'twilio', 'webhook'] as const;
type ChannelName = (typeof CHANNELS)[number];

/** The fields each channel takes; any other field sent for it is refused rather than ignored. */
const CHANNEL_FIELDS: Record<ChannelName, readonly Field[]> = {
  simulator: [],
  twilio: TWILIO_FIELDS,
  webhook: ['WebhookUrl', 'StatusCallbackBaseUrl'],
};

/** A stored configuration as the input fields that would recreate it (what an update merges into). */
function asInput(config: CarrierConfig): CarrierInput {
  if (config.channel === 'webhook') return { WebhookUrl: config.webhook.url, StatusCallbackBaseUrl: config.webhook.statusCallbackBaseUrl };
  if (config.channel !== 'twilio') return {};
  const t = config.twilio;
  return {
    UpstreamAccountSid: t.accountSid,
    AuthToken: t.authToken,
    ApiKeySid: t.apiKey?.sid,
    ApiKeySecret: t.apiKey?.secret,
    ApiBaseUrl: t.apiBaseUrl,
    ConversationsBaseUrl: t.conversationsBaseUrl,
    TaskRouterBaseUrl: t.taskrouterBaseUrl,
    TaskRouterWorkspaceSid: t.taskrouterWorkspaceSid,
    FlexApiBaseUrl: t.flexApiBaseUrl,
    StatusCallbackBaseUrl: t.statusCallbackBaseUrl,
    VirtualAgentUrl: t.virtualAgentUrl,
  };
}

/**
 * Validates input into a configuration; throws CarrierConfigError naming the bad field.
 *
 * Like a POST to a Twilio resource, the input updates `current`: without Channel (or with the
 * channel already in use) the fields sent replace the stored ones and the others are kept; an
 * empty value puts an optional field back to its default. Channel naming another channel starts
 * that channel afresh: nothing is carried over from the old one, so its required fields must be
 * sent. A field the resulting channel does not take is refused, never silently dropped.
 */
export function parseCarrierInput(input: CarrierInput, current: CarrierConfig = SIMULATOR): CarrierConfig {
  const requested = input.Channel === '' ? undefined : input.Channel;
  if (requested !== undefined && !(CHANNELS as readonly string[]).includes(requested)) {
    throw new CarrierConfigError('Channel', `Channel must be simulator, twilio or webhook, got '${requested}'`);
  }
  const channel = (requested ?? current.channel) as ChannelName;
  const given = (Object.keys(input) as (keyof CarrierInput)[]).filter((name): name is Field => name !== 'Channel' && input[name] !== undefined);
  for (const field of given) {
    if (CHANNEL_FIELDS[channel].includes(field)) continue;
    const hint = requested === undefined ? ' this account uses; to switch channels, name the new one (Channel, --channel)' : '';
    throw new CarrierConfigError(field, `${field} does not apply to the ${channel} channel${hint}`);
  }
  const merged: CarrierInput = channel === current.channel ? asInput(current) : {};
  if (current.channel === 'twilio' && channel === 'twilio') {
    // Credentials belong to one upstream account, a secret to one key: a new account or key inherits neither.
    if (input.UpstreamAccountSid !== undefined && input.UpstreamAccountSid !== current.twilio.accountSid) {
      for (const field of ['AuthToken', 'ApiKeySid', 'ApiKeySecret', 'TaskRouterWorkspaceSid'] as const) delete merged[field];
    }
    if (input.ApiKeySid !== undefined && input.ApiKeySid !== current.twilio.apiKey?.sid) delete merged.ApiKeySecret;
    refuseStoredSecretsForNewHosts(input, current.twilio);
  }
  for (const field of given) merged[field] = input[field] === '' ? undefined : input[field];
  return build(channel, merged);
}

const API_HOST_FIELDS = [
  ['ApiBaseUrl', 'apiBaseUrl', DEFAULT_TWILIO_API_BASE_URL],
  ['ConversationsBaseUrl', 'conversationsBaseUrl', DEFAULT_CONVERSATIONS_BASE_URL],
  ['TaskRouterBaseUrl', 'taskrouterBaseUrl', DEFAULT_TASKROUTER_BASE_URL],
  ['FlexApiBaseUrl', 'flexApiBaseUrl', DEFAULT_FLEX_API_BASE_URL],
] as const;

/**
 * Stored secrets are only ever sent to the hosts they were given with: whoever may change a base URL
 * (any key of the account) could otherwise point it at their own host and receive the upstream
 * credentials in the next request's Authorization header, without ever being able to read them.
 * So a request that moves an API base URL must send the secrets again.
 */
function refuseStoredSecretsForNewHosts(input: CarrierInput, current: TwilioUpstream): void {
  const moved = API_HOST_FIELDS.find(([field, key, fallback]) => {
    const sent = input[field];
    if (sent === undefined) return false;
    const next = (sent === '' ? fallback : sent).replace(/\/+$/, '');
    return next !== (current[key] ?? fallback);
  });
  if (!moved) return;
  const [field] = moved;
  if (input.AuthToken === undefined) {
    throw new CarrierConfigError('AuthToken', `AuthToken must be sent again with a new ${field}: stored credentials are only sent to the hosts they were given for`);
  }
  if (current.apiKey && input.ApiKeySecret === undefined && (input.ApiKeySid === undefined || input.ApiKeySid === current.apiKey.sid)) {
    throw new CarrierConfigError('ApiKeySecret', `ApiKeySecret must be sent again with a new ${field}: stored credentials are only sent to the hosts they were given for`);
  }
}

function build(channel: ChannelName, input: CarrierInput): CarrierConfig {
  if (channel === 'simulator') return SIMULATOR;
  if (channel === 'webhook') {
    if (!input.WebhookUrl) throw new CarrierConfigError('WebhookUrl', 'WebhookUrl is required for the webhook channel');
    return {
      channel,
      webhook: {
        url: httpUrl('WebhookUrl', input.WebhookUrl, false),
        ...(input.StatusCallbackBaseUrl ? { statusCallbackBaseUrl: httpUrl('StatusCallbackBaseUrl', input.StatusCallbackBaseUrl, true) } : {}),
      },
    };
  }
  const accountSid = input.UpstreamAccountSid ?? '';
  if (!SID('AC').test(accountSid)) throw new CarrierConfigError('UpstreamAccountSid', 'UpstreamAccountSid must be an AC… account SID');
  if (!input.AuthToken) {
    throw new CarrierConfigError('AuthToken', 'AuthToken is required: Twilio signs webhooks and status callbacks with it');
  }
  let apiKey: TwilioUpstream['apiKey'];
  if (input.ApiKeySid || input.ApiKeySecret) {
    if (!SID('SK').test(input.ApiKeySid ?? '')) throw new CarrierConfigError('ApiKeySid', 'ApiKeySid must be an SK… key SID');
    if (!input.ApiKeySecret) throw new CarrierConfigError('ApiKeySecret', 'ApiKeySecret is required with ApiKeySid');
    apiKey = { sid: input.ApiKeySid!, secret: input.ApiKeySecret };
  }
  if (input.TaskRouterWorkspaceSid && !SID('WS').test(input.TaskRouterWorkspaceSid)) {
    throw new CarrierConfigError('TaskRouterWorkspaceSid', 'TaskRouterWorkspaceSid must be a WS… workspace SID');
  }
  return {
    channel,
    twilio: {
      accountSid,
      authToken: input.AuthToken,
      apiKey,
      apiBaseUrl: httpUrl('ApiBaseUrl', input.ApiBaseUrl ?? DEFAULT_TWILIO_API_BASE_URL, true),
      conversationsBaseUrl: httpUrl('ConversationsBaseUrl', input.ConversationsBaseUrl ?? DEFAULT_CONVERSATIONS_BASE_URL, true),
      taskrouterBaseUrl: httpUrl('TaskRouterBaseUrl', input.TaskRouterBaseUrl ?? DEFAULT_TASKROUTER_BASE_URL, true),
      taskrouterWorkspaceSid: input.TaskRouterWorkspaceSid || undefined,
      flexApiBaseUrl: httpUrl('FlexApiBaseUrl', input.FlexApiBaseUrl ?? DEFAULT_FLEX_API_BASE_URL, true),
      statusCallbackBaseUrl: input.StatusCallbackBaseUrl ? httpUrl('StatusCallbackBaseUrl', input.StatusCallbackBaseUrl, true) : undefined,
      // Kept exactly as given (query included): Twilio signs its webhooks over the URL it was handed.
      virtualAgentUrl: input.VirtualAgentUrl ? httpUrl('VirtualAgentUrl', input.VirtualAgentUrl, false) : undefined,
    },
  };
}

/** The configuration as the API shows it: secrets reduced to whether they are set. */
export function describeCarrier(accountSid: string, config: CarrierConfig): Record<string, unknown> {
  const base = { account_sid: accountSid, channel: config.channel };
  if (config.channel === 'twilio') {
    const t = config.twilio;
    return {
      ...base,
      upstream_account_sid: t.accountSid,
      auth_token_set: true,
      api_key_sid: t.apiKey?.sid ?? null,
      api_base_url: t.apiBaseUrl,
      conversations_base_url: t.conversationsBaseUrl,
      taskrouter_base_url: t.taskrouterBaseUrl ?? DEFAULT_TASKROUTER_BASE_URL,
      taskrouter_workspace_sid: t.taskrouterWorkspaceSid ?? null,
      flex_api_base_url: t.flexApiBaseUrl ?? DEFAULT_FLEX_API_BASE_URL,
      status_callback_base_url: t.statusCallbackBaseUrl ?? null,
      virtual_agent_url: t.virtualAgentUrl ?? null,
    };
  }
  if (config.channel === 'webhook') return { ...base, webhook_url: config.webhook.url, status_callback_base_url: config.webhook.statusCallbackBaseUrl ?? null };
  return base;
}

export async function loadCarrierConfig(store: Store, accountSid: string): Promise<CarrierConfig> {
  const text = await store.getSetting(carrierKey(accountSid));
  if (!text) return SIMULATOR;
  try {
    const parsed = JSON.parse(text) as CarrierConfig;
    return parsed && typeof parsed === 'object' && 'channel' in parsed ? parsed : SIMULATOR;
  } catch {
    return SIMULATOR;
  }
}

export async function saveCarrierConfig(store: Store, accountSid: string, config: CarrierConfig): Promise<void> {
  // Only while the account exists (checked in the write's transaction): a request that raced its
  // deletion leaves no upstream token behind (AccountGoneError).
  await store.setAccountSetting(accountSid, CARRIER_SETTING, JSON.stringify(config));
}

/**
 * What a Twilio request for this account is signed with and over, from one read of its carrier
 * configuration: the upstream auth token (none unless the carrier is Twilio), and the base of the
 * callback URLs the carrier hands Twilio (StatusCallbackBaseUrl) when it has one, since Twilio signs
 * the URL it was given.
 */
export async function upstreamSigning(store: Store, accountSid: string): Promise<{ tokens: string[]; callbackBase: string | undefined }> {
  const config = await loadCarrierConfig(store, accountSid);
  if (config.channel === 'twilio') return { tokens: [config.twilio.authToken], callbackBase: config.twilio.statusCallbackBaseUrl };
  // The webhook channel's gateway signs with the account's own token, over the base it was given.
  if (config.channel === 'webhook') return { tokens: [], callbackBase: config.webhook.statusCallbackBaseUrl };
  return { tokens: [], callbackBase: undefined };
}
