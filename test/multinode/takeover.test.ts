// Two runtimes (nodes) in one process on one PostgreSQL schema, on a simulated clock, so the
// dangerous interleavings happen on cue: a node that claimed a timer and died; a node that
// stalled in an HTTP call past its lease while another node redid the call; two nodes feeding
// events to one execution at once; two nodes starting the same contact's execution at once.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import type { OutboundHttp } from '../../src/runtime/ports/channel.ts';
import { StoreConflictError } from '../../src/runtime/ports/store.ts';
import { DATABASE_URL, SKIP_REASON, dropSchema, testSchemaName } from '../store/postgres-support.ts';
import { contextOf } from '../../src/runtime/execution-context.ts';

const LEASE_MS = 10_000;

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

class Clock {
  ms = Date.parse('2026-03-01T00:00:00Z');
  now = () => this.ms;
  advance(ms: number) {
    this.ms += ms;
  }
}

type HttpResult = Awaited<ReturnType<OutboundHttp['request']>>;

/** An OutboundHttp the test answers by hand; counts the calls it received. */
class ManualHttp implements OutboundHttp {
  calls = 0;
  readonly answer: HttpResult | null;
  #waiting: ((result: HttpResult) => void)[] = [];
  constructor(answer: HttpResult | null) {
    this.answer = answer;
  }
  request(): Promise<HttpResult> {
    this.calls++;
    if (this.answer) return Promise.resolve(this.answer);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
  release(result: HttpResult): void {
    for (const resolve of this.#waiting.splice(0)) resolve(result);
  }
}

const OK: HttpResult = { kind: 'http-response', statusCode: 200, contentType: 'application/json', body: '{"n":1}' };

/** REST-started executions go to `call` (an HTTP call) or, with requestNext 'ask', wait for a reply. */
function flow(requestNext: 'call' | 'ask' = 'call'): object {
  const trigger = {
    name: 'Trigger',
    type: 'trigger',
    transitions: [{ event: 'incomingMessage', next: 'ask' }, { event: 'incomingCall' }, { event: 'incomingConversationMessage' }, { event: 'incomingRequest', next: requestNext }, { event: 'incomingParent' }],
    properties: { offset: { x: 0, y: 0 } },
  };
  return {
    description: 'takeover test',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      trigger,
      {
        name: 'ask',
        type: 'send-and-wait-for-reply',
        transitions: [{ event: 'incomingMessage', next: 'ask' }, { event: 'timeout', next: 'bye' }, { event: 'deliveryFailure' }],
        properties: { offset: { x: 0, y: 100 }, from: '{{flow.channel.address}}', body: 'ack {{widgets.ask.inbound.Body | default: trigger.message.Body}}', timeout: '600' },
      },
      {
        name: 'call',
        type: 'make-http-request',
        transitions: [{ event: 'success', next: 'bye' }, { event: 'failed', next: 'bye' }],
        properties: { offset: { x: 0, y: 200 }, method: 'GET', url: 'https://api.example.com/x', content_type: 'application/json' },
      },
      {
        name: 'bye',
        type: 'send-message',
        transitions: [{ event: 'sent' }, { event: 'failed' }],
        properties: { offset: { x: 0, y: 300 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'bye' },
      },
    ],
  };
}

if (SKIP_REASON) {
  it('runtime takeover between nodes', { skip: SKIP_REASON }, () => {});
} else {
  describe('runtime takeover between nodes', () => {
    const schema = testSchemaName();
    // One clock per node: advancing only B's models node A frozen (its heartbeat and sweeps stall).
    const clockA = new Clock();
    const clockB = new Clock();
    const advance = (ms: number) => (clockA.advance(ms), clockB.advance(ms));
    const httpA = new ManualHttp(null); // node A's calls hang until released
    const httpB = new ManualHttp(OK);
    let a: App;
    let b: App;
    let accountSid = '';
    let flowSid = '';
    let waitingFlowSid = '';

    const open = (nodeId: string, http: OutboundHttp, clock: Clock) =>
      createApp(
        { ...loadConfig({}, {}), dataDir: ':memory:' },
        { store: new PostgresStore({ connectionString: DATABASE_URL!, schema, poolSize: 4 }), now: clock.now, http, runtime: { nodeId, leaseMs: LEASE_MS } },
      );

    before(async () => {
      a = await open('A', httpA, clockA);
      b = await open('B', httpB, clockB);
      const { account } = await a.accounts.ensureStartupAccount();
      const again = await b.accounts.ensureStartupAccount();
      assert.equal(again.account.sid, account.sid, 'both nodes found one dev account');
      accountSid = account.sid;
      flowSid = (await a.flows.create(accountSid, { friendlyName: 'takeover', status: 'published', definition: flow() })).sid;
      waitingFlowSid = (await a.flows.create(accountSid, { friendlyName: 'waits', status: 'published', definition: flow('ask') })).sid;
    });
    after(async () => {
      httpA.release(OK);
      await a?.close();
      await b?.close();
      await dropSchema(schema);
    });

    const steps = async (executionSid: string) =>
      (await a.store.listSteps(accountSid, flowSid, executionSid, { pageSize: 100 })).items.map((s) => `${s.transitionedFrom} -${s.name}-> ${s.transitionedTo}`);
    const inbound = (app: App, from: string, body: string) =>
      app.executions.inboundMessage(accountSid, flowSid, { From: from, To: '+15005550006', Body: body, MessageSid: 'SM' + Math.random().toString(16).slice(2).padEnd(32, '0') });

    it('a timer claimed by a node that died fires once, on another node, after the lease', async () => {
      const { executionSid } = await inbound(a, '+15550100001', 'hi');
      await a.executions.idle();
      // a third node claims the due reply timer, then dies without consuming it
      const now = clockA.now() + 601_000;
      const claimed = await b.store.claimDueTimers(now, { owner: 'ghost', until: now + LEASE_MS }, 100);
      assert.deepEqual(claimed.map((t) => t.executionSid), [executionSid]);
      advance(601_000);
      assert.equal(await b.executions.fireDueTimers(), 0, 'the ghost’s lease holds');
      assert.equal(await a.executions.fireDueTimers(), 0);
      advance(LEASE_MS + 1);
      // both nodes' loops (and these calls) race for it; it fires once
      let fired = 0;
      await waitFor(async () => {
        fired += (await a.executions.fireDueTimers()) + (await b.executions.fireDueTimers());
        await a.executions.idle();
        await b.executions.idle();
        return (await steps(executionSid!)).length === 3;
      });
      assert.ok(fired <= 1);
      assert.deepEqual(await steps(executionSid!), ['Trigger -incomingMessage-> ask', 'ask -timeout-> bye', 'bye -sent-> Ended']);
      // the ghost wakes up and tries to finish its claim: fenced off
      const record = await a.store.loadExecution(executionSid!);
      await assert.rejects(
        a.store.writeSprint({ execution: record!.record, isNew: false, expectedVersion: record!.version, steps: [], timersToAdd: [], timersToCancel: [claimed[0]!.id], effectsToAdd: [], effectsDone: [], consumes: { kind: 'timer', id: claimed[0]!.id, owner: 'ghost' } }),
        (error: unknown) => error instanceof StoreConflictError && error.reason === 'stale-claim',
      );
    });

    it('an HTTP call stalled past its lease is redone by another node; the late answer is dropped', async () => {
      const { execution } = await a.executions.create(accountSid, flowSid, { to: '+15550100002', from: '+15005550006' }, 'error');
      await waitFor(async () => httpA.calls > 0, 5000);
      assert.equal(httpA.calls, 1, 'node A is inside the call');
      clockB.advance(LEASE_MS + 1); // A is frozen: in B's time its lease ran out unrenewed
      await waitFor(async () => httpB.calls === 1); // B's orphan sweep (≤ 1 s) redoes the call
      await b.executions.idle();
      assert.equal(httpA.calls, 1, 'A never redid it');
      httpA.release(OK); // A's answer arrives late
      await a.executions.idle();
      assert.deepEqual(await steps(execution.sid), ['Trigger -incomingRequest-> call', 'call -success-> bye', 'bye -sent-> Ended'], 'one result recorded');
      assert.equal((await a.store.loadExecution(execution.sid))?.record.status, 'ended');
    });

    it('events for one execution from two nodes at once are all applied, one at a time', async () => {
      const contact = '+15550100003';
      const { executionSid } = await inbound(a, contact, 'm0');
      await a.executions.idle();
      // eight replies, alternating nodes, all in flight together
      await Promise.all(Array.from({ length: 8 }, (_, i) => inbound(i % 2 ? a : b, contact, `m${i + 1}`)));
      await a.executions.idle();
      await b.executions.idle();
      const path = await steps(executionSid!);
      assert.equal(path.filter((p) => p === 'ask -incomingMessage-> ask').length, 8, path.join(' | '));
      const versions = await a.store.loadExecution(executionSid!);
      assert.ok(versions && versions.version >= 9, 'every event was its own sprint');
    });

    it('graceful stop: the in-flight call finishes and is recorded, claims are handed back, then the pool closes', async () => {
      let inside = false;
      const slow: OutboundHttp = {
        request: () => {
          inside = true;
          return new Promise((resolve) => setTimeout(() => resolve(OK), 300));
        },
      };
      const c = await open('C', slow, clockB);
      const { execution } = await c.executions.create(accountSid, flowSid, { to: '+15550100006', from: '+15005550006' }, 'error');
      await waitFor(async () => inside, 5000); // C is inside the HTTP call
      const store = c.store as PostgresStore;
      await c.close();
      assert.deepEqual((await steps(execution.sid)).slice(0, 2), ['Trigger -incomingRequest-> call', 'call -success-> bye'], 'the call’s result was stored');
      // what C left (the goodbye its last sprint asked for) was handed back, not left to expire:
      // with every clock frozen, only a release lets another node finish the execution
      await waitFor(async () => (await a.store.getExecutionBySid(execution.sid))?.status === 'ended', 5000);
      assert.deepEqual(await steps(execution.sid), ['Trigger -incomingRequest-> call', 'call -success-> bye', 'bye -sent-> Ended']);
      assert.equal(store.pool.totalCount, 0, 'the pool is closed');
      assert.equal(store.pool.ended, true);
      await a.executions.idle();
      await b.executions.idle();
    });

    it('two nodes starting the same contact at once: one execution, both messages in it', async () => {
      const contact = '+15550100004';
      const [first, second] = await Promise.all([inbound(a, contact, 'x'), inbound(b, contact, 'y')]);
      assert.equal(first.executionSid, second.executionSid);
      await a.executions.idle();
      await b.executions.idle();
      const page = await a.store.listExecutions(accountSid, flowSid, {}, { pageSize: 100 });
      const mine = page.items.filter((e) => e.contactChannelAddress === contact);
      assert.equal(mine.length, 1, JSON.stringify(mine.map((e) => ({ sid: e.sid, status: e.status, by: e.initiatedBy, trigger: (contextOf(e) as any).trigger?.message?.Body })), null, 1) + JSON.stringify([first, second]));
      const path = await steps(first.executionSid!);
      assert.deepEqual(path, ['Trigger -incomingMessage-> ask', 'ask -incomingMessage-> ask']);
      // and a REST create racing on both nodes (for an execution that stays active): one creates,
      // the other gets the conflict
      const racers = await Promise.allSettled([
        a.executions.create(accountSid, waitingFlowSid, { to: '+15550100005', from: '+15005550006' }, 'error'),
        b.executions.create(accountSid, waitingFlowSid, { to: '+15550100005', from: '+15005550006' }, 'error'),
      ]);
      assert.equal(racers.filter((r) => r.status === 'fulfilled').length, 1);
      const rejected = racers.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.match(String(rejected.reason?.message), /already active/);
    });
  });
}
