// Where an execution stands, which Twilio's Execution resource does not say (its status is only
// 'active' or 'ended'): how an ended one ended and the widget an active one waits at, read from the
// engine state stored with it. The console's EndReason and ExecutionSummaries answers (routes/console.ts).
import type { ExecutionState, Frame } from '../../engine/types.ts';
import type { ExecutionStanding } from '../../runtime/ports/store.ts';

export type EndReasonBody = { kind: 'completed' | 'manual' | 'expired' } | { kind: 'error'; code: number | null; message: string | null };

/** The widget an active execution is at; `subflow_path` names the Run Subflow widgets (outermost first) it runs under. */
export interface WaitingBody {
  widget: string;
  subflow_path: string[];
}

/** The engine's endReason out of a stored state; null when it has none (or not one this build knows). */
export function endReasonOf(state: unknown): EndReasonBody | null {
  const reason = (state as Partial<ExecutionState> | null)?.endReason as Record<string, unknown> | null | undefined;
  switch (reason?.kind) {
    case 'completed':
    case 'manual':
    case 'expired':
      return { kind: reason.kind };
    case 'error':
      return { kind: 'error', code: typeof reason.code === 'number' ? reason.code : null, message: typeof reason.message === 'string' ? reason.message : null };
    default:
      return null;
  }
}

/**
 * The widget the innermost frame is at (a subflow pushes a frame): where an active execution waits
 * between sprints. Null when the state does not say (not started, or not a state this build knows).
 */
export function waitingOf(state: unknown): WaitingBody | null {
  const frames = (state as Partial<ExecutionState> | null)?.frames;
  if (!Array.isArray(frames) || frames.length === 0) return null;
  const innermost = frames[frames.length - 1] as Partial<Frame>;
  if (typeof innermost.current !== 'string') return null;
  const subflowPath = frames.slice(1).map((frame: Partial<Frame>) => (typeof frame.parentWidget === 'string' ? frame.parentWidget : '?'));
  return { widget: innermost.current, subflow_path: subflowPath };
}

/** One execution's standing: the end reason once ended, the waiting widget while active. */
export function standingBody(standing: ExecutionStanding) {
  const ended = standing.status === 'ended';
  // Read as they would be out of the whole state: the store reads only these fields of it.
  const state = { endReason: standing.endReason, frames: standing.frames };
  return {
    sid: standing.sid,
    status: standing.status,
    end_reason: ended ? endReasonOf(state) : null,
    waiting_at: ended ? null : waitingOf(state),
  };
}
