// `flows push` of a file the manifest gives no SID (none yet, or another server's) matches it by
// friendly name: with several server flows of that name it updated whichever was listed first, and
// `flows diff` compared with it. Both now refuse (exit 2, nothing sent), list the SIDs, and say how to
// tell which one: the file's SID in the manifest, or renaming the others.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '../support/server.ts';
import { runCliInProcess, type CliRun } from '../support/cli-in-process.ts';
import { flowsCommand } from '../../src/cli/flows.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';

const surveyFile = fileURLToPath(new URL('../fixtures/flows/survey.json', import.meta.url));
const survey = (): FlowDefinition => JSON.parse(readFileSync(surveyFile, 'utf8'));

describe('flows push and diff: a friendly name several server flows have', () => {
  let s: TestServer;
  let work: string;
  let first = '';
  let second = '';
  const flows = (args: string[]): Promise<CliRun> => runCliInProcess(flowsCommand, [...args, '--base-url', s.baseUrl, '--account-sid', s.account.sid, '--auth-token', s.account.authToken], work);
  const revisions = async () => [(await s.app.store.getFlow(s.account.sid, first))!.revision, (await s.app.store.getFlow(s.account.sid, second))!.revision];

  before(async () => {
    s = await startTestServer({ listen: true });
    first = (await s.app.flows.create(s.account.sid, { friendlyName: 'Support', status: 'published', definition: survey() })).sid;
    second = (await s.app.flows.create(s.account.sid, { friendlyName: 'Support', status: 'published', definition: survey() })).sid;
    work = mkdtempSync(join(tmpdir(), 'sb-flows-ambiguous-'));
    mkdirSync(join(work, 'flows'));
    // A file named after the flow, never pulled: no manifest.
    writeFileSync(join(work, 'flows', 'Support.json'), JSON.stringify({ ...survey(), description: 'changed locally' }, null, 2));
  });
  after(async () => {
    await s?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('push without a manifest refuses, naming both SIDs and the manifest entry that settles it; nothing is sent', async () => {
    const push = await flows(['push']);
    assert.equal(push.code, 2, push.stdout + push.stderr);
    assert.equal(push.stdout, '');
    const [line, verdict] = push.stderr.trimEnd().split('\n');
    assert.match(line!, new RegExp(`^flows/Support\\.json: 2 flows on the server are named 'Support' \\((${first}, ${second}|${second}, ${first})\\)`));
    assert.match(line!, /give it the SID of its flow in the manifest \(e\.g\. "Support\.json":\{"friendlyName":"Support","sid":"FW[0-9a-f]{32}"\}\), or rename the other flows on the server$/);
    assert.match(verdict!, /^nothing was pushed/);
    assert.deepEqual(await revisions(), [1, 1]);
    // Nor does --dry-run pretend to know.
    assert.equal((await flows(['push', '--dry-run'])).code, 2);
  });

  it('diff refuses the same way rather than compare with a flow picked by chance', async () => {
    const diff = await flows(['diff']);
    assert.equal(diff.code, 2, diff.stdout + diff.stderr);
    assert.match(diff.stderr, /2 flows on the server are named 'Support'/);
    assert.match(diff.stderr, /^nothing was compared/m);
  });

  it("with the file's SID in the manifest, push updates that flow and no other", async () => {
    writeFileSync(join(work, 'flows', 'flows.manifest.json'), JSON.stringify({ flows: { 'Support.json': { friendlyName: 'Support', sid: second } } }));
    const push = await flows(['push']);
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stdout, new RegExp(`^updated: Support \\(${second}, revision 2\\)`, 'm'));
    assert.deepEqual(await revisions(), [1, 2]);
  });
});
