// `switchboard serve`: start the server and print how to reach it.
import { isIPv4, isIPv6, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createApp, type App } from '../app.ts';
import { listenProblem, storageProblem, unexpectedProblem } from './startup-errors.ts';
import { recordConfiguredAccounts } from './accounts.ts';
import { dropWritesOnceClosed } from './closed-output.ts';
import { startConfiguredGateway } from '../twilio-proxy/index.ts';
import { DataDirLock, DataDirLockedError } from '../store/sqlite/data-dir-lock.ts';
import { DAMAGE_ADVICE, onDatabaseDamaged, sqliteDamageCode } from '../store/sqlite/disk-errors.ts';

/** Longer than the outbound HTTP cap (10 s), so an in-flight request can finish. */
const SHUTDOWN_GRACE_MS = 25_000;
import { ConfigError, loadConfig, resolveSwitchboardConfig, type SwitchboardConfig } from '../config.ts';

export async function serveCommand(flags: Record<string, string | boolean | undefined>): Promise<number> {
  // Before the first line: a reader of stdout or stderr that goes away (`| head`, a killed `| tee`) must not end the server.
  dropWritesOnceClosed();
  // A bad value that a stronger source overrides (PORT=eighty with --port 5000) does not stop the start; say so.
  const resolved = resolveSwitchboardConfig(flags);
  for (const warning of resolved.warnings) console.error(`switchboard: warning: ${warning}`);
  // Where the configured token came from (TWILIO_AUTH_TOKEN, or 'authToken' in the config file), for the banner.
  const tokenOrigin = resolved.keys.find((key) => key.name === 'authToken')?.origin ?? 'TWILIO_AUTH_TOKEN';
  const config = loadConfig(flags);
  const exposed = devModeExposure(config);
  if (exposed) console.error(`switchboard: warning: ${exposed}`);
  const shortRetention = retentionShorterThanAge(config);
  if (shortRetention) console.error(`switchboard: warning: ${shortRetention}`);
  let app: App | undefined;
  let startup: Awaited<ReturnType<App['accounts']['ensureStartupAccount']>>;
  let serving = false;
  const cannotStart = async (error: unknown) => {
    const file = join(config.dataDir, 'switchboard.db');
    const damaged = sqliteDamageCode(error) ? `the database ${file} is damaged (${(error as Error).message}): restore it from a backup (made with 'switchboard backup'); restarting does not repair it` : null;
    console.error(`switchboard: cannot start: ${damaged ?? storageProblem(error, config.dataDir) ?? unexpectedProblem(error)}`);
    debugStack(config.logLevel, error);
    await app?.close().catch(() => undefined);
    return 1;
  };
  // One server per SQLite data directory, taken before the store opens (or migrates) it; PostgreSQL
  // is shared by design. A lock that cannot be taken for another reason (a read-only directory) is
  // reported after the store has had its say, which words such problems best.
  let lockProblem: unknown;
  let lock: DataDirLock | null = null;
  if (!config.databaseUrl && config.dataDir !== ':memory:') {
    try {
      lock = DataDirLock.acquire(config.dataDir);
    } catch (error) {
      if (error instanceof DataDirLockedError) return cannotStart(error);
      lockProblem = error;
    }
  }
  // A damaged database file met while serving (a read of a bad page, usually): /readyz turns 503 and stays
  // so (disk-errors.ts); one error line says what to do.
  let damageLogged = false;
  onDatabaseDamaged((reason) => {
    if (damageLogged || !app) return;
    damageLogged = true;
    app.observability.logger.error({ reason }, `the database is damaged: ${reason}; ${DAMAGE_ADVICE}`);
  });
  try {
    app = await createApp(config, { logger: { level: config.logLevel }, deferStart: true });
    if (lockProblem !== undefined) return cannotStart(lockProblem);
    if (lock) {
      // The previous holder is gone (this process has the lock): its claims are void now, wherever it ran.
      if (lock.previous?.nodeId) await app.store.releaseLeases(lock.previous.nodeId);
      lock.describe(app.executions.nodeId);
    }
  } catch (error) {
    return cannotStart(error);
  }
  // Graceful stop: refuse new requests (503 while closing), let in-flight requests and sprints
  // finish (effects not yet started stay in the outbox for the next start), close the store.
  // A second signal, or a stop that takes longer than SHUTDOWN_GRACE_MS, exits at once.
  // Installed before listening; until the node serves there is nothing to drain, and a signal stops it at once.
  let closing = false;
  const running = app;
  // What serve says on stdout: plain lines, or with --log-format json records among the others (log shippers
  // read stdout as JSON lines). Secrets never go into a record.
  const jsonOutput = config.logFormat === 'json';
  // At info whatever --log-level says, as the plain lines are printed whatever it says (scripts wait for them).
  const banner = jsonOutput ? running.observability.logger.child({}, { level: 'info' }) : null;
  const say = (line: string, fields: Record<string, unknown> = {}) => (banner ? banner.info(fields, line) : console.log(line));
  const shutdown = async (signal: string) => {
    // Not serving yet: nothing to drain, and closing would wait for the store the start waits for.
    if (!serving) {
      say(`${signal}: stopped before serving`, { signal });
      process.exit(0);
    }
    if (closing) {
      console.error(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    closing = true;
    say(`${signal}: shutting down`, { signal });
    setTimeout(() => {
      console.error(`shutdown took longer than ${SHUTDOWN_GRACE_MS} ms: exiting`);
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    try {
      await running.close();
    } catch (error) {
      console.error(`switchboard: error while shutting down: ${(error as Error).message}`);
      process.exit(1);
    }
    say('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // The terminal closed (or a supervisor hung up): drain like SIGTERM rather than die mid-sprint.
  process.on('SIGHUP', () => void shutdown('SIGHUP'));
  try {
    await app.server.listen({ port: config.port, host: config.host });
  } catch (error) {
    console.error(`switchboard: cannot start: ${listenProblem(error, config.host, config.port) ?? unexpectedProblem(error)}`);
    debugStack(config.logLevel, error);
    await app.close().catch(() => undefined);
    return 1;
  }
  // The runtime starts once the port is open: a node waiting for the store (PostgreSQL: another node's
  // schema migration) answers /healthz, and 503 on /readyz and the API, instead of not at all.
  try {
    await app.start();
    startup = await app.accounts.ensureStartupAccount(config.account);
    // So that `accounts delete|rotate-token` refuse it from any shell, not only one with this environment.
    await recordConfiguredAccounts(app.store, config.account);
    // A write before serving: a read-only or full data directory is reported now, not on the first request.
    await app.store.setSetting('last_started_at', new Date().toISOString());
  } catch (error) {
    return cannotStart(error);
  }
  // Before the banner: a gateway that cannot start stops the server before it has said it serves.
  let cliGateway: Awaited<ReturnType<typeof startConfiguredGateway>>;
  try {
    cliGateway = await startConfiguredGateway(app.server.server, config);
  } catch (error) {
    const problem = listenProblem(error, config.host, config.twilioCliGatewayPort ?? 0)?.replace('--port', '--twilio-cli-gateway-port') ?? unexpectedProblem(error);
    console.error(`switchboard: cannot start the twilio-cli gateway: ${problem}`);
    debugStack(config.logLevel, error);
    await app.close().catch(() => undefined);
    return 1;
  }
  app.open();
  serving = true;
  const { account, generated } = startup;
  // The bound port, so `--port 0` (any free port) prints the one it got.
  const port = (app.server.server.address() as AddressInfo | null)?.port ?? config.port;
  // The address bound, even with a public base URL (which names a proxy in front, not this socket).
  const listening = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const base = clientBaseUrl(config, port);
  // Where the data lives: the data directory is not used for it on PostgreSQL, so name the database instead.
  const where = config.databaseUrl ? `database: ${databaseShown(config.databaseUrl)}, schema: ${config.databaseSchema}` : `data: ${config.dataDir}`;
  const store = app.store.kind;
  say(`Switchboard listening on ${listening} (${where}, store: ${store})`, { url: listening, store, ...(config.databaseUrl ? { database: databaseShown(config.databaseUrl), schema: config.databaseSchema } : { dataDir: config.dataDir }) });
  if (config.publicBaseUrl) say(`Public base URL: ${config.publicBaseUrl}`, { publicBaseUrl: config.publicBaseUrl });
  say(`${generated ? 'Dev account' : 'Account'}: ${account.sid}`, { accountSid: account.sid });
  // A configured token came from the environment and is not echoed into logs; the dev account's is shown for
  // local use: on a terminal, and never in a JSON record (a log shipper would keep it).
  const tokenShown = generated && (!jsonOutput || process.stdout.isTTY === true);
  if (!generated) say(`Auth token: (from ${tokenOrigin}, not shown)`);
  else if (!jsonOutput) say(`Auth token: ${account.authToken}`);
  else if (tokenShown) console.log(`Auth token: ${account.authToken}`);
  else say(`Auth token: ${devTokenNotLogged(account.sid)}`, { accountSid: account.sid });
  say(`Point twilio-node at it: client.studio.baseUrl = '${base}'`, { baseUrl: base });
  if (cliGateway) {
    const lines = twilioCliLines(cliGateway.env, account, tokenShown);
    // The dev account's token left out of a JSON record: the second line says how to get one, not to set the configured one.
    if (generated && !tokenShown) lines[1] = `twilio-cli also needs TWILIO_AUTH_TOKEN, the dev account's auth token: ${devTokenNotLogged(account.sid)}`;
    // The dev account's token on a terminal: a plain line, as the Auth token line.
    for (const line of lines) (jsonOutput && tokenShown && line.includes(account.authToken) ? console.log(line) : say(line));
  }
  return 0;
}

/** What JSON output says in place of the dev account's auth token. */
function devTokenNotLogged(accountSid: string): string {
  return `not written to JSON logs; 'switchboard accounts rotate-token ${accountSid}' prints a new one (or set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN)`;
}

/** Addresses that bind every interface: no client can connect to them as written. */
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]', '::0', '0:0:0:0:0:0:0:0']);

/**
 * The base URL a client on this machine uses: the public base URL when one is set; else the bound
 * address, 127.0.0.1 for a wildcard one (--host 0.0.0.0 or ::, which binds IPv4 too).
 */
export function clientBaseUrl(config: Pick<SwitchboardConfig, 'host' | 'publicBaseUrl'>, port: number): string {
  if (config.publicBaseUrl) return config.publicBaseUrl;
  const host = WILDCARD_HOSTS.has(config.host) ? '127.0.0.1' : config.host;
  return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}

/** A host name or address that only this machine reaches. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1') return true;
  if (isIPv4(h)) return h.startsWith('127.');
  // ::ffff:127.0.0.1 and the long spelling of ::1.
  return isIPv6(h) && (/^::ffff:127\./.test(h) || /^(0{1,4}:){7}0{0,3}1$/.test(h));
}

/**
 * Dev mode opens flows' outbound HTTP to loopback and private addresses and turns the execution rate
 * limits off: meant for one developer's machine. On an interface others reach (--host 0.0.0.0, also
 * from a config file or HOST), anyone who can reach the port gets that: one warning line says so.
 */
export function devModeExposure(config: Pick<SwitchboardConfig, 'dev' | 'host'>): string | undefined {
  if (!config.dev || isLoopbackHost(config.host)) return undefined;
  return `dev mode (--dev) on host ${config.host}, which is not loopback: flows may call loopback and private addresses and execution rate limits are off for anyone who can reach this port; use dev mode on 127.0.0.1 only`;
}

/**
 * A retention shorter than the maximum age deletes an execution that ran longer at the first hourly check
 * after it ends: its history is gone within the hour. Allowed (space may matter more), but said once.
 */
export function retentionShorterThanAge(config: Pick<SwitchboardConfig, 'executionRetention' | 'executionMaxAge'>): string | undefined {
  if (config.executionRetention <= 0 || config.executionRetention >= config.executionMaxAge) return undefined;
  return `--execution-retention (${config.executionRetention} s) is shorter than --execution-max-age (${config.executionMaxAge} s): an execution that runs longer than the retention is deleted, steps and all, within the hour after it ends`;
}

/** The stack of a startup failure, for developers: only at log level debug or trace. */
function debugStack(level: string, error: unknown): void {
  if ((level === 'debug' || level === 'trace') && error instanceof Error && error.stack) console.error(error.stack);
}

/**
 * What to paste into a shell for twilio-cli: one `twilio-cli: export …` line whose values are real and
 * shell-quoted, so `eval "$(grep '^twilio-cli:' log | cut -d' ' -f2-)"` works. The dev account's token is
 * on it (serve prints that token anyway); a configured token is never echoed, so the line leaves
 * TWILIO_AUTH_TOKEN out and a separate line (not starting `twilio-cli:`) says to set it.
 */
export function twilioCliLines(env: Record<string, string>, account: { sid: string; authToken: string }, generated: boolean): string[] {
  const vars: [string, string][] = [...Object.entries(env), ['TWILIO_ACCOUNT_SID', account.sid]];
  if (generated) vars.push(['TWILIO_AUTH_TOKEN', account.authToken]);
  const lines = [`twilio-cli: export ${vars.map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ')}`];
  if (!generated) lines.push("twilio-cli also needs TWILIO_AUTH_TOKEN: the configured account's auth token (not shown; set it yourself)");
  return lines;
}

/** A value as one POSIX shell word: as is when that is safe, otherwise in single quotes. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The database a node uses, for people: user, host and database only (never a password or query options). */
function databaseShown(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username ? `${u.username}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return '(the configured PostgreSQL)';
  }
}
