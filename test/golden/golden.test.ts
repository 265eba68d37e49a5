// Golden whole-flow tests. Each test/golden/cases/<name>.json names a fixture flow, a trigger and a
// script; the test drives the pure engine (playing the runtime: messages are accepted, HTTP is
// answered from the script, subflows are loaded from fixtures, timers fire when the script lets
// time pass) and compares the outcome with the reviewed <name>.golden.json next to the case:
// the steps (from, event, to), the outbound messages, the HTTP requests, the Flex tasks asked for
// (only when there are any), the diagnostics, the
// final status and the final execution context. UPDATE_GOLDEN=1 rewrites the golden files.
//
// Script steps:
//   { "reply": "text" }                      the contact sends a message
//   { "wait": seconds }                      the clock moves on; due timers fire
//   { "http": { "status": 200, "body": "…", "contentType": "…" } }  answers the oldest HTTP request
//   { "http": { "fail": "timeout" | "network" } }                    the oldest HTTP request fails
//   { "sendFails": { "code": 21610, "message": "…" } }               the channel refuses the oldest message
//   { "undelivered": "30003" }               a delivery report: the last message was undelivered
//   { "end": "manual" }                      the execution is ended through the API
// Outbound messages are accepted automatically unless the next script step is `sendFails`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { executionContext, handleEvent, startExecution } from '../../src/engine/interpreter.ts';
import type { Effect, EffectResult, EngineEvent, EngineInput, ExecutionState, Json, JsonObject, SprintResult, TriggerEvent } from '../../src/engine/types.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import { validateDefinition } from '../../src/definition/validate.ts';

const CASES = new URL('./cases/', import.meta.url);
const FLOWS = new URL('../fixtures/flows/', import.meta.url);
const UPDATE = process.env.UPDATE_GOLDEN === '1';

type ScriptStep =
  | { reply: string }
  | { wait: number }
  | { http: { status?: number; body?: string; contentType?: string; fail?: 'timeout' | 'network' } }
  | { sendFails: { code: number; message: string } }
  | { undelivered: string }
  | { end: 'manual' };

interface Case {
  description?: string;
  flow: string;
  subflows?: Record<string, string>;
  trigger: { event: TriggerEvent; contact: string; channel: string; data: JsonObject; flowData?: JsonObject };
  script: ScriptStep[];
}

function loadFlow(path: string): FlowDefinition {
  const definition = JSON.parse(readFileSync(new URL(path, FLOWS), 'utf8')) as FlowDefinition;
  const checked = validateDefinition(definition);
  assert.equal(checked.valid, true, `${path}: ${JSON.stringify(checked.errors)}`);
  return definition;
}

/** Runs one case to completion and returns what the golden file holds. */
function runCase(c: Case): JsonObject {
  const definition = loadFlow(c.flow);
  let now = Date.parse('2026-05-04T09:00:00Z');
  let counter = 0;
  const input = (): EngineInput => ({ definition, now, newId: (prefix) => prefix + (++counter).toString(16).padStart(32, '0') });

  const steps: Json[] = [];
  const messages: Json[] = [];
  const requests: Json[] = [];
  const tasks: Json[] = [];
  const diagnostics: Json[] = [];
  const pending: Exclude<Effect, { type: 'set-timer' | 'cancel-timer' }>[] = [];
  const timers = new Map<string, number>();
  let state: ExecutionState;
  let lastSid = '';

  const take = (result: SprintResult): void => {
    state = result.state;
    for (const s of result.steps) steps.push({ from: s.transitionedFrom, event: s.name, to: s.transitionedTo, ...(s.parentStepSid ? { inSubflow: true } : {}) });
    for (const d of result.diagnostics) diagnostics.push({ level: d.level, code: d.code, ...(d.widget ? { widget: d.widget } : {}) });
    for (const e of result.effects) {
      if (e.type === 'set-timer') timers.set(e.timerId, e.dueAt);
      else if (e.type === 'cancel-timer') timers.delete(e.timerId);
      else pending.push(e);
    }
  };
  const send = (event: EngineEvent): void => take(handleEvent(input(), JSON.parse(JSON.stringify(state)), event));
  const answer = (effect: (typeof pending)[number], result: EffectResult): void => {
    pending.splice(pending.indexOf(effect), 1);
    send({ type: 'effect-result', effectId: effect.effectId, result });
  };

  /** Carries out the effects the runtime would do on its own (accept messages, load subflows). */
  const settle = (next: ScriptStep | undefined): void => {
    for (;;) {
      const effect = pending.find((e) => e.type === 'load-subflow' || e.type === 'create-task' || (e.type === 'send-message' && !(next && 'sendFails' in next)));
      if (!effect || state.status === 'ended') return;
      if (effect.type === 'send-message') {
        lastSid = 'SM' + String(messages.length + 1).padStart(32, '0');
        const m = effect.message;
        messages.push({ widget: effect.widget, from: m.from, to: m.to, body: m.body, ...(m.mediaUrl ? { mediaUrl: m.mediaUrl } : {}) });
        answer(effect, { kind: 'message-sent', message: { Sid: lastSid, From: m.from, To: m.to, Body: m.body, Status: 'queued' } });
      } else if (effect.type === 'create-task') {
        // The channel's hand-off to Flex (TaskRouter, or the simulator's record): the task exists.
        const sid = 'WT' + String(tasks.length + 1).padStart(32, '0');
        tasks.push({ widget: effect.widget, ...effect.task });
        answer(effect, { kind: 'task-created', task: { sid, workflow_sid: effect.task.workflowSid, attributes: effect.task.attributes, priority: effect.task.priority, age: 0 } });
      } else if (effect.type === 'load-subflow') {
        const path = c.subflows?.[effect.flowSid];
        answer(
          effect,
          path
            ? { kind: 'subflow-loaded', flowSid: effect.flowSid, revision: 1, definition: loadFlow(path) }
            : { kind: 'subflow-missing', message: `Subflow ${effect.flowSid} was not found` },
        );
      } else {
        return;
      }
    }
  };

  take(
    startExecution(
      input(),
      { executionSid: 'FN' + 'a'.repeat(32), accountSid: 'AC' + 'a'.repeat(32), flowSid: 'FW' + 'a'.repeat(32), revision: 1, channelAddress: c.trigger.channel, contactAddress: c.trigger.contact },
      c.trigger.event,
      c.trigger.data,
      c.trigger.flowData ?? {},
    ),
  );
  settle(c.script[0]);
  c.script.forEach((step, i) => {
    const where = `script[${i}] ${JSON.stringify(step)}`;
    assert.equal(state.status, 'active', `${where}: the execution already ended`);
    if ('reply' in step) {
      send({ type: 'inbound-message', message: { Body: step.reply, From: c.trigger.contact, To: c.trigger.channel, MessageSid: `SMin${i}` } });
    } else if ('wait' in step) {
      now += step.wait * 1000;
      for (const [timerId, dueAt] of [...timers].sort((a, b) => a[1] - b[1])) {
        if (dueAt <= now && timers.delete(timerId)) send({ type: 'timer', timerId });
      }
    } else if ('http' in step) {
      const effect = pending.find((e) => e.type === 'http-request');
      assert.ok(effect && effect.type === 'http-request', `${where}: no HTTP request is pending`);
      const r = effect.request;
      requests.push({ widget: effect.widget, purpose: effect.purpose, method: r.method, url: r.url, contentType: r.contentType, ...(r.body !== undefined ? { body: r.body } : {}), parameters: r.parameters });
      answer(
        effect,
        step.http.fail
          ? { kind: 'http-failed', reason: step.http.fail, message: `simulated ${step.http.fail}` }
          : { kind: 'http-response', statusCode: step.http.status ?? 200, contentType: step.http.contentType ?? 'application/json', body: step.http.body ?? '' },
      );
    } else if ('sendFails' in step) {
      const effect = pending.find((e) => e.type === 'send-message');
      assert.ok(effect && effect.type === 'send-message', `${where}: no message is pending`);
      messages.push({ widget: effect.widget, from: effect.message.from, to: effect.message.to, body: effect.message.body, failed: step.sendFails.code });
      answer(effect, { kind: 'message-failed', code: step.sendFails.code, message: step.sendFails.message });
    } else if ('undelivered' in step) {
      send({ type: 'delivery-status', messageSid: lastSid, status: 'undelivered', errorCode: step.undelivered });
    } else if ('end' in step) {
      send({ type: 'end', reason: step.end });
    } else {
      assert.fail(`${where}: unknown script step`);
    }
    settle(c.script[i + 1]);
  });

  return {
    status: state!.status,
    endReason: state!.endReason as Json,
    steps,
    messages,
    requests,
    ...(tasks.length > 0 ? { tasks } : {}),
    diagnostics,
    pending: pending.map((e) => `${e.type} ${e.widget}`),
    timers: timers.size,
    context: executionContext(state!),
  };
}

describe('golden whole-flow cases', () => {
  const files = readdirSync(CASES).filter((f) => f.endsWith('.json') && !f.endsWith('.golden.json')).sort();
  it('has at least 4 cases', () => assert.ok(files.length >= 4, `${files.length} cases`));
  for (const file of files) {
    it(file.replace(/\.json$/, ''), () => {
      const c = JSON.parse(readFileSync(new URL(file, CASES), 'utf8')) as Case;
      const actual = runCase(c);
      const goldenUrl = new URL(file.replace(/\.json$/, '.golden.json'), CASES);
      if (UPDATE) {
        writeFileSync(goldenUrl, JSON.stringify(actual, null, 2) + '\n');
        return;
      }
      assert.ok(existsSync(goldenUrl), `${file}: no golden file yet; run with UPDATE_GOLDEN=1 and review it`);
      const expected = JSON.parse(readFileSync(goldenUrl, 'utf8'));
      assert.deepEqual(actual, expected, `${file} differs from its golden file (UPDATE_GOLDEN=1 rewrites it after review)`);
    });
  }
});
