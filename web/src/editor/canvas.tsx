// The flow canvas: @xyflow/react showing a definition. Editing gestures (drag, connect, delete)
// become definition edits through onChange, one edit per gesture (so one undo step): several
// widgets moved together, a widget deleted with its connections. In read-only mode it only shows
// (and highlights a path).
import { useCallback, useEffect, useMemo, useRef, useState, type FocusEvent as ReactFocusEvent, type KeyboardEvent as ReactKeyboardEvent } from 'react';
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
import { EDGE_TYPES, EdgeLabelLayout, WidgetBoxes, type FlowEdgeType } from './flow-edges.tsx';
import type { Rect } from './edge-labels.ts';
import { nextFocus, tabOrder, type FocusItem } from './canvas-focus.ts';
import { CANVAS_MIN_ZOOM, connectionBox, initialViewport, minimapSize, UNMEASURED, viewportShowing, type Box } from './viewport.ts';

const NODE_TYPES = { widget: WidgetNode };
const NO_EDGES: ReadonlySet<string> = new Set();

/** Whether a key pressed on `target` is meant for the canvas: a widget, a connection, a box selection; not a control in it. */
function onCanvasItself(target: EventTarget): boolean {
  return target instanceof Element && target.closest('.react-flow') !== null && target.closest('input, textarea, select, button, a[href], [contenteditable], .nokey') === null;
}

/** The widget or connection an element of the canvas is, if it is one. */
function focusItemOf(element: Element): FocusItem | null {
  const id = element.getAttribute('data-id');
  if (id === null) return null;
  if (element.classList.contains('react-flow__node')) return { kind: 'widget', id };
  if (element.classList.contains('react-flow__edge')) return { kind: 'connection', id };
  return null;
}

function elementOf(root: ParentNode, item: FocusItem): HTMLElement | SVGElement | null {
  const kind = item.kind === 'widget' ? 'node' : 'edge';
  return root.querySelector<HTMLElement | SVGElement>(`.react-flow__${kind}[data-id="${CSS.escape(item.id)}"]`);
}

const TABBABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]';

/** The first element in `root` after `anchor` (outside it) that Tab stops at: where Tab leaves the canvas's widgets for. */
function tabbableAfter(root: ParentNode, anchor: Element): HTMLElement | SVGElement | null {
  for (const element of root.querySelectorAll<HTMLElement | SVGElement>(TABBABLE)) {
    if (anchor.contains(element) || !(anchor.compareDocumentPosition(element) & Node.DOCUMENT_POSITION_FOLLOWING)) continue;
    if (element.tabIndex < 0 || element.getClientRects().length === 0) continue;
    return element;
  }
  return null;
}

/** The widget to go to once `deleted` are gone: the first left after the first deleted one, else the last before it. */
function neighbour(definition: FlowDefinition, deleted: readonly string[]): string | null {
  const gone = new Set(deleted);
  const first = definition.states.findIndex((state) => gone.has(state.name));
  const after = definition.states.slice(first + 1).find((state) => !gone.has(state.name));
  const before = definition.states.slice(0, Math.max(first, 0)).findLast((state) => !gone.has(state.name));
  return (after ?? before)?.name ?? null;
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
  /** A widget to open on (without selecting it) when none is selected: where an ended execution stopped. */
  openOn?: string | null;
}

export function Canvas({ definition, issues, path = null, readOnly = false, selected, onSelect, onChange, onError, openOn = null }: CanvasProps) {
  // Unchanged widgets and edges keep their objects from one edit to the next (keepUnchanged), so
  // typing in one widget's property redraws that widget only, even on a flow of hundreds.
  const previousGraph = useRef<Graph | null>(null);
  const graph = useMemo(() => (previousGraph.current = keepUnchanged(previousGraph.current, toGraph(definition, issues, path))), [definition, issues, path]);
  const [nodes, setNodes] = useState<WidgetNodeType[]>([]);
  const selectedRef = useRef(selected);
  selectedRef.current = selected;
  const openOnRef = useRef(openOn);
  openOnRef.current = openOn;

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

  // The widgets' boxes, which connection labels keep clear of (flow-edges.tsx): where the definition puts
  // them (not where a drag in progress has them), at their measured size. The same array while no box
  // changed, as every label reads it: typing in a property must not redraw every connection.
  const previousBoxes = useRef<readonly Rect[]>([]);
  const widgetBoxes = useMemo(() => {
    const measured = new Map(nodes.map((node) => [node.id, node.measured]));
    const next = graph.nodes.map((node) => {
      const size = measured.get(node.id);
      return { x: node.position.x, y: node.position.y, width: size?.width ?? UNMEASURED.width, height: size?.height ?? UNMEASURED.height };
    });
    const old = previousBoxes.current;
    const same = next.length === old.length && next.every((b, i) => b.x === old[i]!.x && b.y === old[i]!.y && b.width === old[i]!.width && b.height === old[i]!.height);
    if (!same) previousBoxes.current = next;
    return previousBoxes.current;
  }, [graph.nodes, nodes]);

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
      // A widget selected before the canvas was ready (an execution page opened on a step), else the one to
      // open on (where an ended execution stopped), is shown.
      const first = selectedRef.current ?? openOnRef.current;
      if (first) show(first, false);
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
            // Out of the page's Tab order, which would put every connection before the first widget: Tab
            // reaches a connection after the widget it leaves (onKeyDown). Focusable still, for Enter and Delete.
            ...(readOnly ? {} : { domAttributes: { tabIndex: -1 } }),
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
      // The widget a click, Enter or a drag selected; else whether the one shown was let go (Escape on it).
      let chosen: string | null = null;
      let letGo = false;
      for (const change of changes) {
        if (change.type === 'position' && change.position) {
          if (change.dragging) dragging.current.add(change.id);
          else {
            if (dragging.current.delete(change.id)) dragEnded = true;
            moved.set(change.id, change.position);
          }
        }
        if (change.type === 'select') {
          if (change.selected) chosen = change.id;
          else if (change.id === shown.current) letGo = true;
        }
      }
      if (chosen !== null) select(chosen);
      else if (letGo) select(null);
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
  /** A widget to focus once drawn: the one next to a deleted one (focus would otherwise fall to <body> with it). */
  const [focusNext, setFocusNext] = useState<{ name: string } | null>(null);
  useEffect(() => {
    if (!focusNext) return;
    let frame = 0;
    let tries = 0;
    const attempt = () => {
      const element = box.current?.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(focusNext.name)}"]`);
      if (element) element.focus();
      else if (++tries < 10) frame = requestAnimationFrame(attempt);
    };
    attempt();
    return () => cancelAnimationFrame(frame);
  }, [focusNext]);
  // Tab goes from a widget to the connections leaving it, then to the next widget (canvas-focus.ts);
  // past the last one, on to what follows the widgets (the zoom buttons).
  const after = useRef<HTMLSpanElement>(null);
  const moveFocus = useCallback((event: ReactKeyboardEvent) => {
    const root = box.current;
    const layer = root?.querySelector('.react-flow__nodes');
    if (!root || !layer || !(event.target instanceof Element)) return;
    const order = tabOrder(nodesNow.current.map((node) => node.id), edgesNow.current);
    const from = focusItemOf(event.target);
    const leave = tabbableAfter(root, layer);
    let to: HTMLElement | SVGElement | null;
    if (from) {
      const next = nextFocus(order, from, event.shiftKey);
      // Before the first widget is the skip link, after the last widget the zoom buttons: the page's own order gets there.
      if (!next && (event.shiftKey || from.kind === 'widget')) return;
      to = next ? elementOf(root, next) : (leave ?? after.current);
    } else if (event.shiftKey && event.target === leave) {
      // Back into the canvas: to the last connection of the last widget, not to the widget.
      const last = order.at(-1);
      to = last ? elementOf(root, last) : null;
    } else return;
    if (!to) return;
    event.preventDefault();
    // No scrolling by the browser: it would shift the whole canvas in its frame (React Flow undoes that a moment
    // later) and mislead onFocus below, which pans to the connection itself.
    to.focus({ preventScroll: true });
  }, []);
  const onKeyDown = useCallback(
    (event: ReactKeyboardEvent) => {
      if (event.key === 'Tab' && !readOnly && !event.ctrlKey && !event.metaKey && !event.altKey) return moveFocus(event);
      if (readOnly || (event.key !== 'Delete' && event.key !== 'Backspace') || event.ctrlKey || event.metaKey || event.altKey) return;
      if (!onCanvasItself(event.target)) return;
      const widgets = nodesNow.current.filter((node) => node.selected && node.data.state.type !== 'trigger').map((node) => node.id);
      const connections = edgesNow.current.filter((edge) => edge.selected);
      if (widgets.length === 0 && connections.length === 0) return;
      event.preventDefault();
      const before = current.current;
      edit(() => {
        const disconnected = connections.reduce((def, edge) => connect(def, edge.source, edge.data!.transitionIndex, null), current.current);
        return widgets.reduce((def, name) => removeWidget(def, name), disconnected);
      });
      setSelectedEdges(NO_EDGES);
      if (widgets.length > 0) select(null);
      // Focus stays on the canvas: on the widget after the (first) deleted one, else the one before it; a
      // connection's own widget when only connections went.
      const next = current.current === before ? null : widgets.length > 0 ? neighbour(before, widgets) : (connections[0]?.source ?? null);
      if (next) setFocusNext({ name: next });
    },
    [readOnly, edit, select, moveFocus],
  );

  // Escape on a selected widget unselects it, as React Flow does, but keeps focus on it: React Flow's own
  // handling then blurs the widget, dropping a keyboard user's place to the page.
  const onKeyDownCapture = useCallback(
    (event: ReactKeyboardEvent) => {
      if (event.key !== 'Escape' || readOnly || !(event.target instanceof HTMLElement) || !event.target.classList.contains('react-flow__node')) return;
      const id = event.target.getAttribute('data-id');
      if (!nodesNow.current.some((node) => node.id === id && node.selected)) return;
      event.stopPropagation();
      setNodes((current) => current.map((node) => (node.selected ? { ...node, selected: false } : node)));
      setSelectedEdges(NO_EDGES);
      select(null);
    },
    [readOnly, select],
  );

  // A connection focused from the keyboard is brought on screen, as React Flow does for a widget
  // (autoPanOnNodeFocus): the whole of it when it fits, else its label.
  const onFocus = useCallback((event: ReactFocusEvent) => {
    const instance = flow.current;
    const target = event.target;
    const rect = box.current?.getBoundingClientRect();
    if (!instance || !rect || !(target instanceof SVGElement) || !target.classList.contains('react-flow__edge') || !target.matches(':focus-visible')) return;
    const view = instance.getViewport();
    const toFlow = (r: DOMRect): Box => ({ x: (r.left - rect.left - view.x) / view.zoom, y: (r.top - rect.top - view.y) / view.zoom, width: r.width / view.zoom, height: r.height / view.zoom });
    const label = target.querySelector('.react-flow__edge-textwrapper');
    const shown = connectionBox(toFlow(target.getBoundingClientRect()), label ? toFlow(label.getBoundingClientRect()) : null, view.zoom, rect.width, rect.height);
    const next = viewportShowing(view, shown, rect.width, rect.height);
    const still = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
    if (next) void instance.setViewport(next, still ? undefined : { duration: 200, interpolate: 'linear' });
  }, []);

  // The minimap, sized to the canvas: none on a small one (an execution's), where it would hide much of the flow.
  const [canvasSize, setCanvasSize] = useState({ width: 0, height: 0 });
  useEffect(() => {
    const element = box.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => setCanvasSize({ width: element.clientWidth, height: element.clientHeight }));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const minimap = minimapSize(canvasSize.width, canvasSize.height);

  // Every widget is a Tab stop (in the editor): a keyboard user can step over them all at once. What
  // the skip link lands on shows while it has focus, so that focus is never on nothing to be seen.
  return (
    <div className="canvas" data-testid="canvas" ref={box} onKeyDown={onKeyDown} onKeyDownCapture={onKeyDownCapture} onFocus={onFocus}>
      <button type="button" className="skip-link skip-canvas" onClick={() => after.current?.focus()}>
        Skip the canvas
      </button>
      <WidgetBoxes.Provider value={widgetBoxes}>
        <EdgeLabelLayout>
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
            // No inline colour on the arrowheads: they take the edges' colour from the stylesheet (styles.css).
            defaultMarkerColor={null}
            minZoom={CANVAS_MIN_ZOOM}
            maxZoom={2}
            proOptions={{ hideAttribution: true }}
          >
            <Background gap={24} />
            <Controls showInteractive={false} />
            {minimap && <MiniMap pannable zoomable ariaLabel="Flow overview" style={minimap} />}
          </ReactFlow>
        </EdgeLabelLayout>
      </WidgetBoxes.Provider>
      <span ref={after} tabIndex={-1} className="skip-target">
        After the canvas
      </span>
    </div>
  );
}
