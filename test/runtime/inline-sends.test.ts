// The simulator completes a plain message in memory, so the sprint that sends it applies the result itself:
// one durable write instead of an outbox row and a second sprint. What the contact sees must still follow the
// write: nothing shows before it lands, a write that fails shows nothing (and takes back an armed failure it
// used), and a flow that sends in a loop is written as it goes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../support/server.ts';
import { askWidget, triggerFlow } from '../support/flows.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { SIMULATOR_FLOW_ADDRESS } from '../../src/channels/simulator/simulator-channel.ts';
import { StoreConflictError, type SprintWrite } from '../../src/runtime/ports/store.ts';

const CONTACT = '+15557770101';

const askFlow = triggerFlow('ask', 'incomingRequest', 'ask', [askWidget('ask', 200, 'Hi, how are you?', '3600')]);

/** `count` Send Message widgets in a row, each sending its number. */
function sendsInARow(count: number) {
  const widgets = Array.from({ length: count }, (_, i) => ({
    name: `send${i + 1}`,
    type: 'send-message',
    properties: { offset: { x: 0, y: 200 * (i + 1) }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: `message ${i + 1}` },
    transitions: [i + 1 < count ? { event: 'sent', next: `send${i + 2}` } : { event: 'sent' }, { event: 'failed' }],
  }));
  return triggerFlow('sends', 'incomingRequest', 'send1', widgets);
}

async function serverCountingWrites() {
  const store = new SqliteStore({ path: ':memory:' });
  const writes: SprintWrite[] = [];
  const writeSprint = store.writeSprint.bind(store);
  let gate: Promise<void> | null = null;
  let failNext: Error | null = null;
  store.writeSprint = async (write: SprintWrite) => {
    writes.push(write);
    if (gate) await gate;
    if (failNext) {
      const error = failNext;
      failNext = null;
      throw error;
    }
    return writeSprint(write);
  };
  const t = await startTestServer({ store });
  return {
    t,
    writes,
    hold: () => {
      let release!: () => void;
      gate = new Promise<void>((resolve) => (release = resolve));
      return () => ((gate = null), release());
    },
    failNextWrite: (error: Error) => void (failNext = error),
  };
}

const outbound = (t: Awaited<ReturnType<typeof startTestServer>>) => t.app.simulator.transcript(SIMULATOR_FLOW_ADDRESS, CONTACT).filter((entry) => entry.direction === 'outbound-api');

describe('sends the simulator completes inside the sprint', () => {
  it('a new execution that asks a question is one durable write, its outbox never used, and the question is sent', async () => {
    const { t, writes } = await serverCountingWrites();
    try {
      const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'ask', status: 'published', definition: askFlow });
      const { execution } = await t.app.executions.create(t.account.sid, flow.sid, { to: CONTACT, from: SIMULATOR_FLOW_ADDRESS }, 'error');
      await t.app.executions.idle();
      assert.equal(writes.length, 1, 'one sprint written');
      assert.deepEqual(writes[0]!.effectsToAdd, [], 'no outbox row');
      assert.equal(writes[0]!.timersToAdd.length, 1, "the reply's timeout is set in the same write");
      assert.deepEqual(outbound(t).map((entry) => entry.body), ['Hi, how are you?']);
      const stored = await t.app.store.getExecution(t.account.sid, flow.sid, execution.sid);
      assert.equal(stored?.status, 'active');
      const steps = await t.app.store.listSteps(t.account.sid, flow.sid, execution.sid, { pageSize: 50 });
      assert.deepEqual(steps.items.map((step) => [step.transitionedFrom, step.transitionedTo]), [['Trigger', 'ask']]);
    } finally {
      await t.close();
    }
  });

  it('nothing is shown to the contact before the write lands', async () => {
    const { t, hold } = await serverCountingWrites();
    try {
      const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'ask', status: 'published', definition: askFlow });
      const release = hold();
      const created = t.app.executions.create(t.account.sid, flow.sid, { to: CONTACT, from: SIMULATOR_FLOW_ADDRESS }, 'error');
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(outbound(t), [], 'not sent while the write is out');
      release();
      await created;
      assert.equal(outbound(t).length, 1, 'sent once written');
    } finally {
      await t.close();
    }
  });

  it('a write that fails sends nothing, and a failure armed for the contact is left for the next send', async () => {
    const { t, failNextWrite } = await serverCountingWrites();
    try {
      const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'ask', status: 'published', definition: askFlow });
      t.app.simulator.failNext(CONTACT, 'send', t.account.sid);
      failNextWrite(new Error('disk I/O error'));
      await assert.rejects(t.app.executions.create(t.account.sid, flow.sid, { to: CONTACT, from: SIMULATOR_FLOW_ADDRESS }, 'error'));
      assert.deepEqual(outbound(t), [], 'nothing sent');
      assert.equal(t.app.simulator.armedFailure(CONTACT, t.account.sid), 'send', 'the armed failure is still armed');
      const { execution } = await t.app.executions.create(t.account.sid, flow.sid, { to: CONTACT, from: SIMULATOR_FLOW_ADDRESS }, 'error');
      await t.app.executions.idle();
      assert.equal(t.app.simulator.armedFailure(CONTACT, t.account.sid), null, 'used by the send that was written');
      const steps = await t.app.store.listSteps(t.account.sid, flow.sid, execution.sid, { pageSize: 50 });
      assert.ok(steps.items.some((step) => step.name === 'deliveryFailure' && step.transitionedFrom === 'ask'), 'the send failed (deliveryFailure is unwired: the flow ends)');
    } finally {
      await t.close();
    }
  });

  it('a flow that sends in a row past the bound is written as it goes, and every message goes out once, in order', async () => {
    const { t, writes } = await serverCountingWrites();
    try {
      const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'sends', status: 'published', definition: sendsInARow(40) });
      const { execution } = await t.app.executions.create(t.account.sid, flow.sid, { to: CONTACT, from: SIMULATOR_FLOW_ADDRESS }, 'error');
      await t.app.executions.idle();
      assert.deepEqual(
        outbound(t).map((entry) => entry.body),
        Array.from({ length: 40 }, (_, i) => `message ${i + 1}`),
      );
      assert.ok(writes.length >= 3, `more than one write (${writes.length})`);
      assert.ok(writes.some((write) => write.effectsToAdd.length === 1), 'the send past the bound went through the outbox');
      const stored = await t.app.store.getExecution(t.account.sid, flow.sid, execution.sid);
      assert.equal(stored?.status, 'ended');
      const steps = await t.app.store.listSteps(t.account.sid, flow.sid, execution.sid, { pageSize: 100 });
      assert.equal(steps.items.filter((step) => step.name === 'sent').length, 40);
    } finally {
      await t.close();
    }
  });
});

/** A split on flow.data.mode: 'ask' asks and waits, anything else sends a note and ends. */
const askOrNotify = triggerFlow('ask or notify', 'incomingRequest', 'mode', [
  {
    name: 'mode',
    type: 'split-based-on',
    properties: { offset: { x: 0, y: 100 }, input: '{{flow.data.mode}}' },
    transitions: [
      { event: 'noMatch', next: 'note' },
      { event: 'match', next: 'ask', conditions: [{ friendly_name: 'ask', arguments: ['{{flow.data.mode}}'], type: 'equal_to', value: 'ask' }] },
    ],
  },
  askWidget('ask', 200, 'Hi, how are you?', '3600'),
  {
    name: 'note',
    type: 'send-message',
    properties: { offset: { x: 300, y: 200 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Just so you know' },
    transitions: [{ event: 'sent' }, { event: 'failed' }],
  },
]);

describe('inline sends: the rest of the runtime', () => {
  it('a REST create for a contact with an active execution is refused (409) even when the new one would send and end at once', async () => {
    const t = await startTestServer();
    try {
      const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'ask or notify', status: 'published', definition: askOrNotify });
      const first = await t.app.executions.create(t.account.sid, flow.sid, { to: CONTACT, from: SIMULATOR_FLOW_ADDRESS, parameters: { mode: 'ask' } }, 'error');
      await t.app.executions.idle();
      assert.equal((await t.app.store.getExecution(t.account.sid, flow.sid, first.execution.sid))?.status, 'active');
      await assert.rejects(
        t.app.executions.create(t.account.sid, flow.sid, { to: CONTACT, from: SIMULATOR_FLOW_ADDRESS, parameters: { mode: 'notify' } }, 'error'),
        (error: Error & { code?: string }) => /already active/.test(error.message),
      );
      await t.app.executions.idle();
      assert.deepEqual(outbound(t).map((entry) => entry.body), ['Hi, how are you?'], 'the refused execution sent nothing');
      // v1's create answers with the active execution instead.
      const again = await t.app.executions.create(t.account.sid, flow.sid, { to: CONTACT, from: SIMULATOR_FLOW_ADDRESS, parameters: { mode: 'notify' } }, 'return-existing');
      assert.equal(again.created, false);
      assert.equal(again.execution.sid, first.execution.sid);
      // A contact with none: the note goes out and the execution ends; it was written active first (its slot
      // taken), so the create answers 'active', as before sends were inline.
      const other = '+15557770102';
      const notified = await t.app.executions.create(t.account.sid, flow.sid, { to: other, from: SIMULATOR_FLOW_ADDRESS, parameters: { mode: 'notify' } }, 'error');
      assert.equal(notified.execution.status, 'active');
      await t.app.executions.idle();
      assert.equal((await t.app.store.getExecution(t.account.sid, flow.sid, notified.execution.sid))?.status, 'ended');
      assert.deepEqual(t.app.simulator.transcript(SIMULATOR_FLOW_ADDRESS, other).map((entry) => entry.body), ['Just so you know']);
    } finally {
      await t.close();
    }
  });
  it("a message the carrier reports undelivered takes its Send & Wait's deliveryFailure, and the flow's next message goes out after the question", async () => {
    const t = await startTestServer();
    try {
      const definition = triggerFlow('ask', 'incomingRequest', 'ask', [
        { ...(askWidget('ask', 200, 'Hi, how are you?', '3600') as { transitions: object[] }), transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure', next: 'sorry' }] },
        { name: 'sorry', type: 'send-message', properties: { offset: { x: 0, y: 400 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Sorry' }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
      ]);
      const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'ask', status: 'published', definition });
      t.app.simulator.failNext(CONTACT, 'delivery', t.account.sid);
      const { execution } = await t.app.executions.create(t.account.sid, flow.sid, { to: CONTACT, from: SIMULATOR_FLOW_ADDRESS }, 'error');
      await t.app.executions.idle();
      assert.deepEqual(outbound(t).map((entry) => [entry.body, entry.status]), [['Hi, how are you?', 'undelivered'], ['Sorry', 'delivered']]);
      const steps = await t.app.store.listSteps(t.account.sid, flow.sid, execution.sid, { pageSize: 50 });
      assert.deepEqual(steps.items.map((step) => [step.transitionedFrom, step.name, step.transitionedTo]), [
        ['Trigger', 'incomingRequest', 'ask'],
        ['ask', 'deliveryFailure', 'sorry'],
        ['sorry', 'sent', 'Ended'],
      ]);
    } finally {
      await t.close();
    }
  });

  it('a sprint that loses a version race runs again and sends once: the lost attempt shows nothing and its armed failure goes to the attempt that is written', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    const writeSprint = store.writeSprint.bind(store);
    let conflicts = 0;
    store.writeSprint = async (write: SprintWrite) => {
      // The reply's sprint (it sends): another node moved the execution on first, once.
      if (!write.isNew && conflicts === 0 && write.steps.some((step) => step.transitionedTo === 'thanks')) {
        conflicts++;
        throw new StoreConflictError('version', 'moved on');
      }
      return writeSprint(write);
    };
    const t = await startTestServer({ store });
    try {
      const definition = triggerFlow('ask', 'incomingMessage', 'ask', [
        askWidget('ask', 200, 'Hi, how are you?', '3600', { onReply: 'thanks' }),
        { name: 'thanks', type: 'send-message', properties: { offset: { x: 0, y: 400 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Thanks' }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
      ]);
      const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'ask', status: 'published', definition });
      const text = (body: string) => t.app.executions.inboundMessage(t.account.sid, flow.sid, t.app.simulator.inbound(t.account.sid, flow.sid, CONTACT, SIMULATOR_FLOW_ADDRESS, body));
      await text('hello');
      await t.app.executions.idle();
      t.app.simulator.failNext(CONTACT, 'send', t.account.sid);
      const announced: string[] = [];
      const heard = t.app.simulator.onMessage((entry) => void (entry.direction === 'outbound-api' && announced.push(entry.body)));
      await text('fine');
      await t.app.executions.idle();
      heard();
      assert.equal(conflicts, 1, 'the reply sprint conflicted once');
      assert.deepEqual(announced, [], 'the armed failure was used by the written attempt: nothing went out');
      assert.equal(t.app.simulator.armedFailure(CONTACT, t.account.sid), null);
      assert.deepEqual(outbound(t).map((entry) => entry.body), ['Hi, how are you?']);
      const [execution] = (await t.app.store.listExecutions(t.account.sid, flow.sid, {}, { pageSize: 5 })).items;
      const steps = await t.app.store.listSteps(t.account.sid, flow.sid, execution!.sid, { pageSize: 50 });
      assert.deepEqual(steps.items.map((step) => [step.transitionedFrom, step.name]).slice(-2), [['ask', 'incomingMessage'], ['thanks', 'failed']]);
      // Metrics count what was written: the question and the one failed thank-you, not the attempt that lost the race.
      const metrics = (await t.app.server.inject({ method: 'GET', url: '/metrics' })).body;
      const sum = (pattern: RegExp) => [...metrics.matchAll(pattern)].reduce((total, match) => total + Number(match[1]), 0);
      assert.equal(sum(/^switchboard_upstream_errors_total\{[^}]*kind="message"[^}]*\} (\S+)$/gm), 1, 'one failed send counted');
      assert.equal(sum(/^switchboard_upstream_request_duration_seconds_count\{[^}]*kind="message"[^}]*\} (\S+)$/gm), 2, 'two sends timed');
    } finally {
      await t.close();
    }
  });
  it("a subflow's messages go out inside its parent's sprints, in order with the parent's", async () => {
    const t = await startTestServer();
    try {
      const say = (name: string, y: number, body: string, next?: string) => ({
        name,
        type: 'send-message',
        properties: { offset: { x: 0, y }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body },
        transitions: [next ? { event: 'sent', next } : { event: 'sent' }, { event: 'failed' }],
      });
      const sub = await t.app.flows.create(t.account.sid, { friendlyName: 'sub', status: 'published', definition: triggerFlow('sub', 'incomingParent', 'inner1', [say('inner1', 100, 'sub 1', 'inner2'), say('inner2', 200, 'sub 2')]) });
      const parent = triggerFlow('parent', 'incomingRequest', 'before', [
        say('before', 100, 'before', 'run'),
        { name: 'run', type: 'run-subflow', properties: { offset: { x: 0, y: 200 }, flow_sid: sub.sid, flow_revision: 'LatestPublished', parameters: [] }, transitions: [{ event: 'completed', next: 'after' }, { event: 'failed' }] },
        say('after', 300, 'after'),
      ]);
      const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'parent', status: 'published', definition: parent });
      const { execution } = await t.app.executions.create(t.account.sid, flow.sid, { to: CONTACT, from: SIMULATOR_FLOW_ADDRESS }, 'error');
      await t.app.executions.idle();
      assert.deepEqual(outbound(t).map((entry) => entry.body), ['before', 'sub 1', 'sub 2', 'after']);
      assert.equal((await t.app.store.getExecution(t.account.sid, flow.sid, execution.sid))?.status, 'ended');
      const steps = await t.app.store.listSteps(t.account.sid, flow.sid, execution.sid, { pageSize: 50 });
      assert.deepEqual(steps.items.map((step) => `${step.transitionedFrom}-${step.name}`), ['Trigger-incomingRequest', 'before-sent', 'Trigger-incomingParent', 'inner1-sent', 'inner2-sent', 'run-completed', 'after-sent']);
    } finally {
      await t.close();
    }
  });
  it("lets other work run between the sends it applies once they take a while: each engine call has its own Liquid budget, so one sprint's sends cannot hold the node for seconds", async () => {
    const t = await startTestServer();
    try {
      // About 27,000 Liquid iterations per body (within the per-render budget): tens of milliseconds each.
      const heavy = '{% for a in (1..15) %}{% for b in (1..15) %}{% for c in (1..15) %}{% for d in (1..8) %}{% assign z = d %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}';
      const widgets = Array.from({ length: 6 }, (_, i) => ({
        name: `send${i + 1}`,
        type: 'send-message',
        properties: { offset: { x: 0, y: 200 * (i + 1) }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: `${heavy}message ${i + 1}` },
        transitions: [i < 5 ? { event: 'sent', next: `send${i + 2}` } : { event: 'sent' }, { event: 'failed' }],
      }));
      const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'heavy', status: 'published', definition: triggerFlow('heavy', 'incomingRequest', 'send1', widgets) });
      // Turns of the event loop, as each send is taken: a sprint that never lets go sees the same turn throughout.
      let turns = 0;
      let counting = true;
      const turn = () => void (counting && (turns++, setImmediate(turn)));
      setImmediate(turn);
      const seen: number[] = [];
      const sendInline = t.app.simulator.sendInline.bind(t.app.simulator);
      t.app.simulator.sendInline = (context, message) => (seen.push(turns), sendInline(context, message));
      await t.app.executions.create(t.account.sid, flow.sid, { to: CONTACT, from: SIMULATOR_FLOW_ADDRESS }, 'error');
      await t.app.executions.idle();
      counting = false;
      assert.deepEqual(outbound(t).map((entry) => entry.body), Array.from({ length: 6 }, (_, i) => `message ${i + 1}`));
      assert.equal(seen.length, 6, 'each send was asked for inline (the last, which ends the execution, then goes through the outbox: see the 409 test)');
      assert.equal(new Set(seen).size, 6, `the event loop turned between the sends (turns seen: ${seen.join(', ')})`);
    } finally {
      await t.close();
    }
  });

  it("a message listener that throws does not undo the send or the sprint's work after the write (the reply's timer, the 201)", async () => {
    const { t, writes } = await serverCountingWrites();
    try {
      const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'ask', status: 'published', definition: askFlow });
      const heard: string[] = [];
      t.app.simulator.onMessage(() => {
        throw new Error('a console stream went away');
      });
      t.app.simulator.onMessage((entry) => heard.push(entry.body));
      const { execution } = await t.app.executions.create(t.account.sid, flow.sid, { to: CONTACT, from: SIMULATOR_FLOW_ADDRESS }, 'error');
      await t.app.executions.idle();
      assert.equal(execution.status, 'active');
      assert.deepEqual(heard, ['Hi, how are you?'], 'the other listeners still hear it');
      assert.equal(outbound(t).length, 1);
      assert.equal(writes.length, 1);
    } finally {
      await t.close();
    }
  });
});
