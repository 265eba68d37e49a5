// A revision that asks a question the execution never asked (a Send & Wait added on its path) leaves
// the replay waiting there once the recorded inputs run out. For an execution that had ended, the replay
// took that question for the one an execution ended by hand keeps no step of: it left it out of the
// messages and noted "the execution ended while waiting on a reply to …", so the new question, the very
// change under review, never showed. It is left out only when the replay waits where the recording
// stopped; elsewhere it is a '+' message like any other.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestServer, FORM, form, type TestServer } from '../support/server.ts';

const askAndWait = () => JSON.parse(readFileSync(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url), 'utf8'));
const NEW_QUESTION = 'And your email?';

/** ask-and-wait with a question added: after the reply (before `thanks`), or before `ask`. */
function withQuestion(where: 'after-reply' | 'before-ask') {
  const definition = askAndWait();
  const states = definition.states as { name: string; type: string; transitions: { event: string; next?: string }[] }[];
  const next = where === 'after-reply' ? 'thanks' : 'ask';
  const from = where === 'after-reply' ? states.find((s) => s.name === 'ask')! : states.find((s) => s.name === 'Trigger')!;
  from.transitions.find((t) => t.next === next)!.next = 'email';
  states.push({
    name: 'email',
    type: 'send-and-wait-for-reply',
    transitions: [{ event: 'incomingMessage', next }, { event: 'timeout' }, { event: 'deliveryFailure' }],
    properties: { offset: { x: 300, y: 300 }, from: '{{flow.channel.address}}', body: NEW_QUESTION, timeout: '3600' },
  } as never);
  return definition;
}

describe('replay against a revision that asks a new question', () => {
  let s: TestServer;
  let flowSid = '';
  const post = (url: string, fields: Record<string, string>) => s.app.server.inject({ method: 'POST', url, headers: { authorization: s.auth, ...FORM }, payload: form(fields) });
  const replay = async (executionSid: string, definition: unknown) => {
    const r = await post(`/replay/Flows/${flowSid}/Executions/${executionSid}`, { Definition: JSON.stringify(definition) });
    assert.equal(r.statusCode, 200, r.body);
    return r.json();
  };
  const start = async (to: string) => {
    const r = await post(`/v2/Flows/${flowSid}/Executions`, { To: to, From: '+15005550006', Parameters: '{"name":"Ann"}' });
    assert.equal(r.statusCode, 201, r.body);
    await s.app.executions.idle();
    return r.json().sid as string;
  };

  before(async () => {
    s = await startTestServer();
    flowSid = (await s.app.flows.create(s.account.sid, { friendlyName: 'Ask', status: 'published', definition: askAndWait() })).sid;
  });
  after(() => s?.close());

  it('an execution that ran to its end: the new question shows as a + message, with no note', async () => {
    const executionSid = await start('+15551230001');
    const reply = await post(`/simulator/Flows/${flowSid}/Messages`, { From: '+15551230001', To: '+15005550006', Body: 'fine' });
    assert.equal(reply.statusCode, 201, reply.body);
    await s.app.executions.idle();
    const body = await replay(executionSid, withQuestion('after-reply'));
    assert.equal(body.diverged, true);
    assert.equal(body.replay.end, 'waiting');
    assert.deepEqual(body.message_diff, ['  "Hi Ann, how are you?"', '- "Thanks: fine"', `+ ${JSON.stringify(NEW_QUESTION)}`]);
    assert.deepEqual(body.notes.filter((n: string) => /ended while waiting/.test(n)), []);
  });

  it('an execution ended by hand while waiting at ask: a question asked before ask shows; the one at ask is still left out', async () => {
    const executionSid = await start('+15551230002');
    const ended = await post(`/v2/Flows/${flowSid}/Executions/${executionSid}`, { Status: 'ended' });
    assert.equal(ended.statusCode, 200, ended.body);
    await s.app.executions.idle();
    const before = await replay(executionSid, withQuestion('before-ask'));
    assert.equal(before.diverged, true);
    assert.deepEqual(before.message_diff, [`+ ${JSON.stringify(NEW_QUESTION)}`]);
    assert.deepEqual(before.notes.filter((n: string) => /ended while waiting/.test(n)), []);
    // Waiting where the recording stopped: as before, left out with a note.
    const same = await replay(executionSid, askAndWait());
    assert.equal(same.diverged, false, JSON.stringify(same));
    assert.ok(same.notes.some((n: string) => n.includes('"Hi Ann, how are you?"') && /not compared/.test(n)), JSON.stringify(same.notes));
  });
});
