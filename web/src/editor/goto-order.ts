// The order of the editor's "Go to" list: the Trigger first (where every flow starts), then the other
// widgets by name, alphabetically and ignoring case (a long flow's definition order is its history
// of edits, no help in finding a widget by name).
const byName = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

export function gotoOrder<T extends { name: string; type: string }>(states: readonly T[]): T[] {
  const triggers = states.filter((s) => s.type === 'trigger');
  const others = states.filter((s) => s.type !== 'trigger');
  return [...triggers, ...others.sort((a, b) => byName.compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))];
}
