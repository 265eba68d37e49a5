// Where a new widget goes on the canvas: the free spot nearest a point (the middle of the upper part of
// the view), inside the view when there is room there, so it neither covers a widget nor sends the
// canvas panning to it. Positions are flow coordinates of a widget's top-left corner.

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Size {
  width: number;
  height: number;
}

/** Space kept free around every widget. */
export const WIDGET_GAP = 40;
/** Grid the candidate spots lie on, and how far out from the point they go. */
const STEP = 40;
const RINGS = 40;

function overlaps(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function inside(inner: Rect, outer: Rect): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
}

/**
 * The top-left corner for a widget of `size` centred as near `near` as a free spot allows: one whose
 * box, `WIDGET_GAP` around it, meets none of `taken`. Spots wholly inside `view` come first; with none
 * free nearby, the spot below every widget.
 */
export function freeSpot(taken: readonly Rect[], size: Size, near: { x: number; y: number }, view: Rect | null): { x: number; y: number } {
  const padded = taken.map((t) => ({ x: t.x - WIDGET_GAP, y: t.y - WIDGET_GAP, width: t.width + 2 * WIDGET_GAP, height: t.height + 2 * WIDGET_GAP }));
  const origin = { x: near.x - size.width / 2, y: near.y - size.height / 2 };
  const candidates: { spot: Rect; inView: boolean; distance: number }[] = [];
  for (let dx = -RINGS; dx <= RINGS; dx++) {
    for (let dy = -RINGS; dy <= RINGS; dy++) {
      const spot = { x: origin.x + dx * STEP, y: origin.y + dy * STEP, ...size };
      candidates.push({ spot, inView: view !== null && inside(spot, view), distance: Math.hypot(dx, dy) });
    }
  }
  candidates.sort((a, b) => Number(b.inView) - Number(a.inView) || a.distance - b.distance);
  const found = candidates.find((c) => !padded.some((t) => overlaps(c.spot, t)));
  if (found) return { x: Math.round(found.spot.x), y: Math.round(found.spot.y) };
  const bottom = Math.max(...taken.map((t) => t.y + t.height));
  return { x: Math.round(origin.x), y: Math.round(bottom + WIDGET_GAP) };
}
