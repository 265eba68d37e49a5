// `switchboard flows push` sends any change to the JSON (a split condition's arguments, a field the
// readable diff leaves out), and the flows subcommands keep their exit codes apart like diff(1):
// 0 same/valid, 1 differ/invalid, 2 a failure (usage, no flow directory, unreadable file, refused
// request), 3 the server unreachable.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '../support/server.ts';
import { runCliInProcess, type CliRun as Run } from '../support/cli-in-process.ts';
import { flowsCommand } from '../../src/cli/flows.ts';

const pizzaFile = fileURLToPath(new URL('../../examples/flows/pizza-order.json', import.meta.url));
const pizza = () => JSON.parse(readFileSync(pizzaFile, 'utf8'));

function flows(args: string[], cwd: string): Promise<Run> {
  return runCliInProcess(flowsCommand, args, cwd);
}

const creds = (s: TestServer) => ['--base-url', s.baseUrl, '--account-sid', s.account.sid, '--auth-token', s.account.authToken];

interface Split {
  name: string;
  transitions: { event: string; conditions?: { arguments: string[] }[] }[];
}
const splitOf = (definition: { states: Split[] }) => definition.states.find((s) => s.name === 'check_size')!;

describe('switchboard flows push: any difference is pushed', () => {
  let s: TestServer;
  let work: string;
  let sid = '';
  /** The flow as the server has it now. */
  const serverDefinition = async () => {
    const exported = await flows(['export', sid, '--out', 'exported.json', ...creds(s)], work);
    assert.equal(exported.code, 0, exported.stderr);
    return JSON.parse(readFileSync(join(work, 'exported.json'), 'utf8')) as { $schema?: string; states: Split[] };
  };

  before(async () => {
    s = await startTestServer({ listen: true });
    work = mkdtempSync(join(tmpdir(), 'sb-flows-push-'));
    sid = (await s.app.flows.create(s.account.sid, { friendlyName: 'Pizza order', status: 'published', definition: pizza() })).sid;
    assert.equal((await flows(['pull', ...creds(s)], work)).code, 0);
  });
  after(async () => {
    await s?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("a split condition's arguments changed: diff shows it and exits 1, push updates the flow", async () => {
    const file = join(work, 'flows/pizza-order.json');
    const definition = JSON.parse(readFileSync(file, 'utf8'));
    splitOf(definition).transitions.find((t) => t.event === 'match')!.conditions![0]!.arguments = ['{{trigger.message.Body}}'];
    writeFileSync(file, JSON.stringify(definition, null, 2));

    const diff = await flows(['diff', ...creds(s)], work);
    assert.equal(diff.code, 1, diff.stdout + diff.stderr);
    assert.match(diff.stdout, /~ check_size \(split-based-on\)\n {4}condition match \(S, M or L\): .*"\{\{widgets\.ask_size\.inbound\.Body\}\}" matches_any_of .* → .*"\{\{trigger\.message\.Body\}\}" matches_any_of/);
    const json = JSON.parse((await flows(['diff', '--json', ...creds(s)], work)).stdout);
    assert.equal(json[0].same, false);

    const push = await flows(['push', ...creds(s)], work);
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stdout, /^updated: Pizza order \(FW[0-9a-f]{32}, revision 2\)/);
    const stored = await serverDefinition();
    const conditions = splitOf(stored).transitions.find((t) => t.event === 'match')!.conditions!;
    assert.deepEqual(conditions[0]!.arguments, ['{{trigger.message.Body}}']);
    assert.match((await flows(['push', ...creds(s)], work)).stdout, /^unchanged: Pizza order/);
  });

  it('a change the readable diff leaves out (next "" for none, $schema) is still pushed; diff says the JSON differs and exits 1', async () => {
    const file = join(work, 'flows/pizza-order.json');
    const definition = JSON.parse(readFileSync(file, 'utf8'));
    definition.$schema = 'https://example.com/studio-flow.json';
    definition.states.find((st: { name: string }) => st.name === 'unknown_size').transitions[0].next = '';
    writeFileSync(file, JSON.stringify(definition, null, 2));

    const diff = await flows(['diff', ...creds(s)], work);
    // push would make a revision of it, so a script gating on diff must see a difference.
    assert.equal(diff.code, 1, diff.stdout + diff.stderr);
    assert.match(diff.stdout, /no changes to widgets or transitions; the JSON differs otherwise/);
    const json = JSON.parse((await flows(['diff', '--json', ...creds(s)], work)).stdout);
    assert.equal(json[0].same, true);
    assert.equal(json[0].identical, false);

    const dry = await flows(['push', '--dry-run', ...creds(s)], work);
    assert.match(dry.stdout, /^would be updated: Pizza order/);
    const push = await flows(['push', ...creds(s)], work);
    assert.match(push.stdout, /^updated: Pizza order \(FW[0-9a-f]{32}, revision 3\)/);
    const stored = await serverDefinition();
    assert.equal(stored.$schema, 'https://example.com/studio-flow.json');
    const same = await flows(['diff', ...creds(s)], work);
    assert.equal(same.code, 0);
    assert.match(same.stdout, /no changes to widgets or transitions\n/);
    assert.doesNotMatch(same.stdout, /differs otherwise/);
  });

  it('diff: 0 same, 1 differ, 2 for every failure, 3 unreachable', async () => {
    writeFileSync(join(work, 'a.json'), JSON.stringify(pizza()));
    const changed = pizza();
    changed.description = 'other';
    writeFileSync(join(work, 'b.json'), JSON.stringify(changed));
    assert.equal((await flows(['diff', 'a.json', 'a.json'], work)).code, 0);
    assert.equal((await flows(['diff', 'a.json', 'b.json'], work)).code, 1);
    // Only a widget's canvas offset moved: no change in words, but a different document.
    const moved = pizza();
    moved.states[0].properties.offset = { x: 999, y: 999 };
    writeFileSync(join(work, 'moved.json'), JSON.stringify(moved));
    const layoutOnly = await flows(['diff', 'a.json', 'moved.json'], work);
    assert.equal(layoutOnly.code, 1, layoutOnly.stdout);
    assert.match(layoutOnly.stdout, /the JSON differs otherwise/);
    assert.equal((await flows(['diff', `${sid}@1`, `${sid}@2`, ...creds(s)], work)).code, 1);

    const failures: [string, string[], RegExp][] = [
      ['a missing file', ['diff', 'a.json', 'missing.json'], /cannot read missing\.json: no such file/],
      ['wrong credentials', ['diff', 'a.json', sid, '--base-url', s.baseUrl, '--account-sid', s.account.sid, '--auth-token', 'wrong'], /Authenticate/],
      ['no credentials', ['diff', 'a.json', sid, '--base-url', s.baseUrl], /no credentials/],
      ['a missing revision', ['diff', 'a.json', `${sid}@9`, ...creds(s)], /./],
      ['a flow that does not exist', ['diff', 'a.json', `FW${'0'.repeat(32)}`, ...creds(s)], /./],
      ['a bad revision name', ['diff', 'a.json', `${sid}@someday`, ...creds(s)], /the revision must be/],
      ['one file outside the flow directory', ['diff', 'a.json'], /flows diff a\.json: not in the flow directory \(flows\), so not compared with the server/],
      ['a server flow alone', ['diff', sid, ...creds(s)], /a server flow is one side; give the other/],
      ['a file in the flow directory and one outside', ['diff', 'flows/pizza-order.json', 'a.json', ...creds(s)], /'a\.json' is not in the flow directory \(flows\) while 'flows\/pizza-order\.json' is/],
      ['three sides', ['diff', sid, 'a.json', 'b.json', ...creds(s)], /unexpected argument 'b\.json'/],
      ['--pair with one side', ['diff', '--pair', 'a.json'], /--pair compares two sides/],
      ['--all with files', ['diff', '--all', 'flows/pizza-order.json', ...creds(s)], /--all checks every flow/],
      ['no flow directory', ['diff', '--dir', 'nowhere', ...creds(s)], /no flow directory 'nowhere'/],
    ];
    for (const [label, args, message] of failures) {
      const run = await flows(args, work);
      assert.equal(run.code, 2, `${label}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, message, label);
    }
    const down = await flows(['diff', 'a.json', sid, '--base-url', 'http://127.0.0.1:9', '--account-sid', s.account.sid, '--auth-token', 'x'], work);
    assert.equal(down.code, 3, down.stderr);
  });

  it('diff: a file that is no JSON is an invalid definition (1, as validate and push say), and the other files are still compared', async () => {
    writeFileSync(join(work, 'not-json.json'), 'not json');
    const pair = await flows(['diff', 'not-json.json', 'a.json'], work);
    assert.equal(pair.code, 1, pair.stdout + pair.stderr);
    assert.match(pair.stderr, /not-json\.json: not compared, not a flow definition: /);
    assert.equal((await flows(['validate', 'not-json.json'], work)).code, 1);

    // Sorted first in the directory: the flow after it is still compared with the server.
    const broken = join(work, 'flows/0-broken.json');
    writeFileSync(broken, '{ "states": [');
    try {
      const all = await flows(['diff', ...creds(s)], work);
      assert.equal(all.code, 1, all.stdout + all.stderr);
      assert.match(all.stderr, /flows\/0-broken\.json: not compared, not a flow definition: /);
      assert.match(all.stdout, /\+\+\+ flows\/pizza-order\.json\n/);
      assert.doesNotMatch(all.stdout, /0-broken/);
      const listed = JSON.parse((await flows(['diff', '--json', ...creds(s)], work)).stdout);
      assert.equal(listed[0].file, 'flows/0-broken.json');
      assert.equal(typeof listed[0].notDefinition, 'string');
      assert.equal(listed[1].after, 'flows/pizza-order.json');
    } finally {
      rmSync(broken);
    }
  });

  it('push with an invalid file says nothing was pushed; --dry-run lists what the push would be once it is fixed', async () => {
    writeFileSync(join(work, 'invalid.json'), JSON.stringify({ initial_state: 'Trigger', states: [{ name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'ghost' }], properties: {} }] }));
    const changed = pizza();
    changed.description = 'changed for the dry run';
    writeFileSync(join(work, 'flows/pizza-order.json'), JSON.stringify(changed, null, 2));
    const before = (await s.app.store.getFlow(s.account.sid, sid))!.revision;

    const push = await flows(['push', 'flows/pizza-order.json', 'invalid.json', ...creds(s)], work);
    assert.equal(push.code, 1, push.stdout + push.stderr);
    assert.match(push.stderr, /invalid\.json: not pushed, the definition is not valid/);
    assert.match(push.stderr, /nothing was pushed: 1 of 2 files cannot be pushed, and a push sends every file or none \(1 other file held back\)/);
    assert.equal(push.stdout, '');

    const dry = await flows(['push', '--dry-run', '--dir', 'flows', 'flows/pizza-order.json', 'invalid.json', ...creds(s)], work);
    assert.equal(dry.code, 1, dry.stdout + dry.stderr);
    assert.match(dry.stderr, /nothing would be pushed: 1 of 2 files cannot be pushed, and a push sends every file or none; once it is fixed, the push would be:/);
    assert.match(dry.stdout, /^would be updated: Pizza order \(FW[0-9a-f]{32}, revision \d+\) ← flows\/pizza-order\.json: the definition\n$/);
    assert.equal((await s.app.store.getFlow(s.account.sid, sid))!.revision, before);
    writeFileSync(join(work, 'flows/pizza-order.json'), JSON.stringify(pizza(), null, 2));
  });

  it('diff FW…@published of a flow never published is a failure (2), not a difference', async () => {
    const draft = (await s.app.flows.create(s.account.sid, { friendlyName: 'Draft only', status: 'draft', definition: pizza() })).sid;
    const run = await flows(['diff', 'a.json', `${draft}@published`, ...creds(s)], work);
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.equal(run.stdout, '');
    await s.app.store.deleteFlow(s.account.sid, draft);
  });
});

describe('switchboard flows validate / push / import: invalid is 1, a failure is 2', () => {
  let work: string;
  // No server is needed: every one of these stops before connecting.
  const nowhere = ['--base-url', 'http://127.0.0.1:9', '--account-sid', `AC${'0'.repeat(32)}`, '--auth-token', 'x'];
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'sb-flows-codes-'));
    mkdirSync(join(work, 'flows'));
    writeFileSync(join(work, 'flows/good.json'), JSON.stringify(pizza()));
    writeFileSync(join(work, 'broken.json'), JSON.stringify({ initial_state: 'Trigger', states: [{ name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'ghost' }], properties: {} }] }));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('validate: 0 valid, 1 invalid, 2 unreadable or no flow directory', async () => {
    assert.equal((await flows(['validate'], work)).code, 0);
    assert.equal((await flows(['validate', 'broken.json', 'flows/good.json'], work)).code, 1);
    const unreadable = await flows(['validate', 'broken.json', 'missing.json'], work);
    assert.equal(unreadable.code, 2);
    assert.match(unreadable.stdout, /✗ broken\.json\n.*\n✗ missing\.json\n {4}cannot read the file: no such file/);
    const noDir = await flows(['validate', '--dir', 'nowhere'], work);
    assert.equal(noDir.code, 2);
    assert.match(noDir.stderr, /no flow directory 'nowhere'/);
  });

  it('push: 1 for an invalid definition, 2 for an unreadable file or no flow directory', async () => {
    assert.equal((await flows(['push', 'broken.json', ...nowhere], work)).code, 1);
    assert.equal((await flows(['push', 'missing.json', 'broken.json', ...nowhere], work)).code, 2);
    const noDir = await flows(['push', '--dir', 'nowhere', ...nowhere], work);
    assert.equal(noDir.code, 2);
    assert.match(noDir.stderr, /no flow directory 'nowhere'/);
    assert.equal((await flows(['push', 'flows/good.json', ...nowhere], work)).code, 3);
  });

  it('import: 1 for an invalid definition, 2 for an unreadable file', async () => {
    assert.equal((await flows(['import', 'broken.json', ...nowhere], work)).code, 1);
    assert.equal((await flows(['import', 'missing.json', ...nowhere], work)).code, 2);
  });

  it('the usage text documents the exit codes', async () => {
    const help = await flows(['--help'], work);
    assert.match(help.stdout, /Exit codes[^\n]*\n {2}0 {2}done; diff: no changes; validate: every file valid\n {2}1 {2}diff: the flows differ/);
  });
});
