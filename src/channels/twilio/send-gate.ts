// The gate a step's request goes through: at most one runner, once, across retries, processes and nodes.
//
// A step's 'requesting' ledger record says a request was started, not that it left: a store failure
// after writing it, or a runner whose claim on the effect lapsed while it retried, leaves one behind
// with nothing sent. So the request is made only by the runner that inserted the step's gate record
// (`carrier-go:<ledger key>`, insert-if-absent, naming a nonce the runner keeps until it makes the
// request), and by nobody else:
//   - no gate record: nothing was requested; the first runner to insert one sends, any other finds it taken;
//   - the gate names a nonce this process holds: its insert landed though the answer was lost, and
//     the request was never made: this process sends now;
//   - any other gate: another runner made the request, which may have left: its outcome is unknown.
// Ledger records written with a gate say so (`gated`); an older 'requesting' record without it was
// written by a version that sent without one, so its request may have left.
import { randomBytes } from 'node:crypto';
import type { Store } from '../../runtime/ports/store.ts';
import { evictOldest } from '../../lib/evict-oldest.ts';
import type { RecordOwner } from './inflight.ts';

/** Gates this process may have written and not yet sent under: each holds a step's request back only if its insert landed unanswered. */
const MAX_PENDING = 4096;

export const gateKey = (ledgerKey: string) => `carrier-go:${ledgerKey}`;

export class SendGate {
  readonly #store: Store;
  /** Nonce by ledger key, from before its gate insert until the request is made (or another runner holds the gate). */
  readonly #pending = new Map<string, string>();

  constructor(store: Store) {
    this.#store = store;
  }

  /**
   * Passes the gate of `ledgerKey`: true when this runner alone may make the request, and must make
   * it now, with no store call in between (the gate is spent); false when another runner passed it
   * (its request may have left). A store failure is thrown, and the nonce kept, so that a retry
   * recognises a gate whose insert landed unanswered as its own.
   */
  async pass(ledgerKey: string, owner: RecordOwner): Promise<boolean> {
    let nonce = this.#pending.get(ledgerKey);
    if (nonce === undefined) {
      nonce = randomBytes(12).toString('hex');
      this.#pending.set(ledgerKey, nonce);
      evictOldest(this.#pending, MAX_PENDING);
    }
    const at = Date.now();
    const key = gateKey(ledgerKey);
    let mine = await this.#store.insertChannelRecord({ key, accountSid: owner.accountSid, executionSid: owner.executionSid, value: JSON.stringify({ nonce, at }), updatedAt: at });
    if (!mine) mine = gateNonce((await this.#store.getChannelRecord(key))?.value) === nonce;
    // Checked and dropped with no await in between: of two attempts of this process, one goes on.
    const current = this.#pending.get(ledgerKey) === nonce;
    if (current) this.#pending.delete(ledgerKey);
    return mine && current;
  }
}

function gateNonce(value: string | undefined): string | undefined {
  try {
    const parsed: unknown = value ? JSON.parse(value) : null;
    return parsed && typeof parsed === 'object' && typeof (parsed as { nonce?: unknown }).nonce === 'string' ? (parsed as { nonce: string }).nonce : undefined;
  } catch {
    return undefined;
  }
}
