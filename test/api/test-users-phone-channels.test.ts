// A flow's test users run its latest revision, drafts included. A test user is a phone number: the same
// number on a phone-number channel (whatsapp:, rcs:) is that test user too, either way round (the test user
// +1555… and the contact whatsapp:+1555…, or the test user whatsapp:+1555… and the contact +1555…), and a
// number written with separators is its E.164. Studio's exact rule is unconfirmed; both readings are taken.
// messenger: and client: name no phone number, so they match only as written.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isTestUser } from '../../src/lib/phone-format.ts';
import { revisionFor } from '../../src/channels/simulator/texting.ts';
import { form, startServerWithFlow, type InjectResponse, type TestServer } from '../support/server.ts';

const definition = JSON.parse(readFileSync(new URL('../fixtures/flows/sms-echo.json', import.meta.url), 'utf8'));

describe('isTestUser', () => {
  it('the same number with or without a whatsapp:/rcs: prefix, formatted or not, either way round', () => {
    assert.equal(isTestUser(['+15551234567'], '+15551234567'), true);
    assert.equal(isTestUser(['+15551234567'], 'whatsapp:+15551234567'), true);
    assert.equal(isTestUser(['+15551234567'], 'WhatsApp:+15551234567'), true);
    assert.equal(isTestUser(['+15551234567'], 'rcs:+15551234567'), true);
    assert.equal(isTestUser(['+15551234567'], '+1 555 123 4567'), true);
    assert.equal(isTestUser(['+15551234567'], 'whatsapp:+1 (555) 123-4567'), true);
    assert.equal(isTestUser(['whatsapp:+15551234567'], '+15551234567'), true);
    assert.equal(isTestUser(['rcs:+15551234567'], 'whatsapp:+15551234567'), true);
    assert.equal(isTestUser(['+1 (555) 123-4567'], 'whatsapp:+15551234567'), true);
  });

  it('another number, or an identifier that is no phone number, does not match', () => {
    assert.equal(isTestUser(['+15551234567'], '+15551234568'), false);
    assert.equal(isTestUser(['+15551234567'], 'whatsapp:+15551234568'), false);
    assert.equal(isTestUser(['+15551234567'], 'messenger:+15551234567'), false);
    assert.equal(isTestUser(['+15551234567'], 'client:+15551234567'), false);
    assert.equal(isTestUser(['+15551234567'], '15551234567'), false);
    assert.equal(isTestUser(['messenger:15551234567'], '+15551234567'), false);
    assert.equal(isTestUser([], 'whatsapp:+15551234567'), false);
    // Identifiers still match as written.
    assert.equal(isTestUser(['client:alice', 'messenger:123'], 'client:alice'), true);
    assert.equal(isTestUser(['messenger:123'], 'messenger:123'), true);
  });
});

describe('a test user on a phone-number channel runs the draft', () => {
  let t: TestServer;
  let flowSid = '';
  let post: (url: string, payload: string) => Promise<InjectResponse>;
  before(async () => {
    ({ server: t, flowSid, post } = await startServerWithFlow(definition));
    // Revision 2, a draft: only test users run it.
    const draft = await post(`/v2/Flows/${flowSid}`, form({ Status: 'draft', Definition: JSON.stringify({ ...definition, description: 'draft' }) }));
    assert.equal(draft.statusCode, 200, draft.body);
    assert.equal(draft.json().revision, 2);
  });
  after(() => t.close());

  const setTestUsers = async (users: string[]) => assert.equal((await post(`/v2/Flows/${flowSid}/TestUsers`, form({ TestUsers: users }))).statusCode, 200);

  /** Executions already seen (created over REST, or started by a message already looked at). */
  const rest = new Set<string>();

  /** The revision an execution created over REST to `to` runs. */
  async function restRevision(to: string, from: string): Promise<number> {
    const created = await post(`/v2/Flows/${flowSid}/Executions`, form({ To: to, From: from }));
    assert.equal(created.statusCode, 201, created.body);
    rest.add(created.json().sid);
    await t.app.executions.end(t.account.sid, flowSid, created.json().sid).catch(() => undefined);
    return created.json().flow_version as number;
  }

  /** The revision an inbound message from `from` runs (the flow webhook). */
  let messages = 0;
  async function inboundRevision(from: string, to: string): Promise<number> {
    const sid = `SM${String(++messages).padStart(32, '0')}`;
    const res = await post(`/v1/Accounts/${t.account.sid}/Flows/${flowSid}`, form({ MessageSid: sid, AccountSid: t.account.sid, From: from, To: to, Body: 'hi' }));
    assert.equal(res.statusCode, 200, res.body);
    await t.app.executions.idle();
    const executions = await t.app.store.listExecutions(t.account.sid, flowSid, { contactAddress: from }, { pageSize: 50 });
    const started = executions.items.filter((e) => !rest.has(e.sid));
    assert.equal(started.length, 1, `one execution started by the message from ${from}`);
    const execution = started[0]!;
    rest.add(execution.sid);
    await t.app.executions.end(t.account.sid, flowSid, execution.sid).catch(() => undefined);
    return execution.flowVersion;
  }

  it('the test user +1555…: the REST create and the webhook from whatsapp:/rcs:+1555… run the draft', async () => {
    await setTestUsers(['+15551234567']);
    assert.equal(await restRevision('whatsapp:+15551234567', 'whatsapp:+15005550006'), 2);
    assert.equal(await restRevision('rcs:+15551234567', 'rcs:+15005550006'), 2);
    assert.equal(await inboundRevision('whatsapp:+15551234567', 'whatsapp:+15005550006'), 2);
    assert.equal(await restRevision('messenger:+15551234567', 'messenger:15005550006'), 1);
    assert.equal(await restRevision('whatsapp:+15551234568', 'whatsapp:+15005550006'), 1);
  });

  it('the test user whatsapp:+1555…: the SMS contact +1555… runs the draft', async () => {
    await setTestUsers(['whatsapp:+15551234567']);
    assert.equal(await restRevision('+15551234567', '+15005550006'), 2);
    assert.equal(await inboundRevision('+15551234567', '+15005550006'), 2);
    assert.equal(await restRevision('+15551234568', '+15005550006'), 1);
  });

  it("the simulator's revision for a contact (the console and `switchboard simulate`) follows the same rule", async () => {
    await setTestUsers(['+15551234567']);
    const flow = (await t.app.store.getFlow(t.account.sid, flowSid))!;
    assert.equal(await revisionFor(t.app.store, flow, 'whatsapp:+15551234567'), 2);
    assert.equal(await revisionFor(t.app.store, flow, 'messenger:+15551234567'), 1);
  });
});
