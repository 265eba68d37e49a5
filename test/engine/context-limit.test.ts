// The execution context's size limit (limits.maxContextBytes): a step that would take the context
// over it does not happen, and its widget fails instead (its failure event when wired, else the
// execution ends with 84003). Sizes are kept step by step on each frame (Frame.contextBytes).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { executionContext } from '../../src/engine/interpreter.ts';
import { measureFrame } from '../../src/engine/context-size.ts';
import { threadCpuMs } from '../../src/lib/thread-cpu.ts';
import type { EngineEvent, JsonObject, SprintResult } from '../../src/engine/types.ts';
import type { FlowDefinition, State } from '../../src/definition/types.ts';
import { EngineRun } from './helpers.ts';

const LIMIT = 64 * 1024;
const CONTACT = '+15550001111';
const FLOW_ADDRESS = '+15559990000';

type W = Omit<State, 'properties' | 'type'> & { type: string; properties?: Record<string, unknown> };

function flow(first: string, widgets: W[], event = 'incomingMessage'): FlowDefinition {
  return {
    description: 'context limit',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      { name: 'Trigger', type: 'trigger', transitions: [{ event, next: first }], properties: { offset: { x: 0, y: 0 } } },
      ...widgets.map((w) => ({ ...w, properties: { offset: { x: 0, y: 0 }, ...w.properties } }) as State),
    ],
  };
}

/** A Set Variables widget setting `count` variables named `<prefix>_<i>` to flow.data.s. */
function setMany(name: string, prefix: string, count: number, next?: string, value = '{{flow.data.s}}'): W {
  const variables = Array.from({ length: count }, (_, i) => ({ key: `${prefix}_${i}`, value }));
  return { name, type: 'set-variables', transitions: [{ event: 'next', ...(next ? { next } : {}) }], properties: { variables } };
}

class Run extends EngineRun {
  constructor(definition: FlowDefinition, maxContextBytes = LIMIT) {
    super(definition, { maxContextBytes });
  }

  start(data: JsonObject = {}, trigger: JsonObject = { message: { Body: 'hi', From: CONTACT, To: FLOW_ADDRESS } }): SprintResult {
    return this.startBy('incomingMessage', trigger, data, { flow: FLOW_ADDRESS, contact: CONTACT });
  }

  /** Answers the effect the execution waits on. */
  answer(result: Extract<EngineEvent, { type: 'effect-result' }>['result']): SprintResult {
    const wait = this.state.frames.at(-1)!.wait;
    assert.ok(wait?.kind === 'effect', `waits on an effect, not ${JSON.stringify(wait)}`);
    return this.send({ type: 'effect-result', effectId: wait.effectId, result });
  }

  /** The context as the API shows it, in JSON bytes. */
  shownBytes(): number {
    return Buffer.byteLength(JSON.stringify(executionContext(this.state)));
  }
}

const KB = 'z'.repeat(1000);

describe('the context size limit', () => {
  it('a Set Variables that would pass it does not set anything: the execution ends with 84003 naming the widget, the size and the limit', () => {
    // Each widget adds 10 variables of 1,000 bytes twice (flow.variables and its own outputs): ~20 KB a step,
    // so the fourth would take the context past 64 KiB.
    const run = new Run(flow('v1', [setMany('v1', 'a', 10, 'v2'), setMany('v2', 'b', 10, 'v3'), setMany('v3', 'c', 10, 'v4'), setMany('v4', 'd', 10)]));
    run.start({ s: KB });
    assert.equal(run.state.status, 'ended');
    assert.deepEqual(run.path(), ['Trigger -incomingMessage-> v1', 'v1 -next-> v2', 'v2 -next-> v3', 'v3 -next-> v4', 'v4 -error-> Ended']);
    const reason = run.state.endReason;
    assert.ok(reason?.kind === 'error');
    assert.equal(reason.code, 84003);
    assert.match(reason.message, new RegExp(`^Widget 'v4' would take the execution's context to \\d+ bytes, over its limit of ${LIMIT} bytes \\(the widget adds \\d+ bytes\\)$`));
    const size = Number(/context to (\d+) bytes/.exec(reason.message)![1]);
    assert.ok(size > LIMIT && size < LIMIT + 25_000, `${size}`);
    assert.deepEqual(
      run.diagnostics.map((d) => [d.level, d.code, d.widget]),
      [['error', 84003, 'v4']],
      'one error alert, naming the widget',
    );
    const variables = run.state.frames[0]!.variables;
    assert.equal(variables.c_9, KB, 'the widgets before it set theirs');
    assert.equal(variables.d_0, undefined, 'the refused widget set nothing');
    assert.deepEqual(run.state.frames[0]!.widgets.v4, { error: { code: 84003, message: reason.message } });
    assert.ok(run.shownBytes() <= LIMIT, `the context stayed within the limit (${run.shownBytes()})`);
  });

  it('the fuzz case: 150 widgets x 50 items of a 16 KB value stop at the default 5 MiB, at once', () => {
    const widgets = Array.from({ length: 150 }, (_, i) => setMany(`w${i}`, `v${i}`, 50, i < 149 ? `w${i + 1}` : undefined));
    const run = new Run(flow('w0', widgets), 5 * 1024 * 1024);
    // This thread's CPU time, not the wall clock's: on a busy machine other processes' turns count in the latter.
    const started = threadCpuMs();
    run.start({ s: 'z'.repeat(16_000) });
    const elapsed = threadCpuMs() - started;
    assert.equal(run.state.status, 'ended');
    assert.ok(run.state.endReason?.kind === 'error' && run.state.endReason.code === 84003);
    assert.ok(run.steps.length < 10, `${run.steps.length} steps`);
    assert.ok(run.shownBytes() <= 5 * 1024 * 1024);
    assert.ok(elapsed < 2000, `${elapsed} ms of CPU`);
  });

  it("a widget with its failure event wired leaves by it, with the error as outputs and the response it got left out", () => {
    const definition = flow('call', [
      {
        name: 'call',
        type: 'make-http-request',
        transitions: [{ event: 'success', next: 'ok' }, { event: 'failed', next: 'ko' }],
        properties: { method: 'GET', url: 'https://api.example.com/big', content_type: 'application/json;charset=utf-8' },
      },
      setMany('ok', 'ok', 1, undefined, 'small'),
      setMany('ko', 'ko', 1, undefined, 'small'),
    ]);
    const run = new Run(definition);
    run.start({ s: 'x' });
    run.answer({ kind: 'http-response', statusCode: 200, contentType: 'application/json', body: JSON.stringify({ blob: 'y'.repeat(40_000) }) });
    assert.deepEqual(run.path(), ['Trigger -incomingMessage-> call', 'call -failed-> ko', 'ko -next-> Ended']);
    const outputs = run.state.frames[0]!.widgets.call as JsonObject;
    assert.deepEqual(Object.keys(outputs), ['error']);
    assert.equal((outputs.error as JsonObject).code, 84003);
    assert.match((outputs.error as JsonObject).message as string, /^Widget 'call' would take the execution's context to \d+ bytes, over its limit of 65536 bytes/);
    assert.equal(run.state.endReason?.kind, 'completed', 'the flow went on by failed');
    assert.deepEqual(run.diagnostics.map((d) => [d.level, d.code]), [['error', 84003]]);
  });

  it('a refused step applies nothing of itself: a conversation too large to keep does not move the execution into it', () => {
    const definition = flow('start', [
      {
        name: 'start',
        type: 'start-conversation',
        transitions: [{ event: 'created', next: 'ok' }, { event: 'failed', next: 'ko' }],
        properties: { conversation_service_sid: 'IS' + 'a'.repeat(32), participants: [{ type: 'sms', messaging_binding_address: '{{contact.channel.address}}', messaging_binding_proxy_address: '{{flow.channel.address}}' }] },
      },
      setMany('ok', 'ok', 1, undefined, 'small'),
      setMany('ko', 'ko', 1, undefined, 'small'),
    ]);
    const run = new Run(definition);
    run.start();
    const conversation = { sid: 'CH' + '1'.repeat(32), attributes: 'y'.repeat(70_000), participants: [{ type: 'sms', messaging_binding_address: CONTACT }] };
    run.answer({ kind: 'conversation-started', conversation, webhookSid: 'WH' + '2'.repeat(32) });
    assert.deepEqual(run.path(), ['Trigger -incomingMessage-> start', 'start -failed-> ko', 'ko -next-> Ended']);
    assert.equal(run.state.channelAddress, FLOW_ADDRESS, 'still on the flow address, not the conversation');
    assert.deepEqual(run.diagnostics.map((d) => [d.level, d.code]), [['error', 84003]]);
  });

  it('a subflow whose trigger would pass it is not entered: Run Subflow takes failed', () => {
    const SUB = 'FW' + 'b'.repeat(32);
    const parent = flow('sub', [
      {
        name: 'sub',
        type: 'run-subflow',
        // Parameters render from flow.data (15 KB each): 60 KB of subflow trigger beside the parent's 15 KB of data.
        transitions: [{ event: 'completed', next: 'after' }, { event: 'failed', next: 'broken' }],
        properties: { flow_sid: SUB, flow_revision: 'LatestPublished', parameters: [1, 2, 3, 4].map((i) => ({ key: `p${i}`, value: '{{flow.data.s}}' })) },
      },
      setMany('after', 'after', 1, undefined, 'small'),
      setMany('broken', 'broken', 1, undefined, 'small'),
    ]);
    const child = flow('inner', [setMany('inner', 'inner', 1)], 'incomingParent');
    const run = new Run(parent);
    run.start({ s: 'q'.repeat(15_000) });
    run.answer({ kind: 'subflow-loaded', flowSid: SUB, revision: 1, definition: child });
    assert.deepEqual(run.path(), ['Trigger -incomingMessage-> sub', 'sub -failed-> broken', 'broken -next-> Ended']);
    assert.equal(run.state.frames.length, 1);
    const error = (run.state.frames[0]!.widgets.sub as JsonObject).error as JsonObject;
    assert.equal(error.code, 84003);
    assert.match(error.message as string, /^Widget 'sub' would take the execution's context to \d+ bytes, over its limit of 65536 bytes/);

    // The same subflow fits under a larger limit; its frame counts while it runs and no longer once it returns.
    const roomy = new Run(parent, 256 * 1024);
    roomy.start({ s: 'q'.repeat(15_000) });
    roomy.answer({ kind: 'subflow-loaded', flowSid: SUB, revision: 1, definition: child });
    assert.deepEqual(roomy.path(), ['Trigger -incomingMessage-> sub', 'Trigger -incomingParent-> inner', 'inner -next-> Ended', 'sub -completed-> after', 'after -next-> Ended']);
    assert.equal(roomy.state.frames.length, 1);
    const main = roomy.state.frames[0]!;
    assert.ok(Math.abs(main.contextBytes! - measureFrame(main)) <= 8, `${main.contextBytes} kept, ${measureFrame(main)} measured`);
  });

  it('a start whose trigger and data alone pass it ends at once with 84003', () => {
    const run = new Run(flow('v1', [setMany('v1', 'a', 1)]));
    run.start({ s: 'p'.repeat(70_000) });
    assert.equal(run.state.status, 'ended');
    assert.ok(run.state.endReason?.kind === 'error' && run.state.endReason.code === 84003);
    assert.match(run.state.endReason.message, /^Widget 'Trigger' would take the execution's context to \d+ bytes, over its limit of 65536 bytes/);
    assert.deepEqual(run.path(), ['Trigger -error-> Ended']);
  });

  it('the size is kept step by step, through loops that replace outputs, close to the context measured whole', () => {
    // A loop of replies: each reply replaces the widget's outputs, and a set-variables overwrites the same key.
    const definition = flow('ask', [
      {
        name: 'ask',
        type: 'send-and-wait-for-reply',
        transitions: [{ event: 'incomingMessage', next: 'keep' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
        properties: { from: '{{flow.channel.address}}', body: 'again?', timeout: '3600' },
      },
      { name: 'keep', type: 'set-variables', transitions: [{ event: 'next', next: 'ask' }], properties: { variables: [{ key: 'last', value: '{{widgets.ask.inbound.Body}}' }, { key: 'n', value: '{{flow.variables.n | plus: 1}}' }] } },
    ]);
    const run = new Run(definition);
    run.start();
    for (let i = 0; i < 8; i++) {
      run.answer({ kind: 'message-sent', message: { Sid: `SM${i}`, Status: 'queued', Body: 'again?' } });
      run.send({ type: 'inbound-message', message: { Body: 'w'.repeat(100 * (8 - i)), From: CONTACT, To: FLOW_ADDRESS, MessageSid: `SMin${i}` } });
      const frame = run.state.frames[0]!;
      assert.ok(Math.abs(frame.contextBytes! - measureFrame(frame)) <= 8, `reply ${i}: ${frame.contextBytes} kept, ${measureFrame(frame)} measured`);
    }
    assert.equal(run.state.frames[0]!.variables.n, 8);
  });

  it('a state written before sizes were kept is measured once, then kept', () => {
    const definition = flow('ask', [
      {
        name: 'ask',
        type: 'send-and-wait-for-reply',
        transitions: [{ event: 'incomingMessage', next: 'keep' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
        properties: { from: '{{flow.channel.address}}', body: 'size?', timeout: '3600' },
      },
      setMany('keep', 'k', 2),
    ]);
    const run = new Run(definition);
    run.start({ s: 'y'.repeat(15_000) });
    run.answer({ kind: 'message-sent', message: { Sid: 'SM1', Status: 'queued', Body: 'size?' } });
    // An older state: no contextBytes on its frames. Two 15 KB variables (and the widget's outputs) do not fit beside the data.
    const legacy = structuredClone(run.state);
    delete legacy.frames[0]!.contextBytes;
    run.state = legacy;
    run.send({ type: 'inbound-message', message: { Body: 'ok', From: CONTACT, To: FLOW_ADDRESS, MessageSid: 'SMin' } });
    assert.deepEqual(run.path().slice(-2), ['ask -incomingMessage-> keep', 'keep -error-> Ended']);
    assert.ok(run.state.endReason?.kind === 'error' && run.state.endReason.code === 84003);
    assert.match(run.state.endReason.message, /^Widget 'keep' would take the execution's context/);
    const frame = run.state.frames[0]!;
    assert.ok(Math.abs(frame.contextBytes! - measureFrame(frame)) <= 8, `${frame.contextBytes} kept, ${measureFrame(frame)} measured`);
  });

  it('flows well within it run as before, with their size kept on the frame', () => {
    const run = new Run(flow('v1', [setMany('v1', 'a', 3, 'v2'), setMany('v2', 'b', 3)]));
    run.start({ s: 'small' });
    assert.equal(run.state.endReason?.kind, 'completed');
    assert.equal(run.state.frames[0]!.variables.b_2, 'small');
    const frame = run.state.frames[0]!;
    assert.ok(Math.abs(frame.contextBytes! - measureFrame(frame)) <= 8);
  });
});
