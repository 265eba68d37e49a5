// Where the canvas opens: on the flow's start (its Trigger) at a readable zoom, top-aligned, as
// Studio does. Fitting a whole wide or tall flow would shrink it to dots and could leave the
// Trigger off-screen; here the view fits only the widgets near the Trigger's top band, and never
// zooms out below MIN_ZOOM (the rest of the flow is a pan or the minimap away). Pure; no React.
import type { Position } from './definition-ops.ts';

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

export const MIN_ZOOM = 0.6;
/**
 * The smallest zoom the canvas allows (zooming out, Fit view): low enough for Fit view to show a very large
 * flow whole (118 widgets some 9,500 px wide take some 200 px at 0.02, where React Flow's default of 0.1
 * needed 950). A normal flow fits well above it, and the canvas never opens below MIN_ZOOM.
 */
export const CANVAS_MIN_ZOOM = 0.02;
const MAX_ZOOM = 1;
const PAD = 40;
/** A widget's size before it is measured (CSS: 190–280 px wide). */
const NODE_WIDTH = 230;

export function initialViewport(nodes: { id: string; position: Position }[], initial: string, width: number, height: number): Viewport {
  if (nodes.length === 0 || width <= 0 || height <= 0) return { x: PAD, y: PAD, zoom: MAX_ZOOM };
  const start = nodes.find((n) => n.id === initial) ?? nodes.reduce((a, b) => (b.position.y < a.position.y ? b : a));
  const startCenter = start.position.x + NODE_WIDTH / 2;
  // What could be on screen with the Trigger at the smallest zoom: the widgets beside it, from half a
  // screen above it (some flows put set-up widgets there) down.
  const reach = width / MIN_ZOOM / 2;
  const halfScreen = height / MIN_ZOOM / 2;
  const near = nodes.filter((n) => Math.abs(n.position.x + NODE_WIDTH / 2 - startCenter) <= reach && n.position.y >= start.position.y - halfScreen);
  const top = Math.min(...near.map((n) => n.position.y));
  const band = near.filter((n) => n.position.y <= top + halfScreen);
  const left = Math.min(...band.map((n) => n.position.x));
  const right = Math.max(...band.map((n) => n.position.x + NODE_WIDTH));
  const zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, (width - 2 * PAD) / (right - left)));
  // Centre the band; when it is wider than the screen even so, centre the Trigger instead.
  const centerX = (right - left) * zoom <= width - 2 * PAD ? (left + right) / 2 : startCenter;
  return { x: width / 2 - centerX * zoom, y: PAD - top * zoom, zoom };
}

/** A widget's box on the canvas, in flow coordinates. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The view that shows `box` when `view` (a `width` × `height` screen) does not show it whole: the same
 * zoom, panned to centre the widget (top-aligned when it is taller than the screen). Null when it is
 * already on screen, so selecting a visible widget never moves the canvas under the pointer.
 */
export function viewportShowing(view: Viewport, box: Box, width: number, height: number, margin = 16): Viewport | null {
  if (width <= 0 || height <= 0) return null;
  const left = box.x * view.zoom + view.x;
  const top = box.y * view.zoom + view.y;
  const right = left + box.width * view.zoom;
  const bottom = top + box.height * view.zoom;
  if (left >= margin && top >= margin && right <= width - margin && bottom <= height - margin) return null;
  const x = width / 2 - (box.x + box.width / 2) * view.zoom;
  const tall = box.height * view.zoom > height - 2 * PAD;
  const y = tall ? PAD - box.y * view.zoom : height / 2 - (box.y + box.height / 2) * view.zoom;
  return { x, y, zoom: view.zoom };
}

/** A widget's box before React Flow has measured it. */
export const UNMEASURED = { width: NODE_WIDTH, height: 120 };

/**
 * What to bring on screen for a focused connection: the whole of it (`line`) when it fits on a
 * `width` × `height` screen at `zoom`, else its label, else the line's middle part. Flow coordinates.
 */
export function connectionBox(line: Box, label: Box | null, zoom: number, width: number, height: number, margin = 16): Box {
  if (line.width * zoom <= width - 2 * margin && line.height * zoom <= height - 2 * margin) return line;
  if (label) return label;
  const w = Math.min(line.width, (width - 2 * margin) / zoom);
  const h = Math.min(line.height, (height - 2 * margin) / zoom);
  return { x: line.x + (line.width - w) / 2, y: line.y + (line.height - h) / 2, width: w, height: h };
}

/** The smallest canvas that shows the minimap: on a smaller one (an execution's) it would cover much of the flow. */
const MINIMAP_MIN = { width: 640, height: 520 };
const MINIMAP_WIDTH = 200;

/** The minimap's size on a `width` × `height` canvas (about a sixth of its width, 4:3), or null: none. */
export function minimapSize(width: number, height: number): { width: number; height: number } | null {
  if (width < MINIMAP_MIN.width || height < MINIMAP_MIN.height) return null;
  const w = Math.round(Math.min(MINIMAP_WIDTH, width / 6));
  return { width: w, height: Math.round((w * 3) / 4) };
}
