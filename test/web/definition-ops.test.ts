// The console's pure editing model: definition edits, the canvas graph and findings per widget,
// execution paths, the revision diff and the event-stream parser. Every edit result is checked
// with the server's own validator, so the console cannot produce definitions the API rejects.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateDefinition } from '../../src/definition/validate.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import {
  addSplitCondition,
  addWidget,
  connect,
  defaultProperties,
  moveWidget,
  newFlowDefinition,
  removeWidget,
  renameWidget,
  selectionAfter,
  setProperty,
  widgetStepped,
} from '../../web/src/editor/definition-ops.ts';
import { eventLayout, issuesByWidget, keepUnchanged, pathFromSteps, toGraph, transitionLabel } from '../../web/src/editor/graph.ts';
import { collapseUnchanged, prettyJson, sideBySide } from '../../web/src/flows/line-diff.ts';
import { parseSse, type SseMessage } from '../../web/src/api/sse.ts';
import { definitionFromImport } from '../../web/src/flows/import.ts';

function assertValid(definition: FlowDefinition) {
  const result = validateDefinition(definition);
  assert.deepEqual(result.errors, [], JSON.stringify(result.errors));
}

/** Trigger → send_message_1, built through the edit functions. */
function smallFlow() {
  const { definition, name } = addWidget(newFlowDefinition('Test'), 'send-message', { x: 10.4, y: 200.6 });
  const connected = connect(definition, 'Trigger', 0, name);
  return setProperty(connected, name, 'body', 'Hello');
}

describe('definition edits', () => {
  it('a new flow and every addable widget with its defaults pass the validator', () => {
    assertValid(newFlowDefinition());
    let definition = newFlowDefinition();
    for (const type of ['send-message', 'send-and-wait-for-reply', 'split-based-on', 'set-variables', 'make-http-request', 'run-function', 'say-play', 'gather-input-on-call', 'run-subflow'] as const) {
      definition = addWidget(definition, type, { x: 0, y: 0 }).definition;
    }
    // Required properties without defaults start empty; the rest of the structure is valid.
    const result = validateDefinition(definition);
    const structural = result.errors.filter((e) => !/properties/.test(e.property_path));
    assert.deepEqual(structural, []);
  });

  it('adds widgets with unique names, rounded offsets and one transition per event', () => {
    const flow = smallFlow();
    const state = flow.states[1]!;
    assert.equal(state.name, 'send_message_1');
    assert.deepEqual(state.properties.offset, { x: 10, y: 201 });
    assert.deepEqual(state.transitions.map((t) => t.event), ['sent', 'failed']);
    assert.equal(state.properties.to, '{{contact.channel.address}}');
    assert.equal(addWidget(flow, 'send-message', { x: 0, y: 0 }).name, 'send_message_2');
    assertValid(flow);
  });

  it('never changes its input', () => {
    const flow = smallFlow();
    const before = JSON.stringify(flow);
    moveWidget(flow, 'send_message_1', { x: 5, y: 5 });
    renameWidget(flow, 'send_message_1', 'hello');
    removeWidget(flow, 'send_message_1');
    setProperty(flow, 'send_message_1', 'body', 'x');
    assert.equal(JSON.stringify(flow), before);
  });

  it('renaming keeps transitions and the initial state pointing at the widget', () => {
    const renamed = renameWidget(smallFlow(), 'send_message_1', 'greet');
    assert.equal(renamed.states[0]!.transitions[0]!.next, 'greet');
    const trigger = renameWidget(renamed, 'Trigger', 'Start');
    assert.equal(trigger.initial_state, 'Start');
    assertValid(trigger);
    assert.throws(() => renameWidget(renamed, 'greet', 'Trigger'), /already exists/);
    assert.throws(() => renameWidget(renamed, 'greet', 'has space'), /letters, digits/);
  });

  it('removing a widget ends the branches that led to it; the Trigger stays', () => {
    const removed = removeWidget(smallFlow(), 'send_message_1');
    assert.equal(removed.states.length, 1);
    assert.equal(removed.states[0]!.transitions[0]!.next, undefined);
    assertValid(removed);
    assert.throws(() => removeWidget(removed, 'Trigger'), /cannot be removed/);
  });

  it('connects and disconnects transitions, refusing unknown targets', () => {
    const flow = smallFlow();
    assert.equal(connect(flow, 'Trigger', 0, null).states[0]!.transitions[0]!.next, undefined);
    assert.throws(() => connect(flow, 'Trigger', 0, 'nowhere'), /No widget/);
    assert.throws(() => connect(flow, 'Trigger', 99, 'send_message_1'), /no transition 99/);
  });

  it('split conditions test the split input and validate', () => {
    let { definition } = addWidget(newFlowDefinition(), 'split-based-on', { x: 0, y: 0 });
    definition = setProperty(definition, 'split_based_on_1', 'input', '{{trigger.message.Body}}');
    definition = addSplitCondition(definition, 'split_based_on_1');
    const match = definition.states[1]!.transitions[1]!;
    assert.equal(match.event, 'match');
    assert.deepEqual(match.conditions![0]!.arguments, ['{{trigger.message.Body}}']);
    assertValid(definition);
  });

  it('the selection follows a widget renamed under it (an undo or redo of a rename), and only then', () => {
    const flow = smallFlow();
    const renamed = renameWidget(flow, 'send_message_1', 'greet');
    // Undo of the rename: the panel showed "greet", which is send_message_1 again.
    assert.equal(selectionAfter(renamed, flow, 'greet'), 'send_message_1');
    assert.equal(selectionAfter(flow, renamed, 'send_message_1'), 'greet');
    assert.equal(selectionAfter(flow, renamed, 'Trigger'), 'Trigger');
    assert.equal(selectionAfter(flow, flow, null), null);
    // Undo of adding a widget: it is gone, nothing is selected.
    const { definition: added, name } = addWidget(flow, 'say-play', { x: 0, y: 0 });
    assert.equal(selectionAfter(added, flow, name), null);
    // Removed, and another widget now in its place: not a rename.
    const two = addWidget(added, 'send-message', { x: 0, y: 0 }).definition;
    assert.equal(selectionAfter(two, removeWidget(two, name), name), null);
  });

  it('an undo or redo names the widget it changed: one brought back or renamed first, else one edited; none when it only took widgets away', () => {
    const flow = smallFlow();
    const { definition: added, name } = addWidget(flow, 'say-play', { x: 0, y: 500 });
    const wired = connect(added, name, 0, 'send_message_1');
    // Undo of deleting a wired widget: the widget comes back (before the one whose connection comes back).
    assert.equal(widgetStepped(removeWidget(wired, name), wired), name);
    // Redo of adding it, undo of removing it: the same. Undo of adding it takes it away: none.
    assert.equal(widgetStepped(flow, added), name);
    assert.equal(widgetStepped(added, flow), null);
    // Undo of a rename: the widget under its old name (other widgets' connections change too).
    assert.equal(widgetStepped(renameWidget(flow, 'send_message_1', 'greet'), flow), 'send_message_1');
    // Undo of a move, of an edit, of a connection: the widget moved, edited, connected from.
    assert.equal(widgetStepped(moveWidget(wired, name, { x: 900, y: 900 }), wired), name);
    assert.equal(widgetStepped(setProperty(flow, 'send_message_1', 'body', 'Bye'), flow), 'send_message_1');
    assert.equal(widgetStepped(connect(flow, 'Trigger', 0, null), flow), 'Trigger');
    assert.equal(widgetStepped(flow, flow), null);
  });

  it('integer properties default to their minimum when required', () => {
    assert.equal(defaultProperties('say-play', { x: 0, y: 0 }).loop, 1);
  });
});

describe('canvas graph', () => {
  it('one node per widget at its offset, one labelled edge per connected transition', () => {
    let definition = smallFlow();
    definition = addSplitCondition(addWidget(definition, 'split-based-on', { x: 0, y: 400 }).definition, 'split_based_on_1');
    definition = connect(definition, 'send_message_1', 0, 'split_based_on_1');
    definition = connect(definition, 'split_based_on_1', 1, 'send_message_1');
    const { nodes, edges } = toGraph(definition);
    assert.deepEqual(nodes.map((n) => [n.id, n.position]), [
      ['Trigger', { x: 0, y: 0 }],
      ['send_message_1', { x: 10, y: 201 }],
      ['split_based_on_1', { x: 0, y: 400 }],
    ]);
    assert.deepEqual(edges.map((e) => [e.source, e.sourceHandle, e.target, e.label]), [
      ['Trigger', 't0', 'send_message_1', 'incomingMessage'],
      ['send_message_1', 't0', 'split_based_on_1', 'sent'],
      ['split_based_on_1', 't1', 'send_message_1', 'If value equal_to'],
    ]);
    assert.equal(nodes[0]!.data.initial, true);
  });

  it('transitions to missing widgets draw no edge', () => {
    const flow = smallFlow();
    flow.states[1]!.transitions[0]!.next = 'ghost';
    assert.equal(toGraph(flow).edges.length, 1);
  });

  it('puts validator findings on the widget their path points into', () => {
    const flow = setProperty(smallFlow(), 'send_message_1', 'shorten_urls', 'yes');
    const result = validateDefinition(flow);
    assert.ok(result.errors.length > 0);
    const { byWidget, flow: flowLevel } = issuesByWidget(flow, result.errors, result.warnings);
    assert.equal(byWidget.get('send_message_1')?.errors.length, result.errors.length);
    assert.deepEqual(flowLevel.errors, []);
    const graph = toGraph(flow, byWidget);
    assert.equal(graph.nodes[1]!.data.issues.errors.length, result.errors.length);
    const top = issuesByWidget(flow, [{ property_path: '#/initial_state', message: 'x' }], []);
    assert.equal(top.flow.errors.length, 1);
  });

  it('an execution path marks visited widgets, taken transitions and the current widget', () => {
    const path = pathFromSteps(
      [
        { name: 'incomingMessage', transitioned_from: 'Trigger', transitioned_to: 'ask' },
        { name: 'sent', transitioned_from: 'ask', transitioned_to: 'Ended' },
      ],
      'Trigger',
    );
    assert.deepEqual([...path.visited], ['Trigger', 'ask']);
    assert.ok(path.taken.has('Trigger→incomingMessage→ask'));
    assert.equal(path.current, null);
    assert.equal(pathFromSteps([{ name: 'incomingMessage', transitioned_from: 'Trigger', transitioned_to: 'ask' }], 'Trigger').current, 'ask');
  });

  it('highlights only the event taken when two events lead to the same widget', () => {
    const trigger = smallFlow().states[0]!;
    const flow = connect(smallFlow(), 'Trigger', trigger.transitions.findIndex((t) => t.event === 'incomingRequest'), 'send_message_1');
    const path = pathFromSteps([{ name: 'incomingRequest', transitioned_from: 'Trigger', transitioned_to: 'send_message_1' }], 'Trigger');
    const edges = toGraph(flow, undefined, path).edges.filter((e) => e.source === 'Trigger');
    assert.deepEqual(edges.map((e) => [e.label, e.className]), [
      ['incomingMessage', 'edge-dim'],
      ['incomingRequest', 'edge-taken'],
    ]);
    // Their labels are spread apart.
    assert.deepEqual(edges.map((e) => [e.data.parallel, e.data.parallelCount]), [[0, 2], [1, 2]]);
  });

  it('draws a transition back to its own widget as a self loop', () => {
    const flow = connect(smallFlow(), 'send_message_1', 1, 'send_message_1');
    const loop = toGraph(flow).edges.find((e) => e.source === 'send_message_1')!;
    assert.equal(loop.type, 'selfLoop');
    assert.equal(loop.target, 'send_message_1');
    assert.match(loop.className, /edge-self-loop/);
    assert.equal(toGraph(flow).edges[0]!.type, 'flow');
  });

  it('keeps the node and edge objects an edit did not touch, so only the edited widget is redrawn', () => {
    const { definition: flow } = addWidget(smallFlow(), 'say-play', { x: 300, y: 200 });
    const report = validateDefinition(flow);
    const before = toGraph(flow, issuesByWidget(flow, report.errors, report.warnings).byWidget);
    // A keystroke in one property: a new definition, new findings grouping, the same findings.
    const typed = setProperty(flow, 'send_message_1', 'body', 'Hello!');
    const after = keepUnchanged(before, toGraph(typed, issuesByWidget(typed, report.errors, report.warnings).byWidget));
    assert.deepEqual(
      after.nodes.filter((node, i) => node !== before.nodes[i]).map((node) => node.id),
      ['send_message_1'],
    );
    assert.ok(after.edges.every((edge, i) => edge === before.edges[i]));
    // Moving a widget changes that node; connecting a transition adds an edge and keeps the others.
    const moved = keepUnchanged(after, toGraph(moveWidget(typed, 'say_play_1', { x: 400, y: 250 })));
    assert.deepEqual(moved.nodes.filter((node, i) => node !== after.nodes[i]).map((node) => node.id), ['say_play_1']);
    const connected = keepUnchanged(after, toGraph(connect(typed, 'send_message_1', 0, 'say_play_1')));
    assert.equal(connected.edges.length, after.edges.length + 1);
    assert.ok(after.edges.every((edge) => connected.edges.includes(edge)));
    // New findings reach the widget they are about, and only it.
    const finding = { property_path: '#/states/1/properties/body', message: 'bad' };
    const flagged = keepUnchanged(after, toGraph(typed, issuesByWidget(typed, [...report.errors, finding], report.warnings).byWidget));
    assert.deepEqual(flagged.nodes.filter((node, i) => node !== after.nodes[i]).map((node) => node.id), ['send_message_1']);
    assert.equal(keepUnchanged(null, after), after);
  });

  it('lays events out in one row while they fit, else one per line', () => {
    assert.equal(eventLayout(['incomingMessage', 'incomingCall', 'incomingRequest']), 'row');
    assert.equal(eventLayout(['keypress', 'speech', 'timeout']), 'row');
    assert.equal(eventLayout([]), 'row');
    assert.equal(eventLayout(['noMatch', 'If value equal_to non_u…', 'If value equal_to voip', 'If value equal_to block…']), 'column');
    assert.equal(eventLayout(Array.from({ length: 12 }, (_, i) => `e${i}`)), 'column');
  });

  it('labels match transitions with their condition names', () => {
    assert.equal(transitionLabel({ event: 'match', conditions: [{ friendly_name: 'is yes', arguments: [], type: 'equal_to', value: 'yes' }] }), 'is yes');
    assert.equal(transitionLabel({ event: 'noMatch' }), 'noMatch');
  });
});

describe('revision diff', () => {
  it('pairs a changed line with its new version and numbers both sides', () => {
    const before = prettyJson({ a: 1, b: 'old', c: 3 });
    const after = prettyJson({ a: 1, b: 'new', c: 3, d: 4 });
    const rows = sideBySide(before, after);
    const changed = rows.filter((r) => r.kind !== 'same');
    assert.deepEqual(changed.map((r) => [r.kind, r.left?.text ?? null, r.right?.text ?? null]), [
      ['changed', '  "b": "old",', '  "b": "new",'],
      ['changed', '  "c": 3', '  "c": 3,'],
      ['added', null, '  "d": 4'],
    ]);
    assert.equal(rows.at(-1)!.left!.number, 5);
    assert.equal(rows.at(-1)!.right!.number, 6);
  });

  it('collapses long unchanged runs into gaps', () => {
    const before = Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n');
    const after = before.replace('line 20', 'LINE 20');
    const rows = collapseUnchanged(sideBySide(before, after), 2);
    assert.deepEqual(rows.map((r) => r.kind), ['gap', 'same', 'same', 'changed', 'same', 'same', 'gap']);
    assert.deepEqual(sideBySide('same\n', 'same\n').map((r) => r.kind), ['same']);
  });
});

describe('event-stream parser', () => {
  it('splits messages, joins data lines, skips comments and keeps the incomplete tail', () => {
    const seen: SseMessage[] = [];
    const rest = parseSse('retry: 2000\n\n: keep-alive\n\nevent: step\ndata: {"a":1}\n\ndata: x\ndata: y\n\nevent: step\ndata: {"b"', (m) => seen.push(m));
    assert.deepEqual(seen, [
      { event: 'step', data: '{"a":1}' },
      { event: 'message', data: 'x\ny' },
    ]);
    assert.equal(rest, 'event: step\ndata: {"b"');
  });
});

describe('import', () => {
  it('accepts a bare Studio export or one wrapped in {definition}, and refuses anything else', () => {
    const flow = smallFlow();
    assert.deepEqual(definitionFromImport(JSON.stringify(flow)), flow);
    assert.deepEqual(definitionFromImport(JSON.stringify({ friendly_name: 'x', definition: flow })), flow);
    assert.throws(() => definitionFromImport('{"hello": 1}'), /not a Studio flow definition/);
    assert.throws(() => definitionFromImport('not json'));
  });
});
