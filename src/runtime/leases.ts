// The timers and effects this node has claimed. Claims are leases in the store: while the node
// lives it renews them (a heartbeat every third of the lease), and when it dies they expire and
// any other node takes the work over. On graceful shutdown the node gives its claims back at once.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { ClaimRef, Lease, Store } from './ports/store.ts';

export interface LeaseOptions {
  /** Who this node is in lease_owner columns; unique per process. */
  nodeId: string;
  /** How long a claim lasts without renewal: the takeover delay after a node dies. */
  leaseMs: number;
  now: () => number;
}

export const DEFAULT_LEASE_MS = 30_000;
/**
 * After a failed renewal (the database was away), how soon it is tried again: the claims run out a
 * lease after the last renewal that landed, so the first beat once the store is back must not wait
 * a whole third of a lease while other nodes sweep for orphans every second.
 */
const RENEW_RETRY_MS = 250;

/** The ids this process made: an owner with its host and pid but none of these is another container's. */
const issued = new Set<string>();

/** host:pid:random — readable in the database, never reused by a restarted process. */
export function newNodeId(): string {
  const id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  issued.add(id);
  return id;
}

/**
 * Whether a claim's owner is certainly gone, judged from its `host:pid:random` id: an earlier runtime
 * of this very process (an id it made), or a process on this host that no longer exists. A live process on this host
 * (a server running beside a CLI command) keeps its claims, and so does an owner this cannot judge:
 * another host's (a container sharing the data directory's volume: `simulate` beside a server in
 * another container) or a configured --node-id. Those claims run out after a lease if their owner is
 * gone; `serve` frees those of the server before it at once (it knows that one from its data
 * directory's lock, src/store/sqlite/data-dir-lock.ts).
 */
export function isAbandonedOwner(owner: string, self: string): boolean {
  if (owner === self) return false;
  const parts = owner.split(':');
  const pid = Number(parts.at(-2));
  if (parts.length < 3 || !Number.isInteger(pid) || pid <= 0) return false;
  if (parts.slice(0, -2).join(':') !== hostname()) return false;
  // Containers with one host name may each run their node as pid 1.
  if (pid === process.pid) return issued.has(owner);
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export class WorkLeases {
  readonly nodeId: string;
  readonly leaseMs: number;
  readonly #store: Store;
  readonly #now: () => number;
  readonly #timers = new Set<string>();
  readonly #effects = new Set<string>();
  #heartbeat: NodeJS.Timeout | null = null;
  #retry: NodeJS.Timeout | null = null;

  constructor(store: Store, options: LeaseOptions) {
    this.#store = store;
    this.nodeId = options.nodeId;
    this.leaseMs = options.leaseMs;
    this.#now = options.now;
  }

  /** A fresh lease for this node, from now. */
  lease(): Lease {
    return { owner: this.nodeId, until: this.#now() + this.leaseMs };
  }

  ref(kind: ClaimRef['kind'], id: string): ClaimRef {
    return { kind, id, owner: this.nodeId };
  }

  hold(kind: ClaimRef['kind'], id: string): void {
    (kind === 'timer' ? this.#timers : this.#effects).add(id);
  }

  /** Stops renewing a claim: its work is done (the row is gone) or given up (another node may retry it). */
  drop(kind: ClaimRef['kind'], id: string): void {
    (kind === 'timer' ? this.#timers : this.#effects).delete(id);
  }

  holds(kind: ClaimRef['kind'], id: string): boolean {
    return (kind === 'timer' ? this.#timers : this.#effects).has(id);
  }

  start(): void {
    if (this.#heartbeat) return;
    const interval = Math.max(50, Math.floor(this.leaseMs / 3));
    this.#heartbeat = setInterval(() => void this.#beat(Math.min(RENEW_RETRY_MS, interval)), interval);
    this.#heartbeat.unref();
  }

  async #beat(retryMs: number): Promise<void> {
    try {
      await this.renew();
    } catch {
      if (this.#retry || !this.#heartbeat) return;
      this.#retry = setTimeout(() => {
        this.#retry = null;
        if (this.#heartbeat) void this.#beat(retryMs);
      }, retryMs);
      this.#retry.unref();
    }
  }

  /** Extends every claim still held (rows another node took over are left alone by the store). */
  async renew(): Promise<void> {
    if (this.#timers.size === 0 && this.#effects.size === 0) return;
    await this.#store.renewLeases(this.lease(), { timers: [...this.#timers], effects: [...this.#effects] });
  }

  /** Stops the heartbeat and hands every claim back so other nodes take it without waiting. */
  async stop(): Promise<void> {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    if (this.#retry) clearTimeout(this.#retry);
    this.#heartbeat = null;
    this.#retry = null;
    this.#timers.clear();
    this.#effects.clear();
    await this.#store.releaseLeases(this.nodeId);
  }
}
