// The flow canvas: @xyflow/react showing a definition. Editing gestures (drag, connect, delete)
// become definition edits through onChange; in read-only mode it only shows (and highlights a path).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  Background,
  Controls,
  MarkerType,
  MiniMap,
  ReactFlow,
  applyNodeChanges,
  type Connection,
  type NodeChange,
  type ReactFlowInstance,
  type OnEdgesDelete,
  type OnNodesDelete,
} from '@xyflow/react';
import type { FlowDefinition } from '../api/types.ts';
import { connect, moveWidget, removeWidget } from './definition-ops.ts';
import { keepUnchanged, sameItems, toGraph, type Graph, type GraphEdge, type PathHighlight, type WidgetIssues } from './graph.ts';
import { WidgetNode, type WidgetNodeType } from './widget-node.tsx';
import { EDGE_TYPES, type FlowEdgeType } from './flow-edges.tsx';
import { initialViewport, UNMEASURED, viewportShowing } from './viewport.ts';

const NODE_TYPES = { widget: WidgetNode };

export interface CanvasProps {
  definition: FlowDefinition;
  issues?: Map<string, WidgetIssues>;
  path?: PathHighlight | null;
  readOnly?: boolean;
  selected: string | null;
  onSelect: (name: string | null) => void;
  onChange?: (definition: FlowDefinition) => void;
  onError?: (message: string) => void;
}

export function Canvas({ definition, issues, path = null, readOnly = false, selected, onSelect, onChange, onError }: CanvasProps) {
  // Unchanged widgets and edges keep their objects from one edit to the next (keepUnchanged), so
  // typing in one widget's property redraws that widget only, even on a flow of hundreds.
  const previousGraph = useRef<Graph | null>(null);
  const graph = useMemo(() => (previousGraph.current = keepUnchanged(previousGraph.current, toGraph(definition, issues, path))), [definition, issues, path]);
  const [nodes, setNodes] = useState<WidgetNodeType[]>([]);

  // The definition is the source of truth; local node state only carries drags in progress and the
  // sizes React Flow measured. A widget whose graph node is unchanged keeps its local node (and its
  // measured size: a new node without one is measured again); one whose transitions are the same
  // keeps its size until its box changes, which React Flow notices by itself.
  useEffect(() => {
    setNodes((current) => {
      const local = new Map(current.map((node) => [node.id, node]));
      const next = graph.nodes.map((node) => {
        const isSelected = node.id === selected;
        const old = local.get(node.id);
        if (old && old.data === node.data && old.position.x === node.position.x && old.position.y === node.position.y && !old.dragging) {
          return old.selected === isSelected ? old : { ...old, selected: isSelected };
        }
        const fresh: WidgetNodeType = { ...node, selected: isSelected };
        if (old?.measured && old.data.state.transitions === node.data.state.transitions) fresh.measured = old.measured;
        return fresh;
      });
      // Nothing changed: the same array, so React Flow has nothing to look at.
      return sameItems(next, current) ? current : next;
    });
  }, [graph, selected]);

  // Open on the Trigger at a readable zoom, top-aligned, as Studio does (see viewport.ts). Only the
  // first layout matters: later edits must not move the view.
  const box = useRef<HTMLDivElement>(null);
  const flow = useRef<ReactFlowInstance<WidgetNodeType, FlowEdgeType> | null>(null);
  const selectedRef = useRef(selected);
  selectedRef.current = selected;
  /** Pans (same zoom) to a widget that is not on screen whole: one selected from the timeline, a list, a link. */
  const show = useCallback((name: string, animate: boolean) => {
    const instance = flow.current;
    const rect = box.current?.getBoundingClientRect();
    const node = instance?.getInternalNode(name);
    if (!instance || !rect || !node) return;
    const size = node.measured.width && node.measured.height ? node.measured : UNMEASURED;
    const position = node.internals.positionAbsolute;
    const next = viewportShowing(instance.getViewport(), { x: position.x, y: position.y, width: size.width!, height: size.height! }, rect.width, rect.height);
    const still = !animate || window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
    // Linear: d3's default smooth interpolation zooms out in the middle of a pan, and this is only a pan.
    if (next) void instance.setViewport(next, still ? undefined : { duration: 250, interpolate: 'linear' });
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
    if (selected) show(selected, true);
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

  // React Flow redraws every node when a callback it is given changes: keep them stable and read
  // the latest onSelect and definition through refs.
  const onSelectRef = useRef(onSelect);
  const current = useRef(definition);
  useEffect(() => {
    onSelectRef.current = onSelect;
    current.current = definition;
  });
  const select = useCallback((name: string | null) => onSelectRef.current(name), []);
  const onNodeClick = useCallback((_: unknown, node: WidgetNodeType) => select(node.id), [select]);
  const onPaneClick = useCallback(() => select(null), [select]);

  const edit = useCallback(
    (fn: () => FlowDefinition) => {
      if (readOnly || !onChange) return;
      try {
        onChange(fn());
      } catch (error) {
        onError?.((error as Error).message);
      }
    },
    [readOnly, onChange, onError],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange<WidgetNodeType>[]) => {
      setNodes((current) => applyNodeChanges(changes, current));
      for (const change of changes) {
        // A drag commits when it ends; a move with the arrow keys (no drag at all) commits at once.
        if (change.type === 'position' && change.dragging !== true && change.position) {
          const { id, position } = change;
          edit(() => moveWidget(current.current, id, position));
        }
        if (change.type === 'select' && change.selected) select(change.id);
      }
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

  const onNodesDelete: OnNodesDelete<WidgetNodeType> = useCallback(
    (deleted) => {
      edit(() => deleted.reduce((def, node) => (node.data.state.type === 'trigger' ? def : removeWidget(def, node.id)), current.current));
      select(null);
    },
    [edit, select],
  );

  const onEdgesDelete: OnEdgesDelete<FlowEdgeType> = useCallback(
    (deleted) => {
      edit(() =>
        deleted.reduce((def, edge) => connect(def, edge.source, edge.data!.transitionIndex, null), current.current),
      );
    },
    [edit],
  );

  // Every widget is a Tab stop (in the editor): a keyboard user can step over them all at once.
  const after = useRef<HTMLSpanElement>(null);
  return (
    <div className="canvas" data-testid="canvas" ref={box}>
      <button type="button" className="skip-link skip-canvas" onClick={() => after.current?.focus()}>
        Skip the canvas
      </button>
      <ReactFlow<WidgetNodeType, FlowEdgeType>
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        edgeTypes={EDGE_TYPES}
        onInit={onInit}
        onNodesChange={onNodesChange}
        onConnect={onConnect}
        onNodesDelete={onNodesDelete}
        onEdgesDelete={onEdgesDelete}
        onPaneClick={onPaneClick}
        onNodeClick={onNodeClick}
        nodesDraggable={!readOnly}
        // Read-only (an execution's path), the timeline beside it selects widgets: its widgets are no Tab stops.
        nodesFocusable={!readOnly}
        nodesConnectable={!readOnly}
        deleteKeyCode={readOnly ? null : ['Delete', 'Backspace']}
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
