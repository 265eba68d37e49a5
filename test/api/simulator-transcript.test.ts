// The simulator transcript ties every message to its execution: the contact's inbound message
// carries the SID of the execution it started or resumed (as the replies do), both in the POST
// answer and in the GET transcript, instead of `execution_sid: null`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestServer, FORM, type TestServer } from '../support/server.ts';
import { SIMULATOR_FLOW_ADDRESS } from '../../src/channels/simulator/simulator-channel.ts';

const survey = JSON.parse(readFileSync(new URL('../fixtures/flows/survey.json', import.meta.url), 'utf8'));

interface Message {
  sid: string;
  direction: string;
  body: string;
  execution_sid: string | null;
}

describe('simulator transcript: execution_sid of inbound messages', () => {
  let t: TestServer;
  let flowSid = '';
  /** The console's simulator stream for `query`, read until its first message (or stream-error) or 5 s; what arrived. */
  const firstStreamEvent = async (query: string): Promise<string> => {
    const abort = new AbortController();
    const stream = await fetch(`${t.baseUrl}/console/api/Flows/${flowSid}/Simulator/Events?${query}`, { headers: { authorization: t.auth }, signal: abort.signal });
    assert.equal(stream.status, 200);
    let text = '';
    const decoder = new TextDecoder();
    const reader = stream.body!.getReader();
    const deadline = Date.now() + 5000;
    while (!/event: (message|stream-error)/.test(text) && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<{ value: undefined; done: true }>((resolve) => (timer = setTimeout(() => resolve({ value: undefined, done: true }), deadline - Date.now())));
      const { value, done } = await Promise.race([reader.read(), timeout]);
      clearTimeout(timer);
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    abort.abort();
    return text;
  };
  before(async () => {
    t = await startTestServer({ listen: true });
    flowSid = (await t.app.flows.create(t.account.sid, { friendlyName: 'survey', status: 'published', definition: survey })).sid;
  });
  after(() => t.close());

  const text = async (body: string) => {
    const res = await t.app.server.inject({
      method: 'POST',
      url: `/simulator/Flows/${flowSid}/Messages`,
      headers: { authorization: t.auth, ...FORM },
      payload: `From=%2B15551230009&Body=${body}`,
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as { message_sid: string; execution_sid: string; messages: Message[] };
  };

  it('the message that starts, the one that resumes and the next one that starts again', async () => {
    const first = await text('hi');
    assert.match(first.execution_sid, /^FN[0-9a-f]{32}$/);
    const inbound = first.messages.find((m) => m.sid === first.message_sid)!;
    assert.equal(inbound.direction, 'inbound');
    assert.equal(inbound.execution_sid, first.execution_sid);

    const reply = await text('5');
    assert.equal(reply.execution_sid, first.execution_sid, 'the reply resumes the waiting execution');
    assert.equal(reply.messages.find((m) => m.sid === reply.message_sid)!.execution_sid, first.execution_sid);

    // The survey has ended: the next message starts a new execution, and says which.
    const again = await text('hello');
    assert.notEqual(again.execution_sid, first.execution_sid);

    const res = await t.app.server.inject({ method: 'GET', url: `/simulator/Flows/${flowSid}/Messages?Contact=%2B15551230009`, headers: { authorization: t.auth } });
    const messages = res.json().messages as Message[];
    assert.deepEqual(
      messages.map((m) => `${m.direction} ${m.body} ${m.execution_sid === first.execution_sid ? 'first' : m.execution_sid === again.execution_sid ? 'second' : m.execution_sid}`),
      ['inbound hi first', 'outbound-api Rate us 1-5 first', 'inbound 5 first', 'outbound-api Thanks for the 5! first', 'inbound hello second', 'outbound-api Rate us 1-5 second'],
    );
  });

  it('a GET without Contact is told it is missing from the query string', async () => {
    for (const url of [`/simulator/Flows/${flowSid}/Messages`, `/console/api/Flows/${flowSid}/Simulator/Events?FlowAddress=x`]) {
      const res = await t.app.server.inject({ method: 'GET', url, headers: { authorization: t.auth } });
      assert.equal(res.statusCode, 400, url);
      assert.deepEqual({ code: res.json().code, message: res.json().message }, { code: 20001, message: 'Missing required parameter Contact in the query string' }, url);
    }
  });

  it("an unencoded '+' in Contact (a space) is refused as the POST's From is, not answered with an empty transcript", async () => {
    for (const url of [`/simulator/Flows/${flowSid}/Messages?Contact=+15551230009`, `/console/api/Flows/${flowSid}/Simulator/Events?Contact=+15551230009`]) {
      const res = await t.app.server.inject({ method: 'GET', url, headers: { authorization: t.auth } });
      assert.equal(res.statusCode, 400, url);
      assert.equal(res.json().code, 20001, url);
      assert.match(res.json().message, /Contact.*starts with a space.*URL-encode it/, url);
    }
  });

  it('a repeated FlowAddress is read as its first value, in the transcript and the console stream', async () => {
    const query = `Contact=%2B15551230009&FlowAddress=${encodeURIComponent(SIMULATOR_FLOW_ADDRESS)}&FlowAddress=b`;
    const res = await t.app.server.inject({ method: 'GET', url: `/simulator/Flows/${flowSid}/Messages?${query}`, headers: { authorization: t.auth } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().messages.length, 6);
    // The stream's first poll shows the transcript; an array used to fail every poll (stream-error).
    const text = await firstStreamEvent(query);
    assert.match(text, /event: message/);
    assert.doesNotMatch(text, /stream-error/);
  });

  it('a Contact written with separators names the contact by its E.164, in the transcript and the console stream', async () => {
    const query = `Contact=${encodeURIComponent('+1 (555) 123-0009')}&FlowAddress=${encodeURIComponent('+1 500 555 0006')}`;
    const res = await t.app.server.inject({ method: 'GET', url: `/simulator/Flows/${flowSid}/Messages?${query}`, headers: { authorization: t.auth } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().messages.length, 6);
    const text = await firstStreamEvent(query);
    assert.match(text, /event: message\n[^]*"From":"\+15551230009"/);
  });

  it('what the execution sends elsewhere (another number, media) comes in other_messages', async () => {
    const definition = {
      description: 'sends to another number',
      initial_state: 'Trigger',
      states: [
        { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'notify' }], properties: { offset: { x: 0, y: 0 } } },
        {
          name: 'notify',
          type: 'send-message',
          transitions: [{ event: 'sent', next: 'answer' }, { event: 'failed' }],
          properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', to: '+15559998888', body: 'New lead: {{trigger.message.From}}', media_url: 'https://example.com/card.png' },
        },
        {
          name: 'answer',
          type: 'send-message',
          transitions: [{ event: 'sent' }, { event: 'failed' }],
          properties: { offset: { x: 0, y: 400 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Thanks' },
        },
      ],
    };
    const other = (await t.app.flows.create(t.account.sid, { friendlyName: 'notify', status: 'published', definition })).sid;
    const res = await t.app.server.inject({
      method: 'POST',
      url: `/simulator/Flows/${other}/Messages`,
      headers: { authorization: t.auth, ...FORM },
      payload: 'From=%2B15551230010&Body=hi',
    });
    assert.equal(res.statusCode, 201, res.body);
    const answer = res.json() as { execution_sid: string; messages: Message[]; other_messages: (Message & { to: string; media_url: string[] })[] };
    assert.deepEqual(answer.messages.map((m) => m.body), ['hi', 'Thanks']);
    assert.deepEqual(
      answer.other_messages.map((m) => ({ to: m.to, body: m.body, media_url: m.media_url, execution_sid: m.execution_sid })),
      [{ to: '+15559998888', body: 'New lead: +15551230010', media_url: ['https://example.com/card.png'], execution_sid: answer.execution_sid }],
    );
  });
});

describe('simulator transcript: content templates', () => {
  it('a message sent as a content template carries its content_sid (the simulator has no text for it)', async () => {
    const t = await startTestServer({});
    try {
      const definition = {
        description: 'template',
        initial_state: 'Trigger',
        flags: { allow_concurrent_calls: true },
        states: [
          { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'menu' }, { event: 'incomingCall' }, { event: 'incomingRequest' }], properties: {} },
          {
            name: 'menu',
            type: 'send-message',
            transitions: [{ event: 'sent' }, { event: 'failed' }],
            properties: { from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: '', message_type: 'content_template', content_sid: 'HX0123456789abcdef0123456789abcdef' },
          },
        ],
      };
      const flowSid = (await t.app.flows.create(t.account.sid, { friendlyName: 'template', status: 'published', definition })).sid;
      const res = await t.app.server.inject({ method: 'POST', url: `/simulator/Flows/${flowSid}/Messages`, headers: { authorization: t.auth, ...FORM }, payload: 'From=%2B15551230010&Body=hi' });
      assert.equal(res.statusCode, 201, res.body);
      const messages = res.json().messages as (Message & { content_sid: string | null })[];
      assert.deepEqual(messages.map((m) => [m.direction, m.content_sid]), [['inbound', null], ['outbound-api', 'HX0123456789abcdef0123456789abcdef']]);
    } finally {
      await t.close();
    }
  });
});
