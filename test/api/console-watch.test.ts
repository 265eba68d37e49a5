// What a console simulator stream holds and polls stays bounded however long it is open: an execution
// is polled until its end has been sent, then let go (and not watched again when a later message names
// it), and what it remembers sending covers only the messages the simulator still holds.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConversationWatch, ExecutionWatch, type SseEvent } from '../../src/api/routes/console-watch.ts';
import { SIMULATOR_FLOW_ADDRESS, type SimulatorChannel, type TranscriptEntry } from '../../src/channels/simulator/simulator-channel.ts';
import { FORM, form, startTestServer, type TestServer } from '../support/server.ts';

const GREETING = JSON.parse(readFileSync(fileURLToPath(new URL('../web/fixtures/greeting-flow.json', import.meta.url)), 'utf8'));

describe('console stream watches: bounded while open', () => {
  let server: TestServer;
  let flowSid: string;
  /** Store reads per execution SID (getExecution and listSteps). */
  const reads = new Map<string, number>();

  before(async () => {
    server = await startTestServer();
    flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Greeting', status: 'published', definition: GREETING })).sid;
    const store = server.app.store;
    const getExecution = store.getExecution.bind(store);
    const listSteps = store.listSteps.bind(store);
    const count = (sid: string) => reads.set(sid, (reads.get(sid) ?? 0) + 1);
    store.getExecution = (accountSid, flow, sid) => (count(sid), getExecution(accountSid, flow, sid));
    store.listSteps = (accountSid, flow, sid, page) => (count(sid), listSteps(accountSid, flow, sid, page));
  });
  after(() => server.close());

  const text = async (from: string, body: string): Promise<string> => {
    const sent = await server.app.server.inject({ method: 'POST', url: `/simulator/Flows/${flowSid}/Messages`, headers: { authorization: server.auth, ...FORM }, payload: form({ From: from, Body: body }) });
    assert.equal(sent.statusCode, 201, sent.body);
    return sent.json().execution_sid as string;
  };
  const where = (contact: string) => ({ accountSid: server.account.sid, flowSid, contact, flowAddress: SIMULATOR_FLOW_ADDRESS, base: 'http://localhost' });
  const ended = (events: SseEvent[]) => events.filter((e) => e.event === 'execution' && (e.data as { status: string }).status === 'ended').map((e) => (e.data as { sid: string }).sid);
  const readsOf = (sids: string[]) => sids.reduce((sum, sid) => sum + (reads.get(sid) ?? 0), 0);

  it('sends each ended execution once, then stops reading it', async () => {
    const contact = '+15557773001';
    const past: string[] = [];
    for (let i = 0; i < 3; i++) {
      past.push(await text(contact, 'hi'));
      await text(contact, `Ada ${i}`);
    }
    const watch = new ConversationWatch(server.app, where(contact), []);
    try {
      const first = await watch.poll();
      assert.deepEqual(ended(first).sort(), [...past].sort());
      assert.deepEqual(watch.holding, { messages: 12, watching: 0, over: 3 });

      const before = readsOf(past);
      for (let i = 0; i < 3; i++) assert.deepEqual(await watch.poll(), []);
      assert.equal(readsOf(past), before, 'ended executions were read again');

      // A new execution is watched while active, and let go once its end is sent.
      const current = await text(contact, 'hi');
      await watch.poll();
      assert.equal(watch.holding.watching, 1);
      await text(contact, 'Grace');
      const last = await watch.poll();
      assert.deepEqual(ended(last), [current]);
      assert.equal(watch.holding.watching, 0);
      const afterEnd = readsOf([current]);
      await watch.poll();
      assert.equal(readsOf([current]), afterEnd);
    } finally {
      watch.close();
    }
  });

  it('a deleted execution is reported once, then let go', async () => {
    const contact = '+15557773002';
    const sid = await text(contact, 'hi');
    const watch = new ConversationWatch(server.app, where(contact), []);
    try {
      await watch.poll();
      assert.equal(watch.holding.watching, 1);
      assert.ok(await server.app.store.deleteExecution(server.account.sid, flowSid, sid));
      const events = await watch.poll();
      assert.deepEqual(events.filter((e) => e.event === 'execution-deleted').map((e) => e.data), [{ sid }]);
      assert.deepEqual(watch.holding, { messages: 2, watching: 0, over: 1 });
      const before = readsOf([sid]);
      assert.deepEqual(await watch.poll(), []);
      assert.equal(readsOf([sid]), before);
    } finally {
      watch.close();
    }
  });

  it('an execution stream has nothing more to read once the end is sent', async () => {
    const sid = await text('+15557773003', 'hi');
    await text('+15557773003', 'Ada');
    const watch = new ExecutionWatch(sid);
    const events = await watch.poll(server.app, server.account.sid, flowSid, 'http://localhost');
    assert.deepEqual(ended(events), [sid]);
    assert.ok(watch.over);
    const before = readsOf([sid]);
    assert.deepEqual(await watch.poll(server.app, server.account.sid, flowSid, 'http://localhost'), []);
    assert.equal(readsOf([sid]), before);
  });

  it('reads an active execution and its steps only when its stamp moved, and sends what a full read each poll would', async () => {
    const store = server.app.store;
    const sid = await text('+15557773005', 'hi');
    // The same watch over a store whose stamp moves at every read: the execution and its steps read each poll.
    let moves = 0;
    const everyPoll = new Proxy(store, {
      get(target, property) {
        if (property === 'getExecutionStamp') {
          return async (...args: Parameters<typeof store.getExecutionStamp>) => {
            const stamp = await target.getExecutionStamp(...args);
            return stamp && { ...stamp, version: -++moves };
          };
        }
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const watch = new ExecutionWatch(sid);
    const reference = new ExecutionWatch(sid);
    const both = async () => {
      const events = await watch.poll(server.app, server.account.sid, flowSid, 'http://localhost');
      assert.deepEqual(events, await reference.poll({ store: everyPoll }, server.account.sid, flowSid, 'http://localhost'));
      return events;
    };

    const first = await both();
    assert.deepEqual(first.map((e) => e.event), ['step', 'execution']);
    const before = readsOf([sid]);
    for (let i = 0; i < 3; i++) assert.deepEqual(await watch.poll(server.app, server.account.sid, flowSid, 'http://localhost'), []);
    assert.equal(readsOf([sid]), before, 'an unchanged execution was read again');
    assert.deepEqual(await both(), []);

    // A sprint that keeps it active (a new date, no step) is sent as before.
    const loaded = (await store.loadExecution(sid))!;
    const moved = { ...loaded.record, dateUpdated: (loaded.record.dateUpdated ?? 0) + 1000 };
    await store.writeSprint({ execution: moved, isNew: false, expectedVersion: loaded.version, steps: [], timersToAdd: [], timersToCancel: [], effectsToAdd: [], effectsDone: [] });
    const changed = await both();
    assert.deepEqual(changed.map((e) => e.event), ['execution']);
    const dateOf = (event: SseEvent) => (event.data as { date_updated: string }).date_updated;
    assert.notEqual(dateOf(changed[0]!), dateOf(first[1]!));
    assert.deepEqual(await watch.poll(server.app, server.account.sid, flowSid, 'http://localhost'), []);

    // Its end, with the steps of the sprint that ended it.
    await text('+15557773005', 'Ada');
    const last = await both();
    assert.deepEqual(ended(last), [sid]);
    assert.ok(last.some((e) => e.event === 'step'));
    assert.ok(watch.over && reference.over);
  });

  it('forgets what it sent of messages the simulator no longer holds', async () => {
    const contact = '+15557773004';
    const message = (n: number): TranscriptEntry => ({
      sid: `SM${String(n).padStart(32, '0')}`,
      direction: 'inbound',
      from: contact,
      to: SIMULATOR_FLOW_ADDRESS,
      body: `message ${n}`,
      mediaUrl: [],
      status: 'received',
      flowSid,
      executionSid: null,
      dateCreated: 0,
    });
    // A transcript that moves on as a busy contact's does (the simulator keeps its last 500 messages).
    let transcript = Array.from({ length: 600 }, (_, n) => message(n));
    const simulator = { transcript: () => transcript, onMessage: () => () => undefined } as unknown as SimulatorChannel;
    const watch = new ConversationWatch({ store: server.app.store, simulator }, where(contact), []);
    assert.equal((await watch.poll()).length, 600);
    assert.equal(watch.holding.messages, 600);
    transcript = Array.from({ length: 10 }, (_, n) => message(1000 + n));
    assert.equal((await watch.poll()).length, 10);
    assert.equal(watch.holding.messages, 10);
    watch.close();
  });
});
