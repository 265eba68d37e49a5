// A hostile flow's regex conditions cannot hold the node: a split whose patterns would take seconds on
// the execution's data takes noMatch instead, and a loop of regex splits runs out of regex work long
// before the 1,000-step cap. Outcomes only, no timing. The budget is the sprint's, so the outcome is too.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { stepPath, startFlow } from './helpers.ts';
import { triggerFlow } from '../support/flows.ts';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const regex = (value: string) => ({ friendly_name: 'r', arguments: ['{{flow.data.x}}'], type: 'regex', value });
const setVars = (name: string, went: string) => ({ name, type: 'set-variables', transitions: [{ event: 'next' }], properties: { variables: [{ key: 'went', value: went }] } });

it('a split whose regexes are too costly for the input takes noMatch, although they would match', async () => {
  await nextTurn(); // a turn of its own: the regex work of earlier tests is not this one's
  const hostile = '.*'.repeat(1000) + '=';
  const def = triggerFlow('hostile', 'incomingRequest', 'split', [
    {
      name: 'split',
      type: 'split-based-on',
      properties: { input: '{{flow.data.x}}' },
      transitions: [{ event: 'noMatch', next: 'none' }, ...[0, 1, 2, 3, 4].map(() => ({ event: 'match', next: 'matched', conditions: [regex(hostile)] }))],
    },
    setVars('none', 'none'),
    setVars('matched', 'matched'),
  ]);
  const { result } = startFlow(def, 'incomingRequest', {}, { x: 'a'.repeat(16000) + '=' });
  assert.deepEqual(stepPath(result).slice(0, 2), ['Trigger -incomingRequest-> split', 'split -noMatch-> none']);
  // The same flow on a short input matches as it always did.
  await nextTurn();
  const short = startFlow(def, 'incomingRequest', {}, { x: 'ab=' });
  assert.equal(stepPath(short.result)[1], 'split -match-> matched');
});

it('a loop of regex splits stops matching when the regex work is spent, not at 1,000 steps', async () => {
  await nextTurn();
  const pattern = '.*'.repeat(10) + '=';
  const split = (name: string, next: string) => ({
    name,
    type: 'split-based-on',
    properties: { input: '{{flow.data.x}}' },
    transitions: [{ event: 'noMatch', next: 'stopped' }, { event: 'match', next, conditions: [regex(pattern)] }],
  });
  const def = triggerFlow('loop', 'incomingRequest', 'a', [split('a', 'b'), split('b', 'a'), setVars('stopped', 'stopped')]);
  const { result } = startFlow(def, 'incomingRequest', {}, { x: 'a'.repeat(1000) + '=' });
  const path = stepPath(result);
  assert.equal(result.state.status, 'ended');
  assert.equal(result.state.endReason?.kind, 'completed');
  assert.match(path.at(-2) ?? '', /^[ab] -noMatch-> stopped$/);
  assert.ok(path.length < 100, `${path.length} steps`);
  assert.ok(path.filter((s) => s.includes('-match->')).length > 10, 'affordable matches ran first');
  // Each sprint has a budget of its own: run again at once, in the same turn, it routes exactly the same way
  // (a replay or a flow test of it does too), whatever else spent regex work meanwhile.
  const again = startFlow(def, 'incomingRequest', {}, { x: 'a'.repeat(1000) + '=' });
  assert.deepEqual(stepPath(again.result), path);
});
