// `switchboard test --record` of an execution that ran a revision no test can load: a draft saved invalid
// (--invalid-definitions save-as-draft), which test users run, of the flow or of a subflow it ran. The
// recorder says which revision is invalid and why, exits 2 and writes nothing (it used to crash on the
// draft's JSON: "Cannot read properties of null (reading 'name')").
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FORM, form, startTestServer, type TestServer } from '../support/server.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { testCommand } from '../../src/cli/test.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';

const TEST_USER = '+15550001111';
const fixture = (name: string): FlowDefinition => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const VALID = { initial_state: 'Trigger', flags: { allow_concurrent_calls: true }, states: [{ name: 'Trigger', type: 'trigger', properties: {}, transitions: [{ event: 'incomingRequest' }] }] };
const DRAFTS: Record<string, { draft: unknown; problem: RegExp }> = {
  'a widget that is null and a run-subflow without properties': {
    draft: {
      initial_state: 'Trigger',
      states: [null, { name: 'Trigger', type: 'trigger', properties: {}, transitions: [{ event: 'incomingRequest', next: 's' }] }, { name: 's', type: 'run-subflow', transitions: [] }],
    },
    problem: /#\/states\/0: State #0: null found, object expected/,
  },
  'states that are null': { draft: { initial_state: 'Trigger', states: null }, problem: /#\/states: states: null found, array expected/ },
};

describe('test --record: an execution that ran an invalid draft', () => {
  let t: TestServer;
  let creds: string[] = [];
  const dirs: string[] = [];
  const call = (method: 'GET' | 'POST', url: string, payload?: string) =>
    t.app.server.inject({ method, url, headers: { authorization: t.auth, ...(payload !== undefined ? FORM : {}) }, ...(payload !== undefined ? { payload } : {}) });
  const workdir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-record-invalid-'));
    dirs.push(dir);
    return dir;
  };
  before(async () => {
    t = await startTestServer({ listen: true, config: { invalidDefinitions: 'save-as-draft' } });
    creds = ['--base-url', t.baseUrl, '--account-sid', t.account.sid, '--auth-token', t.account.authToken];
  });
  after(async () => {
    await t.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  for (const [name, { draft, problem }] of Object.entries(DRAFTS)) {
    it(`the flow's draft: ${name}`, async () => {
      const flowSid = (await t.app.flows.create(t.account.sid, { friendlyName: name, status: 'published', definition: VALID as never })).sid;
      assert.equal((await call('POST', `/v2/Flows/${flowSid}/TestUsers`, form({ TestUsers: TEST_USER }))).statusCode, 200);
      assert.equal((await call('POST', `/v2/Flows/${flowSid}`, form({ Status: 'draft', Definition: JSON.stringify(draft) }))).statusCode, 200);
      const created = await call('POST', `/v2/Flows/${flowSid}/Executions`, form({ To: TEST_USER, From: '+15550009999' }));
      assert.equal(created.statusCode, 201, created.body);
      await t.app.executions.idle();
      const dir = workdir();
      const record = await runCliInProcess(testCommand, ['--record', '--flow', flowSid, '--execution', created.json().sid, '--out', 'tests/x.test.yaml', ...creds], dir);
      assert.equal(record.code, 2, record.stdout + record.stderr);
      assert.match(record.stderr, new RegExp(`^switchboard test --record: execution ${created.json().sid} ran revision 2 of flow ${flowSid}, a draft that is not a valid flow definition, so no test can run it:\\n`));
      assert.match(record.stderr, problem);
      assert.doesNotMatch(record.stderr, /Cannot read|TypeError|    at /);
      // Nothing written: neither the flow file nor the test.
      assert.deepEqual(readdirSync(dir), []);
    });
  }

  it("a subflow's draft the test user ran", async () => {
    const sid = t.account.sid;
    const child = fixture('record-subflow-child.json');
    const childSid = (await t.app.flows.create(sid, { friendlyName: 'Ask name', status: 'published', definition: child })).sid;
    // The same widgets, and a null among them: it runs (the runtime skips it) but no test can load it.
    const invalid = { ...child, states: [...child.states, null] };
    assert.equal((await call('POST', `/v2/Flows/${childSid}`, form({ Status: 'draft', Definition: JSON.stringify(invalid) }))).statusCode, 200);
    const parent = fixture('record-subflow-parent.json');
    const collect = parent.states.find((s) => s.name === 'collect')!;
    collect.properties.flow_sid = childSid;
    collect.properties.flow_revision = 'LatestRevision';
    const parentSid = (await t.app.flows.create(sid, { friendlyName: 'Greeter', status: 'published', definition: parent })).sid;
    assert.equal((await call('POST', `/v2/Flows/${parentSid}/TestUsers`, form({ TestUsers: TEST_USER }))).statusCode, 200);
    const texted = await call('POST', `/simulator/Flows/${parentSid}/Messages`, new URLSearchParams({ From: TEST_USER, Body: 'hi' }).toString());
    assert.equal(texted.statusCode, 201, texted.body);
    await t.app.executions.idle();
    const dir = workdir();
    const record = await runCliInProcess(testCommand, ['--record', '--flow', parentSid, '--contact', TEST_USER, '--out', 'tests/greet.test.yaml', ...creds], dir);
    assert.equal(record.code, 2, record.stdout + record.stderr);
    assert.match(record.stderr, new RegExp(`ran revision 2 of subflow ${childSid} \\(run by widget 'collect'\\), a draft that is not a valid flow definition, so no test can run it:\\n  #/states/4: State #4: null found`));
    assert.doesNotMatch(record.stderr, /Cannot read|TypeError|    at /);
    assert.equal(existsSync(join(dir, 'tests')), false);
    assert.equal(existsSync(join(dir, 'flows')), false);
  });
});
