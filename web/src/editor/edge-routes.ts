// A connection that leaves an event on a widget's right edge (a widget whose events are listed one per
// line, as the Trigger's are) for a widget below it and to its left: React Flow's bezier swings out
// right and comes straight back under the widget it leaves, so all that showed was a small hook at the
// event and a line coming out of the widget's bottom, seemingly from no event. This way goes round the
// widget's right side instead and under its bottom edge, then down to the target. Pure; no React.
// Coordinates are the canvas's (flow) coordinates.
import type { Point, Rect } from './edge-labels.ts';

/** How far out past the right edge, and below the bottom edge, the line goes; each lane a little more, so lines of one widget stay apart. */
const REACH = 48;
const DROP = 20;
const LANE_REACH = 8;
const LANE_DROP = 6;
/** The least room between the widget's bottom and the target's top for the way round (the line under the widget takes at most a third of it). */
const ROOM = 24;

export interface Route {
  /** An SVG path: two cubic beziers. */
  path: string;
  /** A point for each t in 0..1, for the label (edge-labels.ts). */
  at: (t: number) => Point;
}

type Cubic = readonly [Point, Point, Point, Point];

function cubicAt([p0, p1, p2, p3]: Cubic, t: number): Point {
  const u = 1 - t;
  const a = u * u * u;
  const b = 3 * u * u * t;
  const c = 3 * u * t * t;
  const d = t * t * t;
  return { x: a * p0.x + b * p1.x + c * p2.x + d * p3.x, y: a * p0.y + b * p1.y + c * p2.y + d * p3.y };
}

/** Its length, near enough to share t between two curves. */
function cubicLength(curve: Cubic): number {
  let length = 0;
  let last = curve[0];
  for (let i = 1; i <= 16; i++) {
    const point = cubicAt(curve, i / 16);
    length += Math.hypot(point.x - last.x, point.y - last.y);
    last = point;
  }
  return length;
}

/**
 * The way round `box` (the widget the line leaves) from `source`, an event's handle on its right edge, to
 * `target`, a widget's top handle; null when the target is not both left of the handle and far enough
 * below the widget's bottom (the bezier does not run under the widget then, or there is no room to go round).
 * `lane` (0, 1, …) sets lines leaving one widget a little apart.
 */
export function roundTheRightSide(source: Point, target: Point, box: Rect, lane = 0): Route | null {
  const step = Math.max(0, lane % 4);
  const bottom = box.y + box.height;
  if (target.x >= source.x || target.y - bottom < ROOM) return null;
  const under = bottom + Math.min(DROP + step * LANE_DROP, (target.y - bottom) / 3);
  const out = Math.max(source.x, box.x + box.width) + REACH + step * LANE_REACH;
  const corner = { x: source.x, y: under };
  // Out to the right and down past the bottom edge, coming back toward the widget's corner heading left…
  const first: Cubic = [source, { x: out, y: source.y }, { x: out, y: under }, corner];
  // …then left under the widget and down into the target's top.
  const pull = (target.y - under) / 2;
  const second: Cubic = [corner, { x: corner.x - Math.max(ROOM, (corner.x - target.x) / 2), y: under }, { x: target.x, y: target.y - pull }, target];
  const f = (p: Point) => `${p.x},${p.y}`;
  const path = `M${f(source)} C${f(first[1])} ${f(first[2])} ${f(corner)} C${f(second[1])} ${f(second[2])} ${f(target)}`;
  const share = cubicLength(first) / (cubicLength(first) + cubicLength(second));
  const at = (t: number): Point => {
    const s = Math.max(0, Math.min(1, t));
    return s <= share ? cubicAt(first, share === 0 ? 0 : s / share) : cubicAt(second, (s - share) / (1 - share));
  };
  return { path, at };
}
