// Undo and redo of the definition being edited, as pure steps (use-history.ts holds them in React
// state). Every edit pushes the previous value, except that an edit joins the step before it when
//  - it was made in the same batch (one run of an event handler: a widget deleted with its
//    connections, several widgets moved at once), or
//  - it goes on with the same continuous edit (typing on in one field, moving one widget with the
//    arrow keys) without a pause: one undo takes back a word typed, not one letter of it.
// Pure; test/web/history.test.ts.

/** Steps kept for undo. */
export const LIMIT = 200;
/** A pause in typing (or in arrow-key moves) longer than this starts a new step. */
export const TYPING_PAUSE_MS = 1500;

export interface HistoryState<T> {
  past: T[];
  value: T | null;
  future: T[];
  /** What the last edit was typing into (or moving), and when: the next edit of it joins its step. */
  typing: { field: string; at: number } | null;
  /** The batch the last edit was made in: later edits of that batch join its step. */
  batch: number | null;
}

export interface EditOptions {
  /** Names the continuous edit this is part of: a field typed into, a widget moved by keyboard. */
  field?: string;
  /** When the edit was made (ms); only compared with the `now` of the edit before. */
  now?: number;
  /** Names the batch of edits this is one of; edits of one batch are one step. */
  batch?: number;
}

export function emptyHistory<T>(): HistoryState<T> {
  return { past: [], value: null, future: [], typing: null, batch: null };
}

export function startHistory<T>(value: T): HistoryState<T> {
  return { past: [], value, future: [], typing: null, batch: null };
}

/**
 * An edit. It replaces the value of the edit just before (instead of adding a step) when both are
 * of one batch, or when both name the same field within TYPING_PAUSE_MS. Other edits (a drag, a
 * choice from a list) are steps of their own.
 */
export function edit<T>(s: HistoryState<T>, next: T, { field, now = 0, batch }: EditOptions = {}): HistoryState<T> {
  if (s.value === next) return s;
  const typing = field === undefined ? null : { field, at: now };
  const sameBatch = batch !== undefined && s.batch === batch;
  const typingOn = field !== undefined && s.typing?.field === field && now - s.typing.at <= TYPING_PAUSE_MS;
  const state = { value: next, future: [], typing, batch: batch ?? null };
  if (sameBatch || typingOn) return { ...state, past: s.past };
  return { ...state, past: s.value === null ? s.past : [...s.past, s.value].slice(-LIMIT) };
}

export function undo<T>(s: HistoryState<T>): HistoryState<T> {
  if (s.past.length === 0 || s.value === null) return s;
  return { past: s.past.slice(0, -1), value: s.past[s.past.length - 1]!, future: [s.value, ...s.future], typing: null, batch: null };
}

export function redo<T>(s: HistoryState<T>): HistoryState<T> {
  if (s.future.length === 0 || s.value === null) return s;
  return { past: [...s.past, s.value], value: s.future[0]!, future: s.future.slice(1), typing: null, batch: null };
}
