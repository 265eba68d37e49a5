// Send & Wait For Reply `timeout` (studio-flow-language §1.3, §2.16): a string property, so Liquid is
// rendered; a whole number of seconds from 1 to 10 years (a sanity bound), otherwise the default 3600 with warning 81028.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { handleEvent } from '../../src/engine/interpreter.ts';
import { renderTemplate } from '../../src/engine/liquid.ts';
import { DEFAULT_LIMITS, type Effect, type Json, type SprintResult } from '../../src/engine/types.ts';
import { replyTimeout } from '../../src/engine/widgets/send-and-wait-for-reply.ts';
import { REPLY_TIMEOUT_MAX_SECONDS } from '../../src/definition/reply-timeout.ts';
import type { WidgetEnv } from '../../src/engine/widgets/widget.ts';
import type { FlowDefinition, State } from '../../src/definition/types.ts';
import { startFlow } from './helpers.ts';

const T0 = Date.parse('2026-05-01T00:00:00Z');

/** Trigger → set-variables (t = `variable`) → send-and-wait with `timeout`. */
function flow(timeout: Json | undefined, variable = '60'): FlowDefinition {
  return {
    description: 'timeout',
    initial_state: 'Trigger',
    states: [
      { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'vars' }], properties: {} },
      { name: 'vars', type: 'set-variables', transitions: [{ event: 'next', next: 'ask' }], properties: { variables: [{ key: 't', value: variable }] } },
      {
        name: 'ask',
        type: 'send-and-wait-for-reply',
        transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
        properties: { body: 'How long?', ...(timeout === undefined ? {} : { timeout }) },
      },
    ],
  } as FlowDefinition;
}

/** Runs the flow until the question is sent; returns the reply timer's delay in seconds and the sprint. */
function timerSeconds(timeout: Json | undefined, variable?: string): { seconds: number; result: SprintResult } {
  const { input, result: started } = startFlow(flow(timeout, variable), 'incomingMessage', { message: { Body: 'hi' } });
  const send = started.effects.find((e): e is Extract<Effect, { type: 'send-message' }> => e.type === 'send-message');
  assert.ok(send, 'the question is sent');
  const result = handleEvent(input, started.state, {
    type: 'effect-result',
    effectId: send.effectId,
    result: { kind: 'message-sent', message: { Sid: 'SM1', Status: 'queued', Body: 'How long?' } },
  });
  const timer = result.effects.find((e): e is Extract<Effect, { type: 'set-timer' }> => e.type === 'set-timer');
  assert.ok(timer, 'a reply timer is set');
  return { seconds: (timer.dueAt - input.now) / 1000, result };
}

/** Just enough of a WidgetEnv for replyTimeout: the state, the limits and a Liquid render over `variables`. */
function env(timeout: Json | undefined, variables: Record<string, Json> = {}): WidgetEnv {
  const state = flow(timeout).states[2] as State;
  const context = { flow: { variables }, trigger: {}, widgets: {}, contact: {} };
  return {
    state,
    limits: DEFAULT_LIMITS,
    now: T0,
    render: (template: unknown) => renderTemplate(String(template), context, { now: new Date(T0), timezone: 'UTC' }),
  } as unknown as WidgetEnv;
}

describe('send-and-wait timeout in the engine', () => {
  it('renders Liquid: "{{flow.variables.t}}" with t = 60 waits 60 s', () => {
    assert.equal(timerSeconds('{{flow.variables.t}}').seconds, 60);
  });

  it('takes literal strings and integers (exports hold both)', () => {
    assert.equal(timerSeconds('120').seconds, 120);
    assert.equal(timerSeconds(' 90 ').seconds, 90);
    assert.equal(timerSeconds(45).seconds, 45);
  });

  it('uses the default 3600 when the property is absent', () => {
    assert.equal(timerSeconds(undefined).seconds, 3600);
    assert.equal(timerSeconds('').seconds, 3600);
  });

  it('falls back to 3600 for "0", negatives, fractions, words, out-of-range values and empty renders', () => {
    for (const bad of ['0', 0, '-5', -5, '90.5', '1h', String(REPLY_TIMEOUT_MAX_SECONDS + 1), '{{flow.variables.missing}}']) {
      assert.equal(timerSeconds(bad).seconds, 3600, JSON.stringify(bad));
    }
    assert.equal(timerSeconds('{{flow.variables.t}}', 'soon').seconds, 3600);
  });

  it('reports the fallback as an 81028 warning on the sprint (and nothing for a valid timeout)', () => {
    const warned = timerSeconds('0').result.diagnostics;
    assert.deepEqual(warned.map((d) => [d.level, d.code, d.widget]), [['warning', 81028, 'ask']]);
    assert.match(warned[0]!.message, /timeout '0'/);
    assert.deepEqual(timerSeconds('120').result.diagnostics, []);
  });

  it('accepts waits longer than the 30-day execution lifetime (the execution expires first) up to the bound', () => {
    assert.equal(timerSeconds(String(45 * 86400)).seconds, 45 * 86400);
    assert.equal(timerSeconds(String(REPLY_TIMEOUT_MAX_SECONDS)).seconds, REPLY_TIMEOUT_MAX_SECONDS);
  });
});

describe('replyTimeout()', () => {
  it('gives valid values without a warning', () => {
    assert.deepEqual(replyTimeout(env('{{flow.variables.t}}', { t: 30 })), { seconds: 30 });
    assert.deepEqual(replyTimeout(env('600')), { seconds: 600 });
    assert.deepEqual(replyTimeout(env(600)), { seconds: 600 });
    assert.deepEqual(replyTimeout(env(undefined)), { seconds: 3600 });
  });

  it('warns (81028, widget named) with the value and the default it uses instead', () => {
    const zero = replyTimeout(env('0'));
    assert.equal(zero.seconds, 3600);
    assert.equal(zero.warning?.level, 'warning');
    assert.equal(zero.warning?.code, 81028);
    assert.equal(zero.warning?.widget, 'ask');
    assert.match(zero.warning?.message ?? '', /timeout '0' is not a whole number of seconds from 1 to 315360000; the default 3600 seconds is used/);

    const rendered = replyTimeout(env('{{flow.variables.t}}', { t: 'soon' }));
    assert.equal(rendered.seconds, 3600);
    assert.match(rendered.warning?.message ?? '', /'\{\{flow\.variables\.t\}\}' \(rendered 'soon'\)/);

    for (const bad of ['-1', -1, '2.5', 'abc', '9999999999']) {
      const r = replyTimeout(env(bad));
      assert.equal(r.seconds, 3600, JSON.stringify(bad));
      assert.equal(r.warning?.code, 81028, JSON.stringify(bad));
    }
  });

  it('warns on a Liquid error and still waits the default', () => {
    const r = replyTimeout(env('{% if %}'));
    assert.equal(r.seconds, 3600);
    assert.match(r.warning?.message ?? '', /could not be rendered/);
  });

  it('uses the configured default (limits.defaultReplyTimeoutSeconds)', () => {
    const e = env('0');
    const r = replyTimeout({ ...e, limits: { ...DEFAULT_LIMITS, defaultReplyTimeoutSeconds: 900 } });
    assert.equal(r.seconds, 900);
    assert.match(r.warning?.message ?? '', /the default 900 seconds is used/);
  });
});
