// Undo and redo for the definition being edited (the steps are history.ts's): loading a saved flow
// starts a fresh history; typing on in one field is one step, not one per keystroke; and all the
// edits made in one go (one run of an event handler, up to its next microtask) are one step.
import { useCallback, useRef, useState } from 'react';
import { edit, emptyHistory, redo as redoStep, startHistory, undo as undoStep, type HistoryState } from './history.ts';

export interface History<T> {
  value: T | null;
  /** An edit; `field` names the field being typed into (or the widget moved), so that going on there stays one step. */
  set: (next: T, field?: string) => void;
  reset: (value: T) => void;
  undo: () => void;
  redo: () => void;
  canUndo: boolean;
  canRedo: boolean;
}

let batches = 0;

export function useHistory<T>(): History<T> {
  const [state, setState] = useState<HistoryState<T>>(emptyHistory);
  /** The batch edits made now belong to; it ends once the code making them has run. */
  const batch = useRef<number | null>(null);
  const set = useCallback((next: T, field?: string) => {
    if (batch.current === null) {
      batch.current = ++batches;
      queueMicrotask(() => {
        batch.current = null;
      });
    }
    const options = { field, now: Date.now(), batch: batch.current };
    setState((s) => edit(s, next, options));
  }, []);
  const reset = useCallback((value: T) => setState(startHistory(value)), []);
  const undo = useCallback(() => setState(undoStep), []);
  const redo = useCallback(() => setState(redoStep), []);
  return { value: state.value, set, reset, undo, redo, canUndo: state.past.length > 0, canRedo: state.future.length > 0 };
}
