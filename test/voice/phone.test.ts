// The simulator phone API: holding the line while the flow waits for something else (a text reply),
// bad input answered with Twilio-format errors, and calls being private to their account.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FORM, form } from '../support/server.ts';
import type { JsonObject } from '../../src/engine/types.ts';
import { contextOf } from '../../src/runtime/execution-context.ts';
import { phoneFor } from '../../src/api/routes/simulator-calls.ts';
import { call, fixture, phone, said, serverWithFlow, stepsOf } from './support.ts';

const HOLD_FLOW = {
  description: 'a call that waits for a text',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'ask' }, { event: 'incomingMessage' }], properties: { offset: { x: 0, y: 0 } } },
    { name: 'ask', type: 'send-and-wait-for-reply', transitions: [{ event: 'incomingMessage', next: 'echo' }, { event: 'timeout' }, { event: 'deliveryFailure' }], properties: { offset: { x: 0, y: 100 }, body: 'Text us your order number', from: '{{flow.channel.address}}', timeout: '600' } },
    { name: 'echo', type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { offset: { x: 0, y: 200 }, say: 'Order {{widgets.ask.inbound.Body}} is on its way.' } },
  ],
};

describe('simulator phone', () => {
  it('holds the line while the execution waits for a text, then goes on when the reply arrives', async () => {
    const { server, flowSid } = await serverWithFlow(HOLD_FLOW);
    try {
      const from = '+15551230301';
      const first = await call(server, flowSid, from);
      assert.equal(first.waiting_for?.kind, 'hold');
      assert.deepEqual(said(first), []);
      const texts = server.app.simulator.transcript('+15005550006', from).map((m) => m.body);
      assert.deepEqual(texts, ['Text us your order number']);
      const reply = await server.app.server.inject({ method: 'POST', url: `/simulator/Flows/${flowSid}/Messages`, headers: { authorization: server.auth, ...FORM }, payload: form({ From: from, Body: 'A-42' }) });
      assert.equal(reply.statusCode, 201, reply.body);
      const after = await phone(server, `/simulator/calls/${first.sid}`, {}, 'GET');
      assert.deepEqual(said(after), ['Order A-42 is on its way.']);
      assert.equal(after.status, 'completed');
    } finally {
      await server.close();
    }
  });

  it('bad input gets Twilio-format errors; calls are private to their account', async () => {
    const { server, flowSid } = await serverWithFlow(HOLD_FLOW);
    try {
      const post = (url: string, fields: Record<string, string>, auth = server.auth) =>
        server.app.server.inject({ method: 'POST', url, headers: { authorization: auth, ...FORM }, payload: form(fields) });
      const noFrom = await post('/simulator/calls', { FlowSid: flowSid });
      assert.equal(noFrom.statusCode, 400);
      assert.equal(noFrom.json().code, 20001);
      // An unknown FlowSid is a 404 that names the flow asked for, not a /v2/Flows path never requested.
      for (const FlowSid of ['FWnope', 'FW' + '0'.repeat(32)]) {
        const unknown = await post('/simulator/calls', { FlowSid, From: '+1555' });
        assert.equal(unknown.statusCode, 404);
        const body = unknown.json();
        assert.equal(body.code, 20404);
        assert.equal(body.status, 404);
        assert.equal(body.message, `The requested resource Flow ${FlowSid} was not found`);
        assert.doesNotMatch(body.message, /\/v2\//);
        assert.equal(body.more_info, 'https://www.twilio.com/docs/errors/20404');
      }
      assert.equal((await post('/simulator/calls/CA' + '0'.repeat(32) + '/Digits', { Digits: '1' })).statusCode, 404);
      const started = await call(server, flowSid, '+15551230302');
      const badDigits = await post(`/simulator/calls/${started.sid}/Digits`, { Digits: '12a' });
      assert.equal(badDigits.statusCode, 400);
      assert.equal((await post(`/simulator/calls/${started.sid}/Teleport`, {})).statusCode, 404);
      const other = await server.app.accounts.create('other');
      const auth = 'Basic ' + Buffer.from(`${other.sid}:${other.authToken}`).toString('base64');
      assert.equal((await post(`/simulator/calls/${started.sid}/Hangup`, {}, auth)).statusCode, 404);
      assert.equal((await phone(server, `/simulator/calls/${started.sid}`, {}, 'GET')).status, 'in-progress', 'the other account could not hang it up');
      const unauthenticated = await server.app.server.inject({ method: 'GET', url: `/simulator/calls/${started.sid}` });
      assert.equal(unauthenticated.statusCode, 401);
    } finally {
      await server.close();
    }
  });
});

describe('simulator phone behind a proxy on a sub-path', () => {
  it('a public base URL with a path (https://host/switchboard) still reaches the flow', async () => {
    const { server, flowSid } = await serverWithFlow(HOLD_FLOW, { config: { publicBaseUrl: 'https://sb.example.com/switchboard' } });
    try {
      const first = await call(server, flowSid, '+15551230309');
      assert.notEqual(first.status, 'failed', JSON.stringify(first.transcript));
      assert.equal(first.waiting_for?.kind, 'hold');
      assert.ok(first.execution_sid, 'the call started an execution');
    } finally {
      await server.close();
    }
  });
});

describe("simulator phone: a Record's Digits", () => {
  // Twilio's <Record> action: Digits is "the key (if any) pressed to end the recording or 'hangup' if the caller hung up".
  it("is the finish key, or absent when the recording ended by itself (the caller is still on the line: not 'hangup')", async () => {
    const { server, flowSid } = await serverWithFlow(fixture('ivr-menu.json'));
    try {
      for (const [fields, digits] of [[{ Duration: '7' }, undefined], [{ Duration: '7', FinishKey: '#' }, '#']] as const) {
        const started = await call(server, flowSid, '+15551230403');
        assert.equal((await phone(server, `/simulator/calls/${started.sid}/Digits`, { Digits: '2' })).waiting_for?.kind, 'record');
        const after = await phone(server, `/simulator/calls/${started.sid}/Recording`, fields);
        const steps = await stepsOf(server, flowSid, after.execution_sid!);
        assert.ok(steps.includes('vm -recordingComplete-> thanks'), steps.join(', '));
        assert.ok(said(after).some((line) => line.startsWith('Thanks')), 'the call went on: the caller heard the thanks');
        const vm = (contextOf((await server.app.store.getExecutionBySid(after.execution_sid!))!) as { widgets: Record<string, JsonObject> }).widgets.vm!;
        assert.equal(vm.RecordingDuration, '7');
        assert.equal(vm.Digits, digits, JSON.stringify(fields));
      }
    } finally {
      await server.close();
    }
  });
});

describe("simulator phone: keys during a Record", () => {
  it("only a key of its finishOnKey ends the recording (the menu's Record has finishOnKey=\"#\"); another is recorded over", async () => {
    const { server, flowSid } = await serverWithFlow(fixture('ivr-menu.json'));
    try {
      const started = await call(server, flowSid, '+15551230404');
      assert.equal((await phone(server, `/simulator/calls/${started.sid}/Digits`, { Digits: '2' })).waiting_for?.kind, 'record');
      const other = await phone(server, `/simulator/calls/${started.sid}/Digits`, { Digits: '5' });
      assert.equal(other.waiting_for?.kind, 'record', 'still recording');
      assert.ok(!(await stepsOf(server, flowSid, other.execution_sid!)).some((step) => step.startsWith('vm -')), 'the Record widget has not left');
      const finished = await phone(server, `/simulator/calls/${started.sid}/Digits`, { Digits: '1#' });
      const steps = await stepsOf(server, flowSid, finished.execution_sid!);
      assert.ok(steps.includes('vm -recordingComplete-> thanks'), steps.join(', '));
      const vm = (contextOf((await server.app.store.getExecutionBySid(finished.execution_sid!))!) as { widgets: Record<string, JsonObject> }).widgets.vm!;
      assert.equal(vm.Digits, '#');
    } finally {
      await server.close();
    }
  });
});

describe('simulator phone: hanging up during a Record or a Dial', () => {
  // As Twilio does: the verb's action is requested first (its TwiML is not run), then the final status.
  it('a message left before hanging up is recordingComplete, with the recording', async () => {
    const { server, flowSid } = await serverWithFlow(fixture('ivr-menu.json'));
    try {
      const started = await call(server, flowSid, '+15551230401');
      const menu = await phone(server, `/simulator/calls/${started.sid}/Digits`, { Digits: '2' });
      assert.equal(menu.waiting_for?.kind, 'record');
      // A plain Hangup says nothing was recorded (test/voice/phone-hangup-actions.test.ts): 5 s were.
      await phoneFor(server.app.server)!.phone.act(started.sid, { type: 'hangup', recordedSeconds: 5 });
      const ended = await phone(server, `/simulator/calls/${started.sid}`, {}, 'GET');
      assert.equal(ended.status, 'completed');
      const steps = await stepsOf(server, flowSid, ended.execution_sid!);
      // The flow went on to `thanks`; the final status then ended it there (the caller is gone).
      assert.equal(steps.at(-1), 'vm -recordingComplete-> thanks');
      assert.ok(!said(ended).some((line) => line.startsWith('Thanks')), 'the TwiML after the hangup is not played');
      const execution = await server.app.store.getExecutionBySid(ended.execution_sid!);
      assert.equal(execution!.status, 'ended');
      const vm = (contextOf(execution!) as { widgets: Record<string, JsonObject> }).widgets.vm!;
      assert.equal(vm.Digits, 'hangup');
      assert.match(String(vm.RecordingUrl), /\/Recordings\/RE[0-9a-f]{32}$/);
    } finally {
      await server.close();
    }
  });

  it('during a Dial: hangup, with the Dial outputs', async () => {
    const { server, flowSid } = await serverWithFlow(fixture('ivr-menu.json'));
    try {
      const started = await call(server, flowSid, '+15551230402');
      const dialling = await phone(server, `/simulator/calls/${started.sid}/Digits`, { Digits: '1' });
      assert.equal(dialling.waiting_for?.kind, 'dial');
      const ended = await phone(server, `/simulator/calls/${started.sid}/Hangup`);
      const steps = await stepsOf(server, flowSid, ended.execution_sid!);
      assert.equal(steps.at(-1), 'sales -hangup-> Ended');
      const execution = await server.app.store.getExecutionBySid(ended.execution_sid!);
      assert.equal(execution!.status, 'ended');
      assert.equal((contextOf(execution!) as { widgets: Record<string, JsonObject> }).widgets.sales!.DialCallStatus, 'completed');
    } finally {
      await server.close();
    }
  });
});

describe('simulator phone: hanging up in a queue', () => {
  const QUEUE_FLOW = {
    description: 'waits in a queue',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'queue' }], properties: { offset: { x: 0, y: 0 } } },
      { name: 'queue', type: 'enqueue-call', transitions: [{ event: 'callComplete', next: 'result' }, { event: 'failedToEnqueue' }, { event: 'callFailure' }], properties: { offset: { x: 0, y: 100 }, queue_name: 'support' } },
      { name: 'result', type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { offset: { x: 0, y: 200 }, say: 'Queue result {{widgets.queue.QueueResult}}' } },
    ],
  };

  // Reference §2.10: Twilio requests the <Enqueue> action with QueueResult=hangup; its TwiML is not played.
  for (const [how, hangUp] of [
    ['the caller hangs up', (sid: string, server: Parameters<typeof phone>[0]) => phone(server, `/simulator/calls/${sid}/Hangup`)],
    ['the API says QueueResult=hangup', (sid: string, server: Parameters<typeof phone>[0]) => phone(server, `/simulator/calls/${sid}/Queue`, { QueueResult: 'hangup', QueueTime: '42' })],
  ] as const) {
    it(`${how}: the action is requested with QueueResult=hangup (callComplete), and nothing more is heard`, async () => {
      const { server, flowSid } = await serverWithFlow(QUEUE_FLOW);
      try {
        const started = await call(server, flowSid, '+15551230403');
        assert.equal(started.waiting_for?.kind, 'queue');
        const ended = await hangUp(started.sid, server);
        assert.equal(ended.status, 'completed');
        await server.app.executions.idle();
        const steps = await stepsOf(server, flowSid, ended.execution_sid!);
        assert.equal(steps.at(1), 'queue -callComplete-> result');
        assert.deepEqual(said(await phone(server, `/simulator/calls/${started.sid}`, {}, 'GET')), []);
        const execution = await server.app.store.getExecutionBySid(ended.execution_sid!);
        assert.equal(execution!.status, 'ended');
        const queue = (contextOf(execution!) as { widgets: Record<string, JsonObject> }).widgets.queue!;
        assert.equal(queue.QueueResult, 'hangup');
        if (how === 'the API says QueueResult=hangup') assert.equal(queue.QueueTime, '42');
      } finally {
        await server.close();
      }
    });
  }
});

describe('simulator phone: hanging up while the flow works', () => {
  it('during a slow HTTP request the hangup takes effect at once; the answer after it is not heard', async () => {
    // The flow's request is answered only when the test says so; the caller hangs up while it is out.
    // (Held, not timed: on a busy machine a hangup 'at once' and a request of a few seconds can overlap.)
    let asked!: () => void;
    const requested = new Promise<void>((resolve) => (asked = resolve));
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const slow = createServer((request, response) => {
      request.resume();
      asked();
      void answered.then(() => response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok": true}'));
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/slow`;
    const say = (name: string, text: string, next?: string) => ({ name, type: 'say-play', transitions: [{ event: 'audioComplete', ...(next ? { next } : {}) }], properties: { offset: { x: 0, y: 100 }, say: text } });
    const definition = {
      description: 'a slow request',
      initial_state: 'Trigger',
      flags: { allow_concurrent_calls: true },
      states: [
        { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'lookup' }], properties: { offset: { x: 0, y: 0 } } },
        { name: 'lookup', type: 'make-http-request', transitions: [{ event: 'success', next: 'done' }, { event: 'failed', next: 'done' }], properties: { offset: { x: 0, y: 100 }, method: 'GET', content_type: 'application/x-www-form-urlencoded;charset=utf-8', url } },
        say('done', 'Here is your answer.'),
      ],
    };
    const { server, flowSid } = await serverWithFlow(definition, { config: { dev: true } });
    try {
      const dialled = call(server, flowSid, '+15551230501');
      // The call exists while its first request is out: find it in the list.
      await requested;
      const listed = (await phone(server, '/simulator/calls', {}, 'GET')) as unknown as { calls: { sid: string }[] };
      const callSid = listed.calls[0]?.sid;
      assert.ok(callSid);
      // The hangup is answered while the request is still out (a generous cap: had it waited for the
      // request, it would wait for ever).
      const hangup = phone(server, `/simulator/calls/${callSid}/Hangup`);
      const ended = await Promise.race([hangup, new Promise<null>((resolve) => setTimeout(resolve, 20_000, null).unref())]);
      assert.ok(ended, 'the hangup waited for the HTTP request');
      assert.equal(ended.status, 'completed');
      // The request finishes; the flow goes on to a caller widget, which the gone caller never hears.
      answer();
      await dialled;
      await server.app.executions.idle();
      await phoneFor(server.app.server)!.phone.settled(callSid);
      const after = await phone(server, `/simulator/calls/${callSid}`, {}, 'GET');
      assert.deepEqual(said(after), []);
      assert.equal(after.transcript.at(-1)?.kind, 'ended', JSON.stringify(after.transcript));
      const execution = await server.app.store.getExecutionBySid(after.execution_sid!);
      assert.equal(execution!.status, 'ended');
    } finally {
      answer();
      await server.close();
      slow.close();
    }
  });
});

describe('simulator phone: URLs a flow names obey the outbound policy', () => {
  // A TwiML Redirect to an address the policy refuses (loopback, outside dev mode) must not be fetched:
  // its answer would end up in the call's transcript.
  it('a redirect to a refused address is never requested; the call fails with the reason', async () => {
    const { createServer } = await import('node:http');
    let hits = 0;
    const internal = createServer((_req, res) => {
      hits++;
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('secret-internal-data');
    });
    await new Promise<void>((done) => internal.listen(0, '127.0.0.1', done));
    const port = (internal.address() as { port: number }).port;
    const flow = {
      description: 'redirect to an internal address',
      initial_state: 'Trigger',
      flags: { allow_concurrent_calls: true },
      states: [
        { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'away' }], properties: { offset: { x: 0, y: 0 } } },
        { name: 'away', type: 'add-twiml-redirect', transitions: [{ event: 'return' }, { event: 'timeout' }, { event: 'fail' }], properties: { offset: { x: 0, y: 100 }, url: `http://127.0.0.1:${port}/twiml`, method: 'POST' } },
      ],
    };
    const { server, flowSid } = await serverWithFlow(flow, { config: { dev: false } });
    try {
      const view = await call(server, flowSid, '+15551230501');
      assert.equal(hits, 0, 'the refused address was not requested');
      assert.equal(view.status, 'failed');
      const text = view.transcript.map((l) => l.text).join('\n');
      assert.match(text, /blocked|not allowed|refused/i);
      assert.doesNotMatch(text, /secret-internal-data/);
    } finally {
      await server.close();
      internal.close();
    }
  });
});
