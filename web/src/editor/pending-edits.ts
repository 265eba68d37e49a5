// Fields that apply what they hold only when left (a widget's name, a JSON property) tell the editor
// while they hold text not yet applied: the definition does not show it yet, but Save draft and Publish
// have something to save (they apply it first), so they are not shown as having nothing to do.
import { createContext, useContext, useEffect, useId } from 'react';

/** Reports that the field `id` holds (or no longer holds) text it has not applied. */
export const PendingEdits = createContext<(id: string, pending: boolean) => void>(() => undefined);

/** Tells the editor whether this field holds text it has not applied yet; a field that goes away holds none. */
export function usePendingEdit(pending: boolean): void {
  const report = useContext(PendingEdits);
  const id = useId();
  useEffect(() => report(id, pending), [report, id, pending]);
  useEffect(() => () => report(id, false), [report, id]);
}

/** The set of fields holding text not applied, after `id` said whether it does. */
export function withPending(current: ReadonlySet<string>, id: string, pending: boolean): ReadonlySet<string> {
  if (current.has(id) === pending) return current;
  const next = new Set(current);
  if (pending) next.add(id);
  else next.delete(id);
  return next;
}
