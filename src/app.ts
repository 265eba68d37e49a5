// The composition root: opens the store, builds the channels, the runtime services and the HTTP
// server, and starts the runtime (pending effects, timers) once everything is in place.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer } from './api/server.ts';
import { drainBeforeClosing } from './api/drain.ts';
import { AccountService } from './runtime/accounts.ts';
import { FlowService } from './runtime/flows.ts';
import { DEFAULT_RUNTIME_OPTIONS, ExecutionService, type RuntimeOptions } from './runtime/executions.ts';
import type { OutboundHttp } from './runtime/ports/channel.ts';
import type { Store } from './runtime/ports/store.ts';
import type { SchemaUpgrade } from './store/schema-upgrade.ts';
import { SqliteStore } from './store/sqlite/sqlite-store.ts';
import { SimulatorChannel } from './channels/simulator/simulator-channel.ts';
import { FetchHttp } from './channels/http/fetch-http.ts';
import { outboundPolicy } from './channels/http/outbound-policy.ts';
import { ChannelRouter } from './channels/router.ts';
import { TwilioChannel, type TwilioChannelOptions } from './channels/twilio/twilio-channel.ts';
import { WebhookChannel } from './channels/webhook/webhook-channel.ts';
import { SimulatorPhone, type StartTimer } from './channels/simulator/phone.ts';
import { SignedPhoneTransport, simulatorBase } from './channels/simulator/phone-transport.ts';
import { voiceNetwork } from './channels/voice/voice-network.ts';
import { CallService } from './runtime/calls.ts';
import { policyGuard } from './channels/twilio/outbound-guard.ts';
import type { SwitchboardConfig } from './config.ts';
import { createObservability, observeHttp, timedStore, type Observability, type ObservabilityOptions } from './observability/index.ts';
import { cachedReads } from './runtime/read-cache.ts';
import { registerMetricsRoute } from './api/routes/metrics.ts';
import { MemoryReclaimer, nodeMemoryProbe } from './observability/memory-reclaimer.ts';

export interface App {
  server: FastifyInstance;
  store: Store;
  accounts: AccountService;
  flows: FlowService;
  executions: ExecutionService;
  simulator: SimulatorChannel;
  /** The simulator's phone network (simulated calls; `switchboard call` waits on it when a menu times out). */
  phone: SimulatorPhone;
  /** Logger, metrics and tracing (src/observability). */
  observability: Observability;
  /**
   * With deferStart: starts the runtime (pending effects, timers), which waits for the store to be
   * ready. Requests other than probes get 503 until open() is called. createApp does both otherwise.
   */
  start(): Promise<void>;
  /**
   * Once the runtime has started, the ending of the simulator calls the process before lost (in the
   * background: src/runtime/lost-calls.ts); how many executions it told of one (0: none to judge).
   */
  lostCallsEnded(): Promise<number>;
  open(): void;
  close(): Promise<void>;
}

export interface AppOptions {
  store?: Store;
  now?: () => number;
  logger?: boolean | object;
  /** Log destination, process metrics, a test span exporter; logs go to stdout when `logger` is set. */
  observability?: ObservabilityOptions;
  http?: OutboundHttp;
  runtime?: Partial<Omit<RuntimeOptions, 'now'>>;
  /** Twilio carrier tuning (retries, reconciliation delay); tests shorten the waits. */
  carrier?: Omit<TwilioChannelOptions, 'publicBaseUrl' | 'now'>;
  /**
   * Return before the runtime starts: the caller listens at once (probes answer: /healthz 200, /readyz
   * 503), then calls start() and open(). serve does, so a node waiting for the schema migration is
   * seen alive and not ready rather than not listening.
   */
  deferStart?: boolean;
  /**
   * False for `simulate` and `call`, guests of a store a server may be using: none of a server's
   * background chores start (the delivery-report sweep, the memory reclaimer), so the guest never
   * applies the server's stored reports nor sends their follow-ups through its own channels. (The
   * runtime still runs the guest's own executions; guestStore hides the shared work from it.)
   */
  backgroundChores?: boolean;
  /** How the simulator phone times ringing calls and Gather and Record timeouts (tests fire them by hand). */
  phoneTimer?: StartTimer;
}

/** Studio's runtime rules as configured (defaults are Studio's own). */
export function runtimeRules(config: SwitchboardConfig): Partial<Omit<RuntimeOptions, 'now'>> {
  return {
    limits: {
      maxSteps: config.maxSteps,
      maxSameWidgetInARow: config.maxSameWidget,
      maxContextBytes: config.maxContextBytes,
      maxStepBytes: config.maxStepBytes,
      defaultReplyTimeoutSeconds: config.defaultReplyTimeout,
      timezone: config.timezone,
      objectFormat: config.liquidObjectFormat,
      variableTyping: config.setVariablesTyping,
      slashDates: config.liquidSlashDates,
      liquidVersion: config.liquidVersion,
      liquidExtras: config.liquidExtras,
    },
    maxExecutionAgeMs: config.executionMaxAge * 1000,
    executionRetentionMs: config.executionRetention * 1000,
    oneActivePerContact: config.oneActivePerContact,
    // Per-account rates as configured; dev mode (local testing, load scripts) is never throttled.
    rateLimits: config.dev ? { inboundPerSecond: 0, restPerSecond: 0 } : { inboundPerSecond: config.inboundExecutionRate, restPerSecond: config.restExecutionRate },
  };
}

/** Hands memory back to the OS when the node is quiet after a burst (see src/observability/memory-reclaimer.ts). */
function startMemoryReclaimer(growthMb: number, observability: Observability): MemoryReclaimer {
  const MB = 1024 * 1024;
  const reclaimer = new MemoryReclaimer(nodeMemoryProbe(observability.activity), {
    growthBytes: growthMb * MB,
    intervalMs: 5000,
    quietIntervals: 2,
    minGapMs: 60_000,
    now: Date.now,
    onReclaim({ before, after, pauseMs }) {
      observability.metrics.memoryReclaims.inc();
      observability.metrics.memoryReclaimedBytes.inc(Math.max(0, before - after));
      observability.logger.info({ rssBeforeMb: Math.round(before / MB), rssAfterMb: Math.round(after / MB), pauseMs: Math.round(pauseMs) }, 'idle after a burst: memory handed back to the OS');
    },
  });
  reclaimer.start();
  return reclaimer;
}

/**
 * PostgreSQL when a database URL is configured (many nodes may share it), else embedded SQLite. The PostgreSQL
 * store (and `pg`) is loaded only then: a node on SQLite starts without it.
 */
export async function openStore(
  config: Pick<SwitchboardConfig, 'dataDir'> & Partial<Pick<SwitchboardConfig, 'databaseUrl' | 'databaseSchema' | 'dbPoolSize' | 'dbStatementTimeout' | 'dbStartupWait' | 'sqliteWriter'>>,
  schemaUpgrade: SchemaUpgrade = 'migrate',
): Promise<Store> {
  if (config.databaseUrl) {
    const { PostgresStore } = await import('./store/postgres/postgres-store.ts');
    return new PostgresStore({
      connectionString: config.databaseUrl,
      schema: config.databaseSchema,
      poolSize: config.dbPoolSize,
      statementTimeoutMs: config.dbStatementTimeout,
      startupWaitMs: config.dbStartupWait,
      schemaUpgrade,
    });
  }
  return new SqliteStore({ path: config.dataDir === ':memory:' ? ':memory:' : join(config.dataDir, 'switchboard.db'), writer: config.sqliteWriter ?? 'inline', schemaUpgrade });
}

export async function createApp(config: SwitchboardConfig, options: AppOptions = {}): Promise<App> {
  // A logging app is a real server: it also reports process metrics (CPU, memory, event loop).
  const observability = await createObservability(config, { log: Boolean(options.logger), processMetrics: Boolean(options.logger), ...options.observability });
  // Every store call is timed for /metrics; the backends stay unaware of it.
  // Accounts, keys, settings and flows are read by every request: a short cache (hits are not timed;
  // its expiry runs on the real clock, as other nodes' writes do, never on a simulated one).
  const store = cachedReads(timedStore(options.store ?? (await openStore(config)), observability.metrics), { ttlMs: config.readCacheMs });
  observability.observer.watchStore(store);
  const now = options.now ?? Date.now;
  const accounts = new AccountService(store, now);
  const flows = new FlowService(store, { now, invalidDefinitions: config.invalidDefinitions, liquidVersion: config.liquidVersion });
  const simulator = new SimulatorChannel(now);
  // The simulator sends as the carrier does: into the conversation an execution is in, which its row says.
  simulator.readChannelAddresses(async (executionSid) => (await store.getExecutionBySid(executionSid))?.channelAddress);
  // Each account's carrier configuration picks its channel; the simulator is the default. The
  // upstream URLs are account-set, so they obey the same outbound policy as flows' HTTP requests.
  const carrierGuard = policyGuard(outboundPolicy(config));
  const channels = new ChannelRouter(store, {
    simulator,
    twilio: new TwilioChannel(store, { guard: carrierGuard, log: observability.logger, ...options.carrier, publicBaseUrl: config.publicBaseUrl }),
    webhook: new WebhookChannel(store, { guard: carrierGuard, publicBaseUrl: config.publicBaseUrl, now }),
  }, { functionHosts: config.functionHosts });
  const executions = new ExecutionService(store, channels, options.http ?? new FetchHttp({ policy: outboundPolicy(config) }), {
    ...DEFAULT_RUNTIME_OPTIONS,
    ...runtimeRules(config),
    observer: observability.observer,
    nodeId: config.nodeId,
    leaseMs: config.leaseMs,
    ...options.runtime,
    now,
  });
  simulator.onStatus((report) => void executions.deliveryStatus(report).catch(() => undefined));
  // The voice side: one CallService per node signs and checks call callbacks (the flow webhook's and
  // the calls a flow places). Outbound calls and call recordings go through the account's carrier
  // (Twilio's Calls API) or ring the simulator phone, whose requests to this server are answered
  // in-process once the server exists (below).
  const phoneTransport = new SignedPhoneTransport(store, { base: simulatorBase(config.publicBaseUrl), policy: carrierGuard.policy });
  // The simulator phone's CallSids say which process made them (under a check keyed per account): a
  // simulator call lost in a restart does not hold its caller's line (CallService #holdsLine). This
  // process uses the store alone with SQLite (serve holds the data directory's lock; an in-memory store
  // is its own), unless as a guest of a server's (simulate, call: no background chores); PostgreSQL is
  // shared by nodes.
  const soleStoreUser = options.backgroundChores !== false && !(options.store ? options.store.kind === 'postgres' : config.databaseUrl);
  const calls: CallService = new CallService(store, executions, {
    serverSecret: config.callbackSecret ?? '',
    previousServerSecrets: config.callbackSecretPrevious,
    whereabouts: (callSid, accountSid) => phone.whereabouts(callSid, accountSid),
    now,
  });
  const phone = new SimulatorPhone(phoneTransport, {
    // The app's clock: what the phone reports by it (a relay session's SessionDuration, a queue's
    // QueueTime after a hang-up, the transcript's times) agrees with the executions' steps.
    now,
    callSidKey: (accountSid) => calls.accountKey(accountSid, 'simulator-call-sid'),
    acceptedCallSidKeys: (accountSid) => calls.acceptedAccountKeys(accountSid, 'simulator-call-sid'),
    soleStoreUser,
    ...(options.phoneTimer ? { startTimer: options.phoneTimer } : {}),
  });
  executions.useVoice(
    voiceNetwork(phone, {
      store,
      calls,
      upstreamGuard: carrierGuard,
      log: observability.logger,
      base: (forTwilio) => (forTwilio ? (config.publicBaseUrl?.replace(/\/+$/, '') ?? null) : phoneTransport.base),
    }),
  );
  const startup = { open: false };
  const server = await buildServer({
    startup,
    store,
    accounts,
    flows,
    executions,
    simulator,
    calls,
    phone: { phone, transport: phoneTransport },
    config: { publicBaseUrl: config.publicBaseUrl, bodyLimit: config.bodyLimit, requestTimeoutMs: config.requestTimeout * 1000, logger: observability.logger, upstreamGuard: carrierGuard, backgroundChores: options.backgroundChores ?? true, allowedOrigins: config.allowedOrigins, consoleStreamsPerAccount: config.consoleStreamsPerAccount, consoleStreams: config.consoleStreams, observe: (app) => observeHttp(app, observability.tracing.tracer, observability.metrics, observability.activity) },
  });
  phoneTransport.serveLocally(async (request) => {
    const res = await server.inject({ method: request.method, url: request.url, headers: request.headers, ...(request.body !== undefined ? { payload: request.body } : {}) });
    return { status: res.statusCode, contentType: String(res.headers['content-type'] ?? ''), body: res.body };
  });
  if (config.metrics) registerMetricsRoute(server, observability.metrics);
  let started: Promise<void> | null = null;
  // A restart loses every simulator call of the process before (their executions, in the store, would
  // wait on them until the age cap): once the runtime runs, they are ended as Twilio would report them
  // (src/runtime/lost-calls.ts), in the background. Only where that process certainly is gone: a store
  // used alone (on PostgreSQL another node's calls may be live there). A graceful close ends its own
  // calls itself (close, below); this catches those of a process killed outright.
  let lostCallsEnded: Promise<number> = Promise.resolve(0);
  const endLostCalls = () => {
    if (!soleStoreUser) return;
    lostCallsEnded = calls.endLostCalls().then(
      (count) => {
        if (count > 0) observability.logger.info({ executions: count }, 'simulator calls lost in the restart ended');
        return count;
      },
      (error: unknown) => {
        observability.logger.warn({ err: error }, 'ending simulator calls lost in the restart failed');
        return 0;
      },
    );
  };
  const start = () => (started ??= executions.start().then(endLostCalls));
  // A runtime never started holds no claims to hand back.
  let stopped: Promise<void> | null = null;
  const stopRuntime = () => (stopped ??= started ? executions.stop() : Promise.resolve());
  // On close the port keeps answering (503 to anything new) until admitted requests and the runtime's
  // sprints are done; then it stops listening.
  drainBeforeClosing(server, stopRuntime);
  if (!options.deferStart) {
    await start();
    startup.open = true;
  }
  const reclaimer = config.memoryReclaimMb > 0 && options.backgroundChores !== false ? startMemoryReclaimer(config.memoryReclaimMb, observability) : null;
  return {
    server,
    store,
    accounts,
    flows,
    executions,
    simulator,
    phone,
    observability,
    start,
    async lostCallsEnded() {
      await started;
      return lostCallsEnded;
    },
    open() {
      startup.open = true;
    },
    async close() {
      // Each step runs even if an earlier one failed (e.g. handing back claims to an unreachable
      // database): the store is always closed, and the first failure is reported. The server's close
      // drains (stopping the runtime before it stops listening); stopRuntime reports how that went.
      // The phone closes while the runtime still runs: the executions of its live calls are told the
      // calls are gone (as after a restart), and what follows in their flows is carried out in the drain.
      const hangUpPhone = async () => {
        const dropped = phone.close();
        if (started) await calls.endDroppedCalls(dropped);
      };
      const steps = [() => reclaimer?.stop(), () => calls.close(), hangUpPhone, () => server.close(), stopRuntime, () => store.close(), () => observability.shutdown()];
      let failure: unknown;
      for (const step of steps) {
        try {
          await step();
        } catch (error) {
          failure ??= error;
        }
      }
      if (failure !== undefined) throw failure;
    },
  };
}
