// The flow canvas: @xyflow/react showing a definition. Editing gestures (drag, connect, delete)
// become definition edits through onChange, one edit per gesture (so one undo step): several
// widgets moved together, a widget deleted with its connections. In read-only mode it only shows
// (and highlights a path).
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import {
  Background,
  Controls,
  MarkerType,
  MiniMap,
  ReactFlow,
  applyNodeChanges,
  type Connection,
  type EdgeChange,
  type NodeChange,
  type OnConnectEnd,
  type ReactFlowInstance,
  type XYPosition,
} from '@xyflow/react';
import type { FlowDefinition } from '../api/types.ts';
import { connect, moveWidget, removeWidget } from './definition-ops.ts';
import { keepUnchanged, sameItems, toGraph, type Graph, type GraphEdge, type PathHighlight, type WidgetIssues } from './graph.ts';
import { WidgetNode, type WidgetNodeType } from './widget-node.tsx';
import { EDGE_TYPES, type FlowEdgeType } from './flow-edges.tsx';
import { initialViewport, UNMEASURED, viewportShowing } from './viewport.ts';

const NODE_TYPES = { widget: WidgetNode };
const NO_EDGES: ReadonlySet<string> = new Set();

/** Whether a key pressed on `target` is meant for the canvas: a widget, a connection, a box selection; not a control in it. */
function onCanvasItself(target: EventTarget): boolean {
  return target instanceof Element && target.closest('.react-flow') !== null && target.closest('input, textarea, select, button, a[href], [contenteditable], .nokey') === null;
}

export interface CanvasProps {
  definition: FlowDefinition;
  issues?: Map<string, WidgetIssues>;
  path?: PathHighlight | null;
  readOnly?: boolean;
  selected: string | null;
  onSelect: (name: string | null) => void;
  /** An edit; `field` names a continuous edit it goes on with (a widget moved with the arrow keys), as useHistory's set. */
  onChange?: (definition: FlowDefinition, field?: string) => void;
  onError?: (message: string) => void;
}

export function Canvas({ definition, issues, path = null, readOnly = false, selected, onSelect, onChange, onError }: CanvasProps) {
  // Unchanged widgets and edges keep their objects from one edit to the next (keepUnchanged), so
  // typing in one widget's property redraws that widget only, even on a flow of hundreds.
  const previousGraph = useRef<Graph | null>(null);
  const graph = useMemo(() => (previousGraph.current = keepUnchanged(previousGraph.current, toGraph(definition, issues, path))), [definition, issues, path]);
  const [nodes, setNodes] = useState<WidgetNodeType[]>([]);
  const selectedRef = useRef(selected);
  selectedRef.current = selected;

  // The definition is the source of truth for the widgets and where they are; local node state
  // carries drags in progress, the sizes React Flow measured, and the selection: a box may select
  // several widgets on the canvas while the panel shows one (`selected`). A widget whose graph node
  // is unchanged keeps its local node (and its measured size: a new node without one is measured
  // again); one whose transitions are the same keeps its size until its box changes, which React
  // Flow notices by itself.
  useEffect(() => {
    setNodes((current) => {
      const local = new Map(current.map((node) => [node.id, node]));
      const next = graph.nodes.map((node) => {
        const old = local.get(node.id);
        if (old && old.data === node.data && old.position.x === node.position.x && old.position.y === node.position.y && !old.dragging) return old;
        const fresh: WidgetNodeType = { ...node, selected: old ? old.selected === true : node.id === selectedRef.current };
        if (old?.measured && old.data.state.transitions === node.data.state.transitions) fresh.measured = old.measured;
        return fresh;
      });
      // Nothing changed: the same array, so React Flow has nothing to look at.
      return sameItems(next, current) ? current : next;
    });
  }, [graph]);

  // Connections selected on the canvas (React Flow only tells; the edges are ours to mark).
  const [selectedEdges, setSelectedEdges] = useState<ReadonlySet<string>>(NO_EDGES);

  /** The selection the nodes show: one the canvas made itself (and reported through select) or the last one given. */
  const shown = useRef(selected);
  // A widget selected from outside (the "Go to" list, the timeline, a new widget) is then the only one selected.
  useEffect(() => {
    if (selected === shown.current) return;
    shown.current = selected;
    setNodes((current) => current.map((node) => (node.selected === (node.id === selected) ? node : { ...node, selected: node.id === selected })));
    setSelectedEdges(NO_EDGES);
  }, [selected]);

  // Open on the Trigger at a readable zoom, top-aligned, as Studio does (see viewport.ts). Only the
  // first layout matters: later edits must not move the view.
  const box = useRef<HTMLDivElement>(null);
  const flow = useRef<ReactFlowInstance<WidgetNodeType, FlowEdgeType> | null>(null);
  /**
   * Pans (same zoom) to a widget that is not on screen whole: one selected from the timeline, a list,
   * a link, or just added. False when React Flow does not know the widget (yet).
   */
  const show = useCallback((name: string, animate: boolean): boolean => {
    const instance = flow.current;
    const rect = box.current?.getBoundingClientRect();
    const node = instance?.getInternalNode(name);
    if (!instance || !rect || !node) return false;
    const size = node.measured.width && node.measured.height ? node.measured : UNMEASURED;
    const position = node.internals.positionAbsolute;
    const next = viewportShowing(instance.getViewport(), { x: position.x, y: position.y, width: size.width!, height: size.height! }, rect.width, rect.height);
    const still = !animate || window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
    // Linear: d3's default smooth interpolation zooms out in the middle of a pan, and this is only a pan.
    if (next) void instance.setViewport(next, still ? undefined : { duration: 250, interpolate: 'linear' });
    return true;
  }, []);
  const onInit = useCallback(
    (instance: ReactFlowInstance<WidgetNodeType, FlowEdgeType>) => {
      flow.current = instance;
      const rect = box.current?.getBoundingClientRect();
      void instance.setViewport(initialViewport(graph.nodes, definition.initial_state, rect?.width ?? 0, rect?.height ?? 0));
      // A widget selected before the canvas was ready (an execution page opened on a step) is shown.
      if (selectedRef.current) show(selectedRef.current, false);
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [],
  );
  useEffect(() => {
    if (!selected) return;
    // A widget just added reaches React Flow only once drawn: look again on the next frames.
    let frame = 0;
    let tries = 0;
    const attempt = () => {
      if (!show(selected, true) && ++tries < 10) frame = requestAnimationFrame(attempt);
    };
    attempt();
    return () => cancelAnimationFrame(frame);
  }, [selected, show]);

  // One drawn edge per graph edge object, kept while that object is (see keepUnchanged).
  const drawn = useMemo(() => new WeakMap<GraphEdge, FlowEdgeType>(), [readOnly]);
  const previousEdges = useRef<FlowEdgeType[]>([]);
  const edges: FlowEdgeType[] = useMemo(() => {
    const next = graph.edges.map((edge) => {
        let flowEdge = drawn.get(edge);
        if (!flowEdge) {
          flowEdge = {
            ...edge,
            label: edge.label.length > 28 ? `${edge.label.slice(0, 27)}…` : edge.label,
            markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 },
            labelBgPadding: [4, 2] as [number, number],
            labelBgBorderRadius: 4,
            focusable: !readOnly,
            deletable: !readOnly,
          };
          drawn.set(edge, flowEdge);
        }
        return flowEdge;
      });
    // React Flow rebuilds its connection index whenever the edges array is a new one.
    if (!sameItems(next, previousEdges.current)) previousEdges.current = next;
    return previousEdges.current;
  }, [graph.edges, drawn, readOnly]);
  const shownEdges = useMemo(
    () => (selectedEdges.size === 0 ? edges : edges.map((edge) => (selectedEdges.has(edge.id) ? { ...edge, selected: true } : edge))),
    [edges, selectedEdges],
  );
  const onEdgesChange = useCallback((changes: EdgeChange<FlowEdgeType>[]) => {
    setSelectedEdges((current) => {
      const next = new Set(current);
      for (const change of changes) {
        if (change.type !== 'select') continue;
        if (change.selected) next.add(change.id);
        else next.delete(change.id);
      }
      return next.size === current.size && [...next].every((id) => current.has(id)) ? current : next;
    });
  }, []);

  // React Flow redraws every node when a callback it is given changes: keep them stable and read
  // the latest onSelect and definition through refs.
  const onSelectRef = useRef(onSelect);
  const current = useRef(definition);
  useEffect(() => {
    onSelectRef.current = onSelect;
    current.current = definition;
  });
  const select = useCallback((name: string | null) => {
    shown.current = name;
    onSelectRef.current(name);
  }, []);
  const onNodeClick = useCallback((_: unknown, node: WidgetNodeType) => select(node.id), [select]);
  const onPaneClick = useCallback(() => select(null), [select]);

  const edit = useCallback(
    (fn: () => FlowDefinition, field?: string) => {
      if (readOnly || !onChange) return;
      try {
        const next = fn();
        // A later edit in the same event builds on this one, not on the definition last drawn.
        current.current = next;
        onChange(next, field);
      } catch (error) {
        onError?.((error as Error).message);
      }
    },
    [readOnly, onChange, onError],
  );

  /** Widgets being dragged: the change that ends a drag is told from an arrow-key move by it. */
  const dragging = useRef(new Set<string>());
  const onNodesChange = useCallback(
    (changes: NodeChange<WidgetNodeType>[]) => {
      setNodes((current) => applyNodeChanges(changes, current));
      // A drag commits when it ends; a move with the arrow keys (no drag at all) commits at once.
      // Every widget one batch moves (a box selection moves them all) goes in one edit.
      const moved = new Map<string, XYPosition>();
      let dragEnded = false;
      for (const change of changes) {
        if (change.type === 'position' && change.position) {
          if (change.dragging) dragging.current.add(change.id);
          else {
            if (dragging.current.delete(change.id)) dragEnded = true;
            moved.set(change.id, change.position);
          }
        }
        if (change.type === 'select' && change.selected) select(change.id);
      }
      if (moved.size === 0) return;
      // A drag is one undo step; arrow-key presses moving the same widgets, one after the other, are one together.
      const field = dragEnded ? undefined : `moving:${[...moved.keys()].sort().join(',')}`;
      edit(() => [...moved].reduce((def, [name, position]) => moveWidget(def, name, position), current.current), field);
    },
    [edit, select],
  );

  const onConnect = useCallback(
    (connection: Connection) => {
      const index = Number(/^t(\d+)$/.exec(connection.sourceHandle ?? '')?.[1] ?? NaN);
      if (Number.isNaN(index)) return;
      edit(() => connect(current.current, connection.source, index, connection.target));
    },
    [edit],
  );

  // Studio takes a connection dropped anywhere on a widget, not only on its input: one dropped off
  // every handle connects to the widget under the pointer (but not back to its own widget, which is
  // likely a drag let go early; its input makes such a loop).
  const onConnectEnd: OnConnectEnd = useCallback(
    (event, state) => {
      if (state.isValid || state.fromHandle?.type !== 'source' || !state.fromNode) return;
      const point = 'changedTouches' in event ? event.changedTouches[0] : event;
      const under = point ? document.elementFromPoint(point.clientX, point.clientY) : null;
      const widget = box.current?.contains(under) ? under?.closest('.react-flow__node')?.getAttribute('data-id') : null;
      if (!widget || widget === state.fromNode.id) return;
      if (current.current.states.find((s) => s.name === widget)?.type === 'trigger') return;
      onConnect({ source: state.fromNode.id, sourceHandle: state.fromHandle.id ?? null, target: widget, targetHandle: null });
    },
    [onConnect],
  );

  // Delete and Backspace delete the selection (widgets with their connections, and connections), in
  // one edit, when pressed on the canvas: not in a panel, on a button or in any field.
  const nodesNow = useRef(nodes);
  nodesNow.current = nodes;
  const edgesNow = useRef(shownEdges);
  edgesNow.current = shownEdges;
  const onKeyDown = useCallback(
    (event: ReactKeyboardEvent) => {
      if (readOnly || (event.key !== 'Delete' && event.key !== 'Backspace') || event.ctrlKey || event.metaKey || event.altKey) return;
      if (!onCanvasItself(event.target)) return;
      const widgets = nodesNow.current.filter((node) => node.selected && node.data.state.type !== 'trigger').map((node) => node.id);
      const connections = edgesNow.current.filter((edge) => edge.selected);
      if (widgets.length === 0 && connections.length === 0) return;
      event.preventDefault();
      edit(() => {
        const disconnected = connections.reduce((def, edge) => connect(def, edge.source, edge.data!.transitionIndex, null), current.current);
        return widgets.reduce((def, name) => removeWidget(def, name), disconnected);
      });
      setSelectedEdges(NO_EDGES);
      if (widgets.length > 0) select(null);
    },
    [readOnly, edit, select],
  );

  // Every widget is a Tab stop (in the editor): a keyboard user can step over them all at once.
  const after = useRef<HTMLSpanElement>(null);
  return (
    <div className="canvas" data-testid="canvas" ref={box} onKeyDown={onKeyDown}>
      <button type="button" className="skip-link skip-canvas" onClick={() => after.current?.focus()}>
        Skip the canvas
      </button>
      <ReactFlow<WidgetNodeType, FlowEdgeType>
        nodes={nodes}
        edges={shownEdges}
        nodeTypes={NODE_TYPES}
        edgeTypes={EDGE_TYPES}
        onInit={onInit}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        onPaneClick={onPaneClick}
        onNodeClick={onNodeClick}
        nodesDraggable={!readOnly}
        // Read-only (an execution's path), the timeline beside it selects widgets: its widgets are no Tab stops.
        nodesFocusable={!readOnly}
        nodesConnectable={!readOnly}
        // React Flow's own delete key acts wherever focus is (a panel button too): onKeyDown above does it.
        deleteKeyCode={null}
        minZoom={0.1}
        maxZoom={2}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={24} />
        <Controls showInteractive={false} />
        <MiniMap pannable zoomable ariaLabel="Flow overview" />
      </ReactFlow>
      <span ref={after} tabIndex={-1} className="visually-hidden">
        After the canvas
      </span>
    </div>
  );
}
