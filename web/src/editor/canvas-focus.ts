// The canvas's Tab order: each widget, then the connections leaving it (in its events' order). React
// Flow puts its whole edge layer before its node layer in the page, so Tab met every connection of the
// flow, most of them off-screen, before the first widget (45 presses before a Demo IVR's Trigger). The
// canvas takes connections out of the page's Tab order (tabIndex -1) and moves focus itself from a widget
// to its connections and on to the next widget (canvas.tsx, which finds the elements). Pure.

export interface FocusItem {
  kind: 'widget' | 'connection';
  id: string;
}

/** Widgets in their order, each followed by its connections in theirs. */
export function tabOrder(widgets: readonly string[], connections: readonly { id: string; source: string }[]): FocusItem[] {
  const leaving = new Map<string, FocusItem[]>();
  for (const connection of connections) {
    const list = leaving.get(connection.source) ?? [];
    list.push({ kind: 'connection', id: connection.id });
    leaving.set(connection.source, list);
  }
  return widgets.flatMap((id) => [{ kind: 'widget' as const, id }, ...(leaving.get(id) ?? [])]);
}

/** What Tab (or Shift+Tab, `backwards`) goes to from `from`; null past either end of the order, or for an item not in it. */
export function nextFocus(order: readonly FocusItem[], from: FocusItem, backwards: boolean): FocusItem | null {
  const index = order.findIndex((item) => item.kind === from.kind && item.id === from.id);
  if (index < 0) return null;
  return order[backwards ? index - 1 : index + 1] ?? null;
}
