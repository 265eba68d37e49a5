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
import { toGraph, type PathHighlight, type WidgetIssues } from './graph.ts';
import { WidgetNode, type WidgetNodeType } from './widget-node.tsx';
import { EDGE_TYPES, type FlowEdgeType } from './flow-edges.tsx';
import { initialViewport } from './viewport.ts';

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
  const graph = useMemo(() => toGraph(definition, issues, path), [definition, issues, path]);
  const [nodes, setNodes] = useState<WidgetNodeType[]>([]);

  // The definition is the source of truth; local node state only carries drags in progress.
  useEffect(() => {
    setNodes(graph.nodes.map((node) => ({ ...node, selected: node.id === selected })) as WidgetNodeType[]);
  }, [graph, selected]);

  // Open on the Trigger at a readable zoom, top-aligned, as Studio does (see viewport.ts). Only the
  // first layout matters: later edits must not move the view.
  const box = useRef<HTMLDivElement>(null);
  const onInit = useCallback(
    (instance: ReactFlowInstance<WidgetNodeType, FlowEdgeType>) => {
      const rect = box.current?.getBoundingClientRect();
      void instance.setViewport(initialViewport(graph.nodes, definition.initial_state, rect?.width ?? 0, rect?.height ?? 0));
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [],
  );

  const edges: FlowEdgeType[] = useMemo(
    () =>
      graph.edges.map((edge) => ({
        ...edge,
        label: edge.label.length > 28 ? `${edge.label.slice(0, 27)}…` : edge.label,
        markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 },
        labelBgPadding: [4, 2] as [number, number],
        labelBgBorderRadius: 4,
        focusable: !readOnly,
        deletable: !readOnly,
      })),
    [graph.edges, readOnly],
  );

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
          edit(() => moveWidget(definition, id, position));
        }
        if (change.type === 'select' && change.selected) onSelect(change.id);
      }
    },
    [definition, edit, onSelect],
  );

  const onConnect = useCallback(
    (connection: Connection) => {
      const index = Number(/^t(\d+)$/.exec(connection.sourceHandle ?? '')?.[1] ?? NaN);
      if (Number.isNaN(index)) return;
      edit(() => connect(definition, connection.source, index, connection.target));
    },
    [definition, edit],
  );

  const onNodesDelete: OnNodesDelete<WidgetNodeType> = useCallback(
    (deleted) => {
      edit(() => deleted.reduce((def, node) => (node.data.state.type === 'trigger' ? def : removeWidget(def, node.id)), definition));
      onSelect(null);
    },
    [definition, edit, onSelect],
  );

  const onEdgesDelete: OnEdgesDelete<FlowEdgeType> = useCallback(
    (deleted) => {
      edit(() =>
        deleted.reduce((def, edge) => connect(def, edge.source, edge.data!.transitionIndex, null), definition),
      );
    },
    [definition, edit],
  );

  return (
    <div className="canvas" data-testid="canvas" ref={box}>
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
        onPaneClick={() => onSelect(null)}
        onNodeClick={(_, node) => onSelect(node.id)}
        nodesDraggable={!readOnly}
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
    </div>
  );
}
