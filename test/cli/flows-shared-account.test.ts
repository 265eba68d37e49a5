// A team's repo on an account it shares with others (a CI-persona review): `flows diff` failed on every
// flow the repo does not track (one block each, exit 1, though every local file was the same), and
// would not take a local file to narrow the check; `flows push --status draft` made a new revision of
// every published flow, changed or not; `flows pull` rewrote hand-formatted files holding the same
// definition, so git showed changes where there were none.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '../support/server.ts';
import { runCliInProcess, type CliRun as Run } from '../support/cli-in-process.ts';
import { flowsCommand } from '../../src/cli/flows.ts';
import { diffPlan, inFlowDirectory } from '../../src/cli/flows-diff-args.ts';

const pizzaFile = fileURLToPath(new URL('../../examples/flows/pizza-order.json', import.meta.url));
const surveyFile = fileURLToPath(new URL('../fixtures/flows/survey.json', import.meta.url));
const pizza = () => JSON.parse(readFileSync(pizzaFile, 'utf8'));
const survey = () => JSON.parse(readFileSync(surveyFile, 'utf8'));

function flows(args: string[], cwd: string): Promise<Run> {
  return runCliInProcess(flowsCommand, args, cwd);
}

const creds = (s: TestServer) => ['--base-url', s.baseUrl, '--account-sid', s.account.sid, '--auth-token', s.account.authToken];

/** Flows on the account that the repo does not track: someone else's. */
const OTHERS = 12;

describe('flows diff on a shared account: flows only on the server', () => {
  let s: TestServer;
  let work: string;
  let csatSid = '';
  let surveySid = '';

  before(async () => {
    s = await startTestServer({ listen: true });
    work = mkdtempSync(join(tmpdir(), 'sb-flows-shared-'));
    csatSid = (await s.app.flows.create(s.account.sid, { friendlyName: 'CSAT', status: 'published', definition: pizza() })).sid;
    surveySid = (await s.app.flows.create(s.account.sid, { friendlyName: 'Survey', status: 'published', definition: survey() })).sid;
    const pull = await flows(['pull', ...creds(s)], work);
    assert.equal(pull.code, 0, pull.stderr);
    for (let i = 1; i <= OTHERS; i++) await s.app.flows.create(s.account.sid, { friendlyName: `Other ${String(i).padStart(2, '0')}`, status: 'published', definition: survey() });
  });
  after(async () => {
    await s?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('no arguments: every local file the same is 0; the others are one line with a count and names', async () => {
    const run = await flows(['diff', ...creds(s)], work);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.stdout.match(/no changes to widgets or transitions/g)?.length, 2);
    assert.doesNotMatch(run.stdout, /only on the server/);
    const summary = run.stdout.trimEnd().split('\n').at(-1)!;
    assert.match(summary, /^12 flows on the server have no local file and no manifest entry, so they are not part of this check \(--all counts them; flows pull NAME fetches one\): 'Other 01', /);
    assert.match(summary, /'Other 10', and 2 more \(--json lists them all\)$/);

    const listed = JSON.parse((await flows(['diff', '--json', ...creds(s)], work)).stdout) as Record<string, unknown>[];
    const others = listed.filter((entry) => entry.onlyOnServer);
    assert.equal(others.length, OTHERS);
    assert.ok(others.every((entry) => entry.counted === false && entry.manifestFile === null && typeof entry.sid === 'string'));
    assert.ok(listed.filter((entry) => !entry.onlyOnServer).every((entry) => entry.same === true && entry.identical === true));
  });

  it('--all: every flow on the server must have a file, each missing one a block and exit 1', async () => {
    const run = await flows(['diff', '--all', ...creds(s)], work);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.equal(run.stdout.match(/only on the server: no local file/g)?.length, OTHERS);
    assert.doesNotMatch(run.stdout, /not part of this check/);
    const listed = JSON.parse((await flows(['diff', '--all', '--json', ...creds(s)], work)).stdout) as Record<string, unknown>[];
    assert.equal(listed.filter((entry) => entry.onlyOnServer && entry.counted === true).length, OTHERS);
  });

  it('a flow the manifest tracks whose file is missing is a difference (by SID, or by name from another server)', async () => {
    const file = join(work, 'flows/survey.json');
    renameSync(file, join(work, 'survey.json.bak'));
    const manifestFile = join(work, 'flows/flows.manifest.json');
    const manifest = readFileSync(manifestFile, 'utf8');
    try {
      const run = await flows(['diff', ...creds(s)], work);
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.match(run.stdout, new RegExp(`--- Survey \\(${surveySid} revision 1\\)\\n {2}only on the server: flows\\.manifest\\.json tracks it as flows/survey\\.json, but there is no such file`));
      assert.match(run.stdout, /12 flows on the server have no local file/);
      const tracked = (JSON.parse((await flows(['diff', '--json', ...creds(s)], work)).stdout) as Record<string, unknown>[]).filter((e) => e.counted === true);
      assert.deepEqual(tracked.map((e) => [e.sid, e.manifestFile]), [[surveySid, 'survey.json']]);

      // A manifest pulled from another server: its SID is not here, the friendly name finds the flow.
      const parsed = JSON.parse(manifest);
      parsed.flows['survey.json'].sid = `FW${'9'.repeat(32)}`;
      writeFileSync(manifestFile, JSON.stringify(parsed));
      const byName = await flows(['diff', ...creds(s)], work);
      assert.equal(byName.code, 1, byName.stdout + byName.stderr);
      assert.match(byName.stdout, /--- Survey .*\n {2}only on the server: flows\.manifest\.json tracks it as flows\/survey\.json/);
    } finally {
      renameSync(join(work, 'survey.json.bak'), file);
      writeFileSync(manifestFile, manifest);
    }
  });

  it('local files as arguments narrow the check to them; the two-sides forms still work', async () => {
    const surveyPath = join(work, 'flows/survey.json');
    const original = readFileSync(surveyPath, 'utf8');
    const changed = survey();
    changed.description = 'changed locally';
    writeFileSync(surveyPath, JSON.stringify(changed, null, 2));
    try {
      const one = await flows(['diff', 'flows/csat.json', ...creds(s)], work);
      assert.equal(one.code, 0, one.stdout + one.stderr);
      assert.match(one.stdout, new RegExp(`--- CSAT \\(${csatSid} revision 1\\)\\n\\+\\+\\+ flows/csat\\.json\\n`));
      assert.doesNotMatch(one.stdout, /survey|Other/i);

      const both = await flows(['diff', 'flows/csat.json', 'flows/survey.json', ...creds(s)], work);
      assert.equal(both.code, 1, both.stdout + both.stderr);
      assert.match(both.stdout, new RegExp(`--- Survey \\(${surveySid} revision 1\\)\\n\\+\\+\\+ flows/survey\\.json\\n`));
      assert.match(both.stdout, /description: .* → "changed locally"/);
      assert.doesNotMatch(both.stdout, /Other/);

      // A file and a server flow: the two sides, whichever directory the file is in.
      const sides = await flows(['diff', 'flows/survey.json', `${csatSid}@1`, ...creds(s)], work);
      assert.equal(sides.code, 1);
      assert.match(sides.stdout, new RegExp(`--- flows/survey\\.json\\n\\+\\+\\+ CSAT \\(${csatSid} revision 1\\)`));
      assert.equal((await flows(['diff', `${csatSid}@1`, csatSid, ...creds(s)], work)).code, 0);
      // --pair: two files of the flow directory against each other, not the server (no credentials needed).
      const pair = await flows(['diff', '--pair', 'flows/survey.json', 'flows/survey.json'], work);
      assert.equal(pair.code, 0, pair.stdout + pair.stderr);
      assert.match(pair.stdout, /^--- flows\/survey\.json\n\+\+\+ flows\/survey\.json\n/);
    } finally {
      writeFileSync(surveyPath, original);
    }
  });

  it('--all and --pair belong to diff, --force-status to push', async () => {
    for (const args of [['push', '--all'], ['pull', '--pair'], ['diff', '--force-status']]) {
      const run = await flows([...args, ...creds(s)], work);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, new RegExp(`flows ${args[0]} does not take ${args[1]}`));
    }
  });
});

describe('flows push --status: only changed and new flows get it', () => {
  let s: TestServer;
  let work: string;
  const sids: Record<string, string> = {};

  before(async () => {
    s = await startTestServer({ listen: true });
    work = mkdtempSync(join(tmpdir(), 'sb-flows-status-'));
    for (const name of ['w3w', 'usvc', 'menu']) sids[name] = (await s.app.flows.create(s.account.sid, { friendlyName: name, status: 'published', definition: pizza() })).sid;
    assert.equal((await flows(['pull', ...creds(s)], work)).code, 0);
  });
  after(async () => {
    await s?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const stored = async (name: string) => (await s.app.store.getFlow(s.account.sid, sids[name]!))!;

  it('unchanged published flows stay published with no new revision; the changed one and a new one get --status', async () => {
    const menu = pizza();
    menu.description = 'menu v2';
    writeFileSync(join(work, 'flows/menu.json'), JSON.stringify(menu, null, 2));
    writeFileSync(join(work, 'flows/fresh.json'), JSON.stringify(survey(), null, 2));

    const dry = await flows(['push', '--status', 'draft', '--message', 'menu v2', '--dry-run', ...creds(s)], work);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^would be created: fresh ← flows\/fresh\.json: a draft$/m);
    assert.match(dry.stdout, /^would be updated: menu \(FW[0-9a-f]{32}, revision 1\) ← flows\/menu\.json: the definition, and the status published → draft$/m);
    for (const name of ['usvc', 'w3w']) {
      assert.match(dry.stdout, new RegExp(`^would be unchanged: ${name} \\(FW[0-9a-f]{32}, revision 1\\) ← flows/${name}\\.json; the status would stay published \\(--status draft applies to changed flows; add --force-status to set it on this one too\\)$`, 'm'));
    }
    assert.equal((await stored('w3w')).revision, 1);

    const push = await flows(['push', '--status', 'draft', '--message', 'menu v2', ...creds(s)], work);
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stdout, /^unchanged: w3w \(FW[0-9a-f]{32}, revision 1\) ← flows\/w3w\.json; the status stays published \(--status draft applies to changed flows/m);
    assert.match(push.stdout, /^updated: menu \(FW[0-9a-f]{32}, revision 2\) ← flows\/menu\.json: the definition, and the status published → draft$/m);
    for (const name of ['w3w', 'usvc']) {
      const flow = await stored(name);
      assert.equal(flow.revision, 1, name);
      assert.equal(flow.status, 'published', name);
    }
    assert.equal((await stored('menu')).revision, 2);
    assert.equal((await stored('menu')).status, 'draft');
  });

  it('--force-status sets it on an unchanged flow too, and says the status is all that changes', async () => {
    const json = await flows(['push', 'flows/w3w.json', '--status', 'draft', '--dry-run', '--json', ...creds(s)], work);
    assert.deepEqual(
      (JSON.parse(json.stdout) as Record<string, unknown>[]).map(({ action, definitionChanged, status, previousStatus, statusNotApplied }) => ({ action, definitionChanged, status, previousStatus, statusNotApplied })),
      [{ action: 'unchanged', definitionChanged: false, status: 'published', previousStatus: 'published', statusNotApplied: 'draft' }],
    );
    const forced = await flows(['push', 'flows/w3w.json', '--status', 'draft', '--force-status', ...creds(s)], work);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /^updated: w3w \(FW[0-9a-f]{32}, revision 2\) ← flows\/w3w\.json: the status published → draft only \(the definition is the same\)\n$/);
    assert.equal((await stored('w3w')).status, 'draft');
    // Without --status there is nothing to force.
    const bare = await flows(['push', '--force-status', ...creds(s)], work);
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /--force-status sets --status on unchanged flows: give --status/);
  });
});

describe('flows pull leaves a file that already holds the definition as it is', () => {
  let s: TestServer;
  let work: string;
  let sid = '';

  before(async () => {
    s = await startTestServer({ listen: true });
    work = mkdtempSync(join(tmpdir(), 'sb-flows-pull-'));
    sid = (await s.app.flows.create(s.account.sid, { friendlyName: 'Pizza order', status: 'published', definition: pizza() })).sid;
    assert.equal((await flows(['pull', ...creds(s)], work)).code, 0);
  });
  after(async () => {
    await s?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('hand-formatted (other indent, keys in another order): not rewritten; a changed flow still is', async () => {
    const file = join(work, 'flows/pizza-order.json');
    const definition = pizza();
    const reordered = { states: definition.states, flags: definition.flags, initial_state: definition.initial_state, description: definition.description };
    const handFormatted = JSON.stringify(reordered, null, 4);
    writeFileSync(file, handFormatted);
    const manifestFile = join(work, 'flows/flows.manifest.json');
    const manifest = JSON.stringify(JSON.parse(readFileSync(manifestFile, 'utf8')));
    writeFileSync(manifestFile, manifest);

    const again = await flows(['pull', ...creds(s)], work);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /→ flows\/pizza-order\.json \(already up to date, file left as it is\)/);
    assert.equal(readFileSync(file, 'utf8'), handFormatted);
    assert.equal(readFileSync(manifestFile, 'utf8'), manifest);
    const json = JSON.parse((await flows(['pull', '--json', ...creds(s)], work)).stdout);
    assert.equal(json[0].written, false);

    const changed = pizza();
    changed.description = 'changed on the server';
    await s.app.flows.update(s.account.sid, sid, { status: 'published', definition: changed });
    const pulled = await flows(['pull', ...creds(s)], work);
    assert.doesNotMatch(pulled.stdout, /already up to date/);
    assert.equal(readFileSync(file, 'utf8'), JSON.stringify(changed, null, 2) + '\n');
  });
});

describe('flows diff arguments: files of the flow directory or two sides', () => {
  it('decides by where the files are, and FW… always makes two sides', () => {
    const fw = `FW${'a'.repeat(32)}`;
    const plan = (args: string[], options = { pair: false, all: false }) => diffPlan(args, 'flows', options);
    assert.deepEqual(plan([]), { mode: 'server', files: [] });
    assert.deepEqual(plan(['flows/a.json', './flows/sub/b.json']), { mode: 'server', files: ['flows/a.json', './flows/sub/b.json'] });
    assert.deepEqual(plan(['a.json', '../b.json']), { mode: 'pair', sides: ['a.json', '../b.json'] });
    assert.deepEqual(plan(['flows/a.json', `${fw}@published`]), { mode: 'pair', sides: ['flows/a.json', `${fw}@published`] });
    assert.deepEqual(plan(['flows/a.json', 'flows/b.json'], { pair: true, all: false }), { mode: 'pair', sides: ['flows/a.json', 'flows/b.json'] });
    // A sibling whose name starts with the directory's, or with "..", is not in it.
    assert.equal(inFlowDirectory('flows', 'flows-old/a.json'), false);
    assert.equal(inFlowDirectory('flows', 'flows/..a.json'), true);
    assert.equal(inFlowDirectory('flows', 'flows/../a.json'), false);
    assert.equal(inFlowDirectory('flows', 'flows'), false);
    for (const args of [['a.json'], [fw], ['flows/a.json', 'b.json'], ['a.json', 'b.json', 'c.json']]) assert.ok('problem' in plan(args), args.join(' '));
  });
});
