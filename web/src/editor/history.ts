// Undo and redo of the definition being edited, as pure steps (use-history.ts holds them in React
// state). Every edit pushes the previous value, except that typing on in the same field joins the
// step it began: one undo takes back a word typed, not one letter of it. Pure; test/web/history.test.ts.

/** Steps kept for undo. */
export const LIMIT = 200;
/** A pause in typing longer than this starts a new step. */
export const TYPING_PAUSE_MS = 1500;

export interface HistoryState<T> {
  past: T[];
  value: T | null;
  future: T[];
  /** What the last edit was typing into, and when: the next keystroke there joins its step. */
  typing: { field: string; at: number } | null;
}

export function emptyHistory<T>(): HistoryState<T> {
  return { past: [], value: null, future: [], typing: null };
}

export function startHistory<T>(value: T): HistoryState<T> {
  return { past: [], value, future: [], typing: null };
}

/**
 * An edit. `field` names what is being typed into (a widget's property, say); an edit naming the
 * field of the edit just before, within TYPING_PAUSE_MS, replaces that edit's value instead of
 * adding a step. Other edits (a drag, a choice from a list) are steps of their own.
 */
export function edit<T>(s: HistoryState<T>, next: T, field?: string, now = 0): HistoryState<T> {
  if (s.value === next) return s;
  const typing = field === undefined ? null : { field, at: now };
  const joins = field !== undefined && s.typing?.field === field && now - s.typing.at <= TYPING_PAUSE_MS;
  if (joins) return { past: s.past, value: next, future: [], typing };
  return { past: s.value === null ? s.past : [...s.past, s.value].slice(-LIMIT), value: next, future: [], typing };
}

export function undo<T>(s: HistoryState<T>): HistoryState<T> {
  if (s.past.length === 0 || s.value === null) return s;
  return { past: s.past.slice(0, -1), value: s.past[s.past.length - 1]!, future: [s.value, ...s.future], typing: null };
}

export function redo<T>(s: HistoryState<T>): HistoryState<T> {
  if (s.future.length === 0 || s.value === null) return s;
  return { past: [...s.past, s.value], value: s.future[0]!, future: s.future.slice(1), typing: null };
}
