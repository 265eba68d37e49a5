// Calls through the flow webhook exactly as Twilio posts them (form bodies signed with
// X-Twilio-Signature): the TwiML each turn returns (parsed), following action/redirect URLs,
// status callbacks ending executions, hangup during every waiting widget, allow_concurrent_calls,
// and refusal of forged or replayed callbacks.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ExecutionState, JsonObject } from '../../src/engine/types.ts';
import { fixture, redirectAndReturnFlow, serverWithFlow, stepsOf, type Verb } from './support.ts';
import { answerOf, flowWebhookUrl, twilioGet, twilioPost, type WebhookAnswer } from './twilio-webhook.ts';
import type { TestServer } from '../support/server.ts';
import { contextOf } from '../../src/runtime/execution-context.ts';
import { HANGUP_ACTION_GRACE_MS } from '../../src/engine/widgets/voice.ts';
import { CallService } from '../../src/runtime/calls.ts';
import { computeSignature } from '../../src/api/wire/signature.ts';

/** Plays Twilio: posts signed call webhooks and keeps the call's parameters. */
class Twilio {
  readonly server: TestServer;
  readonly flowSid: string;
  readonly callSid: string;
  readonly from: string;
  constructor(server: TestServer, flowSid: string, from = '+15551230001', n = 1) {
    this.server = server;
    this.flowSid = flowSid;
    this.from = from;
    this.callSid = 'CA' + String(n).padStart(32, 'f');
  }
  get flowUrl(): string {
    return flowWebhookUrl(this.server, this.flowSid);
  }
  params(status: string, extra: Record<string, string> = {}): Record<string, string> {
    return { AccountSid: this.server.account.sid, ApiVersion: '2010-04-01', CallSid: this.callSid, CallStatus: status, Called: '+15005550006', Caller: this.from, Direction: 'inbound', From: this.from, To: '+15005550006', ...extra };
  }
  async post(url: string, params: Record<string, string>, token = this.server.account.authToken): Promise<WebhookAnswer> {
    return answerOf(await twilioPost(this.server, url, params, token));
  }
  ring() {
    return this.post(this.flowUrl, this.params('ringing'));
  }
  hangup() {
    return this.post(this.flowUrl, this.params('completed', { CallDuration: '30' }));
  }
}

function actionOf(verb: Verb): string {
  return verb.attributes.action ?? verb.text ?? '';
}

async function executionOf(server: TestServer, flowSid: string) {
  const page = await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 50 });
  return page.items;
}

describe('a whole call through the webhook', () => {
  let server: TestServer;
  let flowSid: string;
  before(async () => ({ server, flowSid } = await serverWithFlow(fixture('ivr-menu.json'))));
  after(() => server.close());

  it('greeting, menu, voicemail, thanks, hangup; the final status ends nothing twice', async () => {
    const twilio = new Twilio(server, flowSid);
    const first = await twilio.ring();
    assert.equal(first.status, 200);
    assert.deepEqual(first.twiml!.map((v) => v.verb), ['Say', 'Redirect']);
    assert.equal(first.twiml![0]!.text, 'Welcome to Acme, +15551230001.');
    assert.match(actionOf(first.twiml![1]!), new RegExp(`^${twilio.flowUrl.replace(/[?.]/g, '\\$&')}\\?sb=FN`));

    const menu = await twilio.post(actionOf(first.twiml![1]!), twilio.params('in-progress'));
    assert.deepEqual(menu.twiml!.map((v) => v.verb), ['Gather', 'Redirect']);
    const gather = menu.twiml![0]!;
    assert.equal(gather.children![0]!.text, 'Press 1 for sales or 2 to leave a message.');

    const record = await twilio.post(actionOf(gather), twilio.params('in-progress', { Digits: '2', FinishedOnKey: '' }));
    assert.deepEqual(record.twiml!.map((v) => v.verb), ['Record', 'Redirect']);

    const thanks = await twilio.post(actionOf(record.twiml![0]!), twilio.params('in-progress', { RecordingUrl: 'https://api.twilio.com/RE1', RecordingDuration: '6', RecordingSid: 'RE' + '1'.repeat(32), Digits: '#' }));
    assert.equal(thanks.twiml![0]!.text, 'Thanks, we got 6 seconds.');
    const last = await twilio.post(actionOf(thanks.twiml![1]!), twilio.params('in-progress'));
    assert.deepEqual(last.twiml, [{ verb: 'Hangup', attributes: {} }]);

    const status = await twilio.hangup();
    assert.equal(status.status, 200);
    const [execution] = await executionOf(server, flowSid);
    assert.equal(execution!.status, 'ended');
    assert.equal(execution!.initiatedBy, twilio.callSid);
    assert.deepEqual(await stepsOf(server, flowSid, execution!.sid), [
      'Trigger -incomingCall-> greet',
      'greet -audioComplete-> menu',
      'menu -keypress-> route',
      'route -match-> vm',
      'vm -recordingComplete-> thanks',
      'thanks -audioComplete-> Ended',
    ]);
    const context = contextOf(execution!) as { trigger: { call: JsonObject }; widgets: Record<string, JsonObject> };
    assert.equal(context.trigger.call.CallSid, twilio.callSid);
    assert.equal(context.widgets.menu!.Digits, '2');
    assert.equal(context.widgets.vm!.RecordingUrl, 'https://api.twilio.com/RE1');
  });

  it('a forged callback token is refused with 403/20003 and changes nothing', async () => {
    const twilio = new Twilio(server, flowSid, '+15551230002', 2);
    const first = await twilio.ring();
    const url = actionOf(first.twiml![1]!);
    const forged = url.replace(/\.a\.[^.&]+$/, '.a.' + 'A'.repeat(43));
    const refused = await twilio.post(forged, twilio.params('in-progress'));
    assert.equal(refused.status, 403);
    assert.equal(JSON.parse(refused.body).code, 20003);
    // A valid token moved to another kind (action → fall-through) is a forgery as well.
    const swapped = await twilio.post(url.replace('.a.', '.f.'), twilio.params('in-progress'));
    assert.equal(swapped.status, 403);
    const execution = (await executionOf(server, flowSid)).find((e) => e.initiatedBy === twilio.callSid)!;
    assert.equal(((execution.state as ExecutionState).frames[0]!.current), 'greet');
    // The genuine one still works.
    assert.equal((await twilio.post(url, twilio.params('in-progress'))).status, 200);
    await twilio.hangup();
  });

  it('a callback sent again (a retry, a replay) is applied once and answered with where the call is now', async () => {
    const twilio = new Twilio(server, flowSid, '+15551230003', 3);
    const first = await twilio.ring();
    const menu = await twilio.post(actionOf(first.twiml![1]!), twilio.params('in-progress'));
    const action = actionOf(menu.twiml![0]!);
    const once = await twilio.post(action, twilio.params('in-progress', { Digits: '2' }));
    assert.equal(once.twiml![0]!.verb, 'Record');
    // Twilio retrying after a read timeout would send the same; a replay may send other digits: neither moves the call.
    for (const digits of ['2', '1']) {
      const again = await twilio.post(action, twilio.params('in-progress', { Digits: digits }));
      assert.equal(again.status, 200, again.body);
      assert.deepEqual(again.twiml, once.twiml, 'the same answer: the caller is not played an application error');
    }
    const execution = (await executionOf(server, flowSid)).find((e) => e.initiatedBy === twilio.callSid)!;
    assert.equal((execution.state as ExecutionState).frames[0]!.current, 'vm', 'the callback sent again did not move the execution');
    assert.deepEqual((await stepsOf(server, flowSid, execution.sid)).slice(2), ['menu -keypress-> route', 'route -match-> vm']);
    await twilio.hangup();
  });

  it("the menu's fall-through after its action was applied moves nothing either: it is answered with where the call is", async () => {
    const twilio = new Twilio(server, flowSid, '+15551230008', 8);
    const first = await twilio.ring();
    const menu = await twilio.post(actionOf(first.twiml![1]!), twilio.params('in-progress'));
    assert.deepEqual(menu.twiml!.map((v) => v.verb), ['Gather', 'Redirect']);
    const record = await twilio.post(actionOf(menu.twiml![0]!), twilio.params('in-progress', { Digits: '2' }));
    const fallThrough = await twilio.post(actionOf(menu.twiml![1]!), twilio.params('in-progress'));
    assert.equal(fallThrough.status, 200, fallThrough.body);
    assert.deepEqual(fallThrough.twiml, record.twiml);
    const execution = (await executionOf(server, flowSid)).find((e) => e.initiatedBy === twilio.callSid)!;
    assert.deepEqual((await stepsOf(server, flowSid, execution.sid)).slice(2), ['menu -keypress-> route', 'route -match-> vm']);
    await twilio.hangup();
  });

  it('the same callback sent three times at once is applied once; each gets the same answer', async () => {
    const twilio = new Twilio(server, flowSid, '+15551230006', 6);
    const first = await twilio.ring();
    const menu = await twilio.post(actionOf(first.twiml![1]!), twilio.params('in-progress'));
    const action = actionOf(menu.twiml![0]!);
    const results = await Promise.all([1, 2, 3].map(() => twilio.post(action, twilio.params('in-progress', { Digits: '2' }))));
    assert.deepEqual(results.map((r) => r.status), [200, 200, 200]);
    for (const result of results) assert.equal(result.twiml![0]!.verb, 'Record', 'each is answered with the wait the one applied led to');
    const execution = (await executionOf(server, flowSid)).find((e) => e.initiatedBy === twilio.callSid)!;
    assert.deepEqual((await stepsOf(server, flowSid, execution.sid)).slice(2), ['menu -keypress-> route', 'route -match-> vm']);
    await twilio.hangup();
  });

  it('a callback for an execution ended through the REST API hangs the caller up (TwiML, not an error)', async () => {
    const twilio = new Twilio(server, flowSid, '+15551230007', 7);
    const first = await twilio.ring();
    const menu = await twilio.post(actionOf(first.twiml![1]!), twilio.params('in-progress'));
    const execution = (await executionOf(server, flowSid)).find((e) => e.initiatedBy === twilio.callSid)!;
    const ended = await server.app.server.inject({
      method: 'POST',
      url: `/v2/Flows/${flowSid}/Executions/${execution.sid}`,
      headers: { authorization: server.auth, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'Status=ended',
    });
    assert.equal(ended.statusCode, 200);
    const after = await twilio.post(actionOf(menu.twiml![0]!), twilio.params('in-progress', { Digits: '1' }));
    assert.equal(after.status, 200, after.body);
    assert.deepEqual(after.twiml, [{ verb: 'Hangup', attributes: {} }]);
    // A forged token for it is still refused.
    assert.equal((await twilio.post(actionOf(menu.twiml![0]!).replace(/\.a\.[^.&]+$/, '.a.' + 'A'.repeat(43)), twilio.params('in-progress'))).status, 403);
  });

  for (const [i, [how, url]] of ([
    ['DELETE on v2', (flowSid: string, sid: string) => `/v2/Flows/${flowSid}/Executions/${sid}`],
    ['DELETE on v1', (flowSid: string, sid: string) => `/v1/Flows/${flowSid}/Executions/${sid}`],
    ['DELETE of an Engagement', (flowSid: string, sid: string) => `/v1/Flows/${flowSid}/Engagements/${sid}`],
  ] as const).entries()) {
    it(`a callback for an execution deleted mid-call (${how}) hangs the caller up, not a 403`, async () => {
      // A call of its own each (a CallSid starts the flow once).
      const twilio = new Twilio(server, flowSid, `+1555123008${how.length % 10}`, 80 + i);
      const first = await twilio.ring();
      const menu = await twilio.post(actionOf(first.twiml![1]!), twilio.params('in-progress'));
      const execution = (await executionOf(server, flowSid)).find((e) => e.initiatedBy === twilio.callSid)!;
      const deleted = await server.app.server.inject({ method: 'DELETE', url: url(flowSid, execution.sid), headers: { authorization: server.auth } });
      assert.equal(deleted.statusCode, 204, deleted.body);
      const after = await twilio.post(actionOf(menu.twiml![0]!), twilio.params('in-progress', { Digits: '1' }));
      assert.equal(after.status, 200, after.body);
      assert.deepEqual(after.twiml, [{ verb: 'Hangup', attributes: {} }]);
      // A forged token is still refused, deleted execution or not.
      assert.equal((await twilio.post(actionOf(menu.twiml![0]!).replace(/\.a\.[^.&]+$/, '.a.' + 'A'.repeat(43)), twilio.params('in-progress'))).status, 403);
    });
  }

  it('a request without a valid X-Twilio-Signature (or Basic auth) is refused', async () => {
    const twilio = new Twilio(server, flowSid, '+15551230004', 4);
    const res = await twilio.post(twilio.flowUrl, twilio.params('ringing'), 'wrong-token');
    assert.equal(res.status, 403);
  });

  it('a retried initial webhook continues the same execution instead of starting another', async () => {
    const twilio = new Twilio(server, flowSid, '+15551230005', 5);
    await twilio.ring();
    await twilio.ring();
    assert.equal((await executionOf(server, flowSid)).filter((e) => e.initiatedBy === twilio.callSid).length, 1);
    await twilio.hangup();
  });
});

/** One waiting widget after the trigger; every event it has goes nowhere (ends the flow). */
function single(type: string, properties: JsonObject, events: string[]): unknown {
  return {
    description: `hangup during ${type}`,
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'w' }], properties: { offset: { x: 0, y: 0 } } },
      { name: 'w', type, transitions: events.map((event) => ({ event })), properties: { offset: { x: 0, y: 100 }, ...properties } },
    ],
  };
}

describe('hangup during every waiting voice widget ends the execution cleanly', () => {
  const cases: [string, JsonObject, string[], string | null][] = [
    ['say-play', { say: 'Hello' }, ['audioComplete'], null],
    ['gather-input-on-call', { say: 'Press a key' }, ['keypress', 'speech', 'timeout'], null],
    ['connect-call-to', { noun: 'number', to: '+15550001111', caller_id: '{{trigger.call.To}}' }, ['callCompleted', 'hangup'], 'hangup'],
    ['record-voicemail', {}, ['recordingComplete', 'noAudio', 'hangup'], 'hangup'],
    ['enqueue-call', { queue_name: 'support' }, ['callComplete', 'failedToEnqueue', 'callFailure'], 'callComplete'],
    ['add-twiml-redirect', { url: 'https://app.example/twiml' }, ['return', 'timeout', 'fail'], null],
    ['fork-stream', { stream_action: 'start', stream_url: 'wss://media.example/s' }, ['next'], null],
    ['capture-payments', { payment_connector: 'Stripe', payment_amount: '5' }, ['success', 'maxFailedAttempts', 'providerError', 'payInterrupted', 'hangup', 'validationError'], 'hangup'],
    ['connect-virtual-agent-v2', { connector_name: 'cx' }, ['completed', 'live-agent-handoff', 'hangup', 'failed', 'paused'], 'hangup'],
    ['send-to-flex', { workflow: 'WW' + '1'.repeat(32), channel: 'TC' + '1'.repeat(32), attributes: '{}' }, ['callComplete', 'failedToEnqueue', 'callFailure'], 'callComplete'],
  ];
  // Record, Dial, Enqueue (Send to Flex), Pay and Connect wait a moment after the final status for the action
  // Twilio requests at a hangup; without it, Enqueue leaves by callComplete as QueueResult=hangup would.
  const awaitsAction = new Set(['connect-call-to', 'record-voicemail', 'enqueue-call', 'send-to-flex', 'connect-virtual-agent-v2', 'capture-payments']);
  for (const [type, properties, events, hangupEvent] of cases) {
    it(type, async () => {
      let now = Date.parse('2026-05-04T09:00:00Z');
      const { server, flowSid } = await serverWithFlow(single(type, properties, events), { now: () => now });
      try {
        const twilio = new Twilio(server, flowSid);
        const first = await twilio.ring();
        assert.equal(first.status, 200);
        assert.ok(first.twiml!.length > 0 && first.twiml![0]!.verb !== 'Hangup', `${type} answered with TwiML: ${first.body}`);
        const [waiting] = await executionOf(server, flowSid);
        assert.equal(waiting!.status, 'active');
        const status = await twilio.hangup();
        assert.equal(status.status, 200);
        assert.deepEqual(status.twiml, [], 'a status callback gets an empty <Response/>');
        if (awaitsAction.has(type)) {
          assert.equal((await executionOf(server, flowSid))[0]!.status, 'active', 'waits for the action');
          now += HANGUP_ACTION_GRACE_MS;
          await server.app.executions.fireDueTimers();
          await server.app.executions.idle();
        }
        const [ended] = await executionOf(server, flowSid);
        assert.equal(ended!.status, 'ended');
        assert.deepEqual((ended!.state as ExecutionState).endReason, { kind: 'completed' });
        const steps = await stepsOf(server, flowSid, ended!.sid);
        assert.deepEqual(steps, hangupEvent ? ['Trigger -incomingCall-> w', `w -${hangupEvent}-> Ended`] : ['Trigger -incomingCall-> w']);
        // Nothing is left behind: no timer, no pending effect.
        assert.equal((await server.app.store.pendingEffects(100)).length, 0);
        assert.equal(await server.app.store.nextTimerDue(), null);
      } finally {
        await server.close();
      }
    });
  }
});

describe('a caller hanging up in the queue: the Enqueue action and the final status in either order', () => {
  /** q (enqueue-call or send-to-flex) → callComplete → log (set-variables), the follow-up a flow runs. */
  const flow = (type: string, properties: JsonObject) => ({
    description: `hangup in ${type}`,
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'q' }], properties: { offset: { x: 0, y: 0 } } },
      { name: 'q', type, transitions: [{ event: 'callComplete', next: 'log' }, { event: 'failedToEnqueue' }, { event: 'callFailure' }], properties: { offset: { x: 0, y: 100 }, ...properties } },
      { name: 'log', type: 'set-variables', transitions: [{ event: 'next' }], properties: { offset: { x: 0, y: 200 }, variables: [{ key: 'result', value: '{{widgets.q.QueueResult}}' }] } },
    ],
  });
  const widgets: [string, JsonObject][] = [
    ['enqueue-call', { queue_name: 'support' }],
    ['send-to-flex', { workflow: 'WW' + '1'.repeat(32), channel: 'TC' + '1'.repeat(32) }],
  ];
  for (const [type, properties] of widgets) {
    for (const order of ['action first', 'status first'] as const) {
      it(`${type}, ${order}: q -callComplete-> log, and the follow-up runs`, async () => {
        const { server, flowSid } = await serverWithFlow(flow(type, properties));
        try {
          const twilio = new Twilio(server, flowSid);
          const first = await twilio.ring();
          assert.equal(first.twiml![0]!.verb, 'Enqueue');
          const action = () => twilio.post(actionOf(first.twiml![0]!), twilio.params('completed', { QueueResult: 'hangup', QueueSid: 'QU' + '1'.repeat(32), QueueTime: '42' }));
          if (order === 'action first') {
            assert.equal((await action()).status, 200);
            await twilio.hangup();
          } else {
            await twilio.hangup();
            assert.equal((await executionOf(server, flowSid))[0]!.status, 'active', 'waits for the action');
            assert.equal((await action()).status, 200);
          }
          await server.app.executions.idle();
          const [execution] = await executionOf(server, flowSid);
          assert.equal(execution!.status, 'ended');
          assert.deepEqual(await stepsOf(server, flowSid, execution!.sid), ['Trigger -incomingCall-> q', 'q -callComplete-> log', 'log -next-> Ended']);
          assert.equal((contextOf(execution!) as { flow: { variables: JsonObject } }).flow.variables.result, 'hangup');
          assert.equal(await server.app.store.nextTimerDue(), null, 'no grace timer left behind');
        } finally {
          await server.close();
        }
      });
    }
  }
});

describe('allow_concurrent_calls', () => {
  const flow = (allow: boolean) => ({ ...(single('gather-input-on-call', { say: 'Hi' }, ['keypress', 'speech', 'timeout']) as object), flags: { allow_concurrent_calls: allow } });
  it('off: a second call from the same caller hears an out-of-service message and is hung up', async () => {
    const { server, flowSid } = await serverWithFlow(flow(false));
    try {
      await new Twilio(server, flowSid, '+15551239999', 1).ring();
      const second = await new Twilio(server, flowSid, '+15551239999', 2).ring();
      assert.deepEqual(second.twiml!.map((v) => v.verb), ['Say', 'Hangup']);
      assert.match(second.twiml![0]!.text!, /out of service/);
      assert.equal((await executionOf(server, flowSid)).length, 1);
      // Another caller is not blocked.
      const other = await new Twilio(server, flowSid, '+15551238888', 3).ring();
      assert.equal(other.twiml![0]!.verb, 'Gather');
    } finally {
      await server.close();
    }
  });
  it('off: only the caller\'s active call blocks; their message or REST execution does not (§6.4)', async () => {
    // incomingMessage and incomingRequest wait for a reply, so those executions stay active.
    const waits = (name: string) => ({ name, type: 'send-and-wait-for-reply', transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure' }], properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', body: 'Reply?', timeout: '3600' } });
    const base = flow(false) as unknown as { states: { name: string; transitions: { event: string; next?: string }[] }[] };
    const definition = {
      ...base,
      states: [
        { ...base.states[0]!, transitions: [{ event: 'incomingCall', next: 'w' }, { event: 'incomingMessage', next: 'sms' }, { event: 'incomingRequest', next: 'rest' }] },
        ...base.states.slice(1),
        waits('sms'),
        waits('rest'),
      ],
    };
    const { server, flowSid } = await serverWithFlow(definition);
    try {
      const flowNumber = '+15005550006';
      await server.app.executions.inboundMessage(server.account.sid, flowSid, { From: '+15551237777', To: flowNumber, Body: 'hi', MessageSid: 'SM' + '7'.repeat(32) });
      await server.app.executions.create(server.account.sid, flowSid, { to: '+15551236666', from: flowNumber }, 'error');
      await server.app.executions.idle();
      for (const [from, n] of [['+15551237777', 4], ['+15551236666', 5]] as const) {
        const caller = new Twilio(server, flowSid, from, n);
        const answer = await caller.ring();
        assert.equal(answer.twiml![0]!.verb, 'Gather', `${from}: the call goes ahead beside the execution that is not a call`);
        // That call now blocks the caller's next one.
        const again = await new Twilio(server, flowSid, from, n + 10).ring();
        assert.deepEqual(again.twiml!.map((v) => v.verb), ['Say', 'Hangup'], `${from}: a second call while the first is active`);
      }
      const active = (await executionOf(server, flowSid)).filter((e) => e.status === 'active');
      assert.equal(active.length, 4, 'the SMS and REST executions and one call each');
    } finally {
      await server.close();
    }
  });
  it("off: the caller's older call blocks a new one though a newer REST execution holds the pair's slot", async () => {
    // incomingRequest waits for a reply, so the REST executions stay active.
    const base = flow(false) as unknown as { states: { name: string; transitions: { event: string; next?: string }[] }[] };
    const definition = {
      ...base,
      states: [
        { ...base.states[0]!, transitions: [{ event: 'incomingCall', next: 'w' }, { event: 'incomingRequest', next: 'rest' }] },
        ...base.states.slice(1),
        { name: 'rest', type: 'send-and-wait-for-reply', transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure' }], properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', body: 'Reply?', timeout: '3600' } },
      ],
    };
    const { server, flowSid } = await serverWithFlow(definition);
    try {
      const caller = '+15551235555';
      const rest = () => server.app.executions.create(server.account.sid, flowSid, { to: caller, from: '+15005550006' }, 'error');
      // A REST execution holds the pair's slot; the call goes ahead beside it, without the slot.
      const first = (await rest()).execution;
      assert.equal((await new Twilio(server, flowSid, caller, 21).ring()).twiml![0]!.verb, 'Gather');
      // The REST execution ends: the next one takes the free slot and is the pair's newest.
      await server.app.executions.end(server.account.sid, flowSid, first.sid);
      await rest();
      await server.app.executions.idle();
      const second = await new Twilio(server, flowSid, caller, 22).ring();
      assert.deepEqual(second.twiml!.map((v) => v.verb), ['Say', 'Hangup'], 'the older call is still active');
      const active = (await executionOf(server, flowSid)).filter((e) => e.status === 'active');
      assert.deepEqual(active.map((e) => e.initiatedBy.startsWith('CA')).sort(), [false, true], 'the first call and the second REST execution');
    } finally {
      await server.close();
    }
  });
  it("on: a node without the calls in its cache finds each by its CallSid among the caller's, off the pair's index", async () => {
    const { server, flowSid } = await serverWithFlow(flow(true));
    try {
      const calls = [1, 2, 3].map((n) => new Twilio(server, flowSid, '+15551234444', 30 + n));
      for (const call of calls) assert.equal((await call.ring()).twiml![0]!.verb, 'Gather');
      const all = await executionOf(server, flowSid);
      const [first, middle] = calls.map((call) => all.find((e) => e.initiatedBy === call.callSid)!.sid);
      // Another node: nothing remembered of these calls, so it asks the store.
      const otherNode = new CallService(server.app.store, server.app.executions);
      const store = server.app.store;
      const listExecutions = store.listExecutions.bind(store);
      let scans = 0;
      store.listExecutions = (...args) => {
        scans++;
        return listExecutions(...args);
      };
      try {
        // The oldest and the middle call: the pair's newest execution is the third call's.
        assert.equal((await otherNode.findByCall(server.account.sid, flowSid, calls[1]!.params('in-progress')))?.sid, middle);
        assert.equal((await otherNode.status(server.account.sid, flowSid, calls[0]!.params('completed', { CallDuration: '30' })))?.sid, first);
        // A retried first webhook of the middle call continues its execution.
        const retried = await otherNode.incoming(server.account.sid, flowSid, calls[1]!.params('ringing'));
        assert.equal(retried.kind !== 'refused' && retried.execution?.sid, middle);
        assert.equal(scans, 0, "found without reading the flow's executions");
      } finally {
        store.listExecutions = listExecutions;
      }
      const statuses = await Promise.all(calls.map((call) => executionOf(server, flowSid).then((all) => all.find((e) => e.initiatedBy === call.callSid)!.status)));
      assert.deepEqual(statuses, ['ended', 'active', 'active'], "the first call's status ended its own execution only");
    } finally {
      await server.close();
    }
  });
  it('on: a new call from the same caller goes ahead beside the earlier one; each call ends its own execution', async () => {
    const { server, flowSid } = await serverWithFlow(flow(true));
    try {
      const a = new Twilio(server, flowSid, '+15551239999', 1);
      const b = new Twilio(server, flowSid, '+15551239999', 2);
      await a.ring();
      const second = await b.ring();
      assert.equal(second.twiml![0]!.verb, 'Gather');
      const executions = await executionOf(server, flowSid);
      assert.equal(executions.find((e) => e.initiatedBy === b.callSid)!.status, 'active');
      assert.equal(executions.find((e) => e.initiatedBy === a.callSid)!.status, 'active', 'both calls run at once, as in Studio');
      // Status callbacks find each call's own execution by CallSid: the first call's end leaves the second running.
      await a.hangup();
      assert.equal((await executionOf(server, flowSid)).find((e) => e.initiatedBy === a.callSid)!.status, 'ended');
      assert.equal((await executionOf(server, flowSid)).find((e) => e.initiatedBy === b.callSid)!.status, 'active');
      await b.hangup();
      assert.equal((await executionOf(server, flowSid)).find((e) => e.initiatedBy === b.callSid)!.status, 'ended');
    } finally {
      await server.close();
    }
  });
});

describe('TwiML Redirect hand-back', () => {
  const flow = redirectAndReturnFlow('POST', 'Back with {{widgets.r.choice}}');

  it('POST and GET FlowEvent=return hand the call back; extra query parameters become outputs; a second return is refused', async () => {
    for (const method of ['POST', 'GET'] as const) {
      const { server, flowSid } = await serverWithFlow(flow);
      try {
        const twilio = new Twilio(server, flowSid);
        const first = await twilio.ring();
        assert.deepEqual(first.twiml, [{ verb: 'Redirect', attributes: { method: 'POST' }, text: 'https://app.example/ivr' }]);
        const returnUrl = `${twilio.flowUrl}?FlowEvent=return&choice=billing`;
        const back = async () => {
          if (method === 'POST') return twilio.post(returnUrl, twilio.params('in-progress'));
          return answerOf(await twilioGet(server, returnUrl, twilio.params('in-progress')));
        };
        const returned = await back();
        assert.equal(returned.status, 200, returned.body);
        assert.equal(returned.twiml![0]!.text, 'Back with billing', method);
        const [execution] = await executionOf(server, flowSid);
        assert.deepEqual((contextOf(execution!) as { widgets: Record<string, JsonObject> }).widgets.r, { choice: 'billing' });
        assert.equal((await back()).status, 403, `${method}: a second return is refused`);
        await twilio.hangup();
      } finally {
        await server.close();
      }
    }
  });
});

describe('callback URLs are on the public base URL, whatever Host the webhook was addressed to', () => {
  /** A signed POST or GET of `params` to `path`, addressed to `host`, signed over the public base URL as Twilio signs it. */
  function addressedTo(server: TestServer, host: string, method: 'POST' | 'GET', path: string, params: Record<string, string>) {
    if (method === 'GET') {
      const url = `${path}${path.includes('?') ? '&' : '?'}${new URLSearchParams(params).toString()}`;
      return server.app.server.inject({ method, url, headers: { host, 'x-twilio-signature': computeSignature(server.account.authToken, PUBLIC + url, {}) } });
    }
    return server.app.server.inject({
      method,
      url: path,
      headers: { host, 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': computeSignature(server.account.authToken, PUBLIC + path, params) },
      payload: new URLSearchParams(params).toString(),
    });
  }
  const PUBLIC = 'https://sb.example.com';

  it('a call webhook whose Host is a twilio.com host (a TLS proxy, a hosts entry) gets TwiML pointing back at the public base URL, not at real Twilio', async () => {
    for (const method of ['POST', 'GET'] as const) {
      const { server, flowSid } = await serverWithFlow(fixture('ivr-menu.json'), { config: { publicBaseUrl: PUBLIC } });
      try {
        const twilio = new Twilio(server, flowSid);
        const path = `/v1/Accounts/${server.account.sid}/Flows/${flowSid}`;
        const res = answerOf(await addressedTo(server, 'studio.twilio.com', method, path, twilio.params('ringing')));
        assert.equal(res.status, 200, res.body);
        const redirect = res.twiml!.find((v) => v.verb === 'Redirect')!;
        assert.ok(redirect.text!.startsWith(`${PUBLIC}${path}?sb=`), `${method}: ${redirect.text}`);
      } finally {
        await server.close();
      }
    }
  });

  it('so does the TwiML answering a GET FlowEvent=return', async () => {
    const { server, flowSid } = await serverWithFlow(redirectAndReturnFlow('GET', 'Back with {{widgets.r.choice}}'), { config: { publicBaseUrl: PUBLIC } });
    try {
      const twilio = new Twilio(server, flowSid);
      const path = `/v1/Accounts/${server.account.sid}/Flows/${flowSid}`;
      assert.equal((await addressedTo(server, 'sb.example.com', 'POST', path, twilio.params('ringing'))).statusCode, 200);
      const back = answerOf(await addressedTo(server, 'studio.twilio.com', 'GET', `${path}?FlowEvent=return&choice=billing`, twilio.params('in-progress')));
      assert.equal(back.status, 200, back.body);
      assert.equal(back.twiml![0]!.text, 'Back with billing');
      assert.ok(back.twiml![1]!.text!.startsWith(`${PUBLIC}${path}?sb=`), back.twiml![1]!.text);
    } finally {
      await server.close();
    }
  });
});

describe('a call survives a restart', () => {
  it('the callback URL handed out before the restart is accepted once after it', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { SqliteStore } = await import('../../src/store/sqlite/sqlite-store.ts');
    const { startTestServer } = await import('../support/server.ts');
    const dir = mkdtempSync(join(tmpdir(), 'sb-voice-restart-'));
    try {
      const path = join(dir, 'db.sqlite');
      const { server: first, flowSid } = await serverWithFlow(fixture('ivr-menu.json'), { store: new SqliteStore({ path }) });
      const before = new Twilio(first, flowSid);
      const greeting = await before.ring();
      const menu = await before.post(actionOf(greeting.twiml![1]!), before.params('in-progress'));
      const action = actionOf(menu.twiml![0]!);
      await first.close();

      const second = await startTestServer({ store: new SqliteStore({ path }) });
      try {
        assert.equal(second.account.sid, first.account.sid);
        const after = new Twilio(second, flowSid);
        const record = await after.post(action, after.params('in-progress', { Digits: '2' }));
        assert.equal(record.status, 200, record.body);
        assert.equal(record.twiml![0]!.verb, 'Record');
        const again = await after.post(action, after.params('in-progress', { Digits: '2' }));
        assert.deepEqual([again.status, again.twiml![0]!.verb], [200, 'Record'], 'applied once: sent again, it is answered with where the call is');
        // The caller leaves a message and hangs up: Twilio requests the Record action, then the final status.
        await after.post(actionOf(record.twiml![0]!), after.params('completed', { RecordingUrl: 'https://api.twilio.com/RE9', RecordingDuration: '4', Digits: 'hangup' }));
        await after.hangup();
        const [execution] = await executionOf(second, flowSid);
        assert.equal(execution!.status, 'ended');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Twilio never sends a voice webhook without a caller: a withheld caller ID arrives as one of its placeholder
// numbers (+266696687 "ANONYMOUS", +7378742833 "RESTRICTED", …; Twilio's help article "Why am I getting calls
// from these strange numbers"). Such a caller is a contact like any other; an empty From is only a tool's or a
// forgery's, and is answered 400 in Twilio's format (20001), as the REST create, which requires From, is.
describe('the caller of an inbound call', () => {
  let server: TestServer;
  let flowSid: string;
  before(async () => ({ server, flowSid } = await serverWithFlow(fixture('ivr-menu.json'))));
  after(() => server.close());

  it("a withheld caller ID (Twilio's +266696687) starts the flow; an empty From is a 400 in Twilio's format", async () => {
    const anonymous = new Twilio(server, flowSid, '+266696687', 71);
    const first = await anonymous.ring();
    assert.equal(first.status, 200, first.body);
    assert.equal(first.twiml![0]!.text, 'Welcome to Acme, +266696687.');
    await anonymous.hangup();

    const nobody = new Twilio(server, flowSid, '', 72);
    const refused = await nobody.ring();
    assert.equal(refused.status, 400);
    assert.equal(refused.twiml, null);
    assert.deepEqual(JSON.parse(refused.body), { code: 20001, message: 'An inbound call needs CallSid, From and To', more_info: 'https://www.twilio.com/docs/errors/20001', status: 400 });
  });
});

// A TwiML Redirect inside a subflow: the subflow runs in the parent's execution (§2.20), so the app hands the
// call back to the parent flow's webhook, which {{trigger.parent.flow_sid}} names in the subflow. The
// subflow's own webhook has no execution for the call: refused (20003), with a message that says where to go.
describe('TwiML Redirect inside a subflow', () => {
  let server: TestServer;
  let subSid: string;
  before(async () => {
    ({ server, flowSid: subSid } = await serverWithFlow({
      description: 'sub', initial_state: 'Trigger', flags: { allow_concurrent_calls: true },
      states: [
        { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingParent', next: 'r' }], properties: { offset: { x: 0, y: 0 } } },
        { name: 'r', type: 'add-twiml-redirect', transitions: [{ event: 'return', next: 'say' }, { event: 'timeout' }, { event: 'fail' }], properties: { offset: { x: 0, y: 100 }, url: 'https://app.example/ivr?parent={{trigger.parent.flow_sid}}&own={{flow.flow_sid}}', method: 'POST', timeout: '600' } },
        { name: 'say', type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { offset: { x: 0, y: 200 }, say: 'Back in the subflow.' } },
      ],
    }));
  });
  after(() => server.close());

  it("the return goes to the parent's webhook ({{trigger.parent.flow_sid}}); the subflow's own is refused saying so", async () => {
    const parent = await server.app.flows.create(server.account.sid, {
      friendlyName: 'parent', status: 'published', definition: {
        description: 'parent', initial_state: 'Trigger', flags: { allow_concurrent_calls: true },
        states: [
          { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'run' }], properties: { offset: { x: 0, y: 0 } } },
          { name: 'run', type: 'run-subflow', transitions: [{ event: 'completed' }, { event: 'failed' }], properties: { offset: { x: 0, y: 100 }, flow_sid: subSid, flow_revision: 'LatestPublished', parameters: [] } },
        ],
      },
    });
    const twilio = new Twilio(server, parent.sid, '+15551230001', 81);
    const first = await twilio.ring();
    assert.deepEqual(first.twiml!.map((v) => v.verb), ['Redirect']);
    assert.equal(first.twiml![0]!.text, `https://app.example/ivr?parent=${parent.sid}&own=${subSid}`);

    const own = await twilio.post(`${flowWebhookUrl(server, subSid)}?FlowEvent=return`, twilio.params('in-progress'));
    assert.equal(own.status, 403);
    const refused = JSON.parse(own.body);
    assert.equal(refused.code, 20003);
    assert.match(refused.message, /no active execution of this flow has this call \(a TwiML Redirect inside a subflow hands the call back to the parent flow's webhook: \{\{trigger\.parent\.flow_sid\}\}, not \{\{flow\.flow_sid\}\}\)/);

    const back = await twilio.post(`${flowWebhookUrl(server, parent.sid)}?FlowEvent=return`, twilio.params('in-progress'));
    assert.equal(back.status, 200, back.body);
    assert.equal(back.twiml![0]!.text, 'Back in the subflow.');
  });
});
