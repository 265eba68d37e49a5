// A draft saved invalid (--invalid-definitions save-as-draft) runs for test users, shaped as the runtime
// runs it (runnable-shape.ts). Replaying such an execution reads that revision too (the baseline of the
// effect comparison, or the target itself): it is read in the same shape, so the replay answers 200, never
// a 500 (a widget that is null, a run-subflow without properties) or a 400 about the baseline's JSON.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FORM, form, startTestServer, type TestServer } from '../support/server.ts';

const TEST_USER = '+15550001111';
const VALID = { description: 'valid', initial_state: 'Trigger', flags: { allow_concurrent_calls: true }, states: [{ name: 'Trigger', type: 'trigger', properties: {}, transitions: [{ event: 'incomingRequest' }] }] };
const DRAFTS: Record<string, unknown> = {
  'a null widget and a run-subflow without properties': {
    initial_state: 'Trigger',
    states: [null, { name: 'Trigger', type: 'trigger', properties: {}, transitions: [{ event: 'incomingRequest', next: 's' }] }, { name: 's', type: 'run-subflow', transitions: [] }],
  },
  'states null': { initial_state: 'Trigger', states: null },
};

describe('replay of an execution that ran an invalid draft', () => {
  let t: TestServer;
  let flowSid: string;
  const call = (method: 'GET' | 'POST', url: string, payload?: string) =>
    t.app.server.inject({ method, url, headers: { authorization: t.auth, ...(payload !== undefined ? FORM : {}) }, ...(payload !== undefined ? { payload } : {}) });
  before(async () => {
    t = await startTestServer({ config: { invalidDefinitions: 'save-as-draft' } });
    flowSid = (await t.app.flows.create(t.account.sid, { friendlyName: 'f', status: 'published', definition: VALID as never })).sid;
    assert.equal((await call('POST', `/v2/Flows/${flowSid}/TestUsers`, form({ TestUsers: TEST_USER }))).statusCode, 200);
  });
  after(() => t.close());

  for (const [name, draft] of Object.entries(DRAFTS)) {
    it(`${name}: replayed against the draft and against the published revision`, async () => {
      const updated = await call('POST', `/v2/Flows/${flowSid}`, form({ Status: 'draft', Definition: JSON.stringify(draft) }));
      assert.equal(updated.statusCode, 200, updated.body);
      const created = await call('POST', `/v2/Flows/${flowSid}/Executions`, form({ To: TEST_USER, From: '+15550009999' }));
      assert.equal(created.statusCode, 201, created.body);
      const sid = created.json().sid;
      for (const query of ['', '?Revision=LatestPublished']) {
        const replay = await call('GET', `/replay/Flows/${flowSid}/Executions/${sid}${query}`);
        assert.equal(replay.statusCode, 200, `${query || 'the draft'}: ${replay.body}`);
        assert.equal(replay.json().effects_compared, true);
      }
    });
  }
});
