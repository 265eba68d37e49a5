// Run Subflow set to the subflow's latest draft (reference §2.20, §7.3): a test user of the PARENT flow
// gets the subflow's latest revision, draft or not; every other contact gets its published revision. A
// numbered or LatestPublished revision is the same for everyone; the subflow's own test users do not count.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FORM, form, startTestServer, type TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';
import { contextOf } from '../../src/runtime/execution-context.ts';

const TESTER = '+15550001111';
const OTHER = '+15550002222';

/** A subflow that sets `said` to `word`. */
const subflow = (word: string) =>
  triggerFlow(`sub ${word}`, 'incomingParent', 'say', [
    { name: 'say', type: 'set-variables', transitions: [{ event: 'next' }], properties: { variables: [{ key: 'said', value: word }], offset: { x: 0, y: 100 } } },
  ]);

/** A parent whose REST trigger runs the subflow at `revision`. */
const parent = (subflowSid: string, revision: string) =>
  triggerFlow('parent', 'incomingRequest', 'sub', [
    {
      name: 'sub',
      type: 'run-subflow',
      transitions: [{ event: 'completed' }, { event: 'failed' }],
      properties: { flow_sid: subflowSid, flow_revision: revision, parameters: [], offset: { x: 0, y: 100 } },
    },
  ]);

describe('Run Subflow: latest draft for the parent flow’s test users', () => {
  let t: TestServer;
  let subSid = '';
  before(async () => {
    t = await startTestServer();
    subSid = (await t.app.flows.create(t.account.sid, { friendlyName: 'sub', status: 'published', definition: subflow('published') })).sid;
    const draft = await call('POST', `/v2/Flows/${subSid}`, form({ Status: 'draft', Definition: JSON.stringify(subflow('draft')) }));
    assert.equal(draft.statusCode, 200, draft.body);
    assert.equal(draft.json().revision, 2);
    // The subflow's own test users are ignored: OTHER is one, and still gets the published subflow.
    assert.equal((await call('POST', `/v2/Flows/${subSid}/TestUsers`, form({ TestUsers: [OTHER] }))).statusCode, 200);
  });
  after(() => t.close());

  const call = (method: 'GET' | 'POST', url: string, payload?: string) =>
    t.app.server.inject({ method, url, headers: { authorization: t.auth, ...(payload === undefined ? {} : FORM) }, ...(payload === undefined ? {} : { payload }) });

  async function parentWithTester(revision: string): Promise<string> {
    const res = await call('POST', '/v2/Flows', form({ FriendlyName: 'parent', Status: 'published', Definition: JSON.stringify(parent(subSid, revision)) }));
    assert.equal(res.statusCode, 201, res.body);
    const sid = res.json().sid as string;
    assert.equal((await call('POST', `/v2/Flows/${sid}/TestUsers`, form({ TestUsers: [TESTER] }))).statusCode, 200);
    return sid;
  }

  /** What the subflow said for an execution of `flowSid` to `to`. */
  async function said(flowSid: string, to: string): Promise<unknown> {
    const created = await call('POST', `/v2/Flows/${flowSid}/Executions`, form({ To: to, From: '+15005550006' }));
    assert.equal(created.statusCode, 201, created.body);
    const sid = created.json().sid as string;
    const deadline = Date.now() + 5000;
    for (;;) {
      const execution = await t.app.store.getExecutionBySid(sid);
      if (execution?.status === 'ended') {
        const widgets = (contextOf(execution) as { widgets?: Record<string, Record<string, unknown>> }).widgets ?? {};
        return widgets.sub?.said;
      }
      assert.ok(Date.now() < deadline, `execution ${sid} did not end`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  for (const revision of ['LatestDraft', 'LatestRevision']) {
    it(`${revision}: the parent's test user gets the draft, another contact the published subflow`, async () => {
      const flowSid = await parentWithTester(revision);
      assert.equal(await said(flowSid, TESTER), 'draft');
      assert.equal(await said(flowSid, OTHER), 'published');
    });
  }

  it("the parent's test user on WhatsApp (the same number, whatsapp:+1555…) gets the draft too", async () => {
    const flowSid = await parentWithTester('LatestDraft');
    assert.equal(await said(flowSid, `whatsapp:${TESTER}`), 'draft');
    assert.equal(await said(flowSid, `whatsapp:${OTHER}`), 'published');
  });

  it('LatestPublished and a revision number are the same for test users and others', async () => {
    for (const [revision, expected] of [['LatestPublished', 'published'], ['1', 'published'], ['2', 'draft']] as const) {
      const flowSid = await parentWithTester(revision);
      assert.equal(await said(flowSid, TESTER), expected, `${revision} for the test user`);
      assert.equal(await said(flowSid, OTHER), expected, `${revision} for another contact`);
    }
  });
});
