// Observation port: the runtime reports its work here (metrics, traces, logs live behind it in
// src/observability). Every method is optional to implement meaningfully; NO_OBSERVER does nothing.
import type { EffectResult } from '../../engine/types.ts';
import type { ExecutionRecord, ExecutionStatus, StepRecord } from './store.ts';

export interface SprintLabel {
  /** Known up front when an event is delivered to an execution; null while a new one is being started. */
  executionSid: string | null;
  /** The engine event type ('start', 'inbound-message', 'effect-result', 'timer', …). */
  event: string;
}

export interface SprintReport {
  /** The execution as written by the sprint. */
  execution: ExecutionRecord;
  /** Its status before the sprint; null when the sprint created it. */
  previousStatus: ExecutionStatus | null;
  steps: StepRecord[];
}

export interface EffectLabel {
  accountSid: string;
  executionSid: string;
  effectId: string;
  /** 'send-message', 'http-request', 'load-subflow', 'start-conversation', … */
  type: string;
  widget: string;
  /** For http-request: 'http' (make-http-request) or 'function' (run-function). */
  purpose?: string;
}

export interface RuntimeObserver {
  /** Runs one engine sprint (load, interpret, persist) so its work is attributed to it. */
  sprint<T>(label: SprintLabel, run: () => Promise<T>): Promise<T>;
  /** A sprint was written: executions started or ended, steps taken. */
  sprintWritten(report: SprintReport): void;
  /** Runs one outbox effect (a message, an HTTP call…) so its latency and failure are recorded. */
  effect<T extends EffectResult>(label: EffectLabel, run: () => Promise<T>): Promise<T>;
  /** A durable timer fired `lateByMs` after it was due. */
  timerFired(lateByMs: number): void;
  /** An execution was deleted (through the API): as it was just before. */
  executionDeleted?(execution: Pick<ExecutionRecord, 'sid' | 'status' | 'dateCreated'>): void;
  /**
   * A housekeeping chore failed (e.g. 'prune receipts', or a part of the timer round: 'fire due timers'): the
   * others went on, and it is tried again (a prune at its next hour, the timer round's parts within a second).
   */
  choreFailed?(chore: string, error: unknown): void;
}

export const NO_OBSERVER: RuntimeObserver = {
  sprint: (_label, run) => run(),
  sprintWritten: () => undefined,
  effect: (_label, run) => run(),
  timerFired: () => undefined,
};
