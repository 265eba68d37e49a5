// `switchboard test --record` on a flow that runs a subflow, against a live server: the subflow's
// revision that ran is saved beside the test and named under mocks.subflows, so the recorded test
// passes at once — also after the subflow was republished, and for a subflow that did not exist.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startTestServer, type TestServer } from '../support/server.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { testCommand } from '../../src/cli/test.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';

const fixture = (name: string): FlowDefinition => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

describe('test --record: a flow that runs a subflow', () => {
  let server: TestServer;
  let creds: string[] = [];
  let parentSid = '';
  let brokenSid = '';
  let childSid = '';
  const child = fixture('record-subflow-child.json');
  const clock = { ms: Date.parse('2030-01-07T09:00:00Z') };
  const dirs: string[] = [];
  const workdir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-record-subflow-'));
    dirs.push(dir);
    return dir;
  };
  const text = async (flowSid: string, from: string, body: string) => {
    const response = await server.app.server.inject({
      method: 'POST',
      url: `/simulator/Flows/${flowSid}/Messages`,
      headers: { authorization: server.auth, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ From: from, Body: body }).toString(),
    });
    assert.equal(response.statusCode, 201, response.body);
    await server.app.executions.idle();
  };

  before(async () => {
    server = await startTestServer({ listen: true, now: () => clock.ms });
    creds = ['--base-url', server.baseUrl, '--account-sid', server.account.sid, '--auth-token', server.account.authToken];
    const sid = server.account.sid;
    childSid = (await server.app.flows.create(sid, { friendlyName: 'Ask name', status: 'published', definition: child })).sid;
    const parent = fixture('record-subflow-parent.json');
    parent.states.find((s) => s.name === 'collect')!.properties.flow_sid = childSid;
    parentSid = (await server.app.flows.create(sid, { friendlyName: 'Greeter', status: 'published', definition: parent })).sid;
    const broken = fixture('record-subflow-parent.json');
    broken.states.find((s) => s.name === 'collect')!.properties.flow_sid = 'FW' + 'e'.repeat(32);
    brokenSid = (await server.app.flows.create(sid, { friendlyName: 'Broken greeter', status: 'published', definition: broken })).sid;

    clock.ms += 60_000;
    await text(parentSid, '+15550001111', 'hi');
    clock.ms += 10_000;
    await text(parentSid, '+15550001111', 'Ada');
    clock.ms += 10_000;
    await text(parentSid, '+15550001111', 'no thanks');
    await text(brokenSid, '+15550002222', 'hi');

    // The subflow is republished the next day: the recording must keep the revision that ran.
    clock.ms += 86_400_000;
    const changed = structuredClone(child);
    changed.states.find((s) => s.name === 'ask')!.properties.body = 'Who are you?';
    await server.app.flows.update(sid, childSid, { status: 'published', definition: changed });
  });
  after(async () => {
    await server.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('saves the revision of the subflow that ran beside the test, names it under mocks.subflows, and the test passes', async () => {
    const dir = workdir();
    const record = await runCliInProcess(testCommand, ['--record', '--flow', parentSid, '--contact', '+15550001111', '--out', 'tests/greet.test.yaml', ...creds], dir);
    assert.equal(record.code, 0, record.stderr);
    assert.match(record.stdout, new RegExp(`wrote tests/greet\\.ask-name\\.subflow\\.json \\(subflow ${childSid} 'Ask name', revision 1\\)`));
    assert.deepEqual(readdirSync(join(dir, 'tests')).sort(), ['greet.ask-name.subflow.json', 'greet.test.yaml']);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'tests/greet.ask-name.subflow.json'), 'utf8')), child);
    const test = parse(readFileSync(join(dir, 'tests/greet.test.yaml'), 'utf8')).tests[0];
    assert.deepEqual(test.mocks.subflows, { [childSid]: 'greet.ask-name.subflow.json' });
    assert.deepEqual(test.expect.messages, ['Your name?', 'Hello Ada! Anything else?', 'Bye!']);
    const run = await runCliInProcess(testCommand, ['tests'], dir);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /1 tests?: 1 passed, 0 failed/);
  });

  it('a subflow that was not there when the flow ran is recorded as missing, and the test passes', async () => {
    const dir = workdir();
    const record = await runCliInProcess(testCommand, ['--record', '--flow', brokenSid, '--contact', '+15550002222', '--out', 'tests/broken.test.yaml', ...creds], dir);
    assert.equal(record.code, 0, record.stderr);
    const test = parse(readFileSync(join(dir, 'tests/broken.test.yaml'), 'utf8')).tests[0];
    assert.deepEqual(test.mocks.subflows, { ['FW' + 'e'.repeat(32)]: 'missing' });
    assert.deepEqual(test.expect.path, ['Trigger', 'collect', 'oops']);
    // One message is one message (it said '1 messages expected').
    assert.equal(test.expect.messages.length, 1);
    assert.match(record.stdout, /^wrote tests\/broken\.test\.yaml: 0 script steps, 1 message expected$/m);
    const run = await runCliInProcess(testCommand, ['tests'], dir);
    assert.equal(run.code, 0, run.stdout + run.stderr);
  });
});
