// Engine unit tests: the pure interpreter driven directly (startExecution/handleEvent) on a
// simulated clock with deterministic, counter-based ids. Every test plays the runtime: it answers
// the effects the engine asks for and fires timers when the test says time has passed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { handleEvent, startExecution } from '../../src/engine/interpreter.ts';
import type {
  Diagnostic,
  Effect,
  EffectResult,
  EngineEvent,
  EngineInput,
  EngineLimits,
  ExecutionState,
  JsonObject,
  SprintResult,
  StepRecordDraft,
  TriggerEvent,
} from '../../src/engine/types.ts';
import type { FlowDefinition, State } from '../../src/definition/types.ts';

const CONTACT = '+15550001111';
const FLOW_ADDRESS = '+15559990000';
const T0 = Date.parse('2026-03-01T12:00:00Z');

// ---- helpers

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

type W = Omit<State, 'properties' | 'type'> & { type: string; properties?: Record<string, unknown> };

/** A definition with a Trigger whose `event` leads to `first`, followed by the given widgets. */
function flow(first: string | undefined, widgets: W[], event: TriggerEvent = 'incomingMessage'): FlowDefinition {
  const triggerEvents: TriggerEvent[] = ['incomingMessage', 'incomingCall', 'incomingConversationMessage', 'incomingRequest', 'incomingParent'];
  return {
    description: 'test',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      {
        name: 'Trigger',
        type: 'trigger',
        transitions: triggerEvents.map((e) => (e === event && first ? { event: e, next: first } : { event: e })),
        properties: { offset: { x: 0, y: 0 } },
      },
      ...widgets.map((w) => ({ ...w, properties: { offset: { x: 0, y: 0 }, ...w.properties } }) as State),
    ],
  };
}

function msg(name: string, body: string | undefined, sent?: string, failed?: string): W {
  return {
    name,
    type: 'send-message',
    transitions: [{ event: 'sent', ...(sent ? { next: sent } : {}) }, { event: 'failed', ...(failed ? { next: failed } : {}) }],
    properties: { from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', ...(body !== undefined ? { body } : {}) },
  };
}

function setVars(name: string, variables: { key: string; value: string }[], next?: string, extra: Record<string, unknown> = {}): W {
  return { name, type: 'set-variables', transitions: [{ event: 'next', ...(next ? { next } : {}) }], properties: { variables, ...extra } };
}

/** Plays the runtime around the pure engine. */
class Harness {
  definition: FlowDefinition;
  limits: Partial<EngineLimits> | undefined;
  now = T0;
  counter = 0;
  state!: ExecutionState;
  last!: SprintResult;
  steps: StepRecordDraft[] = [];
  effects: Effect[] = [];
  diagnostics: Diagnostic[] = [];
  /** Effects asked for and not answered yet (send-message, http-request, load-subflow). */
  pending: Effect[] = [];
  timers = new Map<string, number>();
  sent: JsonObject[] = [];

  constructor(definition: FlowDefinition, limits?: Partial<EngineLimits>) {
    this.definition = deepFreeze(definition);
    this.limits = limits;
  }

  input(): EngineInput {
    return {
      definition: this.definition,
      now: this.now,
      newId: (prefix) => prefix + String(++this.counter).padStart(32, '0'),
      ...(this.limits ? { limits: this.limits } : {}),
    };
  }

  #take(result: SprintResult): SprintResult {
    this.last = result;
    this.state = result.state;
    this.steps.push(...result.steps);
    this.effects.push(...result.effects);
    this.diagnostics.push(...result.diagnostics);
    for (const effect of result.effects) {
      if (effect.type === 'set-timer') this.timers.set(effect.timerId, effect.dueAt);
      else if (effect.type === 'cancel-timer') this.timers.delete(effect.timerId);
      else this.pending.push(effect);
    }
    return result;
  }

  start(trigger: TriggerEvent = 'incomingMessage', triggerData?: JsonObject, data: JsonObject = {}): SprintResult {
    const td = triggerData ?? { message: { Body: 'hi', From: CONTACT, To: FLOW_ADDRESS, MessageSid: 'SM1' } };
    return this.#take(
      startExecution(
        this.input(),
        { executionSid: 'FN' + '0'.repeat(32), accountSid: 'AC' + '0'.repeat(32), flowSid: 'FW' + '0'.repeat(32), revision: 1, channelAddress: FLOW_ADDRESS, contactAddress: CONTACT },
        trigger,
        deepFreeze(structuredClone(td)),
        deepFreeze(structuredClone(data)),
      ),
    );
  }

  /**
   * Sends an event; the state handed in is deep-frozen, so any mutation throws. `at`: when it arrived and
   * when the execution expires (what fell due before it happens first).
   */
  send(event: EngineEvent, at: { arrivedAt?: number; expiresAt?: number } = {}): SprintResult {
    const before = deepFreeze(structuredClone(this.state));
    const snapshot = JSON.stringify(before);
    // The same event on a state given up to the engine (`owned`, as the runtime hands it one it has just
    // read) must make the same sprint: same ids (the counter is rewound), state, effects, steps, diagnostics.
    const counter = this.counter;
    const owned = handleEvent(this.input(), structuredClone(this.state), event, { owned: true, ...at });
    this.counter = counter;
    const result = handleEvent(this.input(), before, event, at);
    assert.equal(JSON.stringify(before), snapshot, 'the input state is never mutated');
    assert.deepEqual(owned, result, 'a state given up to the engine makes the same sprint as a copied one');
    return this.#take(result);
  }

  /** Answers the oldest pending effect (optionally checking its type). */
  answer(result: EffectResult, type?: Effect['type']): SprintResult {
    const effect = this.pending.shift();
    assert.ok(effect, 'an effect is pending');
    if (type) assert.equal(effect.type, type);
    if (effect.type === 'set-timer' || effect.type === 'cancel-timer') throw new Error('unreachable');
    return this.send({ type: 'effect-result', effectId: effect.effectId, result });
  }

  /** Answers a pending send-message the way a channel that accepts it does. */
  deliver(): SprintResult {
    const effect = this.pending[0];
    assert.ok(effect && effect.type === 'send-message', `a send-message is pending, got ${effect?.type}`);
    const message: JsonObject = { Sid: 'SM' + String(this.sent.length + 1).padStart(32, '0'), Body: effect.message.body, From: effect.message.from, To: effect.message.to, Status: 'queued' };
    this.sent.push(message);
    return this.answer({ kind: 'message-sent', message });
  }

  http(statusCode: number, body: string, contentType = 'application/json'): SprintResult {
    return this.answer({ kind: 'http-response', statusCode, contentType, body }, 'http-request');
  }

  /** Moves the clock and fires every due timer. */
  advance(seconds: number): void {
    this.now += seconds * 1000;
    for (const [timerId, dueAt] of [...this.timers].sort((a, b) => a[1] - b[1])) {
      if (dueAt <= this.now && this.timers.has(timerId)) {
        this.timers.delete(timerId);
        this.send({ type: 'timer', timerId });
      }
    }
  }

  reply(body: string, at: { arrivedAt?: number; expiresAt?: number } = {}): SprintResult {
    return this.send({ type: 'inbound-message', message: { Body: body, From: CONTACT, To: FLOW_ADDRESS, MessageSid: 'SMin' } }, at);
  }

  path(): string[] {
    return this.steps.map((s) => `${s.transitionedFrom} -${s.name}-> ${s.transitionedTo}`);
  }

  get widgets(): JsonObject {
    return this.state.frames[0]!.widgets;
  }
  get variables(): JsonObject {
    return this.state.frames[0]!.variables;
  }
  codes(level?: 'warning' | 'error'): number[] {
    return this.diagnostics.filter((d) => !level || d.level === level).map((d) => d.code);
  }
}

// ---- widgets

describe('trigger', () => {
  it('takes the transition of the trigger event and records it as the first step', () => {
    const h = new Harness(flow('a', [setVars('a', [{ key: 'x', value: '1' }])], 'incomingRequest'));
    h.start('incomingRequest', { request: { from: FLOW_ADDRESS, to: CONTACT, parameters: { n: 1 } } }, { n: 1 });
    assert.deepEqual(h.path(), ['Trigger -incomingRequest-> a', 'a -next-> Ended']);
    assert.equal(h.steps[0]!.type, 'trigger');
    assert.deepEqual(h.steps[0]!.context, { request: { from: FLOW_ADDRESS, to: CONTACT, parameters: { n: 1 } } });
    assert.equal(h.steps[0]!.at, T0);
    assert.equal(h.steps[0]!.sid, 'FT' + '1'.padStart(32, '0'), 'ids come from newId');
    assert.equal(h.state.status, 'ended');
    assert.deepEqual(h.state.endReason, { kind: 'completed' });
  });

  it('an unwired trigger event ends the execution at once', () => {
    const h = new Harness(flow('a', [setVars('a', [{ key: 'x', value: '1' }])], 'incomingRequest'));
    h.start('incomingMessage');
    assert.deepEqual(h.path(), ['Trigger -incomingMessage-> Ended']);
    assert.equal(h.state.status, 'ended');
  });

  it('a transition into the Trigger (a draft saved invalid) ends with an error that says so, once', () => {
    const h = new Harness(flow('a', [setVars('a', [{ key: 'x', value: '1' }], 'Trigger')], 'incomingRequest'));
    h.start('incomingRequest', { request: { from: FLOW_ADDRESS, to: CONTACT, parameters: {} } });
    assert.deepEqual(h.path(), ['Trigger -incomingRequest-> a', 'a -next-> Trigger', 'Trigger -error-> Ended']);
    const message = "A transition leads into the Trigger widget 'Trigger'; the Trigger only starts the flow, so nothing may transition into it (the flow definition is invalid)";
    assert.deepEqual(h.state.endReason, { kind: 'error', code: 81024, message });
    assert.deepEqual(h.diagnostics.map((d) => [d.level, d.code, d.message]), [['error', 81024, message]]);
  });
});

describe('split-based-on', () => {
  const split = (conditions: NonNullable<State['transitions'][number]['conditions']>[], input = '{{trigger.message.Body}}'): FlowDefinition =>
    flow('split', [
      {
        name: 'split',
        type: 'split-based-on',
        transitions: [{ event: 'noMatch', next: 'none' }, ...conditions.map((c, i) => ({ event: 'match', next: `m${i}`, conditions: c }))],
        properties: { input },
      },
      setVars('none', [{ key: 'went', value: 'none' }]),
      ...conditions.map((_, i) => setVars(`m${i}`, [{ key: 'went', value: `m${i}` }])),
    ]);
  const cond = (type: string, value: string, args = ['{{trigger.message.Body}}']) => ({ friendly_name: `${type} ${value}`, arguments: args, type, value });
  const run = (definition: FlowDefinition, body: string) => {
    const h = new Harness(definition);
    h.start('incomingMessage', { message: { Body: body, From: CONTACT, To: FLOW_ADDRESS } });
    return h;
  };

  it('takes `match` on the matching condition and `noMatch` otherwise', () => {
    const def = split([[cond('equal_to', 'yes')]]);
    assert.deepEqual(run(def, 'yes').path(), ['Trigger -incomingMessage-> split', 'split -match-> m0', 'm0 -next-> Ended']);
    assert.deepEqual(run(def, 'no').path(), ['Trigger -incomingMessage-> split', 'split -noMatch-> none', 'none -next-> Ended']);
  });

  it('the first matching transition wins', () => {
    const def = split([[cond('contains', 'a')], [cond('contains', 'ab')]]);
    assert.equal(run(def, 'abc').variables.went, 'm0');
    assert.equal(run(def, 'xab').variables.went, 'm0');
    const reversed = split([[cond('contains', 'ab')], [cond('contains', 'a')]]);
    assert.equal(run(reversed, 'a').variables.went, 'm1');
  });

  it('several conditions on one transition must all hold (AND)', () => {
    const def = split([[cond('greater_than', '10'), cond('less_than', '20')]]);
    assert.equal(run(def, '15').variables.went, 'm0');
    assert.equal(run(def, '25').variables.went, 'none');
    assert.equal(run(def, '5').variables.went, 'none');
  });

  it('evaluates arguments[0], falling back to `input` when arguments is empty', () => {
    const byArgs = split([[cond('equal_to', 'from-args', ['{{flow.data.x}}'])]], '{{trigger.message.Body}}');
    const h = new Harness(byArgs);
    h.start('incomingMessage', { message: { Body: 'from-input' } }, { x: 'from-args' });
    assert.equal(h.variables.went, 'm0', 'arguments[0] is tested, not input');
    const byInput = split([[cond('equal_to', 'from-input', [])]], '{{trigger.message.Body}}');
    assert.equal(run(byInput, 'from-input').variables.went, 'm0');
  });

  it('renders Liquid in condition values', () => {
    const def = split([[cond('equal_to', '{{flow.data.expected}}')]]);
    const h = new Harness(def);
    h.start('incomingMessage', { message: { Body: 'abc' } }, { expected: 'abc' });
    assert.equal(h.variables.went, 'm0');
  });

  it('records no outputs for the split', () => {
    const h = run(split([[cond('equal_to', 'x')]]), 'x');
    assert.deepEqual(h.widgets.split, {});
  });
});

describe('set-variables', () => {
  it('types values: canonical numbers become numbers, the rest stay strings', () => {
    const h = new Harness(
      flow('v', [
        setVars('v', [
          { key: 'int', value: '42' },
          { key: 'neg', value: '-3.5' },
          { key: 'rendered', value: '{{trigger.message.Body}}' },
          { key: 'zip', value: '007' },
          { key: 'text', value: 'hello {{contact.channel.address}}' },
          { key: 'empty', value: '' },
        ]),
      ]),
    );
    h.start('incomingMessage', { message: { Body: '12' } });
    assert.deepEqual(h.variables, { int: 42, neg: -3.5, rendered: 12, zip: '007', text: `hello ${CONTACT}`, empty: '' });
    assert.deepEqual(h.widgets.v, h.variables, 'the pairs are the widget outputs too');
  });

  it("variableTyping 'string' keeps the rendered text as written (Studio's typing is unconfirmed); infer is the default", () => {
    const def = () =>
      flow('v', [setVars('v', [{ key: 'f', value: '1.50' }, { key: 'n', value: '{{trigger.message.Body}}' }], 'w'), setVars('w', [{ key: 'total', value: 'Total ${{flow.variables.f}}' }])]);
    const text = new Harness(def(), { variableTyping: 'string' });
    text.start('incomingMessage', { message: { Body: '12' } });
    assert.deepEqual(text.variables, { f: '1.50', n: '12', total: 'Total $1.50' });
    const inferred = new Harness(def());
    inferred.start('incomingMessage', { message: { Body: '12' } });
    assert.deepEqual(inferred.variables, { f: 1.5, n: 12, total: 'Total $1.5' });
  });

  it("variableTyping 'infer-unquote' infers, but a value wrapped in double quotes is the text inside them; 'infer' keeps the quotes", () => {
    const def = () =>
      flow('v', [
        setVars('v', [
          { key: 'quoted', value: '"5"' },
          { key: 'rendered', value: '"{{trigger.message.Body}}"' },
          { key: 'plain', value: '5' },
          { key: 'empty', value: '""' },
          { key: 'one', value: '"' },
          { key: 'inner', value: 'say "hi"' },
          { key: 'float', value: '"5.0"' },
        ], 'w'),
        setVars('w', [{ key: 'shown', value: '{{flow.variables.quoted | plus: 1}}|{{flow.variables.float}}' }]),
      ]);
    const unquoted = new Harness(def(), { variableTyping: 'infer-unquote' });
    unquoted.start('incomingMessage', { message: { Body: '12' } });
    assert.deepEqual(unquoted.variables, { quoted: '5', rendered: '12', plain: 5, empty: '', one: '"', inner: 'say "hi"', float: '5.0', shown: '6|5.0' });
    assert.equal(unquoted.state.frames[0]!.floatVariables, undefined, 'a quoted "5.0" is text, not a float');
    const inferred = new Harness(def());
    inferred.start('incomingMessage', { message: { Body: '12' } });
    assert.deepEqual([inferred.variables.quoted, inferred.variables.rendered, inferred.variables.plain], ['"5"', '"12"', 5]);
  });

  it('a value written with a decimal point is a float, as Ruby reads it: "5.0" prints 5.0 (not 5), after a wait too, and stays a number', () => {
    const h = new Harness(
      flow('v', [
        setVars('v', [{ key: 'f', value: '5.0' }, { key: 'g', value: '{{ 3 | times: 2.0 }}' }, { key: 'h', value: '1.50' }, { key: 'n', value: '5' }], 'wait'),
        msg('wait', 'f={{flow.variables.f}}', 'w'),
        setVars('w', [
          { key: 'printed', value: '{{flow.variables.f}} {{flow.variables.g}} {{flow.variables.h}} {{flow.variables.n}} {{widgets.v.f}}' },
          { key: 'math', value: '{{flow.variables.f | plus: 1}} {{flow.variables.n | plus: 1}}' },
          { key: 'equal', value: '{% if flow.variables.f == 5 %}yes{% else %}no{% endif %}' },
          { key: 'json', value: '{{flow.variables.f | to_json}} {{widgets.v | to_json}}' },
          { key: 'copy', value: '{{flow.variables.f}}' },
        ], 'x'),
        setVars('x', [{ key: 'f', value: 'text' }, { key: 'g', value: '7' }], 'y'),
        setVars('y', [{ key: 'after', value: '{{flow.variables.f}} {{flow.variables.g}} {{flow.variables.copy}} {{widgets.x.g}} {{widgets.v.g}}' }]),
      ]),
    );
    h.start();
    assert.equal(h.sent.length, 0);
    assert.equal(h.pending[0]?.type === 'send-message' && h.pending[0].message.body, 'f=5.0');
    h.deliver();
    const v = h.variables;
    assert.deepEqual([v.printed, v.math, v.equal], ['5.0 6.0 1.5 5 5.0', '6.0 6', 'yes']);
    assert.equal(v.json, '5.0 {"f":5.0,"g":6.0,"h":1.5,"n":5}');
    assert.equal(v.copy, 5, 'still a number in the context (JSON has no 5.0)');
    assert.equal(v.after, 'text 7 5.0 7 6.0', 'a member set again is what its new value is; another widget\'s outputs keep theirs');
    assert.deepEqual(h.state.frames[0]!.floatVariables, ['h', 'copy']);
    assert.deepEqual(h.state.frames[0]!.floatOutputs, { v: ['f', 'g', 'h'], w: ['copy'] });
    const text = new Harness(flow('v', [setVars('v', [{ key: 'f', value: '5.0' }], 'w'), setVars('w', [{ key: 'p', value: '{{flow.variables.f}}' }])]), { variableTyping: 'string' });
    text.start();
    assert.deepEqual(text.variables, { f: '5.0', p: '5.0' });
    assert.equal(text.state.frames[0]!.floatVariables, undefined);
    const map = new Harness(flow('v', [setVars('v', [{ key: 'f', value: '5.0' }], 'w'), setVars('w', [{ key: 'p', value: '{{widgets.v}}' }])]), { objectFormat: 'map' });
    map.start();
    assert.equal(map.variables.p, '{f=5.0}', "Java's map form prints the float as Double does");
  });

  it('parses JSON when asked (per item or for the widget), keeps invalid JSON as a string', () => {
    const h = new Harness(
      flow('v', [
        setVars('v', [
          { key: 'obj', value: '{"a":{"b":[1,2]}}', type: 'json' } as never,
          { key: 'plain', value: '{"a":1}' },
          { key: 'bad', value: '{not json', parse_as_json: true } as never,
        ], 'w'),
        setVars('w', [{ key: 'deep', value: '{{flow.variables.obj.a.b[1]}}' }, { key: 'whole', value: '[1,"x"]' }], undefined, { parse_as_json: true }),
      ]),
    );
    h.start();
    assert.deepEqual(h.variables.obj, { a: { b: [1, 2] } });
    assert.equal(h.variables.plain, '{"a":1}');
    assert.equal(h.variables.bad, '{not json');
    assert.equal(h.variables.deep, 2, 'members of a parsed object can be dereferenced');
    assert.deepEqual(h.variables.whole, [1, 'x']);
  });

  it('a later widget overwrites a key and sees earlier values', () => {
    const h = new Harness(flow('a', [setVars('a', [{ key: 'n', value: '1' }], 'b'), setVars('b', [{ key: 'n', value: '{{flow.variables.n | plus: 1}}' }])]));
    h.start();
    assert.equal(h.variables.n, 2);
  });
});

describe('send-message', () => {
  it('asks the runtime to send, then takes `sent` with outbound outputs', () => {
    const h = new Harness(flow('m', [msg('m', 'Hello {{trigger.message.Body}}')]));
    h.start();
    assert.equal(h.state.status, 'active');
    assert.equal(h.steps.length, 1);
    const effect = h.pending[0]!;
    assert.equal(effect.type, 'send-message');
    assert.deepEqual(effect.type === 'send-message' && effect.message, { from: FLOW_ADDRESS, to: CONTACT, body: 'Hello hi' });
    h.deliver();
    assert.deepEqual(h.path().at(-1), 'm -sent-> Ended');
    assert.equal((h.widgets.m as any).outbound.Body, 'Hello hi');
    assert.equal((h.widgets.m as any).outbound.To, CONTACT);
    assert.equal(h.state.status, 'ended');
  });

  it('takes `failed` when the channel refuses the message', () => {
    const h = new Harness(flow('m', [msg('m', 'x', undefined, 'after'), setVars('after', [{ key: 'ok', value: 'no' }])]));
    h.start();
    h.answer({ kind: 'message-failed', code: 21211, message: 'invalid To' }, 'send-message');
    assert.deepEqual(h.path().slice(1), ['m -failed-> after', 'after -next-> Ended']);
    assert.deepEqual(h.codes('error'), [81011]);
    assert.equal((h.widgets.m as any).error.code, 81011);
  });

  it('a missing body fails without sending: `failed` when wired, else the execution ends', () => {
    const wired = new Harness(flow('m', [msg('m', undefined, undefined, 'after'), setVars('after', [{ key: 'ok', value: 'no' }])]));
    wired.start();
    assert.equal(wired.pending.length, 0, 'nothing is sent');
    assert.deepEqual(wired.path().slice(1), ['m -failed-> after', 'after -next-> Ended']);
    assert.deepEqual(wired.codes('error'), [81011]);

    const unwired = new Harness(flow('m', [msg('m', '')]));
    unwired.start();
    assert.deepEqual(unwired.path().slice(1), ['m -failed-> Ended']);
    assert.equal(unwired.state.status, 'ended');
    assert.equal(unwired.state.endReason?.kind, 'error');
    assert.ok(unwired.codes('error').includes(81011));
    // The failed widget stays in the context, with its error, as a wired failure's does.
    assert.equal((unwired.widgets.m as any).error.code, 81011);
  });
});

describe('send-and-wait-for-reply', () => {
  const ask = (timeout?: string | number): FlowDefinition =>
    flow('ask', [
      {
        name: 'ask',
        type: 'send-and-wait-for-reply',
        transitions: [
          { event: 'incomingMessage', next: 'got' },
          { event: 'timeout', next: 'late' },
          { event: 'deliveryFailure', next: 'lost' },
        ],
        properties: { from: '{{flow.channel.address}}', body: 'Question?', ...(timeout !== undefined ? { timeout } : {}) },
      },
      setVars('got', [{ key: 'answer', value: '{{widgets.ask.inbound.Body}}' }]),
      setVars('late', [{ key: 'answer', value: 'none' }]),
      setVars('lost', [{ key: 'answer', value: 'lost' }]),
    ]);

  it('sends, waits for the reply and exposes inbound/outbound', () => {
    const h = new Harness(ask('60'));
    h.start();
    h.deliver();
    assert.equal(h.state.status, 'active');
    assert.equal(h.state.frames[0]!.wait?.kind, 'reply');
    const [[timerId, dueAt]] = [...h.timers];
    assert.equal(dueAt, T0 + 60_000);
    h.reply('forty two');
    assert.deepEqual(h.path().slice(1), ['ask -incomingMessage-> got', 'got -next-> Ended']);
    assert.equal(h.variables.answer, 'forty two');
    assert.equal((h.widgets.ask as any).outbound.Body, 'Question?');
    assert.equal((h.widgets.ask as any).inbound.Body, 'forty two');
    assert.ok(h.effects.some((e) => e.type === 'cancel-timer' && e.timerId === timerId), 'the reply cancels the timer');
    assert.equal(h.timers.size, 0);
  });

  it('takes `timeout` when the timer fires (integer timeout accepted too)', () => {
    const h = new Harness(ask(30));
    h.start();
    h.deliver();
    h.advance(29);
    assert.equal(h.state.status, 'active');
    h.advance(1);
    assert.deepEqual(h.path().slice(1), ['ask -timeout-> late', 'late -next-> Ended']);
    assert.deepEqual(Object.keys(h.widgets.ask as object), ['outbound'], 'only outbound on timeout');
  });

  it('defaults the timeout to 3600 s when it is missing (and limits can change the default)', () => {
    const h = new Harness(ask());
    h.start();
    h.deliver();
    assert.deepEqual([...h.timers.values()], [T0 + 3600_000]);
    const custom = new Harness(ask(''), { defaultReplyTimeoutSeconds: 5 });
    custom.start();
    custom.deliver();
    assert.deepEqual([...custom.timers.values()], [T0 + 5000]);
  });

  it('takes `deliveryFailure` when the send fails or a failed delivery report arrives', () => {
    const sendFails = new Harness(ask('60'));
    sendFails.start();
    sendFails.answer({ kind: 'message-failed', code: 30008, message: 'unknown error' });
    assert.deepEqual(sendFails.path().slice(1), ['ask -deliveryFailure-> lost', 'lost -next-> Ended']);
    assert.equal(sendFails.timers.size, 0);

    const undelivered = new Harness(ask('60'));
    undelivered.start();
    undelivered.deliver();
    undelivered.send({ type: 'delivery-status', messageSid: undelivered.sent[0]!.Sid as string, status: 'delivered' });
    assert.equal(undelivered.state.status, 'active', 'a routine report changes nothing');
    undelivered.send({ type: 'delivery-status', messageSid: undelivered.sent[0]!.Sid as string, status: 'undelivered', errorCode: '30005' });
    assert.deepEqual(undelivered.path().slice(1), ['ask -deliveryFailure-> lost', 'lost -next-> Ended']);
    assert.equal((undelivered.widgets.ask as any).outbound.ErrorCode, 30005, 'a number, as when the send itself is refused');
    assert.equal((sendFails.widgets.ask as any).outbound.ErrorCode, 30008);
    assert.equal(undelivered.timers.size, 0, 'the reply timer is cancelled');
    // A refused send is Studio's 81011, as for Send Message; a delivery failure reported later raises nothing.
    assert.deepEqual(sendFails.codes('error'), [81011]);
    assert.deepEqual((sendFails.widgets.ask as any).error, { code: 81011, message: 'unknown error' });
    assert.deepEqual(undelivered.codes('error'), []);
    assert.equal((undelivered.widgets.ask as any).error, undefined);
  });

  it('a reply that overtakes the question is queued and answers it once sent', () => {
    const h = new Harness(ask('60'));
    h.start();
    h.reply('early');
    assert.equal(h.steps.length, 1);
    h.deliver();
    assert.equal(h.variables.answer, 'early');
  });

  const question = (name: string, next?: string): W => ({
    name,
    type: 'send-and-wait-for-reply',
    transitions: [{ event: 'incomingMessage', ...(next ? { next } : {}) }, { event: 'timeout' }, { event: 'deliveryFailure' }],
    properties: { from: '{{flow.channel.address}}', body: `${name}?` },
  });
  const nameThenAge = () =>
    flow('name', [question('name', 'age'), question('age', 'done'), setVars('done', [{ key: 'x', value: '{{widgets.name.inbound.Body}}/{{widgets.age.inbound.Body}}' }])]);

  it('early replies never answer a different question: those left over are dropped with 81002', () => {
    const h = new Harness(nameThenAge());
    h.start();
    h.reply('Ann');
    h.reply('42');
    h.deliver(); // 'Ann' answers name; age's question goes out
    assert.equal((h.widgets.name as any).inbound.Body, 'Ann');
    h.deliver(); // age waits now; '42' overtook name's question, not age's
    assert.equal(h.state.frames[0]!.wait?.kind, 'reply');
    assert.equal(h.state.queuedInbound, undefined);
    assert.ok(h.diagnostics.some((d) => d.code === 81002 && /^1 queued message\(s\) for 'name' dropped: widget 'age' asks a different question$/.test(d.message)));
    h.reply('37');
    assert.equal(h.variables.x, 'Ann/37');
  });

  it('a reply that overtakes the next question still answers it after a stale one is dropped', () => {
    const h = new Harness(nameThenAge());
    h.start();
    h.reply('Ann');
    h.reply('stale');
    h.deliver(); // 'Ann' answers name
    h.reply('42'); // overtakes age's question
    h.deliver();
    assert.equal(h.variables.x, 'Ann/42');
    assert.deepEqual(h.codes('warning'), [81002]);
  });

  it('early replies to a question the flow loops back to answer it, in order', () => {
    const h = new Harness(flow('ask', [question('ask', 'log'), setVars('log', [{ key: 'log', value: '{{flow.variables.log}}{{widgets.ask.inbound.Body}},' }], 'ask')]));
    h.start();
    for (const body of ['a', 'b', 'c']) h.reply(body);
    for (let i = 0; i < 4; i++) h.deliver();
    assert.equal(h.variables.log, 'a,b,c,');
    assert.equal(h.state.frames[0]!.wait?.kind, 'reply');
    assert.deepEqual(h.codes(), []);
  });

  it('a reply that arrives after its timeout was due (the timer not fired yet) loses to it: timeout first, once', () => {
    const h = new Harness(ask('60'));
    h.start();
    h.deliver();
    const [[timerId, dueAt]] = [...h.timers];
    assert.equal((h.state.frames[0]!.wait as { dueAt?: number }).dueAt, dueAt, 'the wait knows when its timer is due');
    h.now = dueAt + 5_000; // the timer loop is behind
    const result = h.reply('too late', { arrivedAt: h.now });
    assert.deepEqual(h.path().slice(1), ['ask -timeout-> late', 'late -next-> Ended']);
    assert.equal(h.variables.answer, 'none');
    assert.equal(result.endedFirst, true, 'the reply was not applied: it goes where one for an ended execution goes');
    assert.ok(result.effects.some((e) => e.type === 'cancel-timer' && e.timerId === timerId), 'the timer row goes with the sprint');
    assert.equal(h.timers.size, 0);
  });

  it('a reply one millisecond before the timeout answers; without `arrivedAt` (or a wait from before dueAt was kept) it answers as before', () => {
    for (const variant of ['early', 'no arrival', 'old state'] as const) {
      const h = new Harness(ask('60'));
      h.start();
      h.deliver();
      const [[, dueAt]] = [...h.timers];
      if (variant === 'old state') delete (h.state.frames[0]!.wait as { dueAt?: number }).dueAt;
      h.now = dueAt + 5_000;
      const result = h.reply('42', variant === 'no arrival' ? {} : { arrivedAt: variant === 'early' ? dueAt - 1 : h.now });
      assert.deepEqual(h.path().slice(1), ['ask -incomingMessage-> got', 'got -next-> Ended'], variant);
      assert.equal(result.endedFirst, undefined);
    }
  });

  it('a late reply goes where the flow is after the timeout: the next question takes it', () => {
    const h = new Harness(
      flow('ask', [
        { ...question('ask', 'got'), transitions: [{ event: 'incomingMessage', next: 'got' }, { event: 'timeout', next: 'again' }, { event: 'deliveryFailure' }] },
        question('again', 'got'),
        setVars('got', [{ key: 'answer', value: '{{widgets.ask.inbound.Body}}|{{widgets.again.inbound.Body}}' }]),
      ]),
    );
    h.start();
    h.deliver();
    const [[, dueAt]] = [...h.timers];
    h.now = dueAt + 1_000;
    const result = h.reply('late', { arrivedAt: h.now });
    assert.equal(result.endedFirst, undefined);
    assert.deepEqual(h.path().slice(1), ['ask -timeout-> again']);
    h.deliver(); // again's question goes out; the reply that overtook it answers it
    assert.deepEqual(h.path().slice(2), ['again -incomingMessage-> got', 'got -next-> Ended']);
    assert.equal(h.variables.answer, '|late');
  });

  it('an execution past its age cap when an event arrives expires first; a timer due before the cap still fires before it', () => {
    const capped = new Harness(ask('60'));
    capped.start();
    capped.deliver();
    const reply = capped.reply('hello', { arrivedAt: T0 + 30_000, expiresAt: T0 + 20_000 });
    assert.equal(reply.endedFirst, true);
    assert.deepEqual(capped.state.endReason, { kind: 'expired' });
    assert.deepEqual(capped.path().slice(1), [], 'no step, as when housekeeping ends it');
    assert.equal(capped.timers.size, 0, 'its reply timer is cancelled');

    const both = new Harness(flow('ask', [{ ...question('ask'), transitions: [{ event: 'incomingMessage' }, { event: 'timeout', next: 'again' }, { event: 'deliveryFailure' }], properties: { body: 'q', timeout: '60' } }, question('again')]));
    both.start();
    both.deliver();
    const late = both.reply('hello', { arrivedAt: T0 + 100_000, expiresAt: T0 + 90_000 });
    assert.deepEqual(both.path().slice(1), ['ask -timeout-> again'], 'the timeout (due at 60 s) came before the cap (90 s)');
    assert.deepEqual(both.state.endReason, { kind: 'expired' });
    assert.equal(late.endedFirst, true);
    assert.equal(late.effects.some((e) => e.type === 'send-message'), false, "the next question is not sent after the end");

    // A timer fired late by the timer loop happened when it was due: a cap due before then wins.
    const timer = new Harness(ask('60'));
    timer.start();
    timer.deliver();
    const [[timerId, dueAt]] = [...timer.timers];
    timer.now = dueAt + 3_600_000;
    timer.send({ type: 'timer', timerId }, { arrivedAt: dueAt, expiresAt: dueAt - 1 });
    assert.deepEqual(timer.path().slice(1), []);
    assert.deepEqual(timer.state.endReason, { kind: 'expired' });
    const onTime = new Harness(ask('60'));
    onTime.start();
    onTime.deliver();
    const [[onTimeId, onTimeDue]] = [...onTime.timers];
    onTime.send({ type: 'timer', timerId: onTimeId }, { arrivedAt: onTimeDue, expiresAt: onTimeDue + 1 });
    assert.deepEqual(onTime.path().slice(1), ['ask -timeout-> late', 'late -next-> Ended']);
  });

  it('a TwiML Redirect callback after its timeout was due finds the widget timed out', () => {
    const h = new Harness(
      flow(
        'away',
        [
          { name: 'away', type: 'add-twiml-redirect', transitions: [{ event: 'return', next: 'back' }, { event: 'timeout', next: 'gone' }, { event: 'fail' }], properties: { url: 'https://app.example/t', timeout: '60' } },
          setVars('back', [{ key: 'left', value: 'return' }]),
          setVars('gone', [{ key: 'left', value: 'timeout' }]),
        ],
        'incomingCall',
      ),
    );
    h.start('incomingCall', { call: { CallSid: 'CA' + '1'.repeat(32), From: CONTACT, To: FLOW_ADDRESS } });
    const wait = h.state.frames[0]!.wait as { kind: string; callbackId: string; dueAt?: number };
    assert.equal(wait.dueAt, T0 + 60_000);
    h.now = T0 + 61_000;
    h.send({ type: 'call-callback', callbackId: wait.callbackId, params: { CallSid: 'CA' + '1'.repeat(32), query: { FlowEvent: 'return' } } }, { arrivedAt: h.now });
    assert.equal(h.variables.left, 'timeout');
  });

  it('a queued reply stored before replies were tagged (a bare message) still answers', () => {
    const h = new Harness(ask('60'));
    h.start();
    h.state = { ...h.state, queuedInbound: [{ Body: 'from an older version', From: CONTACT, To: FLOW_ADDRESS }] };
    h.deliver();
    assert.equal(h.variables.answer, 'from an older version');
  });
});

describe('make-http-request', () => {
  const req = (url = 'https://api.example.com/x?c={{contact.channel.address | url_encode}}') =>
    flow('call', [
      {
        name: 'call',
        type: 'make-http-request',
        transitions: [{ event: 'success', next: 'ok' }, { event: 'failed', next: 'ko' }],
        properties: {
          method: 'POST',
          url,
          content_type: 'application/json;charset=utf-8',
          body: '{"from":"{{trigger.message.From}}"}',
          parameters: [{ key: 'p', value: '{{trigger.message.Body}}' }],
        },
      },
      setVars('ok', [{ key: 'r', value: 'ok' }]),
      setVars('ko', [{ key: 'r', value: 'ko' }]),
    ]);

  it('renders the request and takes `success` on 2xx with `parsed` for a JSON object', () => {
    const h = new Harness(req());
    h.start('incomingMessage', { message: { Body: 'b', From: CONTACT } });
    const effect = h.pending[0]!;
    assert.ok(effect.type === 'http-request');
    assert.deepEqual(effect.request, {
      method: 'POST',
      url: 'https://api.example.com/x?c=%2B15550001111',
      contentType: 'application/json;charset=utf-8',
      body: `{"from":"${CONTACT}"}`,
      parameters: [{ key: 'p', value: 'b' }],
      addTwilioAuth: false,
    });
    assert.equal(effect.purpose, 'http');
    h.http(201, '{"a":{"b":1}}', 'application/json; charset=utf-8');
    assert.deepEqual(h.path().slice(1), ['call -success-> ok', 'ok -next-> Ended']);
    assert.deepEqual(h.widgets.call, { status_code: 201, content_type: 'application/json; charset=utf-8', body: '{"a":{"b":1}}', parsed: { a: { b: 1 } } });
  });

  it('does not parse a top-level array, nor non-JSON content', () => {
    const arr = new Harness(req());
    arr.start();
    arr.http(200, '[1,2]');
    assert.equal((arr.widgets.call as any).parsed, undefined);
    assert.equal((arr.widgets.call as any).body, '[1,2]');
    const text = new Harness(req());
    text.start();
    text.http(200, '{"a":1}', 'text/plain');
    assert.equal((text.widgets.call as any).parsed, undefined);
  });

  it('keeps an integer beyond a double\'s precision exactly (a 64-bit ID), as its digits; other numbers stay numbers', () => {
    const h = new Harness(req());
    h.start();
    h.http(200, '{"id": 12345678901234567890, "neg": -9007199254740993, "safe": 9007199254740991, "price": 12345678901234567.5, "n": [1, 2]}');
    const parsed = (h.widgets.call as any).parsed;
    assert.deepEqual(parsed, { id: '12345678901234567890', neg: '-9007199254740993', safe: 9007199254740991, price: 12345678901234567.5, n: [1, 2] });
  });

  it('takes `failed` on non-2xx (3xx included) and on http-failed', () => {
    for (const status of [301, 404, 500]) {
      const h = new Harness(req());
      h.start();
      h.http(status, '{"error":true}');
      assert.deepEqual(h.path().slice(1), ['call -failed-> ko', 'ko -next-> Ended'], String(status));
      assert.equal((h.widgets.call as any).status_code, status);
      assert.deepEqual((h.widgets.call as any).parsed, { error: true });
    }
    const down = new Harness(req());
    down.start();
    down.answer({ kind: 'http-failed', reason: 'timeout', message: 'no answer' });
    assert.deepEqual(down.path().slice(1), ['call -failed-> ko', 'ko -next-> Ended']);
    assert.deepEqual(down.widgets.call, {});
    // The context is empty, so why it failed is told in a warning alert; a status answer needs none.
    assert.deepEqual(down.diagnostics.map((d) => [d.level, d.code, d.message, d.widget]), [['warning', 81014, "Make HTTP Request 'call': the request failed (timeout: no answer)", 'call']]);
    const answered = new Harness(req());
    answered.start();
    answered.http(500, 'boom', 'text/plain');
    assert.deepEqual(answered.diagnostics, []);
  });

  it('an invalid URL fails without a request', () => {
    const h = new Harness(req('{{flow.data.nothing}}/x'));
    h.start();
    assert.equal(h.pending.length, 0);
    assert.deepEqual(h.path().slice(1), ['call -failed-> ko', 'ko -next-> Ended']);
    assert.deepEqual(h.codes('error'), [81014]);
  });

  it('a method other than GET or POST (a draft saved invalid) fails without a request; case does not matter', () => {
    const definition = req();
    (definition.states[1]!.properties as { method: string }).method = 'PUT';
    const h = new Harness(definition);
    h.start();
    assert.equal(h.pending.length, 0, 'nothing is sent, least of all a GET');
    assert.deepEqual(h.path().slice(1), ['call -failed-> ko', 'ko -next-> Ended']);
    assert.deepEqual(h.diagnostics.filter((d) => d.level === 'error').map((d) => [d.code, d.message]), [[81014, "HTTP method 'PUT' is not supported: Make HTTP Request sends GET or POST"]]);
    const lower = req();
    (lower.states[1]!.properties as { method: string }).method = 'post';
    const ok = new Harness(lower);
    ok.start();
    const effect = ok.pending[0]!;
    assert.ok(effect.type === 'http-request');
    assert.equal(effect.request.method, 'POST');
  });

  it('a parameter named like a reserved word (method) fails without a request: 81014', () => {
    const definition = req();
    (definition.states[1]!.properties as { parameters: { key: string; value: string }[] }).parameters.push({ key: 'Method', value: 'DELETE' });
    const h = new Harness(definition);
    h.start();
    assert.equal(h.pending.length, 0);
    assert.deepEqual(h.path().slice(1), ['call -failed-> ko', 'ko -next-> Ended']);
    assert.deepEqual(h.codes('error'), [81014]);
  });
});

describe('run-function', () => {
  const fn = (loops = false) =>
    flow('fn', [
      {
        name: 'fn',
        type: 'run-function',
        transitions: [{ event: 'success', next: loops ? 'count' : 'ok' }, { event: 'fail', next: 'ko' }],
        properties: { url: 'https://fn.example.com/f', parameters: [{ key: 'who', value: '{{contact.channel.address}}' }] },
      },
      setVars('count', [{ key: 'runs', value: '{{flow.variables.runs | plus: 1}}' }], 'again'),
      {
        name: 'again',
        type: 'split-based-on',
        transitions: [{ event: 'noMatch', next: 'ok' }, { event: 'match', next: 'fn', conditions: [{ friendly_name: 'first', arguments: ['{{flow.variables.runs}}'], type: 'less_than', value: '2' }] }],
        properties: { input: '{{flow.variables.runs}}' },
      },
      setVars('ok', [{ key: 'r', value: 'ok' }]),
      setVars('ko', [{ key: 'r', value: 'ko' }]),
    ]);

  it('POSTs the parameters and takes `success` on 2xx and 3xx', () => {
    for (const status of [200, 302]) {
      const h = new Harness(fn());
      h.start();
      const effect = h.pending[0]!;
      assert.ok(effect.type === 'http-request');
      assert.equal(effect.purpose, 'function');
      assert.deepEqual(effect.request.parameters, [{ key: 'who', value: CONTACT }]);
      assert.equal(effect.request.method, 'POST');
      h.http(status, '{"x":1}');
      assert.deepEqual(h.path().slice(1), ['fn -success-> ok', 'ok -next-> Ended'], String(status));
      assert.deepEqual((h.widgets.fn as any).parsed, { x: 1 });
    }
  });

  it('takes `fail` (not `failed`) on 4xx/5xx and on network failures, each with an 81010 alert', () => {
    const h = new Harness(fn());
    h.start();
    h.http(500, 'boom', 'text/plain');
    assert.deepEqual(h.path().slice(1), ['fn -fail-> ko', 'ko -next-> Ended']);
    assert.deepEqual(h.diagnostics.map((d) => [d.level, d.code, d.message, d.widget]), [['error', 81010, "Run Function 'fn': the Function answered with status 500", 'fn']]);
    assert.equal((h.widgets.fn as any).status_code, 500, 'the outputs are unchanged');
    const down = new Harness(fn());
    down.start();
    down.answer({ kind: 'http-failed', reason: 'timeout', message: 'No response within 10000 ms' });
    assert.deepEqual(down.path().slice(1), ['fn -fail-> ko', 'ko -next-> Ended']);
    assert.deepEqual(down.diagnostics.map((d) => [d.code, d.message]), [[81010, "Run Function 'fn': the Function call failed (timeout: No response within 10000 ms)"]]);
    assert.deepEqual(down.state.endReason, { kind: 'completed' }, 'an alert, not the end of the execution');
    const ok = new Harness(fn());
    ok.start();
    ok.http(200, '{}');
    assert.deepEqual(ok.diagnostics, []);
  });

  it('on a re-run, `parsed` merges into the earlier one; a non-JSON answer leaves it untouched', () => {
    const h = new Harness(fn(true));
    h.start();
    h.http(200, '{"a":1,"b":1}');
    h.http(200, '{"b":2,"c":3}');
    assert.deepEqual((h.widgets.fn as any).parsed, { a: 1, b: 2, c: 3 });
    assert.equal((h.widgets.fn as any).body, '{"b":2,"c":3}', 'body is replaced');
    assert.deepEqual(h.path().slice(1), ['fn -success-> count', 'count -next-> again', 'again -match-> fn', 'fn -success-> count', 'count -next-> again', 'again -noMatch-> ok', 'ok -next-> Ended']);

    const text = new Harness(fn(true));
    text.start();
    text.http(200, '{"a":1}');
    text.http(200, 'plain', 'text/plain');
    assert.deepEqual((text.widgets.fn as any).parsed, { a: 1 });
    assert.equal((text.widgets.fn as any).body, 'plain');
    assert.equal((text.widgets.fn as any).content_type, 'text/plain');
  });
});

describe('run-subflow', () => {
  const SUB = 'FW' + 'b'.repeat(32);
  const parent = (extraParam = '{{trigger.message.Body}}') =>
    flow('sub', [
      {
        name: 'sub',
        type: 'run-subflow',
        transitions: [{ event: 'completed', next: 'after' }, { event: 'failed', next: 'broken' }],
        properties: { flow_sid: SUB, flow_revision: 'LatestPublished', parameters: [{ key: 'greeting', value: extraParam }] },
      },
      setVars('after', [{ key: 'got', value: '{{widgets.sub.result}}' }]),
      setVars('broken', [{ key: 'got', value: 'broken' }]),
    ]);
  const child: FlowDefinition = flow(
    'inner',
    [
      setVars('inner', [
        { key: 'result', value: '{{trigger.parent.parameters.greeting}} world' },
        { key: 'body', value: '{{trigger.message.Body}}' },
      ], 'say'),
      msg('say', 'from the subflow'),
    ],
    'incomingParent',
  );

  it('runs the subflow inside the execution; its variables become the widget outputs', () => {
    const h = new Harness(parent());
    h.start();
    const load = h.pending[0]!;
    assert.ok(load.type === 'load-subflow');
    assert.deepEqual([load.flowSid, load.revision], [SUB, 'LatestPublished']);
    h.answer({ kind: 'subflow-loaded', flowSid: SUB, revision: 3, definition: child });
    assert.equal(h.state.frames.length, 2);
    h.deliver();
    assert.deepEqual(h.path(), [
      'Trigger -incomingMessage-> sub',
      'Trigger -incomingParent-> inner',
      'inner -next-> say',
      'say -sent-> Ended',
      'sub -completed-> after',
      'after -next-> Ended',
    ]);
    assert.deepEqual(h.widgets.sub, { result: 'hi world', body: 'hi' }, 'trigger.parent.parameters and the copied parent trigger');
    assert.equal(h.variables.got, 'hi world');
    assert.equal(h.variables.result, undefined, "the subflow's variables stay out of the parent's");
    const subSteps = h.steps.slice(1, 4);
    for (const step of subSteps) assert.equal(step.parentStepSid, h.steps[0]!.sid, 'subflow steps point at the step that entered run-subflow');
    assert.equal(h.steps[4]!.parentStepSid, null);
  });

  it("a subflow's float variables are floats in its widget's outputs", () => {
    const h = new Harness(
      flow('sub', [
        { name: 'sub', type: 'run-subflow', transitions: [{ event: 'completed', next: 'after' }, { event: 'failed' }], properties: { flow_sid: SUB, flow_revision: 'LatestPublished' } },
        setVars('after', [{ key: 'got', value: '{{widgets.sub.total}} {{widgets.sub.count}}' }]),
      ]),
    );
    h.start();
    h.answer({ kind: 'subflow-loaded', flowSid: SUB, revision: 3, definition: flow('inner', [setVars('inner', [{ key: 'total', value: '10.0' }, { key: 'count', value: '2' }])], 'incomingParent') });
    assert.equal(h.variables.got, '10.0 2');
    assert.deepEqual(h.state.frames[0]!.floatOutputs, { sub: ['total'] });
  });

  it('a subflow that runs a subflow fails with 81024', () => {
    const h = new Harness(parent());
    h.start();
    const nested = flow('inner', [{ name: 'inner', type: 'run-subflow', transitions: [{ event: 'completed' }, { event: 'failed' }], properties: { flow_sid: SUB, flow_revision: 'LatestPublished' } }], 'incomingParent');
    h.answer({ kind: 'subflow-loaded', flowSid: SUB, revision: 1, definition: nested });
    assert.deepEqual(h.path().slice(1), ['sub -failed-> broken', 'broken -next-> Ended']);
    assert.deepEqual(h.codes('error'), [81024]);
  });

  it('a widget failing inside the subflow with nowhere to go fails the subflow: the parent takes `failed`', () => {
    const h = new Harness(parent());
    h.start();
    h.answer({ kind: 'subflow-loaded', flowSid: SUB, revision: 3, definition: child });
    h.answer({ kind: 'message-failed', code: 21211, message: 'invalid To' }, 'send-message');
    assert.deepEqual(h.path().slice(1), [
      'Trigger -incomingParent-> inner',
      'inner -next-> say',
      'say -failed-> Ended',
      'sub -failed-> broken',
      'broken -next-> Ended',
    ]);
    assert.equal(h.state.frames.length, 1);
    assert.deepEqual(h.widgets.sub, { error: { code: 81011, message: 'invalid To' } });
    assert.equal(h.variables.got, 'broken');
    assert.deepEqual(h.state.endReason, { kind: 'completed' });
  });

  it('an HTTP Request or Function failing inside the subflow with nothing wired fails the subflow too, with its error', () => {
    const inner = (type: 'make-http-request' | 'run-function', event: 'failed' | 'fail'): FlowDefinition =>
      flow('call', [{ name: 'call', type, transitions: [{ event: 'success' }, { event }], properties: { method: 'GET', url: 'https://api.example.com/x' } }], 'incomingParent');
    const cases: [FlowDefinition, EffectResult, string, JsonObject][] = [
      [inner('make-http-request', 'failed'), { kind: 'http-response', statusCode: 500, contentType: 'text/plain', body: 'boom' }, 'call -failed-> Ended', { code: 81014, message: "Make HTTP Request 'call': the server answered with status 500" }],
      [inner('make-http-request', 'failed'), { kind: 'http-failed', reason: 'network', message: 'connect ECONNREFUSED' }, 'call -failed-> Ended', { code: 81014, message: "Make HTTP Request 'call': the request failed (network: connect ECONNREFUSED)" }],
      [inner('run-function', 'fail'), { kind: 'http-response', statusCode: 404, contentType: 'text/plain', body: 'no' }, 'call -fail-> Ended', { code: 81010, message: "Run Function 'call': the Function answered with status 404" }],
    ];
    for (const [definition, result, step, error] of cases) {
      const h = new Harness(parent());
      h.start();
      h.answer({ kind: 'subflow-loaded', flowSid: SUB, revision: 3, definition });
      h.answer(result, 'http-request');
      assert.deepEqual(h.path().slice(2), [step, 'sub -failed-> broken', 'broken -next-> Ended'], step);
      assert.deepEqual(h.widgets.sub, { error });
      assert.deepEqual(h.state.endReason, { kind: 'completed' });
    }
    // Wired, the failure goes where it leads, and the subflow completes as before.
    const wired = flow('call', [{ name: 'call', type: 'make-http-request', transitions: [{ event: 'success' }, { event: 'failed', next: 'note' }], properties: { method: 'GET', url: 'https://api.example.com/x' } }, setVars('note', [{ key: 'result', value: 'handled' }])], 'incomingParent');
    const h = new Harness(parent());
    h.start();
    h.answer({ kind: 'subflow-loaded', flowSid: SUB, revision: 3, definition: wired });
    h.http(503, 'down', 'text/plain');
    assert.deepEqual(h.path().slice(-2), ['sub -completed-> after', 'after -next-> Ended']);
    assert.equal(h.variables.got, 'handled');
  });

  it('an unanswered HTTP Request failing a subflow whose failure ends the execution raises one alert, an error', () => {
    const unwired = parent();
    (unwired.states.find((s) => s.name === 'sub') as any).transitions = [{ event: 'completed', next: 'after' }, { event: 'failed' }];
    const h = new Harness(unwired);
    h.start();
    h.answer({ kind: 'subflow-loaded', flowSid: SUB, revision: 3, definition: flow('call', [{ name: 'call', type: 'make-http-request', transitions: [{ event: 'success' }, { event: 'failed' }], properties: { method: 'GET', url: 'https://api.example.com/x' } }], 'incomingParent') });
    h.answer({ kind: 'http-failed', reason: 'timeout', message: 'no answer' }, 'http-request');
    assert.equal(h.state.endReason?.kind, 'error');
    assert.deepEqual(h.diagnostics.map((d) => [d.level, d.code]), [['error', 81014]]);
  });

  it("a Send & Wait's refused send inside the subflow with nothing wired fails it with 81011, as Send Message's", () => {
    const h = new Harness(parent());
    h.start();
    h.answer({ kind: 'subflow-loaded', flowSid: SUB, revision: 3, definition: flow('q', [{ name: 'q', type: 'send-and-wait-for-reply', transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure' }], properties: { body: 'q?' } }], 'incomingParent') });
    h.answer({ kind: 'message-failed', code: 30003, message: 'Unreachable destination handset' }, 'send-message');
    assert.deepEqual(h.path().slice(-3), ['q -deliveryFailure-> Ended', 'sub -failed-> broken', 'broken -next-> Ended']);
    assert.deepEqual(h.widgets.sub, { error: { code: 81011, message: 'Unreachable destination handset' } });
  });

  it("a Send & Wait's delivery failure reported later inside the subflow with nothing wired fails it with the message's error", () => {
    const h = new Harness(parent());
    h.start();
    h.answer({ kind: 'subflow-loaded', flowSid: SUB, revision: 3, definition: flow('q', [{ name: 'q', type: 'send-and-wait-for-reply', transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure' }], properties: { body: 'q?' } }], 'incomingParent') });
    h.deliver();
    h.send({ type: 'delivery-status', messageSid: h.sent[0]!.Sid as string, status: 'undelivered', errorCode: '30003' });
    assert.deepEqual(h.path().slice(-3), ['q -deliveryFailure-> Ended', 'sub -failed-> broken', 'broken -next-> Ended']);
    assert.equal((h.widgets.sub as any).error.code, 30003);
    assert.deepEqual(h.codes('error').filter((c) => c === 81011), [], 'a delivery failure is the message\'s, not a refused send');
  });

  it('in the main flow, an unwired failure event ends the execution as before (completed)', () => {
    const h = new Harness(flow('call', [{ name: 'call', type: 'make-http-request', transitions: [{ event: 'success' }, { event: 'failed' }], properties: { method: 'GET', url: 'https://api.example.com/x' } }]));
    h.start();
    h.http(500, 'boom', 'text/plain');
    assert.deepEqual(h.path().slice(1), ['call -failed-> Ended']);
    assert.deepEqual(h.state.endReason, { kind: 'completed' });
    assert.deepEqual(h.diagnostics, []);
  });

  it('a subflow jumping to a widget that does not exist fails the subflow too', () => {
    const h = new Harness(parent());
    h.start();
    h.answer({ kind: 'subflow-loaded', flowSid: SUB, revision: 3, definition: flow('inner', [setVars('inner', [{ key: 'a', value: '1' }], 'ghost')], 'incomingParent') });
    assert.deepEqual(h.path().slice(-2), ['sub -failed-> broken', 'broken -next-> Ended']);
    assert.deepEqual(h.codes('error'), [81024]);
  });

  it('a subflow whose initial_state does not exist fails the subflow, not the execution', () => {
    const h = new Harness(parent());
    h.start();
    h.answer({ kind: 'subflow-loaded', flowSid: SUB, revision: 3, definition: { ...child, initial_state: 'Nowhere' } });
    assert.deepEqual(h.path().slice(-2), ['sub -failed-> broken', 'broken -next-> Ended']);
    assert.deepEqual(h.codes('error'), [81024]);
  });

  it('without a wired `failed`, a failing subflow ends the execution with its error', () => {
    const unwired = structuredClone(parent());
    unwired.states.find((s) => s.name === 'sub')!.transitions[1] = { event: 'failed' };
    const h = new Harness(unwired);
    h.start();
    h.answer({ kind: 'subflow-loaded', flowSid: SUB, revision: 3, definition: child });
    h.answer({ kind: 'message-failed', code: 21211, message: 'invalid To' }, 'send-message');
    assert.deepEqual(h.path().slice(-2), ['say -failed-> Ended', 'sub -failed-> Ended']);
    assert.equal(h.state.status, 'ended');
    assert.deepEqual(h.state.endReason, { kind: 'error', code: 81011, message: 'invalid To' });
  });

  it('execution-wide limits still end the execution from inside a subflow', () => {
    const h = new Harness(parent(), { maxSameWidgetInARow: 3 });
    h.start();
    h.answer({ kind: 'subflow-loaded', flowSid: SUB, revision: 3, definition: flow('inner', [setVars('inner', [{ key: 'a', value: '1' }], 'inner')], 'incomingParent') });
    assert.equal(h.state.status, 'ended');
    assert.equal(h.state.endReason?.kind === 'error' && h.state.endReason.code, 81001);
    assert.ok(!h.path().includes('sub -failed-> broken'));
  });

  it('an early reply for one subflow\'s question never answers a same-named widget in the next subflow', () => {
    const OTHER = 'FW' + 'c'.repeat(32);
    const twoSubs = flow('first', [
      { name: 'first', type: 'run-subflow', transitions: [{ event: 'completed', next: 'second' }, { event: 'failed' }], properties: { flow_sid: SUB, flow_revision: 'LatestPublished' } },
      { name: 'second', type: 'run-subflow', transitions: [{ event: 'completed' }, { event: 'failed' }], properties: { flow_sid: OTHER, flow_revision: 'LatestPublished' } },
    ]);
    const asking = (body: string) =>
      flow('q', [{ name: 'q', type: 'send-and-wait-for-reply', transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure' }], properties: { body } }], 'incomingParent');
    const h = new Harness(twoSubs);
    h.start();
    h.answer({ kind: 'subflow-loaded', flowSid: SUB, revision: 1, definition: asking('Subscribe?') });
    h.reply('yes');
    h.reply('yes');
    h.deliver(); // the first 'yes' answers the first subflow; the second subflow loads
    h.answer({ kind: 'subflow-loaded', flowSid: OTHER, revision: 1, definition: asking('Your email?') });
    h.deliver();
    assert.equal(h.state.frames.length, 2);
    assert.equal(h.state.frames[1]!.wait?.kind, 'reply', 'the email question waits for its own answer');
    assert.ok(h.diagnostics.some((d) => d.code === 81002 && /dropped: widget 'q' asks a different question/.test(d.message)));
  });

  it('a missing subflow takes `failed`', () => {
    const h = new Harness(parent());
    h.start();
    h.answer({ kind: 'subflow-missing', message: 'not found' });
    assert.deepEqual(h.path().slice(1), ['sub -failed-> broken', 'broken -next-> Ended']);
    assert.deepEqual(h.codes('error'), [81024]);
  });
});

describe('send-to-flex (the channel creates the task; more in send-to-flex.test.ts)', () => {
  const flex = (attributes: string) =>
    flow('flex', [
      {
        name: 'flex',
        type: 'send-to-flex',
        transitions: [{ event: 'callComplete', next: 'done' }, { event: 'failedToEnqueue', next: 'nope' }, { event: 'callFailure' }],
        properties: { workflow: 'WW' + '1'.repeat(32), channel: 'TC' + '1'.repeat(32), attributes },
      },
      setVars('done', [{ key: 'task', value: '{{widgets.flex.TaskSid}}' }]),
      setVars('nope', [{ key: 'task', value: 'none' }]),
    ]);

  it('takes `callComplete` with TaskSid, parsed Attributes and Age 0', () => {
    const h = new Harness(flex('{"name":"{{trigger.message.From}}","channelType":"sms"}'));
    h.start();
    const asked = h.pending.find((e) => e.type === 'create-task');
    assert.ok(asked && asked.type === 'create-task');
    h.answer({ kind: 'task-created', task: { sid: 'WT' + 'a'.repeat(32), attributes: asked.task.attributes, age: 0 } });
    assert.deepEqual(h.path(), ['Trigger -incomingMessage-> flex', 'flex -callComplete-> done', 'done -next-> Ended']);
    const out = h.widgets.flex as any;
    assert.match(out.TaskSid, /^WT[0-9a-f]{32}$/);
    assert.deepEqual(out.Attributes, { name: CONTACT, channelType: 'sms' });
    assert.equal(out.Age, 0);
    assert.equal(h.variables.task, out.TaskSid);
  });

  it('keeps non-JSON attributes as the rendered string; a Liquid error is `failedToEnqueue`', () => {
    const text = new Harness(flex('plain {{contact.channel.address}}'));
    text.start();
    text.answer({ kind: 'task-created', task: { sid: 'WT' + 'a'.repeat(32), attributes: `plain ${CONTACT}`, age: 0 } });
    assert.equal((text.widgets.flex as any).Attributes, `plain ${CONTACT}`);
    const broken = new Harness(flex('{% if %}'));
    broken.start();
    assert.deepEqual(broken.path().slice(1), ['flex -failedToEnqueue-> nope', 'nope -next-> Ended']);
    assert.deepEqual(broken.codes('error'), [84003]);
  });
});

describe('unsupported widgets', () => {
  it('end the execution with 81003', () => {
    const h = new Harness(flow('say', [{ name: 'say', type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { say: 'hi' } }], 'incomingCall'));
    h.start('incomingCall', { call: { From: CONTACT } });
    assert.equal(h.state.status, 'ended');
    assert.deepEqual(h.codes('error'), [81003]);
    assert.equal(h.state.endReason?.kind === 'error' && h.state.endReason.code, 81003);
  });
});

// ---- Liquid errors

describe('Liquid render errors (84003)', () => {
  it('take the failure event when it is wired', () => {
    const h = new Harness(flow('m', [msg('m', 'Hi {{ trigger.message.Body | }', undefined, 'after'), setVars('after', [{ key: 'x', value: '1' }])]));
    h.start();
    assert.deepEqual(h.path().slice(1), ['m -failed-> after', 'after -next-> Ended']);
    const diagnostic = h.diagnostics.find((d) => d.code === 84003);
    assert.ok(diagnostic);
    assert.equal(diagnostic.level, 'error');
    assert.equal(diagnostic.widget, 'm');
    assert.equal((h.widgets.m as any).error.code, 84003);
  });

  it('end the execution when no failure event is wired (split, set-variables)', () => {
    for (const widget of [
      setVars('w', [{ key: 'x', value: '{% if %}' }]),
      { name: 'w', type: 'split-based-on', transitions: [{ event: 'noMatch' }, { event: 'match', conditions: [{ friendly_name: 'c', arguments: ['{% if %}'], type: 'equal_to', value: 'x' }] }], properties: { input: '{% if %}' } },
    ] as W[]) {
      const h = new Harness(flow('w', [widget]));
      h.start();
      assert.equal(h.state.status, 'ended', widget.type);
      assert.deepEqual(h.path().slice(1), ['w -error-> Ended'], widget.type);
      assert.ok(h.codes('error').includes(84003), widget.type);
      assert.deepEqual(h.state.endReason, { kind: 'error', code: 84003, message: (h.state.endReason as any).message });
    }
  });

  it('in make-http-request take `failed`', () => {
    const h = new Harness(
      flow('call', [
        { name: 'call', type: 'make-http-request', transitions: [{ event: 'success' }, { event: 'failed', next: 'ko' }], properties: { method: 'GET', url: 'https://x.example/{{ a | }', content_type: 'application/json' } },
        setVars('ko', [{ key: 'r', value: 'ko' }]),
      ]),
    );
    h.start();
    assert.deepEqual(h.path().slice(1), ['call -failed-> ko', 'ko -next-> Ended']);
    assert.equal(h.pending.length, 0);
  });
});

// ---- runtime rules

describe('runtime rules', () => {
  const loop = () => flow('a', [setVars('a', [{ key: 'n', value: '{{flow.variables.n | plus: 1}}' }], 'b'), setVars('b', [{ key: 'm', value: '{{flow.variables.n}}' }], 'a')]);

  it('ends with 81000 after 1,000 steps', () => {
    const h = new Harness(loop());
    h.start();
    assert.equal(h.state.status, 'ended');
    assert.equal(h.steps.length, 1000);
    assert.equal(h.state.stepCount, 1000);
    assert.equal(h.state.endReason?.kind === 'error' && h.state.endReason.code, 81000);
    assert.ok(h.codes().includes(81000));
    assert.equal(h.variables.n, 500);
  });

  it('the step limit is configurable through limits', () => {
    const h = new Harness(loop(), { maxSteps: 7 });
    h.start();
    assert.equal(h.steps.length, 7);
    assert.ok(h.codes().includes(81000));
  });

  it('counts steps across sprints', () => {
    const h = new Harness(
      flow('ask', [
        { name: 'ask', type: 'send-and-wait-for-reply', transitions: [{ event: 'incomingMessage', next: 'a' }, { event: 'timeout' }, { event: 'deliveryFailure' }], properties: { body: 'q', timeout: '10' } },
        setVars('a', [{ key: 'x', value: '1' }], 'b'),
        setVars('b', [{ key: 'x', value: '2' }], 'ask'),
      ]),
      { maxSteps: 6 },
    );
    h.start();
    h.deliver();
    h.reply('1'); // ask→a, a→b, b→ask: 4 steps
    h.deliver();
    h.reply('2'); // ask→a, a→b: 6 → stop
    assert.equal(h.state.status, 'ended');
    assert.equal(h.steps.length, 6);
    assert.ok(h.codes().includes(81000));
  });

  it('the same widget more than 10 times in a row ends with 81001', () => {
    const h = new Harness(flow('self', [setVars('self', [{ key: 'n', value: '{{flow.variables.n | plus: 1}}' }], 'self')]));
    h.start();
    assert.equal(h.state.status, 'ended');
    assert.equal(h.variables.n, 10, 'ran 10 times');
    assert.equal(h.state.endReason?.kind === 'error' && h.state.endReason.code, 81001);
    assert.ok(h.codes().includes(81001));
    const five = new Harness(flow('self', [setVars('self', [{ key: 'n', value: '{{flow.variables.n | plus: 1}}' }], 'self')]), { maxSameWidgetInARow: 3 });
    five.start();
    assert.equal(five.variables.n, 3);
  });

  it('alternating widgets do not trip 81001', () => {
    const h = new Harness(loop(), { maxSteps: 50 });
    h.start();
    assert.ok(!h.codes().includes(81001));
    assert.ok(h.codes().includes(81000));
  });

  it('unexpected events give an 81002 warning and change nothing', () => {
    const h = new Harness(
      flow('call', [{ name: 'call', type: 'make-http-request', transitions: [{ event: 'success' }, { event: 'failed' }], properties: { method: 'GET', url: 'https://x.example/', content_type: 'application/json' } }]),
    );
    h.start();
    const before = structuredClone(h.state);
    for (const event of [
      { type: 'inbound-message', message: { Body: 'hello?' } },
      { type: 'timer', timerId: 'TM-unknown' },
      { type: 'effect-result', effectId: 'EF-other', result: { kind: 'http-response', statusCode: 200, contentType: 'text/plain', body: '' } },
    ] as EngineEvent[]) {
      const result = h.send(event);
      assert.deepEqual(result.state, before, event.type);
      assert.deepEqual(result.effects, []);
      assert.deepEqual(result.steps, []);
      assert.deepEqual(
        result.diagnostics.map((d) => [d.level, d.code, d.widget]),
        [['warning', 81002, 'call']],
        event.type,
      );
    }
    // After the end, every event is unexpected too.
    h.http(200, '{}');
    const ended = structuredClone(h.state);
    const late = h.reply('late');
    assert.deepEqual(late.state, ended);
    assert.deepEqual(late.diagnostics.map((d) => d.code), [81002]);
  });

  it('manual end stops the execution and cancels the reply timer', () => {
    const h = new Harness(
      flow('ask', [{ name: 'ask', type: 'send-and-wait-for-reply', transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure' }], properties: { body: 'q' } }]),
    );
    h.start();
    h.deliver();
    const [timerId] = [...h.timers.keys()];
    const result = h.send({ type: 'end', reason: 'manual' });
    assert.equal(result.state.status, 'ended');
    assert.deepEqual(result.state.endReason, { kind: 'manual' });
    assert.deepEqual(result.effects, [{ type: 'cancel-timer', timerId }]);
    assert.equal(result.state.frames[0]!.wait, null);
    assert.deepEqual(result.steps, []);
    // An expired end behaves the same way, with its own reason.
    const h2 = new Harness(h.definition);
    h2.start();
    h2.deliver();
    assert.deepEqual(h2.send({ type: 'end', reason: 'expired' }).state.endReason, { kind: 'expired' });
    // A timer firing after the end is unexpected.
    assert.deepEqual(h.send({ type: 'timer', timerId: timerId! }).diagnostics.map((d) => d.code), [81002]);
  });

  it('state is JSON-serialisable: a JSON round trip mid-execution continues the same way', () => {
    const definition = flow('ask', [
      { name: 'ask', type: 'send-and-wait-for-reply', transitions: [{ event: 'incomingMessage', next: 'fn' }, { event: 'timeout' }, { event: 'deliveryFailure' }], properties: { body: 'q', timeout: '100' } },
      { name: 'fn', type: 'run-function', transitions: [{ event: 'success', next: 'v' }, { event: 'fail' }], properties: { url: 'https://fn.example/' } },
      setVars('v', [{ key: 'out', value: '{{widgets.fn.parsed.v}}-{{widgets.ask.inbound.Body}}' }]),
    ]);
    const direct = new Harness(definition);
    const viaJson = new Harness(definition);
    for (const h of [direct, viaJson]) {
      h.start();
      h.deliver();
    }
    viaJson.state = JSON.parse(JSON.stringify(viaJson.state));
    assert.deepEqual(viaJson.state, direct.state);
    for (const h of [direct, viaJson]) {
      h.reply('r');
      h.state = JSON.parse(JSON.stringify(h.state));
      h.http(200, '{"v":7}');
    }
    assert.equal(viaJson.variables.out, '7-r');
    assert.deepEqual(viaJson.path(), direct.path());
    assert.deepEqual(viaJson.state, direct.state);
  });

  it('never mutates the definition or the trigger data (both deep-frozen here)', () => {
    // Harness freezes definition, trigger data, flow data and every state it passes in; a mutation would throw.
    const h = new Harness(flow('a', [setVars('a', [{ key: 'obj', value: '{"k":1}', type: 'json' } as never], 'm'), msg('m', '{{flow.variables.obj.k}}')]));
    h.start('incomingMessage', { message: { Body: 'x', nested: { deep: [1] } } }, { d: { e: 1 } });
    h.deliver();
    assert.equal(h.state.status, 'ended');
    assert.equal((h.widgets.m as any).outbound.Body, '1');
  });
});
