// Undo and redo for the definition being edited (the steps are history.ts's): loading a saved flow
// starts a fresh history; typing on in one field is one step, not one per keystroke.
import { useCallback, useState } from 'react';
import { edit, emptyHistory, redo as redoStep, startHistory, undo as undoStep, type HistoryState } from './history.ts';

export interface History<T> {
  value: T | null;
  /** An edit; `field` names the field being typed into, so that typing on there stays one step. */
  set: (next: T, field?: string) => void;
  reset: (value: T) => void;
  undo: () => void;
  redo: () => void;
  canUndo: boolean;
  canRedo: boolean;
}

export function useHistory<T>(): History<T> {
  const [state, setState] = useState<HistoryState<T>>(emptyHistory);
  const set = useCallback((next: T, field?: string) => {
    const now = Date.now();
    setState((s) => edit(s, next, field, now));
  }, []);
  const reset = useCallback((value: T) => setState(startHistory(value)), []);
  const undo = useCallback(() => setState(undoStep), []);
  const redo = useCallback(() => setState(redoStep), []);
  return { value: state.value, set, reset, undo, redo, canUndo: state.past.length > 0, canRedo: state.future.length > 0 };
}
