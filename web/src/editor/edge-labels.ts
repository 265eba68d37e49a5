// Where a connection's label goes: on its line, as near the middle as a spot free of widgets allows.
// A label in the middle of a connection whose middle runs under a widget (a Trigger just above the
// widget it leads to) would be hidden there, as widgets are drawn over connections. Free spots toward
// the source come first: near the target every connection into a widget converges, and their labels
// would pile up there. Pure; no React. Coordinates are the canvas's (flow) coordinates.

export interface Point {
  x: number;
  y: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Estimated size of a label's box: 10 px text (styles.css .react-flow__edge-text) with the padding canvas.tsx gives it. */
const CHAR_PX = 6;
const PAD_X = 4;
const PAD_Y = 2;
const LINE_PX = 12;

export function labelSize(text: string): { width: number; height: number } {
  return { width: text.length * CHAR_PX + 2 * PAD_X, height: LINE_PX + 2 * PAD_Y };
}

/** Space kept between a label and a widget. */
const CLEARANCE = 3;

/** Where along the line (0 at the source, 1 at the target) labels are tried: the middle, toward the source, then toward the target. */
const TRIES: readonly number[] = [
  0.5,
  ...Array.from({ length: 9 }, (_, i) => 0.45 - i * 0.05),
  ...Array.from({ length: 9 }, (_, i) => 0.55 + i * 0.05),
];

/**
 * The cubic bezier a path of getBezierPath ("M x,y C x1,y1 x2,y2 x,y") draws, as a point for each t
 * in 0..1; null for any other path. Read from the drawn path, so the label sits on the line itself.
 */
export function bezierFromPath(path: string): ((t: number) => Point) | null {
  const numbers = path.match(/-?\d*\.?\d+(?:e[-+]?\d+)?/gi)?.map(Number);
  if (!/^\s*M/.test(path) || !/C/.test(path) || numbers?.length !== 8) return null;
  const [x0, y0, x1, y1, x2, y2, x3, y3] = numbers as [number, number, number, number, number, number, number, number];
  return (t) => {
    const u = 1 - t;
    const a = u * u * u;
    const b = 3 * u * u * t;
    const c = 3 * u * t * t;
    const d = t * t * t;
    return { x: a * x0 + b * x1 + c * x2 + d * x3, y: a * y0 + b * y1 + c * y2 + d * y3 };
  };
}

/** A line through `points` as a point for each t in 0..1, t measured along its length. */
export function polylineAt(points: readonly Point[]): (t: number) => Point {
  const lengths = points.slice(1).map((p, i) => Math.hypot(p.x - points[i]!.x, p.y - points[i]!.y));
  const total = lengths.reduce((sum, length) => sum + length, 0);
  return (t) => {
    let left = Math.max(0, Math.min(1, t)) * total;
    for (let i = 0; i < lengths.length; i++) {
      const length = lengths[i]!;
      if (left <= length || i === lengths.length - 1) {
        const f = length === 0 ? 0 : Math.min(1, left / length);
        const a = points[i]!;
        const b = points[i + 1]!;
        return { x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f };
      }
      left -= length;
    }
    return points[0] ?? { x: 0, y: 0 };
  };
}

function meets(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width + CLEARANCE && b.x - CLEARANCE < a.x + a.width && a.y < b.y + b.height + CLEARANCE && b.y - CLEARANCE < a.y + a.height;
}

export interface LabelSpot extends Point {
  /** False when every spot tried meets a widget: the label is at the middle, and the connection is drawn above the widgets. */
  free: boolean;
}

/**
 * The centre of a `size` label on the line `at`, moved by `shift` (labels of connections joining the same
 * two widgets are set apart vertically): the first of TRIES whose box meets none of `widgets`; else the
 * first of `beside` (spots off the line by its start, for a line wholly among widgets) that is free.
 */
export function placeLabel(
  at: (t: number) => Point,
  size: { width: number; height: number },
  widgets: readonly Rect[],
  shift: Point = { x: 0, y: 0 },
  beside: readonly Point[] = [],
): LabelSpot {
  const centre = (t: number) => {
    const p = at(t);
    return { x: p.x + shift.x, y: p.y + shift.y };
  };
  const box = (p: Point): Rect => ({ x: p.x - size.width / 2, y: p.y - size.height / 2, width: size.width, height: size.height });
  // Only widgets near the spots can be in the way.
  const spots = [...TRIES.map(centre), ...beside];
  const xs = spots.map((p) => p.x);
  const ys = spots.map((p) => p.y);
  const reach: Rect = {
    x: Math.min(...xs) - size.width,
    y: Math.min(...ys) - size.height,
    width: Math.max(...xs) - Math.min(...xs) + 2 * size.width,
    height: Math.max(...ys) - Math.min(...ys) + 2 * size.height,
  };
  const near = widgets.filter((widget) => meets(widget, reach));
  const free = spots.find((p) => !near.some((widget) => meets(box(p), widget)));
  return free ? { ...free, free: true } : { ...spots[0]!, free: false };
}

/** Spots beside a line's start, where a label clear of widgets still reads as the line's: out along a right-edge event's line, or under a bottom one. */
export function besideStart(start: Point, side: 'right' | 'bottom', size: { width: number; height: number }): Point[] {
  const gap = 8;
  return side === 'right' ? [{ x: start.x + gap + size.width / 2, y: start.y }] : [{ x: start.x, y: start.y + gap + size.height / 2 }];
}

/** One connection's label to place: its line, size, shift and spots beside its start, as for placeLabel. */
export interface LabelRequest {
  id: string;
  at: (t: number) => Point;
  size: { width: number; height: number };
  shift?: Point;
  beside?: readonly Point[];
}

/** How far, and how many times, a label that meets labels at every spot of its line is moved off it (up, then down). */
const NUDGE_PX = LINE_PX + 2 * PAD_Y + 2;
const NUDGES = 4;

/**
 * Every label at once, each clear of the widgets and of the labels placed before it: connections into
 * one widget from neighbouring events (the Trigger's incomingMessage and incomingRequest) run side by
 * side, and placed one by one their labels land on top of each other. A label finds its spot along its
 * line as placeLabel does, with the labels placed so far counted as widgets; failing that, off its line
 * by a few label heights; failing that, where placeLabel alone puts it (over a label rather than under a widget).
 */
export function placeLabels(requests: readonly LabelRequest[], widgets: readonly Rect[]): Map<string, LabelSpot> {
  const placed: Rect[] = [];
  const spots = new Map<string, LabelSpot>();
  for (const { id, at, size, shift = { x: 0, y: 0 }, beside = [] } of requests) {
    const obstacles = [...widgets, ...placed];
    let spot = placeLabel(at, size, obstacles, shift, beside);
    for (let i = 1; !spot.free && i <= NUDGES * 2; i++) {
      const off = Math.ceil(i / 2) * NUDGE_PX * (i % 2 === 1 ? -1 : 1);
      spot = placeLabel(at, size, obstacles, { x: shift.x, y: shift.y + off });
    }
    if (!spot.free) spot = placeLabel(at, size, widgets, shift, beside);
    spots.set(id, spot);
    placed.push({ x: spot.x - size.width / 2, y: spot.y - size.height / 2, width: size.width, height: size.height });
  }
  return spots;
}
