// The canvas's edges. A transition between two widgets is a bezier (one leaving an event on a widget's
// right edge for a widget below and left of it goes round that widget's side instead: edge-routes.ts)
// whose label is moved along the vertical when several transitions join the same two widgets (a split's conditions to one widget
// would otherwise print their labels on top of each other). A transition back to its own widget
// (a Gather re-prompting on timeout) leaves at its event (bottom or right edge), goes round the
// widget's right side and comes back in at the top, labelled on that side: a straight line from bottom to top would be
// hidden under the widget itself. Either label sits on its line where no widget covers it (edge-labels.ts),
// and no other label does: each edge reports its label's line to EdgeLabelLayout, which places them all together.
import { createContext, useCallback, useContext, useLayoutEffect, useMemo, useState, type ReactNode } from 'react';
import { BaseEdge, EdgeText, Position, getBezierPath, useInternalNode, type Edge, type EdgeProps } from '@xyflow/react';
import { roundTheRightSide } from './edge-routes.ts';
import { besideStart, bezierFromPath, labelSize, placeLabel, placeLabels, polylineAt, type LabelRequest, type LabelSpot, type Point, type Rect } from './edge-labels.ts';

export interface FlowEdgeData extends Record<string, unknown> {
  transitionIndex: number;
  parallel: number;
  parallelCount: number;
}

export type FlowEdgeType = Edge<FlowEdgeData>;

/** The widgets' boxes on the canvas (flow coordinates), which labels keep clear of: given by the canvas. */
export const WidgetBoxes = createContext<readonly Rect[]>([]);

const LABEL_GAP = 20;
const LOOP_MARGIN = 36;
const LOOP_DROP = 18;

/** A label's line as an edge reports it; `key` changes whenever the line or the label does. */
type ReportedLine = LabelRequest & { key: string };

const LabelLayout = createContext<{ spots: ReadonlyMap<string, LabelSpot> | null; report: (id: string, line: ReportedLine | null) => void }>({
  spots: null,
  report: () => {},
});

/** Edges in the order of their widgets' names, then of their transitions (ids are "widget#index"), so a layout does not depend on which edge mounted first. */
function byEdge(a: { id: string }, b: { id: string }): number {
  const [an = '', ai = '0'] = a.id.split('#');
  const [bn = '', bi = '0'] = b.id.split('#');
  return an < bn ? -1 : an > bn ? 1 : Number(ai) - Number(bi);
}

/** Places the labels the edges inside it report (placeLabels), clear of the widgets (WidgetBoxes) and of each other. */
export function EdgeLabelLayout({ children }: { children: ReactNode }) {
  const widgets = useContext(WidgetBoxes);
  const [lines, setLines] = useState<ReadonlyMap<string, ReportedLine>>(new Map());
  const report = useCallback((id: string, line: ReportedLine | null) => {
    setLines((previous) => {
      const old = previous.get(id);
      if (line ? old?.key === line.key : !old) return previous;
      const next = new Map(previous);
      if (line) next.set(id, line);
      else next.delete(id);
      return next;
    });
  }, []);
  const spots = useMemo(() => placeLabels([...lines.values()].sort(byEdge), widgets), [lines, widgets]);
  const value = useMemo(() => ({ spots, report }), [spots, report]);
  return <LabelLayout.Provider value={value}>{children}</LabelLayout.Provider>;
}

/**
 * The edge's label where EdgeLabelLayout puts it (placeLabel, also clear of other labels): on the line `at` clear of widgets, else beside the event it
 * leaves (its middle when `at` is null). One with no free spot at all is marked, and its connection is
 * drawn above the widgets (styles.css).
 */
function Label({ props, at, path, middle, shift }: { props: EdgeProps<FlowEdgeType>; at: ((t: number) => Point) | null; path: string; middle: Point; shift: Point }) {
  const widgets = useContext(WidgetBoxes);
  const layout = useContext(LabelLayout);
  const { id, label, sourceX, sourceY, sourcePosition } = props;
  const line = useMemo((): ReportedLine | null => {
    if (!at || typeof label !== 'string') return null;
    const size = labelSize(label);
    const beside = besideStart({ x: sourceX, y: sourceY }, sourcePosition === Position.Right ? 'right' : 'bottom', size);
    return { id, at, size, shift, beside, key: `${label}\n${path}\n${shift.x},${shift.y}\n${sourceX},${sourceY},${sourcePosition}` };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, at, label, path, shift.x, shift.y, sourceX, sourceY, sourcePosition]);
  const report = layout.report;
  useLayoutEffect(() => report(id, line), [report, id, line]);
  useLayoutEffect(() => () => report(id, null), [report, id]);
  const reported = layout.spots?.get(id);
  const shown = useMemo(() => {
    if (!line) return { x: middle.x + shift.x, y: middle.y + shift.y, free: true };
    if (reported) return reported;
    // Until the layout has this line (the first paint, or just after it changed), the label is placed by itself.
    return placeLabel(line.at, line.size, widgets, line.shift, line.beside);
  }, [line, reported, widgets, middle.x, middle.y, shift.x, shift.y]);
  if (!label) return null;
  return (
    <EdgeText
      x={shown.x}
      y={shown.y}
      label={label}
      className={shown.free ? undefined : 'label-over-widgets'}
      labelStyle={props.labelStyle}
      labelShowBg={props.labelShowBg}
      labelBgStyle={props.labelBgStyle}
      labelBgPadding={props.labelBgPadding}
      labelBgBorderRadius={props.labelBgBorderRadius}
    />
  );
}

export function FlowEdge(props: EdgeProps<FlowEdgeType>) {
  const node = useInternalNode(props.source);
  const { sourceX, sourceY, targetX, targetY, sourcePosition } = props;
  const nodeX = node?.internals.positionAbsolute.x;
  const nodeY = node?.internals.positionAbsolute.y;
  const nodeWidth = node?.measured.width;
  const nodeHeight = node?.measured.height;
  const lane = props.data?.transitionIndex ?? 0;
  // From an event on the right edge to a widget below and to the left: round the widget's side, not under it (edge-routes.ts).
  const round = useMemo(
    () =>
      sourcePosition === Position.Right && nodeX !== undefined && nodeY !== undefined && nodeWidth && nodeHeight
        ? roundTheRightSide({ x: sourceX, y: sourceY }, { x: targetX, y: targetY }, { x: nodeX, y: nodeY, width: nodeWidth, height: nodeHeight }, lane)
        : null,
    [sourcePosition, sourceX, sourceY, targetX, targetY, nodeX, nodeY, nodeWidth, nodeHeight, lane],
  );
  const [bezier, labelX, labelY] = getBezierPath(props);
  const path = round?.path ?? bezier;
  const count = props.data?.parallelCount ?? 1;
  const offset = ((props.data?.parallel ?? 0) - (count - 1) / 2) * LABEL_GAP;
  const at = useMemo(() => round?.at ?? bezierFromPath(path), [round, path]);
  const middle = round ? round.at(0.5) : { x: labelX, y: labelY };
  return (
    <>
      <BaseEdge id={props.id} path={path} markerEnd={props.markerEnd} style={props.style} interactionWidth={props.interactionWidth} />
      <Label props={props} at={at} path={path} middle={middle} shift={{ x: 0, y: offset }} />
    </>
  );
}

export function SelfLoopEdge(props: EdgeProps<FlowEdgeType>) {
  const node = useInternalNode(props.source);
  const { sourceX, sourceY, targetX, targetY } = props;
  const width = node?.measured.width ?? 220;
  const left = node?.internals.positionAbsolute.x ?? Math.min(sourceX, targetX) - width / 2;
  const side = left + width + LOOP_MARGIN + (props.data?.parallel ?? 0) * 14;
  const above = targetY - LOOP_DROP;
  // From an event on the bottom: down a little first; from one on the right edge: straight out.
  const fromRight = props.sourcePosition === Position.Right;
  const below = fromRight ? sourceY : sourceY + LOOP_DROP;
  const corners = [
    { x: sourceX, y: sourceY },
    { x: sourceX, y: below },
    { x: side, y: below },
    { x: side, y: above },
    { x: targetX, y: above },
    { x: targetX, y: targetY },
  ];
  const path = corners.map((p, i) => `${i === 0 ? 'M' : 'L'} ${p.x},${p.y}`).join(' ');
  // Its label goes on the side of the loop (the middle half of t) when it fits there, else on the stretch
  // below the widget or the one above it.
  const at = useMemo(() => {
    const bottom = polylineAt([corners[1]!, corners[2]!]);
    const outside = polylineAt([corners[2]!, corners[3]!]);
    const top = polylineAt([corners[3]!, corners[4]!]);
    return (t: number) => (t < 0.25 ? bottom(t / 0.25) : t <= 0.75 ? outside((t - 0.25) / 0.5) : top((t - 0.75) / 0.25));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [path]);
  return (
    <>
      <BaseEdge id={props.id} path={path} markerEnd={props.markerEnd} style={props.style} interactionWidth={props.interactionWidth} />
      <Label props={props} at={at} path={path} middle={{ x: side, y: (below + above) / 2 }} shift={{ x: 0, y: 0 }} />
    </>
  );
}

export const EDGE_TYPES = { flow: FlowEdge, selfLoop: SelfLoopEdge };
