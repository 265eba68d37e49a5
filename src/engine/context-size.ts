// How big an execution's context is, in JSON bytes (UTF-8), kept up to date step by step: each frame
// carries the size of its trigger, data, variables and widgets (Frame.contextBytes), and a step only
// measures what it adds or replaces, never the whole context. The sizes are the JSON text's within a
// byte or two per member (separators are counted as a member's colon and comma).
// The same measure sizes the steps an execution records (ExecutionState.stepBytes): a step stores its
// context (the widget's outputs) as JSON, measured once, when the step is produced.
import type { Frame, Json, JsonObject } from './types.ts';

/** UTF-8 bytes of `value` as JSON (0 for undefined, which JSON leaves out). */
export function jsonBytes(value: unknown): number {
  // The commonest values, counted without writing them out: a widget's name (a member's key), an empty object
  // (a split's outputs, a new frame's variables and widgets).
  if (typeof value === 'string') {
    if (value.length <= 64 && isPlainAscii(value)) return value.length + 2; // the text in quotes, nothing escaped
  } else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype && isEmpty(value) && !('toJSON' in value)) return 2; // {}
  const text = JSON.stringify(value);
  return text === undefined ? 0 : Buffer.byteLength(text, 'utf8');
}

/** Whether JSON writes `text` as it is: printable ASCII without a quote or a backslash. */
function isPlainAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
  }
  return true;
}

/** Whether an object has no enumerable member (its own, or Object.prototype's) JSON would write. */
function isEmpty(object: object): boolean {
  for (const _ in object) return false;
  return true;
}

/** Bytes of `"key":value,` in an object (`valueBytes`: the value's, when already measured). */
function memberBytes(key: string, value: unknown, valueBytes = jsonBytes(value)): number {
  return jsonBytes(key) + valueBytes + 2;
}

/** The frame's context measured whole: once per frame, when its size is not known yet. */
export function measureFrame(frame: Frame): number {
  return jsonBytes(frame.trigger) + jsonBytes(frame.data) + jsonBytes(frame.variables) + jsonBytes(frame.widgets);
}

/** The frame's size, measuring it if it was never kept (states written before sizes were, frames a widget built). */
export function frameBytes(frame: Frame): number {
  return (frame.contextBytes ??= measureFrame(frame));
}

/**
 * How many bytes setting `object[key] = value` adds (negative: it frees some). `valueBytes`: jsonBytes(value),
 * when the caller measured it already (a step's outputs, also counted as the step's size).
 */
export function replacementGrowth(object: JsonObject, key: string, value: Json, valueBytes = jsonBytes(value)): number {
  if (!Object.hasOwn(object, key)) return memberBytes(key, value, valueBytes);
  // The member's key and separators stay as they were: only the values differ.
  const previous = object[key];
  return valueBytes - jsonBytes(previous);
}

/**
 * How many bytes `after` (a copy of `before` a widget changed) adds to it. Only the members that differ
 * are measured: a value kept as it was is the same reference in the copy.
 */
export function changedMembersGrowth(before: JsonObject, after: JsonObject): number {
  let growth = 0;
  let kept = 0;
  for (const key of Object.keys(after)) {
    if (!Object.hasOwn(before, key)) growth += memberBytes(key, after[key]);
    else {
      kept++;
      if (before[key] !== after[key]) growth += jsonBytes(after[key]) - jsonBytes(before[key]);
    }
  }
  if (kept < Object.keys(before).length) {
    for (const key of Object.keys(before)) if (!Object.hasOwn(after, key)) growth -= memberBytes(key, before[key]);
  }
  return growth;
}
