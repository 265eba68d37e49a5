// Probes for orchestrators: /healthz says the process is alive and serving; /readyz says it can do
// real work — the store answers and its schema is the one this build was made for (not behind it,
// nor migrated past it by a newer node since this one started). Neither needs credentials.
import { databaseSchemaMissing } from '../../runtime/ports/store-errors.ts';
import type { ApiContext } from '../context.ts';
import type { Routes } from '../server.ts';

const STORE_PROBE_TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface Readiness {
  ready: boolean;
  checks: { store: { ok: boolean; kind: string; error?: string }; migrations: { ok: boolean; applied?: number; expected?: number; error?: string } };
}

export async function readiness(ctx: Pick<ApiContext, 'store'>): Promise<Readiness> {
  const store = ctx.store;
  const checks: Readiness['checks'] = { store: { ok: true, kind: store.kind }, migrations: { ok: true } };
  try {
    // A ping passes the read cache; a store without one is asked for a setting.
    await withTimeout<unknown>(store.ping ? store.ping() : store.getSetting('readyz-probe'), STORE_PROBE_TIMEOUT_MS, 'the store');
  } catch (error) {
    checks.store = { ok: false, kind: store.kind, error: (error as Error).message };
  }
  if (!checks.store.ok) {
    checks.migrations = { ok: false, error: 'store unreachable' };
    return { ready: false, checks };
  }
  if (typeof (store as { ready?: unknown }).ready === 'function') {
    // Backends that migrate in the background on open (PostgreSQL) resolve ready() once the schema is current.
    try {
      await withTimeout((store as unknown as { ready(): Promise<void> }).ready(), STORE_PROBE_TIMEOUT_MS, 'the schema migration');
    } catch (error) {
      checks.migrations = { ok: false, error: (error as Error).message };
    }
  }
  // Read on every probe (one small query): a newer node may migrate the schema at any time.
  if (checks.migrations.ok && store.schemaStatus) {
    try {
      const { applied, expected } = await withTimeout(store.schemaStatus(), STORE_PROBE_TIMEOUT_MS, 'the store');
      checks.migrations = { ok: applied === expected, applied, expected, ...schemaMismatch(applied, expected) };
    } catch (error) {
      // The database dropped and recreated empty under the node (a restore not yet run): said plainly.
      const missing = databaseSchemaMissing(error) ? `the database has no Switchboard schema: restore it, or restart the node so that it creates the schema (${(error as Error).message})` : null;
      checks.migrations = { ok: false, error: missing ?? (error as Error).message };
    }
  }
  return { ready: checks.migrations.ok, checks };
}

function schemaMismatch(applied: number, expected: number): { error?: string } {
  if (applied < expected) return { error: `schema at version ${applied}, this build needs ${expected}` };
  // This node's code may misread what the newer one writes: it takes on no background work (housekeeping.ts).
  if (applied > expected) return { error: `schema at version ${applied} is newer than this build (${expected}): a newer Switchboard migrated it; replace this node with that version` };
  return {};
}

export function registerHealth(routes: Routes, ctx: ApiContext): void {
  // Probes come every few seconds: their requests are not logged at info.
  const probe = { logLevel: 'warn' as const, config: { auth: false, probe: true } };
  routes.app.route({ method: 'GET', url: '/healthz', ...probe, handler: async () => ({ status: 'ok', store: ctx.store.kind }) });
  routes.app.route({
    method: 'GET',
    url: '/readyz',
    ...probe,
    handler: async (_request, reply) => {
      // Not yet serving: said at once (probing the store would wait on what the start waits for).
      if (ctx.startup && !ctx.startup.open) {
        reply.code(503);
        return { status: 'starting', store: { ok: false, kind: ctx.store.kind, error: 'the node is starting: waiting for the store (and its schema migration, perhaps run by another node)' }, migrations: { ok: false, error: 'not checked while starting' } };
      }
      const result = await readiness(ctx);
      reply.code(result.ready ? 200 : 503);
      return { status: result.ready ? 'ready' : 'unavailable', ...result.checks };
    },
  });
}
