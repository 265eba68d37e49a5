// A simulated call's Gather and Record time out by themselves, as on a phone: the timer of the
// simulator phone (injected here, fired by hand: no real seconds pass) moves the call on with no
// input, once, unless the caller acted first; the call can have its timeouts off (step by step).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { StartTimer } from '../../src/channels/simulator/phone.ts';
import { phoneFor } from '../../src/api/routes/simulator-calls.ts';
import { FORM, form, type TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';
import { phone, serverWithFlow, stepsOf, type CallView } from './support.ts';

interface Timer {
  ms: number;
  fire: () => void;
  cancelled: boolean;
  fired: boolean;
}

/** Timers the test fires by hand. */
class HandTimers {
  readonly all: Timer[] = [];
  readonly start: StartTimer = (ms, fire) => {
    const timer: Timer = { ms, fire, cancelled: false, fired: false };
    this.all.push(timer);
    return () => void (timer.cancelled = true);
  };
  get live(): Timer[] {
    return this.all.filter((t) => !t.cancelled && !t.fired);
  }
}

function gather(name: string, properties: Record<string, unknown>, timeoutNext: string | null) {
  return {
    name,
    type: 'gather-input-on-call',
    transitions: [{ event: 'keypress', next: 'pressed' }, { event: 'speech' }, timeoutNext ? { event: 'timeout', next: timeoutNext } : { event: 'timeout' }],
    properties: { offset: { x: 0, y: 100 }, say: `Menu ${name}`, ...properties },
  };
}

const say = (name: string, text: string) => ({ name, type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { offset: { x: 0, y: 300 }, say: text } });

/** Trigger → menu (timeout → menu2, keypress → pressed) → menu2 (timeout → bye). */
function menus(properties: Record<string, unknown> = {}): unknown {
  return triggerFlow('gather timeouts', 'incomingCall', 'menu', [
    gather('menu', properties, 'menu2'),
    gather('menu2', {}, 'bye'),
    say('pressed', 'You pressed {{widgets.menu.Digits}}{{widgets.menu2.Digits}}.'),
    say('bye', 'Goodbye.'),
  ]);
}

function voicemail(properties: Record<string, unknown>): unknown {
  return triggerFlow('record timeouts', 'incomingCall', 'vm', [
    { name: 'vm', type: 'record-voicemail', transitions: [{ event: 'recordingComplete', next: 'thanks' }, { event: 'noAudio', next: 'nothing' }, { event: 'hangup' }], properties: { offset: { x: 0, y: 100 }, ...properties } },
    say('thanks', 'Thanks.'),
    say('nothing', 'We heard nothing.'),
  ]);
}

type Waiting = { kind: string; id: number; timeout: number; timesOutIn: number | null; timesOutAt: number | null };
const waitingOf = (view: CallView) => view.waiting_for as unknown as Waiting | null;

async function withCall(definition: unknown, test: (t: { server: TestServer; flowSid: string; timers: HandTimers; dial: (fields?: Record<string, string>) => Promise<CallView> }) => Promise<void>): Promise<void> {
  const timers = new HandTimers();
  // The phone's clock stands still: a wait's time left is exactly its timeout, however long a request takes.
  const frozen = Date.parse('2026-03-02T10:00:00Z');
  const { server, flowSid } = await serverWithFlow(definition, { phoneTimer: timers.start, now: () => frozen });
  try {
    await test({ server, flowSid, timers, dial: (fields = {}) => phone(server, '/simulator/calls', { FlowSid: flowSid, From: '+15551239001', ...fields }) });
  } finally {
    await server.close();
  }
}

/** Fires a timer as Node would, and waits until the call and its execution have settled. */
async function fire(server: TestServer, callSid: string, timer: Timer): Promise<CallView> {
  timer.fired = true;
  timer.fire();
  await phoneFor(server.app.server)!.phone.settled(callSid);
  await server.app.executions.idle();
  return phone(server, `/simulator/calls/${callSid}`, {}, 'GET');
}

describe('simulated calls: Gather and Record time out by themselves', () => {
  it("a Gather times out after its timeout attribute with no input: the widget leaves by timeout", async () => {
    await withCall(menus({ timeout: 3 }), async ({ server, flowSid, timers, dial }) => {
      const view = await dial();
      const waiting = waitingOf(view)!;
      assert.equal(waiting.kind, 'input');
      assert.equal(waiting.timeout, 3);
      assert.equal(waiting.timesOutIn, 3000);
      assert.deepEqual(timers.live.map((t) => t.ms), [3000]);
      const after = await fire(server, view.sid, timers.live[0]!);
      assert.ok(after.transcript.some((l) => l.who === 'network' && l.kind === 'timeout' && l.text === 'no input within 3 s'), JSON.stringify(after.transcript));
      // Now at menu2, whose timeout is Studio's default: 5 s, a new timer.
      assert.equal(waitingOf(after)!.timeout, 5);
      assert.notEqual(waitingOf(after)!.id, waiting.id);
      assert.deepEqual(timers.live.map((t) => t.ms), [5000]);
      const last = await fire(server, view.sid, timers.live[0]!);
      assert.equal(last.status, 'completed');
      assert.deepEqual(await stepsOf(server, flowSid, last.execution_sid!), ['Trigger -incomingCall-> menu', 'menu -timeout-> menu2', 'menu2 -timeout-> bye', 'bye -audioComplete-> Ended']);
      assert.equal(timers.live.length, 0, 'no timer left once the call ended');
    });
  });

  it('caller input cancels the timeout; a timer that fires anyway posts nothing', async () => {
    await withCall(menus(), async ({ server, flowSid, timers, dial }) => {
      const view = await dial();
      const [timer] = timers.live;
      const pressed = await phone(server, `/simulator/calls/${view.sid}/Digits`, { Digits: '4' });
      assert.equal(pressed.status, 'completed');
      assert.equal(timer!.cancelled, true);
      // A timer already on its way when the caller pressed: first wins, the timeout does nothing.
      const after = await fire(server, view.sid, timer!);
      assert.deepEqual(after.transcript, pressed.transcript);
      assert.deepEqual(await stepsOf(server, flowSid, view.execution_sid ?? after.execution_sid!), ['Trigger -incomingCall-> menu', 'menu -keypress-> pressed', 'pressed -audioComplete-> Ended']);
    });
  });

  it('Silence and the timeout: whichever comes first answers the Gather, the other is not posted again', async () => {
    await withCall(menus(), async ({ server, flowSid, timers, dial }) => {
      // Silence first: the timer is cancelled, and firing it anyway leaves the next menu alone.
      const view = await dial();
      const first = timers.live[0]!;
      const silent = await phone(server, `/simulator/calls/${view.sid}/Silence`, { WaitId: String(waitingOf(view)!.id) });
      assert.equal(first.cancelled, true);
      const still = await fire(server, view.sid, first);
      assert.equal(waitingOf(still)!.id, waitingOf(silent)!.id, 'still at menu2');
      // The timeout first: a Silence sent for the wait it answered is refused (409), not taken by menu2.
      const second = timers.live[0]!;
      const timedOut = await fire(server, view.sid, second);
      assert.equal(timedOut.status, 'completed');
      const late = await server.app.server.inject({ method: 'POST', url: `/simulator/calls/${view.sid}/Silence`, headers: { authorization: server.auth, ...FORM }, payload: form({ WaitId: String(waitingOf(silent)!.id) }) });
      assert.equal(late.statusCode, 409);
      assert.deepEqual(await stepsOf(server, flowSid, timedOut.execution_sid!), ['Trigger -incomingCall-> menu', 'menu -timeout-> menu2', 'menu2 -timeout-> bye', 'bye -audioComplete-> Ended']);
    });
  });

  it('an action naming a wait the call moved on from is refused, and the call is unchanged', async () => {
    await withCall(menus({ timeout: 2 }), async ({ server, timers, dial }) => {
      const view = await dial();
      const moved = await fire(server, view.sid, timers.live[0]!);
      const res = await server.app.server.inject({ method: 'POST', url: `/simulator/calls/${view.sid}/Digits`, headers: { authorization: server.auth, ...FORM }, payload: form({ Digits: '1', WaitId: String(waitingOf(view)!.id) }) });
      assert.equal(res.statusCode, 409);
      assert.equal(res.json().code, 20409);
      assert.match(res.json().message, /moved on/);
      const now = await phone(server, `/simulator/calls/${view.sid}`, {}, 'GET');
      assert.deepEqual(now.transcript, moved.transcript);
      // The current wait's id is taken.
      const pressed = await phone(server, `/simulator/calls/${view.sid}/Digits`, { Digits: '7', WaitId: String(waitingOf(now)!.id) });
      assert.equal(pressed.status, 'completed');
      const bad = await server.app.server.inject({ method: 'POST', url: `/simulator/calls/${view.sid}/Digits`, headers: { authorization: server.auth, ...FORM }, payload: form({ Digits: '1', WaitId: 'abc' }) });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().message, /WaitId/);
    });
  });

  it('hanging up cancels the timeout', async () => {
    await withCall(menus(), async ({ server, timers, dial }) => {
      const view = await dial();
      const timer = timers.live[0]!;
      const ended = await phone(server, `/simulator/calls/${view.sid}/Hangup`);
      assert.equal(ended.status, 'completed');
      assert.equal(timer.cancelled, true);
      assert.deepEqual((await fire(server, view.sid, timer)).transcript, ended.transcript);
    });
  });

  it('a Record times out with no audio (noAudio) after its timeout, or its maxLength when shorter; 5 s by default', async () => {
    for (const [properties, ms] of [[{}, 5000], [{ timeout: 8 }, 8000], [{ timeout: 8, max_length: 3 }, 3000]] as const) {
      await withCall(voicemail(properties), async ({ server, flowSid, timers, dial }) => {
        const view = await dial();
        assert.equal(waitingOf(view)!.kind, 'record');
        assert.deepEqual(timers.live.map((t) => t.ms), [ms], JSON.stringify(properties));
        const after = await fire(server, view.sid, timers.live[0]!);
        assert.ok(after.transcript.some((l) => l.kind === 'timeout' && l.text === `no audio within ${ms / 1000} s`));
        assert.deepEqual(await stepsOf(server, flowSid, after.execution_sid!), ['Trigger -incomingCall-> vm', 'vm -noAudio-> nothing', 'nothing -audioComplete-> Ended']);
      });
    }
  });

  it('Timeouts=false: the Gather waits for the caller; turned on mid-call it gets its full timeout, off again it is cancelled', async () => {
    await withCall(menus({ timeout: 4 }), async ({ server, timers, dial }) => {
      const view = await dial({ Timeouts: 'false' });
      assert.equal((view as unknown as { timeouts: boolean }).timeouts, false);
      assert.equal(waitingOf(view)!.timesOutIn, null);
      assert.equal(timers.live.length, 0);
      const on = await phone(server, `/simulator/calls/${view.sid}`, { Timeouts: 'true' });
      assert.equal(waitingOf(on)!.timesOutIn, 4000);
      assert.deepEqual(timers.live.map((t) => t.ms), [4000]);
      const timer = timers.live[0]!;
      const off = await phone(server, `/simulator/calls/${view.sid}`, { Timeouts: 'false' });
      assert.equal(timer.cancelled, true);
      assert.equal(waitingOf(off)!.timesOutIn, null);
      assert.equal(waitingOf(off)!.id, waitingOf(view)!.id, 'the same wait');
      const bad = await server.app.server.inject({ method: 'POST', url: `/simulator/calls/${view.sid}`, headers: { authorization: server.auth, ...FORM }, payload: form({ Timeouts: 'maybe' }) });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().message, /Timeouts/);
    });
  });
});
