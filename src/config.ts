// Switchboard's configuration: ONE table of keys. Each key is read from its flag, its environment
// variable, then switchboard.config.json/.yaml (its camelCase name), then its default; flags win.
//
// To add a setting, add one entry to CONFIG_KEYS below. The flag is accepted by every command,
// `switchboard config` shows it (masked when `secret`), the config file accepts it, and
// `SwitchboardConfig` gains a typed field. Then regenerate the README table with
// `npm run switchboard -- config --keys --markdown` (test/ops/readme.test.ts checks it). Example:
//
//   poolSize: key({ flag: 'pool-size', env: 'SWITCHBOARD_POOL_SIZE', type: integer({ min: 1, max: 1000 }),
//                   default: 10, description: 'PostgreSQL connections per node' }),
//
// Value types live in src/config/value-types.ts (string, integer, port, boolean, oneOf, url, path,
// matching, timeZone, list, optional); rules that involve several keys go in CROSS_CHECKS.
import type { SqliteWriterMode } from './store/sqlite/sqlite-store.ts';
import type { InvalidDefinitionPolicy } from './runtime/flows.ts';
import { flagOptions, key, resolveConfig, type ConfigValues, type CrossCheck, type Flags, type Resolved, type ResolveOptions } from './config/model.ts';
import { ConfigValueError, baseUrl, boolean, integer, list, matching, oneOf, optional, path, port, string, timeZone, url, type ValueType } from './config/value-types.ts';
import { DEFAULT_LIQUID_VERSION, OLDEST_LIQUID_VERSION, parseLiquidVersion } from './definition/liquid-dialect.ts';
import { ruleProblem } from './channels/http/outbound-policy.ts';
import { DEFAULT_MAX_CONTEXT_BYTES, DEFAULT_MAX_STEP_BYTES } from './engine/types.ts';
import { DEFAULT_STREAMS, DEFAULT_STREAMS_PER_ACCOUNT } from './api/routes/console-stream.ts';

export { ConfigError } from './config/model.ts';

/** An origin as a browser names one in its Origin header: http(s)://host[:port], nothing after it. */
function originProblem(item: string): string | undefined {
  let parsed: URL | undefined;
  try {
    parsed = new URL(item);
  } catch {
    parsed = undefined;
  }
  if (parsed && (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.href === `${parsed.origin}/`) return undefined;
  return `'${item}' is not an origin: scheme://host[:port] with no path, such as https://app.example.com`;
}

/** The word in SWITCHBOARD_CALLBACK_SECRET_PREVIOUS that stands for "no SWITCHBOARD_CALLBACK_SECRET" (as '': call-tokens.ts). */
export const NO_CALLBACK_SECRET = 'none';

/** A Shopify Liquid release, "5.4" or "5.4.0", as "major.minor.patch" (liquid-dialect.ts). */
const liquidRelease: ValueType<string> = {
  name: 'Liquid release',
  flagType: 'string',
  parse(raw) {
    const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw : '';
    const version = parseLiquidVersion(text);
    if (version === undefined) throw new ConfigValueError(`be a release of Shopify's Liquid, ${OLDEST_LIQUID_VERSION} or later, such as 5.5 or 5.4.0, got ${JSON.stringify(raw)}`);
    return version;
  },
};

/** Server callback secrets being rotated out, `none` read as the empty secret tokens had while none was set. */
const previousCallbackSecrets: ValueType<string[]> = {
  ...list('secrets'),
  parse: (raw) => list('secrets').parse(raw).map((item) => (item === NO_CALLBACK_SECRET ? '' : item)),
};

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const CONFIG_KEYS = {
  // ---- server
  port: key({ flag: 'port', env: 'PORT', type: port, default: 4000, description: 'HTTP port to listen on' }),
  host: key({ flag: 'host', env: 'HOST', type: string, default: '127.0.0.1', description: 'Interface to listen on (0.0.0.0 for all)' }),
  publicBaseUrl: key({
    flag: 'public-base-url',
    env: 'PUBLIC_BASE_URL',
    type: optional(baseUrl('http', 'https')),
    default: undefined,
    description: "Base of every URL in responses (url, links, next_page_url, webhook_url), of webhook signatures and callbacks; default http://<Host header> when that is a host name or address with an optional port, else the server's own address. Set it behind a proxy",
  }),
  bodyLimit: key({
    flag: 'body-limit',
    env: 'SWITCHBOARD_BODY_LIMIT',
    type: integer({ min: 1024, unit: 'bytes' }),
    default: 1024 * 1024,
    description: 'Largest accepted request body (413 beyond)',
  }),
  requestTimeout: key({
    flag: 'request-timeout',
    env: 'SWITCHBOARD_REQUEST_TIMEOUT',
    type: integer({ min: 1, max: 3600, unit: 'seconds' }),
    default: 20,
    description: 'A request not fully received by then (headers and body) is answered 408 and its connection closed',
  }),
  allowedOrigins: key({
    flag: 'allowed-origins',
    env: 'SWITCHBOARD_ALLOWED_ORIGINS',
    type: list('origins', originProblem),
    default: [],
    description:
      "Browser origins besides the server's own (e.g. https://app.example.com) whose pages may POST and DELETE with an account's credentials and read the answers; a cross-site request from any other page is refused 403/20403",
  }),
  consoleStreamsPerAccount: key({
    flag: 'console-streams-per-account',
    env: 'SWITCHBOARD_CONSOLE_STREAMS_PER_ACCOUNT',
    type: integer({ min: 1, max: 100_000 }),
    default: DEFAULT_STREAMS_PER_ACCOUNT,
    description: "Live web console streams (each tab's Chat, Phone or execution page) one account may hold open on this node; more are answered 429/20429",
  }),
  consoleStreams: key({
    flag: 'console-streams',
    env: 'SWITCHBOARD_CONSOLE_STREAMS',
    type: integer({ min: 1, max: 100_000 }),
    default: DEFAULT_STREAMS,
    description: 'Live web console streams this node holds open in all accounts (each polls the store 4 times a second); more are answered 429/20429',
  }),
  // ---- storage
  dataDir: key({
    flag: 'data-dir',
    env: 'SWITCHBOARD_DATA_DIR',
    type: path,
    default: './data',
    description: 'Directory of the embedded SQLite database',
  }),
  // ---- PostgreSQL and many nodes (README: "PostgreSQL and many nodes")
  databaseUrl: key({
    flag: 'database-url',
    env: 'DATABASE_URL',
    type: optional(url('postgres', 'postgresql')),
    default: undefined,
    secret: true,
    description: 'postgres://user:pass@host:5432/db — use PostgreSQL instead of SQLite; any number of nodes may share it',
  }),
  databaseSchema: key({
    flag: 'database-schema',
    env: 'SWITCHBOARD_DATABASE_SCHEMA',
    type: matching('identifier', /^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'a plain PostgreSQL identifier (a letter or _, then letters, digits or _; at most 63)'),
    default: 'public',
    description: 'PostgreSQL schema holding the tables, created if missing (that needs CREATE on the database; an existing schema needs only its own privileges)',
  }),
  dbPoolSize: key({
    flag: 'db-pool-size',
    env: 'SWITCHBOARD_DB_POOL_SIZE',
    type: integer({ min: 1, max: 1000 }),
    default: 10,
    description: "PostgreSQL connections per node's pool at most (each node also keeps one renewing its leases and one LISTENing for timers)",
  }),
  dbStatementTimeout: key({
    flag: 'db-statement-timeout',
    env: 'SWITCHBOARD_DB_STATEMENT_TIMEOUT',
    type: integer({ min: 0, unit: 'milliseconds' }),
    default: 30_000,
    description: 'PostgreSQL cancels any statement running longer (0: no limit)',
  }),
  dbStartupWait: key({
    flag: 'db-startup-wait',
    env: 'SWITCHBOARD_DB_STARTUP_WAIT',
    type: integer({ min: 0, max: 3_600_000, unit: 'milliseconds' }),
    default: 0,
    description: 'How long a starting node waits for a PostgreSQL it cannot reach yet (refused, starting, database not created), trying again; 0: fail at once',
  }),
  leaseMs: key({
    flag: 'lease-ms',
    env: 'SWITCHBOARD_LEASE_MS',
    type: integer({ min: 200, unit: 'milliseconds' }),
    default: 30_000,
    description: "How long a node's claim on a timer or effect lasts unrenewed: the takeover delay after a node dies",
  }),
  sqliteWriter: key({
    flag: 'sqlite-writer',
    env: 'SWITCHBOARD_SQLITE_WRITER',
    type: oneOf<SqliteWriterMode>('inline', 'thread'),
    default: 'inline',
    description: 'Where the embedded store writes: inline (lowest latency and memory) or thread (a writer thread: more throughput under heavy write load and timer bursts, ~50 MB more)',
  }),
  readCacheMs: key({
    flag: 'read-cache-ms',
    env: 'SWITCHBOARD_READ_CACHE_MS',
    type: integer({ min: 0, max: 60_000, unit: 'milliseconds' }),
    default: 1000,
    description: "How long a node trusts its cached accounts, API keys, settings and flows (0 = off): another node's token rotation or publish reaches this one within it",
  }),
  memoryReclaimMb: key({
    flag: 'memory-reclaim-mb',
    env: 'SWITCHBOARD_MEMORY_RECLAIM_MB',
    type: integer({ min: 0, max: 1_000_000, unit: 'MB' }),
    default: 64,
    description: 'Once the node is idle and its RSS has grown this much since the last time, a memory-reducing GC hands back what V8 kept after a burst (a pause of tens of ms; 0 = never)',
  }),
  nodeId: key({
    flag: 'node-id',
    env: 'SWITCHBOARD_NODE_ID',
    type: optional(string),
    default: undefined,
    description: 'This node in lease_owner columns (default host:pid:random; must differ between live nodes)',
  }),
  // ---- accounts
  accountSid: key({
    env: 'TWILIO_ACCOUNT_SID',
    type: optional(matching('account SID', /^AC[0-9a-fA-F]{32}$/, 'an account SID: AC followed by 32 hex characters')),
    default: undefined,
    description: 'Account to create/use at start (with TWILIO_AUTH_TOKEN); otherwise a dev account is generated',
  }),
  authToken: key({
    env: 'TWILIO_AUTH_TOKEN',
    type: optional(string),
    default: undefined,
    secret: true,
    description: "Auth token of TWILIO_ACCOUNT_SID",
  }),
  callbackSecret: key({
    env: 'SWITCHBOARD_CALLBACK_SECRET',
    type: optional(string),
    default: undefined,
    secret: true,
    description: "Server secret mixed into the key of call callback URLs (?sb=) beside each account's callback secret; every node sharing a database needs the same value",
  }),
  callbackSecretPrevious: key({
    env: 'SWITCHBOARD_CALLBACK_SECRET_PREVIOUS',
    type: previousCallbackSecrets,
    default: [],
    secret: true,
    description:
      "Server secrets still accepted on call callback URLs, never used for new ones: the SWITCHBOARD_CALLBACK_SECRET being replaced, so calls in progress go on (`none`: URLs handed out while it was unset); comma or space separated",
  }),
  // ---- flows
  invalidDefinitions: key({
    flag: 'invalid-definitions',
    env: 'SWITCHBOARD_INVALID_DEFINITIONS',
    type: oneOf<InvalidDefinitionPolicy>('reject', 'save-as-draft'),
    default: 'reject',
    description: 'reject: creating/updating a flow with an invalid definition is a 400; save-as-draft: it is saved as a draft with valid:false and its errors (publishing one is always a 400)',
  }),
  // ---- Studio's runtime rules (reference §6); the defaults are Studio's
  maxSteps: key({
    flag: 'max-steps',
    env: 'SWITCHBOARD_MAX_STEPS',
    type: integer({ min: 1, max: 1_000_000 }),
    default: 1000,
    description: 'Steps per execution, subflows included, before it ends with 81000',
  }),
  maxSameWidget: key({
    flag: 'max-same-widget',
    env: 'SWITCHBOARD_MAX_SAME_WIDGET',
    type: integer({ min: 1, max: 1_000_000 }),
    default: 10,
    description: 'Runs of the same widget in a row before the execution ends with 81001',
  }),
  maxContextBytes: key({
    flag: 'max-context-bytes',
    env: 'SWITCHBOARD_MAX_CONTEXT_BYTES',
    type: integer({ min: 65_536, max: 256 * 1024 * 1024, unit: 'bytes' }),
    default: DEFAULT_MAX_CONTEXT_BYTES,
    description:
      "JSON size of an execution's context (flow.data, flow.variables, widgets' outputs, trigger; subflows included; Switchboard's own limit: Studio documents none). A step that would pass it fails its widget with 84003 (its failure event when wired, else the execution ends); a REST create whose Parameters cannot fit is a 400",
  }),
  maxStepBytes: key({
    flag: 'max-step-bytes',
    env: 'SWITCHBOARD_MAX_STEP_BYTES',
    type: integer({ min: 65_536, max: 64 * 1024 * 1024 * 1024, unit: 'bytes' }),
    default: DEFAULT_MAX_STEP_BYTES,
    description:
      "JSON size of the steps one execution records (each step's context as stored; subflows included; Switchboard's own limit: Studio documents none). A step that would pass it ends the execution with 84003",
  }),
  defaultReplyTimeout: key({
    flag: 'default-reply-timeout',
    env: 'SWITCHBOARD_DEFAULT_REPLY_TIMEOUT',
    type: integer({ min: 1, unit: 'seconds' }),
    default: 3600,
    description: 'send-and-wait-for-reply timeout when the widget sets none',
  }),
  executionMaxAge: key({
    flag: 'execution-max-age',
    env: 'SWITCHBOARD_EXECUTION_MAX_AGE',
    type: integer({ min: 1, unit: 'seconds' }),
    default: 30 * 24 * 3600,
    description: 'Active executions end this long after they start (Studio: 30 days); a new value applies to executions already running, and an event arriving past it expires the execution first',
  }),
  executionRetention: key({
    flag: 'execution-retention',
    env: 'SWITCHBOARD_EXECUTION_RETENTION',
    type: integer({ min: 0, max: 100 * 365 * 24 * 3600, unit: 'seconds' }),
    default: 30 * 24 * 3600,
    description: 'Ended executions are deleted with their steps this long after they started (Studio: 30 days; 0 = kept forever); checked hourly',
  }),
  oneActivePerContact: key({
    flag: 'one-active-per-contact',
    env: 'SWITCHBOARD_ONE_ACTIVE_PER_CONTACT',
    type: boolean,
    default: true,
    description: 'One active execution per flow and contact pair (a second v2 create is a 409/20409); false lets them run side by side',
  }),
  inboundExecutionRate: key({
    flag: 'inbound-execution-rate',
    env: 'SWITCHBOARD_INBOUND_EXECUTION_RATE',
    type: integer({ min: 0, unit: 'per second' }),
    default: 100,
    description: "New inbound executions per second per account and node before 429/20429 (Studio's 100; 0 = unlimited; off in dev mode)",
  }),
  restExecutionRate: key({
    flag: 'rest-execution-rate',
    env: 'SWITCHBOARD_REST_EXECUTION_RATE',
    type: integer({ min: 0, unit: 'per second' }),
    default: 20,
    description: "New REST executions per second per account and node before 429/20429 (Studio's 20; 0 = unlimited; off in dev mode)",
  }),
  timezone: key({
    flag: 'timezone',
    env: 'SWITCHBOARD_TIMEZONE',
    type: timeZone,
    default: 'UTC',
    description: "Time zone of Liquid's date filter and `now`",
  }),
  liquidObjectFormat: key({
    flag: 'liquid-object-format',
    env: 'SWITCHBOARD_LIQUID_OBJECT_FORMAT',
    type: oneOf('json', 'map'),
    default: 'json',
    description: "How Liquid prints an object ({{flow.data}}): json, or map for Java's {k=v, …} (Studio's is unconfirmed)",
  }),
  liquidSlashDates: key({
    flag: 'liquid-slash-dates',
    env: 'SWITCHBOARD_LIQUID_SLASH_DATES',
    type: oneOf('month-first', 'day-first'),
    default: 'month-first',
    description: "How Liquid's date filters read a slashed date with a year: month-first (03/10/2026 is 10 March, as US users write it) or day-first (3 October, as Ruby's Time.parse); 3/10 is month first either way (Studio's is unconfirmed)",
  }),
  liquidVersion: key({
    flag: 'liquid-version',
    env: 'SWITCHBOARD_LIQUID_VERSION',
    type: liquidRelease,
    default: DEFAULT_LIQUID_VERSION,
    description: "The release of Shopify's Liquid taken as Studio's (4.0.0 or later, e.g. 5.5): filters it lacks return their input and tags it lacks fail, as on Twilio, and the validator warns about both (Studio's is unconfirmed)",
  }),
  liquidExtras: key({
    flag: 'liquid-extras',
    env: 'SWITCHBOARD_LIQUID_EXTRAS',
    type: boolean,
    default: false,
    description: "Keep liquidjs' filters and tags that Studio's Liquid lacks (push, where_exp, slugify, sample, {% block %}…); off, they do what they do on Twilio",
  }),
  setVariablesTyping: key({
    flag: 'set-variables-typing',
    env: 'SWITCHBOARD_SET_VARIABLES_TYPING',
    type: oneOf('infer', 'string', 'infer-unquote'),
    default: 'infer',
    description: 'Set Variables values: infer makes a plain decimal a number ("1.50" → 1.5), string keeps the text as written, infer-unquote infers but takes a value wrapped in double quotes as the text inside them (Studio\'s is unconfirmed)',
  }),
  // ---- outbound HTTP (make-http-request, run-function): see src/channels/http/outbound-policy.ts
  dev: key({
    flag: 'dev',
    env: 'SWITCHBOARD_DEV',
    type: boolean,
    default: false,
    description: 'Development mode: flows may call loopback and private addresses (npm start turns it on)',
  }),
  httpAllow: key({
    flag: 'http-allow',
    env: 'SWITCHBOARD_HTTP_ALLOW',
    type: list('hosts, *.domains, addresses or CIDRs', ruleProblem),
    default: [],
    description: 'Outbound HTTP always allowed to these (e.g. 10.0.0.0/8,api.internal); opens private ranges outside dev mode',
  }),
  httpDeny: key({
    flag: 'http-deny',
    env: 'SWITCHBOARD_HTTP_DENY',
    type: list('hosts, *.domains, addresses or CIDRs', ruleProblem),
    default: [],
    description: 'Outbound HTTP always refused to these; host rules beat address rules, deny beats allow',
  }),
  functionHosts: key({
    flag: 'function-hosts',
    env: 'SWITCHBOARD_FUNCTION_HOSTS',
    type: list('hosts, *.domains, addresses or CIDRs', ruleProblem),
    default: ['*.twil.io'],
    description: 'Run Function requests to these hosts are signed with the upstream auth token (X-Twilio-Signature); others go unsigned',
  }),
  // ---- twilio-cli gateway (twilio-cli only reaches *.twilio.com; see README "twilio-cli")
  twilioCliGatewayPort: key({
    flag: 'twilio-cli-gateway-port',
    env: 'SWITCHBOARD_TWILIO_CLI_GATEWAY_PORT',
    type: optional(port),
    default: undefined,
    description: 'Port of the CONNECT proxy that lets twilio-cli reach this server (HTTP_PROXY=http://host:port); off when unset',
  }),
  twilioCliGatewayCertDir: key({
    flag: 'twilio-cli-gateway-cert-dir',
    env: 'SWITCHBOARD_TWILIO_CLI_GATEWAY_CERT_DIR',
    type: optional(path),
    default: undefined,
    description: "Where the gateway keeps its certificate (made with openssl on first use); default <data-dir>/twilio-cli-gateway",
  }),
  // ---- observability
  logLevel: key({ flag: 'log-level', env: 'LOG_LEVEL', type: oneOf(...LOG_LEVELS), default: 'info', description: 'Log level' }),
  logFormat: key({
    flag: 'log-format',
    env: 'SWITCHBOARD_LOG_FORMAT',
    type: oneOf('auto', 'json', 'pretty'),
    default: 'auto',
    description: 'Log output: pretty in a terminal and JSON otherwise (auto), or forced',
  }),
  metrics: key({
    flag: 'metrics',
    env: 'SWITCHBOARD_METRICS',
    type: boolean,
    default: true,
    description: 'Serve Prometheus metrics on /metrics',
  }),
  otlpEndpoint: key({
    flag: 'otlp-endpoint',
    env: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    type: optional(url('http', 'https')),
    default: undefined,
    description: 'OTLP/HTTP traces endpoint (e.g. http://collector:4318/v1/traces); tracing export is off when unset',
  }),
  serviceName: key({
    flag: 'service-name',
    env: 'OTEL_SERVICE_NAME',
    type: string,
    default: 'switchboard',
    description: 'service.name on traces and the default metrics label',
  }),
};

/** Rules involving several keys; each returns a problem naming the keys, or undefined. */
const CROSS_CHECKS: CrossCheck<typeof CONFIG_KEYS>[] = [
  {
    // Harmless but surely a slip: the rotation it was meant for did not happen (secrets are not echoed).
    keys: ['callbackSecret', 'callbackSecretPrevious'],
    check: (v) =>
      v.callbackSecretPrevious.includes(v.callbackSecret ?? '')
        ? v.callbackSecret === undefined
          ? `SWITCHBOARD_CALLBACK_SECRET_PREVIOUS lists '${NO_CALLBACK_SECRET}' while SWITCHBOARD_CALLBACK_SECRET is unset: '${NO_CALLBACK_SECRET}' is for the URLs handed out before it was set`
          : 'SWITCHBOARD_CALLBACK_SECRET_PREVIOUS lists SWITCHBOARD_CALLBACK_SECRET itself: set SWITCHBOARD_CALLBACK_SECRET to the new secret and list only the ones it replaces'
        : undefined,
  },
  {
    keys: ['accountSid', 'authToken'],
    check: (v) => ((v.accountSid === undefined) !== (v.authToken === undefined) ? 'set both TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or neither' : undefined),
  },
  {
    // The gateway listens on --host like the server: on the same port (not 0, a free one for each) one of
    // them could only fail to bind, and only after the server had printed its credentials.
    keys: ['port', 'twilioCliGatewayPort'],
    check: (v) =>
      v.twilioCliGatewayPort !== undefined && v.twilioCliGatewayPort !== 0 && v.twilioCliGatewayPort === v.port
        ? `--twilio-cli-gateway-port (${v.twilioCliGatewayPort}) is the port of the server itself (--port): give the twilio-cli gateway a port of its own`
        : undefined,
  },
];

export type SwitchboardConfig = ConfigValues<typeof CONFIG_KEYS> & {
  /** Explicit account from TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN; otherwise a dev account is generated. */
  account: { sid: string; authToken: string } | undefined;
};

/** Resolves every key and reports where each value came from (what `switchboard config` prints). */
export function resolveSwitchboardConfig(
  flags: Flags = {},
  env: NodeJS.ProcessEnv = process.env,
  options: ResolveOptions = {},
): Resolved<typeof CONFIG_KEYS> {
  return resolveConfig(CONFIG_KEYS, flags, env, options, CROSS_CHECKS);
}

export function loadConfig(flags: Flags = {}, env: NodeJS.ProcessEnv = process.env, options: ResolveOptions = {}): SwitchboardConfig {
  const { values } = resolveSwitchboardConfig(flags, env, options);
  const account = values.accountSid && values.authToken ? { sid: values.accountSid, authToken: values.authToken } : undefined;
  return { ...values, account };
}

/** parseArgs options for every configuration flag (src/cli/commands.ts spreads these). */
export function configFlagOptions(): Record<string, { type: 'string' | 'boolean' }> {
  return flagOptions(CONFIG_KEYS);
}
