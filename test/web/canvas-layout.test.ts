// The canvas's pure layout and keyboard rules, as a review of real flows found them wanting: connection
// labels placed where no widget covers them (edge-labels.ts), Tab going widget by widget with each
// widget's own connections after it (canvas-focus.ts), what is brought on screen for a focused
// connection and how big the minimap is (viewport.ts), and which split condition an execution's
// step lights up (graph.ts takenTransitions).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Position, getBezierPath } from '@xyflow/system';
import { besideStart, bezierFromPath, labelSize, placeLabel, placeLabels, polylineAt, type Rect } from '../../web/src/editor/edge-labels.ts';
import { nextFocus, tabOrder } from '../../web/src/editor/canvas-focus.ts';
import { roundTheRightSide } from '../../web/src/editor/edge-routes.ts';
import { connectionBox, minimapSize } from '../../web/src/editor/viewport.ts';
import { pathFromSteps, takenTransitions, toGraph } from '../../web/src/editor/graph.ts';
import type { FlowDefinition, State } from '../../src/definition/types.ts';

const meets = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const boxAt = (p: { x: number; y: number }, size: { width: number; height: number }): Rect => ({ x: p.x - size.width / 2, y: p.y - size.height / 2, width: size.width, height: size.height });

describe('connection labels', () => {
  it('reads the drawn bezier back from its path, ends and middle included', () => {
    const [path, labelX, labelY] = getBezierPath({ sourceX: 10, sourceY: 20, sourcePosition: Position.Bottom, targetX: -300, targetY: 400, targetPosition: Position.Top });
    const at = bezierFromPath(path)!;
    assert.deepEqual(at(0), { x: 10, y: 20 });
    assert.deepEqual(at(1), { x: -300, y: 400 });
    assert.ok(Math.abs(at(0.5).x - labelX) < 1e-9 && Math.abs(at(0.5).y - labelY) < 1e-9, 'the middle is where React Flow puts a label');
    assert.equal(bezierFromPath('M 0,0 L 10,10'), null);
  });

  it('keeps the middle when no widget covers it', () => {
    const at = polylineAt([{ x: 0, y: 0 }, { x: 0, y: 400 }]);
    const spot = placeLabel(at, { width: 80, height: 16 }, [{ x: 200, y: 150, width: 200, height: 100 }]);
    assert.deepEqual(spot, { x: 0, y: 200, free: true });
  });

  it('moves a label the widget above covers (the CSAT Trigger) along its line, toward the source first', () => {
    // The line leaves the Trigger's right edge, swings out and comes back under it to the widget below.
    const trigger = { x: 0, y: 0, width: 190, height: 150 };
    const below = { x: -370, y: 360, width: 190, height: 110 };
    const [path] = getBezierPath({ sourceX: 190, sourceY: 55, sourcePosition: Position.Right, targetX: -275, targetY: 360, targetPosition: Position.Top });
    const at = bezierFromPath(path)!;
    const size = labelSize('incomingMessage');
    assert.ok(meets(boxAt(at(0.5), size), trigger), 'the middle is under the Trigger');
    const spot = placeLabel(at, size, [trigger, below]);
    assert.equal(spot.free, true);
    assert.ok(![trigger, below].some((widget) => meets(boxAt(spot, size), widget)), JSON.stringify(spot));
    assert.ok(spot.y > 150, 'past the Trigger, on the way down');
  });

  it('sets a label beside its event when its whole line runs among widgets (the Candybot Trigger 5 px above the next)', () => {
    const trigger = { x: 0, y: 0, width: 190, height: 150 };
    const next = { x: -110, y: 155, width: 190, height: 80 };
    const source = { x: 190, y: 55 };
    const [path] = getBezierPath({ sourceX: source.x, sourceY: source.y, sourcePosition: Position.Right, targetX: -15, targetY: 155, targetPosition: Position.Top });
    const size = labelSize('incomingMessage');
    const at = bezierFromPath(path)!;
    assert.equal(placeLabel(at, size, [trigger, next]).free, false, 'no spot of the line is free');
    const spot = placeLabel(at, size, [trigger, next], undefined, besideStart(source, 'right', size));
    assert.equal(spot.free, true);
    assert.ok(spot.x - size.width / 2 > 190 && Math.abs(spot.y - source.y) < 1, `right of the event it leaves: ${JSON.stringify(spot)}`);
  });

  it('keeps labels of connections joining the same widgets apart, and says when nowhere is free', () => {
    const at = polylineAt([{ x: 0, y: 0 }, { x: 0, y: 400 }]);
    const a = placeLabel(at, { width: 60, height: 16 }, [], { x: 0, y: -10 });
    const b = placeLabel(at, { width: 60, height: 16 }, [], { x: 0, y: 10 });
    assert.equal(b.y - a.y, 20);
    assert.deepEqual(placeLabel(at, { width: 60, height: 16 }, [{ x: -100, y: -100, width: 200, height: 600 }]), { x: 0, y: 200, free: false });
  });

  it('keeps apart the labels of two connections from neighbouring events to one widget (the pizza Trigger to ask_size)', () => {
    const trigger = { x: 0, y: 0, width: 190, height: 150 };
    const askSize = { x: 0, y: 300, width: 270, height: 80 };
    const line = (sourceY: number) =>
      bezierFromPath(getBezierPath({ sourceX: 190, sourceY, sourcePosition: Position.Right, targetX: 135, targetY: 300, targetPosition: Position.Top })[0])!;
    const requests = [
      { id: 'Trigger#0', at: line(55), size: labelSize('incomingMessage') },
      { id: 'Trigger#3', at: line(113), size: labelSize('incomingRequest') },
    ];
    const widgets = [trigger, askSize];
    const alone = requests.map((r) => boxAt(placeLabel(r.at, r.size, widgets), r.size));
    assert.ok(meets(alone[0]!, alone[1]!), 'placed one by one, the labels overlap');
    const spots = placeLabels(requests, widgets);
    const boxes = requests.map((r) => {
      const spot = spots.get(r.id)!;
      assert.equal(spot.free, true, r.id);
      return boxAt(spot, r.size);
    });
    assert.ok(!meets(boxes[0]!, boxes[1]!), `the labels overlap: ${JSON.stringify(boxes)}`);
    assert.ok(!boxes.some((box) => widgets.some((widget) => meets(box, widget))), 'a label is under a widget');
  });
});

describe('a connection from a widget’s right edge to a widget below and left of it', () => {
  const trigger = { x: 0, y: 0, width: 190, height: 155 };
  const inside = (p: { x: number; y: number }, r: Rect) => p.x > r.x && p.x < r.x + r.width && p.y > r.y && p.y < r.y + r.height;

  it('goes round the widget’s side and under it, never across it, from the event to the target’s top', () => {
    for (const target of [{ x: -64, y: 200 }, { x: 95, y: 190 }, { x: -1000, y: 900 }]) {
      for (const lane of [0, 1, 5]) {
        const route = roundTheRightSide({ x: 194, y: 56 }, target, trigger, lane)!;
        assert.ok(route, JSON.stringify(target));
        assert.deepEqual(route.at(0), { x: 194, y: 56 });
        const end = route.at(1);
        assert.ok(Math.abs(end.x - target.x) < 1e-9 && Math.abs(end.y - target.y) < 1e-9);
        for (let i = 0; i <= 200; i++) assert.ok(!inside(route.at(i / 200), trigger), `${JSON.stringify(target)} lane ${lane} at ${i / 200}: ${JSON.stringify(route.at(i / 200))}`);
        assert.match(route.path, /^M194,56 C[^C]+ C[^C]+$/);
      }
    }
    // React Flow's own bezier for the first of them runs under the widget.
    const [path] = getBezierPath({ sourceX: 194, sourceY: 56, sourcePosition: Position.Right, targetX: -64, targetY: 200, targetPosition: Position.Top });
    const bezier = bezierFromPath(path)!;
    assert.ok(Array.from({ length: 101 }, (_, i) => bezier(i / 100)).some((p) => inside(p, trigger)));
  });

  it('keeps the plain bezier for a target to the right or with no room below the widget', () => {
    assert.equal(roundTheRightSide({ x: 194, y: 56 }, { x: 400, y: 300 }, trigger), null);
    assert.equal(roundTheRightSide({ x: 194, y: 56 }, { x: -100, y: 170 }, trigger), null, 'the Candybot case: 15 px below');
    assert.equal(roundTheRightSide({ x: 194, y: 56 }, { x: -300, y: 20 }, trigger), null);
  });
});

describe('Tab order of the canvas', () => {
  const connections = [
    { id: 'Trigger#0', source: 'Trigger' },
    { id: 'ask#0', source: 'ask' },
    { id: 'ask#2', source: 'ask' },
  ];
  const order = tabOrder(['Trigger', 'ask', 'done'], connections);

  it('puts each widget before the connections leaving it, widgets in their order', () => {
    assert.deepEqual(
      order.map((item) => `${item.kind}:${item.id}`),
      ['widget:Trigger', 'connection:Trigger#0', 'widget:ask', 'connection:ask#0', 'connection:ask#2', 'widget:done'],
    );
  });

  it('steps forward and back, and says when the order ends', () => {
    assert.deepEqual(nextFocus(order, { kind: 'widget', id: 'ask' }, false), { kind: 'connection', id: 'ask#0' });
    assert.deepEqual(nextFocus(order, { kind: 'widget', id: 'ask' }, true), { kind: 'connection', id: 'Trigger#0' });
    assert.deepEqual(nextFocus(order, { kind: 'connection', id: 'ask#2' }, false), { kind: 'widget', id: 'done' });
    assert.equal(nextFocus(order, { kind: 'widget', id: 'done' }, false), null);
    assert.equal(nextFocus(order, { kind: 'widget', id: 'Trigger' }, true), null);
    assert.equal(nextFocus(order, { kind: 'connection', id: 'gone#0' }, false), null);
  });
});

describe('what the canvas shows', () => {
  it('brings a focused connection on screen whole when it fits, else its label', () => {
    const line = { x: 0, y: 0, width: 300, height: 200 };
    const label = { x: 120, y: 90, width: 60, height: 16 };
    assert.deepEqual(connectionBox(line, label, 1, 1000, 600), line);
    const long = { x: 0, y: 0, width: 2600, height: 200 };
    assert.deepEqual(connectionBox(long, label, 1, 1000, 600), label);
    assert.deepEqual(connectionBox(long, label, 0.3, 1000, 600), long, 'zoomed out it fits');
    const middle = connectionBox(long, null, 1, 1000, 600);
    assert.ok(middle.width <= 1000 - 32 && Math.abs(middle.x + middle.width / 2 - 1300) < 1e-9);
  });

  it('sizes the minimap to the canvas, and leaves it out of a small one (an execution page’s)', () => {
    assert.deepEqual(minimapSize(1060, 770), { width: 177, height: 133 });
    assert.deepEqual(minimapSize(1600, 900), { width: 200, height: 150 });
    assert.equal(minimapSize(886, 480), null);
    assert.equal(minimapSize(600, 900), null);
  });
});

describe('the path an execution took, at a split', () => {
  const condition = (value: string, type = 'contains') => ({ friendly_name: `If value ${type} ${value}`, arguments: ['{{trigger.message.Body}}'], type, value });
  const split = (transitions: State['transitions']): State => ({ name: 'direct_sms', type: 'split-based-on', properties: { input: '{{trigger.message.Body}}', offset: { x: 0, y: 0 } }, transitions });

  it('lights the one match a step can have taken, when an earlier condition shadows the other (CSAT)', () => {
    // contains is case-insensitive: "feedback job" holds whenever "Feedback job" does, which comes first.
    const state = split([
      { event: 'noMatch' },
      { event: 'match', next: 'set_job_id', conditions: [condition('Feedback job')] },
      { event: 'match', next: 'set_job_id', conditions: [condition('feedback job')] },
    ]);
    assert.deepEqual(takenTransitions(state, 'match', 'set_job_id'), [1]);
    const flow = {
      description: 'csat',
      initial_state: 'Trigger',
      flags: { allow_concurrent_calls: true },
      states: [
        { name: 'Trigger', type: 'trigger', properties: { offset: { x: 0, y: 0 } }, transitions: [{ event: 'incomingMessage', next: 'direct_sms' }] },
        state,
        { name: 'set_job_id', type: 'set-variables', properties: { offset: { x: 0, y: 400 } }, transitions: [{ event: 'next' }] },
      ],
    } as unknown as FlowDefinition;
    const path = pathFromSteps(
      [
        { name: 'incomingMessage', transitioned_from: 'Trigger', transitioned_to: 'direct_sms' },
        { name: 'match', transitioned_from: 'direct_sms', transitioned_to: 'set_job_id' },
      ],
      'Trigger',
    );
    const edges = toGraph(flow, undefined, path).edges.filter((edge) => edge.source === 'direct_sms');
    assert.deepEqual(edges.map((edge) => [edge.id, edge.className, edge.animated]), [
      ['direct_sms#1', 'edge-taken', true],
      ['direct_sms#2', 'edge-dim', false],
    ]);
  });

  it('leaves out a match that adds conditions to an earlier one, and one without conditions', () => {
    const state = split([
      { event: 'match', next: 'x', conditions: [condition('a')] },
      { event: 'match', next: 'x', conditions: [condition('b'), condition(' A ')] },
      { event: 'match', next: 'x' },
      { event: 'match', next: 'x', conditions: [condition('a', 'regex')] },
    ]);
    assert.deepEqual(takenTransitions(state, 'match', 'x'), [0, 3]);
  });

  it('marks both as maybe taken when the step cannot tell which of two different conditions matched', () => {
    const state = split([
      { event: 'match', next: 'closed', conditions: [condition('closed')] },
      { event: 'match', next: 'closed', conditions: [condition('holiday')] },
      // Liquid in a value is compared as written: {{A}} and {{a}} are different variables.
      { event: 'match', next: 'other', conditions: [condition('{{flow.variables.A}}')] },
      { event: 'match', next: 'other', conditions: [condition('{{flow.variables.a}}')] },
    ]);
    assert.deepEqual(takenTransitions(state, 'match', 'closed'), [0, 1]);
    assert.deepEqual(takenTransitions(state, 'match', 'other'), [2, 3]);
    const flow = {
      description: 'hours',
      initial_state: 'split',
      flags: { allow_concurrent_calls: true },
      states: [
        { ...state, name: 'split' },
        { name: 'closed', type: 'set-variables', properties: { offset: { x: 0, y: 400 } }, transitions: [{ event: 'next' }] },
        { name: 'other', type: 'set-variables', properties: { offset: { x: 400, y: 400 } }, transitions: [{ event: 'next' }] },
      ],
    } as unknown as FlowDefinition;
    const path = pathFromSteps([{ name: 'match', transitioned_from: 'split', transitioned_to: 'closed' }], 'split');
    assert.deepEqual(
      toGraph(flow, undefined, path).edges.map((edge) => [edge.id, edge.className]),
      [
        ['split#0', 'edge-maybe-taken'],
        ['split#1', 'edge-maybe-taken'],
        ['split#2', 'edge-dim'],
        ['split#3', 'edge-dim'],
      ],
    );
  });
});
