// The SQLite store's writer thread. node:sqlite is synchronous: a COMMIT with synchronous=FULL
// blocks its thread for the fsync, and a group commit of a few hundred sprints for the SQL too.
// On the main thread that stalls every request; here a worker owns the one write connection and
// the main thread keeps reading through its own (WAL lets readers and the writer run side by side).
import { Worker } from 'node:worker_threads';
import { AccountGoneError, StoreConflictError, type SprintWrite } from '../../runtime/ports/store.ts';
import type { SprintResult } from '../group-commit.ts';
import type { SqliteStore } from './sqlite-store.ts';
import { DiskHealth } from './disk-errors.ts';
import { siblingModule } from '../../lib/sibling-module.ts';

/** The store methods that write: the worker runs them on its connection, in arrival order. */
export type WriteMethod =
  | 'setSetting'
  | 'setAccountSetting'
  | 'putChannelRecord'
  | 'insertChannelRecord'
  | 'deleteChannelRecord'
  | 'createAccount'
  | 'updateAccountToken'
  | 'rotateCallbackSecret'
  | 'createApiKey'
  | 'deleteApiKey'
  | 'deleteAccount'
  | 'createFlow'
  | 'saveFlowRevision'
  | 'deleteFlow'
  | 'setTestUsers'
  | 'addAlerts'
  | 'addInboundReceipts'
  | 'pruneHistory'
  | 'deleteExecution'
  | 'claimDueTimers'
  | 'claimEffects'
  | 'renewLeases'
  | 'releaseClaimsOf'
  | 'deleteTimer'
  | 'deleteEffect';

/** The claim rounds among them: their success does not clear a disk failure. */
const CLAIMS: ReadonlySet<WriteMethod> = new Set(['claimDueTimers', 'claimEffects', 'renewLeases', 'releaseClaimsOf']);

type Awaited_<T> = T extends Promise<infer U> ? U : T;
export type WriteResult<M extends WriteMethod> = Awaited_<ReturnType<SqliteStore[M]>>;

/** Messages to the worker. */
export type WriterRequest =
  | { id: number; op: 'call'; method: WriteMethod; args: unknown[] }
  | { id: number; op: 'sprints'; count: number; writes: string }
  | { id: number; op: 'close' };


export type WriterResponse = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  reason?: string;
  /** An AccountGoneError's account. */
  account?: string;
  code?: string;
  /** SQLite's result code (node:sqlite errors): tells a full disk from the rest (disk-errors.ts). */
  errcode?: number;
}

export function serializeError(error: unknown): SerializedError {
  const e = error instanceof Error ? error : new Error(String(error));
  return {
    name: e.name,
    message: e.message,
    ...(e instanceof StoreConflictError ? { reason: e.reason } : {}),
    ...(e instanceof AccountGoneError ? { account: e.accountSid } : {}),
    ...(typeof (e as { code?: unknown }).code === 'string' ? { code: (e as unknown as { code: string }).code } : {}),
    ...(typeof (e as { errcode?: unknown }).errcode === 'number' ? { errcode: (e as unknown as { errcode: number }).errcode } : {}),
  };
}

/** The same error class on this side, so callers' `instanceof` and conflict checks still hold. */
export function deserializeError(error: SerializedError): Error {
  if (error.name === 'StoreConflictError' && error.reason) return new StoreConflictError(error.reason as StoreConflictError['reason'], error.message);
  if (error.name === 'AccountGoneError' && error.account) return new AccountGoneError(error.account);
  const rebuilt = new Error(error.message) as Error & { code?: string; errcode?: number };
  rebuilt.name = error.name;
  if (error.code) rebuilt.code = error.code;
  if (error.errcode !== undefined) rebuilt.errcode = error.errcode;
  return rebuilt;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class SqliteWriter {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #failure: Error | null = null;
  /** Whether the thread's writes are failing on the disk (full, read-only, I/O errors). */
  readonly #disk = new DiskHealth();
  #closing = false;
  readonly #exited: Promise<void>;

  constructor(path: string) {
    this.#worker = new Worker(siblingModule(import.meta.url, 'writer-worker'), {
      workerData: { path },
      // Its garbage is short-lived batch text: a small young generation keeps the thread's heap (and
      // the process's RSS) from growing in a burst and staying grown.
      resourceLimits: { maxYoungGenerationSizeMb: 8 },
    });
    // Referenced only while a write is outstanding: an idle store never keeps a CLI process alive.
    this.#worker.unref();
    this.#worker.on('message', (response: WriterResponse) => this.#settle(response));
    this.#worker.on('error', (error) => this.#fail(error));
    this.#exited = new Promise((resolve) => {
      this.#worker.once('exit', (code) => {
        this.#fail(new Error(`the SQLite writer thread exited (code ${code})`));
        resolve();
      });
    });
  }

  /** Why the thread is gone, once it is (every write fails from then on). */
  get failure(): Error | null {
    return this.#failure;
  }

  /** Why writes fail on the disk, if one did recently and none succeeded since (for /readyz). */
  get diskFailure(): string | null {
    return this.#disk.failure;
  }

  /** Stops the thread at once, as a crash would (tests). */
  async terminate(): Promise<void> {
    await this.#worker.terminate();
    await this.#exited;
  }

  async call<M extends WriteMethod>(method: M, args: Parameters<SqliteStore[M]>): Promise<WriteResult<M>> {
    try {
      const value = (await this.#send({ op: 'call', method, args })) as WriteResult<M>;
      // A claim round lands on a full disk too (SqliteStore.transaction): no sign of room.
      if (!CLAIMS.has(method)) this.#disk.note(undefined);
      return value;
    } catch (error) {
      this.#disk.note(error);
      throw error;
    }
  }

  /** One group commit: the outcome of each sprint, in order. */
  async commitSprints(writes: SprintWrite[]): Promise<SprintResult[]> {
    // As JSON text, which is what the rows hold anyway: one string is copied across the thread, and
    // its parsing is the writer thread's work, not this one's (a structured clone of every record,
    // step and effect in the batch cost this thread about as much as the stringify).
    const outcomes = (await this.#send({ op: 'sprints', count: writes.length, writes: JSON.stringify(writes) })) as SprintResult<SerializedError>[];
    const results = outcomes.map((outcome) => (outcome.ok ? outcome : { ok: false as const, error: deserializeError(outcome.error) }));
    const failed = results.find((result) => !result.ok);
    this.#disk.note(results.some((result) => result.ok) || !failed ? undefined : failed.error);
    return results;
  }

  async close(): Promise<void> {
    // Held until the thread has exited: a process awaiting only this must not end first.
    this.#closing = true;
    this.#worker.ref();
    if (!this.#failure) await this.#send({ op: 'close' }).catch(() => undefined);
    await this.#exited;
  }

  #send(request: { op: 'call'; method: WriteMethod; args: unknown[] } | { op: 'sprints'; count: number; writes: string } | { op: 'close' }): Promise<unknown> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      if (this.#pending.size === 1) this.#worker.ref();
      this.#worker.postMessage({ id, ...request } as WriterRequest);
    });
  }

  #settle(response: WriterResponse): void {
    const pending = this.#pending.get(response.id);
    if (!pending) return;
    this.#pending.delete(response.id);
    if (this.#pending.size === 0 && !this.#closing) this.#worker.unref();
    if (response.ok) pending.resolve(response.value);
    else pending.reject(deserializeError(response.error));
  }

  /** The thread is gone: every outstanding and later write fails (nothing is reported done that was not). */
  #fail(error: Error): void {
    this.#failure ??= error;
    for (const pending of this.#pending.values()) pending.reject(this.#failure);
    this.#pending.clear();
  }
}
