// A widget handler that throws on what it reads of an invalid draft (a property JavaScript cannot turn
// into text) crashed the whole sprint. Now the widget fails with 81024 like any widget that cannot run: by
// its failure event when wired, else the execution ends with the error. A type naming something of Object's
// prototype is no handler at all: unsupported, 81003.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowDefinition } from '../../src/definition/types.ts';
import { startFlow, stepPath } from './helpers.ts';

const UNPRINTABLE = { toString: 1 };

function flow(widget: Record<string, unknown>, extra: Record<string, unknown>[] = []): FlowDefinition {
  return {
    initial_state: 'Trigger',
    states: [{ name: 'Trigger', type: 'trigger', properties: {}, transitions: [{ event: 'incomingRequest', next: 'w' }] }, { name: 'w', ...widget }, ...extra],
  } as unknown as FlowDefinition;
}

describe('a widget handler that throws', () => {
  it('leaves by its failure event when one is wired, with the error in its outputs', () => {
    const { result } = startFlow(flow(
      { type: 'send-message', properties: { to: '{{contact.channel.address}}', body: UNPRINTABLE }, transitions: [{ event: 'sent' }, { event: 'failed', next: 'after' }] },
      [{ name: 'after', type: 'set-variables', properties: { variables: [{ key: 'k', value: 'v' }] }, transitions: [{ event: 'next' }] }],
    ), 'incomingRequest', {});
    assert.deepEqual(stepPath(result), ['Trigger -incomingRequest-> w', 'w -failed-> after', 'after -next-> Ended']);
    assert.equal(result.state.status, 'ended');
    assert.deepEqual(result.state.endReason, { kind: 'completed' });
    const error = result.state.frames[0]!.widgets.w as { error: { code: number; message: string } };
    assert.equal(error.error.code, 81024);
    assert.match(error.error.message, /^Widget 'w' \(send-message\) could not run on its definition: Cannot convert object to primitive value$/);
    assert.deepEqual(result.diagnostics.map((d) => [d.level, d.code, d.widget]), [['error', 81024, 'w']]);
  });

  it('ends the execution with the error when nothing is wired', () => {
    const { result } = startFlow(flow({ type: 'send-message', properties: { to: '{{contact.channel.address}}', body: UNPRINTABLE }, transitions: [] }), 'incomingRequest', {});
    assert.deepEqual(stepPath(result), ['Trigger -incomingRequest-> w', 'w -error-> Ended']);
    assert.equal(result.state.endReason?.kind, 'error');
    assert.equal(result.state.endReason?.kind === 'error' && result.state.endReason.code, 81024);
    assert.match(result.diagnostics[0]?.message ?? '', /^Widget 'w' \(send-message\) could not run on its definition: /);
  });

  it('a type named like an Object member is no widget type: unsupported (81003), not a prototype function run', () => {
    const { result } = startFlow(flow({ type: 'constructor', properties: {}, transitions: [] }), 'incomingRequest', {});
    assert.deepEqual(stepPath(result), ['Trigger -incomingRequest-> w', 'w -error-> Ended']);
    assert.equal(result.state.endReason?.kind === 'error' && result.state.endReason.code, 81003);
  });
});
