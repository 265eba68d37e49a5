// The canvas's edges. A transition between two widgets is a bezier whose label is moved along the
// vertical when several transitions join the same two widgets (a split's conditions to one widget
// would otherwise print their labels on top of each other). A transition back to its own widget
// (a Gather re-prompting on timeout) leaves at its event (bottom or right edge), goes round the
// widget's right side and comes back in at the top, labelled on that side: a straight line from bottom to top would be
// hidden under the widget itself.
import { BaseEdge, Position, getBezierPath, useInternalNode, type Edge, type EdgeProps } from '@xyflow/react';

export interface FlowEdgeData extends Record<string, unknown> {
  transitionIndex: number;
  parallel: number;
  parallelCount: number;
}

export type FlowEdgeType = Edge<FlowEdgeData>;

const LABEL_GAP = 20;
const LOOP_MARGIN = 36;
const LOOP_DROP = 18;

function labelProps(props: EdgeProps<FlowEdgeType>) {
  return {
    label: props.label,
    labelStyle: props.labelStyle,
    labelShowBg: props.labelShowBg,
    labelBgStyle: props.labelBgStyle,
    labelBgPadding: props.labelBgPadding,
    labelBgBorderRadius: props.labelBgBorderRadius,
  };
}

export function FlowEdge(props: EdgeProps<FlowEdgeType>) {
  const [path, labelX, labelY] = getBezierPath(props);
  const count = props.data?.parallelCount ?? 1;
  const offset = ((props.data?.parallel ?? 0) - (count - 1) / 2) * LABEL_GAP;
  return <BaseEdge id={props.id} path={path} labelX={labelX} labelY={labelY + offset} markerEnd={props.markerEnd} style={props.style} interactionWidth={props.interactionWidth} {...labelProps(props)} />;
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
  const path = [`M ${sourceX},${sourceY}`, `L ${sourceX},${below}`, `L ${side},${below}`, `L ${side},${above}`, `L ${targetX},${above}`, `L ${targetX},${targetY}`].join(' ');
  return (
    <BaseEdge
      id={props.id}
      path={path}
      labelX={side}
      labelY={(below + above) / 2}
      markerEnd={props.markerEnd}
      style={props.style}
      interactionWidth={props.interactionWidth}
      {...labelProps(props)}
    />
  );
}

export const EDGE_TYPES = { flow: FlowEdge, selfLoop: SelfLoopEdge };
