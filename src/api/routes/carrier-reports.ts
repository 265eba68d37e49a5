// Delivery reports from the carrier channels' status callbacks, kept until their execution has them.
// Acknowledged means stored: a failure report (`failed`, `undelivered`: the only ones that change an
// execution) is written to the send ledger before the callback is answered, then applied once the
// execution no longer waits on the send (Twilio can report before the send's own answer is in). A
// report whose apply fails is tried again after a pause, and a sweep every few seconds picks up any
// left behind by a crash, a restart or a send still unsettled, so none is lost after its 204.
import { isDeliveryFailure } from '../../engine/delivery.ts';
import type { ExecutionState } from '../../engine/types.ts';
import type { DeliveryReport, InflightLedger } from '../../channels/twilio/inflight.ts';
import type { ApiContext } from '../context.ts';

/** How long a report just received waits for the step's send result to be applied first. */
const REPORT_WAIT_MS = 60_000;
const WAIT_POLL_MS = 50;
/** Pauses before the apply of a report just received is tried again; the sweep goes on after them. */
const RETRY_DELAYS_MS = [250, 1_000, 4_000];
const SWEEP_MS = 5_000;
const SWEEP_PAGE = 100;

interface ReportLog {
  warn(fields: object, message: string): void;
}

function waitingOn(state: unknown, effectId: string): boolean {
  const frames = (state as ExecutionState | undefined)?.frames ?? [];
  return frames.some((frame) => frame.wait?.kind === 'effect' && frame.wait.effectId === effectId);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class DeliveryReports {
  readonly #ctx: ApiContext;
  readonly #ledger: InflightLedger;
  readonly #log: ReportLog;
  /** Effects whose report this node is applying: the sweep leaves them alone. */
  readonly #busy = new Set<string>();
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(ctx: ApiContext, ledger: InflightLedger, log: ReportLog) {
    this.#ctx = ctx;
    this.#ledger = ledger;
    this.#log = log;
  }

  start(): void {
    this.#timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.#timer.unref();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
  }

  /** Stores a failure report (the callback may be acknowledged once this resolves) and applies it in the background. */
  async accept(report: DeliveryReport): Promise<void> {
    if (!isDeliveryFailure(report.status)) return; // routine: it would change nothing
    await this.#ledger.keepReport(report);
    void this.#applySoon(report.effectId);
  }

  /** Applies every stored report whose execution no longer waits on its send. */
  async sweep(): Promise<void> {
    if (this.#stopped || this.#ctx.startup?.open === false) return;
    try {
      let after: string | undefined;
      for (;;) {
        const page = await this.#ledger.pendingReports(SWEEP_PAGE, after);
        for (const report of page) {
          if (this.#stopped) return;
          await this.#apply(report.effectId, 0).catch((error: unknown) => this.#log.warn({ err: error, effectId: report.effectId }, 'delivery report not applied; kept for the next sweep'));
        }
        if (page.length < SWEEP_PAGE) return;
        after = page.at(-1)!.effectId;
      }
    } catch (error) {
      this.#log.warn({ err: error }, 'delivery reports sweep failed');
    }
  }

  async #applySoon(effectId: string): Promise<void> {
    for (let attempt = 0; !this.#stopped; attempt++) {
      try {
        await this.#apply(effectId, REPORT_WAIT_MS);
        return;
      } catch (error) {
        const delay = RETRY_DELAYS_MS[attempt];
        this.#log.warn({ err: error, effectId }, delay === undefined ? 'delivery report not applied; kept for the sweep' : 'delivery report not applied; trying again');
        if (delay === undefined) return;
        await pause(delay);
      }
    }
  }

  /**
   * Gives the stored report of `effectId` to its execution and drops it; waits up to `waitMs` for the
   * execution to stop waiting on the send, and otherwise leaves it for a later sweep.
   */
  async #apply(effectId: string, waitMs: number): Promise<void> {
    if (this.#busy.has(effectId)) return;
    this.#busy.add(effectId);
    try {
      const report = await this.#ledger.report(effectId);
      if (!report) return;
      const deadline = Date.now() + waitMs;
      for (;;) {
        const execution = await this.#ctx.store.getExecutionBySid(report.executionSid);
        if (!execution || execution.status !== 'active' || !isDeliveryFailure(report.status)) {
          await this.#ledger.dropReport(effectId); // nothing left for it to change
          return;
        }
        if (!waitingOn(execution.state, effectId)) break;
        if (this.#stopped || Date.now() >= deadline) return; // the send is unsettled: a later sweep
        await pause(WAIT_POLL_MS);
      }
      await this.#ctx.executions.deliveryStatus({
        executionSid: report.executionSid,
        // The step's effect (its StatusCallback URL names it) is what send-and-wait matches: a gateway may answer
        // every send with the same sid. The SID it recorded, for a wait kept before it kept the effect.
        effectId,
        messageSid: await this.#recordedSid(effectId, report.messageSid),
        status: report.status,
        ...(report.errorCode ? { errorCode: report.errorCode } : {}),
      });
      // A later report stored meanwhile goes too: the execution already took the first failure.
      await this.#ledger.dropReport(effectId);
    } finally {
      this.#busy.delete(effectId);
    }
  }

  /**
   * The SID the step recorded (its outbound.Sid, what send-and-wait matches a failure against when its
   * wait names no effect: one kept by an older version) for a message SID the step claimed. They differ
   * on the webhook channel: the gateway is given our MessageSid but may answer with its own sid, and
   * report under either.
   */
  async #recordedSid(effectId: string, messageSid: string): Promise<string> {
    if ((await this.#ledger.claimOf(messageSid))?.effectId !== effectId) return messageSid;
    const result = (await this.#ledger.get(effectId))?.result;
    return result?.ok && typeof result.message.Sid === 'string' ? result.message.Sid : messageSid;
  }
}
