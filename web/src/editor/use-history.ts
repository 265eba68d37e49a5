// Undo and redo for the definition being edited: every edit pushes the previous value; loading a
// saved flow starts a fresh history. Typing in one field is one step per change, like most editors.
import { useCallback, useState } from 'react';

const LIMIT = 200;

export interface History<T> {
  value: T | null;
  set: (next: T) => void;
  reset: (value: T) => void;
  undo: () => void;
  redo: () => void;
  canUndo: boolean;
  canRedo: boolean;
}

export function useHistory<T>(): History<T> {
  const [state, setState] = useState<{ past: T[]; value: T | null; future: T[] }>({ past: [], value: null, future: [] });
  const set = useCallback(
    (next: T) =>
      setState((s) => (s.value === next ? s : { past: s.value === null ? s.past : [...s.past, s.value].slice(-LIMIT), value: next, future: [] })),
    [],
  );
  const reset = useCallback((value: T) => setState({ past: [], value, future: [] }), []);
  const undo = useCallback(
    () =>
      setState((s) => (s.past.length === 0 || s.value === null ? s : { past: s.past.slice(0, -1), value: s.past[s.past.length - 1]!, future: [s.value, ...s.future] })),
    [],
  );
  const redo = useCallback(
    () => setState((s) => (s.future.length === 0 || s.value === null ? s : { past: [...s.past, s.value], value: s.future[0]!, future: s.future.slice(1) })),
    [],
  );
  return { value: state.value, set, reset, undo, redo, canUndo: state.past.length > 0, canRedo: state.future.length > 0 };
}
