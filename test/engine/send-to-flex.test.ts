// send-to-flex outside a call on the pure engine: the create-task effect it asks the channel for
// (rendered workflow, channel, attributes, priority, timeout; Console defaults), `callComplete`
// with the task's outputs, `failedToEnqueue` from the channel, from bad properties and from a
// Liquid error, and no task at all before the channel answers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { handleEvent } from '../../src/engine/interpreter.ts';
import type { Effect, EffectResult, EngineInput, ExecutionState, SprintResult } from '../../src/engine/types.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import { triggerFlow } from '../support/flows.ts';
import { CONTACT, FLOW_ADDRESS, startFlow, stepPath as path } from './helpers.ts';

const WORKFLOW = 'WW' + 'a'.repeat(32);
const CHANNEL = 'TC' + 'b'.repeat(32);

function definition(properties: Record<string, unknown>): FlowDefinition {
  return triggerFlow('flex', 'incomingMessage', 'flex', [
    {
      name: 'flex',
      type: 'send-to-flex',
      properties: { offset: { x: 0, y: 100 }, workflow: WORKFLOW, channel: CHANNEL, ...properties },
      transitions: [{ event: 'callComplete', next: 'done' }, { event: 'failedToEnqueue', next: 'nope' }, { event: 'callFailure' }],
    },
    { name: 'done', type: 'set-variables', properties: { offset: { x: 0, y: 200 }, variables: [{ key: 'task', value: '{{widgets.flex.TaskSid}} {{widgets.flex.Attributes.name}}' }] }, transitions: [{ event: 'next' }] },
    { name: 'nope', type: 'set-variables', properties: { offset: { x: 0, y: 200 }, variables: [{ key: 'task', value: 'none' }] }, transitions: [{ event: 'next' }] },
  ]);
}

/** CONTACT texts "help" on SMS. */
const start = (def: FlowDefinition) =>
  startFlow(def, 'incomingMessage', { message: { Body: 'help', From: CONTACT, To: FLOW_ADDRESS, MessageSid: 'SM1', ChannelSid: 'CH' + 'c'.repeat(32), ChannelAttributes: { channel_type: 'sms', from: 'Ada Lovelace' } } });

function taskEffect(result: SprintResult): Extract<Effect, { type: 'create-task' }> {
  const effect = result.effects.find((e): e is Extract<Effect, { type: 'create-task' }> => e.type === 'create-task');
  assert.ok(effect, `a create-task effect, got ${JSON.stringify(result.effects.map((e) => e.type))}`);
  return effect;
}

function answer(input: EngineInput, state: ExecutionState, effect: Extract<Effect, { type: 'create-task' }>, result: EffectResult): SprintResult {
  return handleEvent(input, state, { type: 'effect-result', effectId: effect.effectId, result });
}

describe('send-to-flex widget (messaging)', () => {
  it('asks the channel for a task with the rendered properties and waits for it', () => {
    const { result } = start(definition({ attributes: '{"name":"{{trigger.message.From}}","topic":"{{trigger.message.Body}}"}', priority: '{{ 2 | plus: 3 }}', timeout: '600' }));
    assert.deepEqual(taskEffect(result).task, {
      workflowSid: WORKFLOW,
      taskChannel: CHANNEL,
      attributes: `{"name":"${CONTACT}","topic":"help"}`,
      priority: 5,
      timeout: 600,
    });
    assert.equal(result.state.status, 'active');
    assert.deepEqual(path(result), ['Trigger -incomingMessage-> flex'], 'nothing leaves the widget before the task exists');
  });

  it('uses the Console defaults: chat attributes from the trigger, priority 0, timeout 3600', () => {
    const { result } = start(definition({}));
    const task = taskEffect(result).task;
    // Twilio's Send to Flex page: the name is the chat channel's `from` attribute, not the message's From.
    assert.deepEqual(JSON.parse(task.attributes), { name: 'Ada Lovelace', channelType: 'sms', channelSid: 'CH' + 'c'.repeat(32) });
    assert.equal(task.priority, 0);
    assert.equal(task.timeout, 3600);
  });

  it('renders the documented default as it is for a plain SMS, which has no chat channel: empty name, type and channel', () => {
    const { result } = startFlow(definition({}), 'incomingMessage', { message: { Body: 'help', From: CONTACT, To: FLOW_ADDRESS, MessageSid: 'SM1' } });
    assert.deepEqual(JSON.parse(taskEffect(result).task.attributes), { name: '', channelType: '', channelSid: '' });
  });

  it('takes callComplete with TaskSid, parsed Attributes and Age from the created task', () => {
    const { input, result } = start(definition({ attributes: '{"name":"Ada"}' }));
    const effect = taskEffect(result);
    const done = answer(input, result.state, effect, { kind: 'task-created', task: { sid: 'WT' + '9'.repeat(32), attributes: '{"name":"Ada"}', age: 2, priority: 0 } });
    assert.deepEqual(path(done), ['flex -callComplete-> done', 'done -next-> Ended']);
    assert.deepEqual(done.state.frames[0]!.widgets.flex, { TaskSid: 'WT' + '9'.repeat(32), Attributes: { name: 'Ada' }, Age: 2 });
    assert.equal(done.state.frames[0]!.variables.task, `${'WT' + '9'.repeat(32)} Ada`);
  });

  it('takes failedToEnqueue when the channel could not create the task, with the error as output', () => {
    const { input, result } = start(definition({}));
    const failed = answer(input, result.state, taskEffect(result), { kind: 'task-failed', code: 20001, message: 'Workflow not found' });
    assert.deepEqual(path(failed), ['flex -failedToEnqueue-> nope', 'nope -next-> Ended']);
    assert.deepEqual((failed.state.frames[0]!.widgets.flex as { error?: unknown }).error, { code: 20001, message: 'Workflow not found' });
  });

  for (const [what, properties, code] of [
    ['a Liquid error in attributes', { attributes: '{% if %}' }, 84003],
    ['an empty workflow', { workflow: '{{flow.data.missing}}' }, 20001],
    ['a priority that is not an integer', { priority: 'high' }, 20001],
    ['a timeout above two weeks', { timeout: '1209601' }, 20001],
  ] as const) {
    it(`takes failedToEnqueue without asking for a task on ${what}`, () => {
      const { result } = start(definition(properties));
      assert.equal(result.effects.some((e) => e.type === 'create-task'), false);
      assert.deepEqual(path(result).slice(1), ['flex -failedToEnqueue-> nope', 'nope -next-> Ended']);
      assert.ok(result.diagnostics.some((d) => d.code === code), JSON.stringify(result.diagnostics));
    });
  }

  it('refuses attributes over Studio\'s 1,024 characters after Liquid: failedToEnqueue with 81003 naming the length, no task asked for', () => {
    // 11 characters of JSON around the note and 1,012 x's: 1,024 with a one-character note, 1,025 with two.
    const attributes = `{"note":"{{flow.data.note}}${'x'.repeat(1012)}"}`;
    const sms = { message: { Body: 'help', From: CONTACT, To: FLOW_ADDRESS, MessageSid: 'SM1' } };
    const { result } = startFlow(definition({ attributes }), 'incomingMessage', sms, { note: 'é' });
    assert.equal(taskEffect(result).task.attributes.length, 1024, 'exactly 1,024 characters: accepted');
    const over = startFlow(definition({ attributes }), 'incomingMessage', sms, { note: 'ab' }).result;
    assert.equal(over.effects.some((e) => e.type === 'create-task'), false);
    assert.deepEqual(path(over).slice(1), ['flex -failedToEnqueue-> nope', 'nope -next-> Ended']);
    assert.deepEqual((over.state.frames[0]!.widgets.flex as { error?: unknown }).error, {
      code: 81003,
      message: 'Send to Flex: the task attributes are 1025 characters long after Liquid; Studio takes at most 1024',
    });
    // Characters, not UTF-16 units: 1,024 emoji are 2,048 units and still fit.
    const emoji = start(definition({ attributes: '😀'.repeat(1024) }));
    assert.equal(taskEffect(emoji.result).task.attributes.length, 2048);
  });

  it('refuses them on a call too (Send to Flex and Enqueue Call with a workflow): failedToEnqueue with 81003, no <Enqueue>', () => {
    const call = { CallSid: 'CA' + '1'.repeat(32), From: CONTACT, To: FLOW_ADDRESS, CallStatus: 'ringing', Direction: 'inbound' };
    const long = `{"note":"${'x'.repeat(1100)}"}`;
    for (const [type, properties, name] of [
      ['send-to-flex', { workflow: WORKFLOW, channel: CHANNEL, attributes: long }, 'Send to Flex'],
      ['enqueue-call', { workflow_sid: WORKFLOW, task_attributes: long }, 'Enqueue Call'],
    ] as const) {
      const def = triggerFlow('w', 'incomingCall', 'w', [
        { name: 'w', type, properties: { offset: { x: 0, y: 100 }, ...properties }, transitions: [{ event: 'callComplete' }, { event: 'failedToEnqueue', next: 'nope' }, { event: 'callFailure' }] },
        { name: 'nope', type: 'set-variables', properties: { offset: { x: 0, y: 200 }, variables: [{ key: 'task', value: 'none' }] }, transitions: [{ event: 'next' }] },
      ]);
      const { result } = startFlow(def, 'incomingCall', { call });
      assert.deepEqual(path(result).slice(1), ['w -failedToEnqueue-> nope', 'nope -next-> Ended'], type);
      const error = (result.state.frames[0]!.widgets.w as { error?: { code: number; message: string } }).error;
      assert.deepEqual(error, { code: 81003, message: `${name}: the task attributes are ${long.length} characters long after Liquid; Studio takes at most 1024` }, type);
      const fits = startFlow(triggerFlow('w', 'incomingCall', 'w', [{ name: 'w', type, properties: { offset: { x: 0, y: 100 }, ...properties, [type === 'send-to-flex' ? 'attributes' : 'task_attributes']: '{"a":1}' }, transitions: [{ event: 'callComplete' }, { event: 'failedToEnqueue' }, { event: 'callFailure' }] }]), 'incomingCall', { call }).result;
      assert.equal(fits.state.frames[0]!.wait?.kind, 'call', `${type}: short attributes enqueue the call`);
    }
  });

  it('ignores a result for another effect (not for this widget)', () => {
    const { input, result } = start(definition({}));
    const other = handleEvent(input, result.state, { type: 'effect-result', effectId: 'EF' + 'f'.repeat(32), result: { kind: 'task-created', task: { sid: 'WT1' } } });
    assert.equal(other.steps.length, 0);
    assert.equal(other.state.status, 'active');
  });
});
