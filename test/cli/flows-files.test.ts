// Flows as code with the awkward cases: flows that share a friendly name each get a file of their own
// (stable from one pull to the next) and push/diff follow the manifest's SIDs; files that cannot be read
// are said to be unreadable (not "invalid definitions"); and `flows list` keeps a huge name from
// widening every row.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '../support/server.ts';
import { runCliInProcess, type CliRun as Run } from '../support/cli-in-process.ts';
import { flowsCommand } from '../../src/cli/flows.ts';
import { MAX_CELL_WIDTH, table } from '../../src/cli/remote.ts';

const pizzaFile = fileURLToPath(new URL('../../examples/flows/pizza-order.json', import.meta.url));
const surveyFile = fileURLToPath(new URL('../fixtures/flows/survey.json', import.meta.url));
const pizza = () => JSON.parse(readFileSync(pizzaFile, 'utf8'));
const survey = () => JSON.parse(readFileSync(surveyFile, 'utf8'));


/** `switchboard flows …` in this process (test/support/cli-in-process.ts). */
function flows(args: string[], cwd: string): Promise<Run> {
  return runCliInProcess(flowsCommand, args, cwd);
}

const creds = (s: TestServer) => ['--base-url', s.baseUrl, '--account-sid', s.account.sid, '--auth-token', s.account.authToken];
/** The manifest's entries without `synced`, the hash of the JSON last pulled or pushed (flows-pull-local-edits.test.ts). */
const manifestOf = (dir: string) =>
  Object.fromEntries(
    Object.entries(JSON.parse(readFileSync(join(dir, 'flows.manifest.json'), 'utf8')).flows as Record<string, { friendlyName: string; sid?: string; synced?: string }>).map(([file, { synced: _, ...entry }]) => [file, entry]),
  );
const jsonFiles = (dir: string) => readdirSync(dir).filter((f) => f !== 'flows.manifest.json').sort();

describe('switchboard flows: two flows with one friendly name', () => {
  let a: TestServer;
  let b: TestServer;
  let work: string;
  let older = '';
  let newer = '';
  let other = '';
  const clock = { ms: Date.parse('2026-04-01T09:00:00Z') };

  before(async () => {
    a = await startTestServer({ listen: true, now: () => clock.ms });
    b = await startTestServer({ listen: true });
    work = mkdtempSync(join(tmpdir(), 'sb-flows-files-'));
    older = (await a.app.flows.create(a.account.sid, { friendlyName: 'Hello', status: 'published', definition: survey() })).sid;
    clock.ms += 60_000;
    newer = (await a.app.flows.create(a.account.sid, { friendlyName: 'Hello', status: 'published', definition: pizza() })).sid;
    clock.ms += 60_000;
    other = (await a.app.flows.create(a.account.sid, { friendlyName: 'Survey', status: 'draft', definition: survey() })).sid;
  });

  after(async () => {
    await a?.close();
    await b?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const newerFile = () => `hello-${newer.slice(-8)}.json`;

  it('pull writes each flow to its own file (the older keeps hello.json) and the manifest maps each file to its SID', async () => {
    const pull = await flows(['pull', ...creds(a)], work);
    assert.equal(pull.code, 0, pull.stderr);
    const dir = join(work, 'flows');
    assert.deepEqual(jsonFiles(dir), [newerFile(), 'hello.json', 'survey.json'].sort());
    assert.match(pull.stdout, new RegExp(`pulled Hello \\(${older}, revision 1, published\\) → flows/hello\\.json`));
    assert.match(pull.stdout, new RegExp(`pulled Hello \\(${newer}, revision 1, published\\) → flows/${newerFile().replace('.', '\\.')}`));
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'hello.json'), 'utf8')), survey());
    assert.deepEqual(JSON.parse(readFileSync(join(dir, newerFile()), 'utf8')), pizza());
    assert.deepEqual(manifestOf(dir), {
      'hello.json': { friendlyName: 'Hello', sid: older },
      [newerFile()]: { friendlyName: 'Hello', sid: newer },
      'survey.json': { friendlyName: 'Survey', sid: other },
    });

    // Again, and into a fresh directory: the same names.
    const again = await flows(['pull', ...creds(a)], work);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(jsonFiles(dir), [newerFile(), 'hello.json', 'survey.json'].sort());
    assert.equal(manifestOf(dir)[newerFile()]!.sid, newer);
    const fresh = await flows(['pull', '--dir', 'fresh', ...creds(a)], work);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.deepEqual(manifestOf(join(work, 'fresh')), manifestOf(dir));
    // Only the newer one: it still goes to its own file, never over hello.json.
    const one = await flows(['pull', newer, ...creds(a)], work);
    assert.match(one.stdout, new RegExp(`→ flows/${newerFile().replace('.', '\\.')}`));
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'hello.json'), 'utf8')), survey());
  });

  it('diff and push follow the manifest SID, not the name', async () => {
    const clean = await flows(['diff', ...creds(a)], work);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.doesNotMatch(clean.stdout, /only on the server|new flow/);

    const file = join(work, 'flows', newerFile());
    const definition = pizza();
    definition.states.find((s: { name: string }) => s.name === 'confirm').properties.body = 'Changed for the newer Hello';
    writeFileSync(file, JSON.stringify(definition, null, 2));
    const diff = await flows(['diff', ...creds(a)], work);
    assert.equal(diff.code, 1);
    assert.match(diff.stdout, new RegExp(`--- Hello \\(${newer} revision 1\\)\\n\\+\\+\\+ flows/${newerFile().replace('.', '\\.')}`));
    assert.match(diff.stdout, /~ confirm \(send-message\)/);

    const push = await flows(['push', ...creds(a)], work);
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stdout, new RegExp(`updated: Hello \\(${newer}, revision 2\\) ← flows/${newerFile().replace('.', '\\.')}`));
    assert.match(push.stdout, new RegExp(`unchanged: Hello \\(${older}, revision 1\\) ← flows/hello\\.json`));
    const exported = async (sid: string) => {
      assert.equal((await flows(['export', sid, '--out', 'exported.json', ...creds(a)], work)).code, 0);
      return JSON.parse(readFileSync(join(work, 'exported.json'), 'utf8'));
    };
    assert.deepEqual(await exported(newer), definition);
    assert.deepEqual(await exported(older), survey());
    assert.equal((await a.app.store.getFlow(a.account.sid, older))?.revision, 1);
  });

  it('on another server (no SID of the manifest there) each file becomes a flow of its own, then is matched by SID', async () => {
    const push = await flows(['push', ...creds(b)], work);
    assert.equal(push.code, 0, push.stderr);
    assert.equal((push.stdout.match(/^created: Hello/gm) ?? []).length, 2, push.stdout);
    const onB = (await b.app.store.listFlows(b.account.sid, { pageSize: 50 })).items;
    assert.deepEqual(onB.map((f) => f.friendlyName).sort(), ['Hello', 'Hello', 'Survey']);
    const manifest = manifestOf(join(work, 'flows'));
    assert.ok(onB.some((f) => f.sid === manifest['hello.json']!.sid));
    assert.ok(onB.some((f) => f.sid === manifest[newerFile()]!.sid));
    assert.notEqual(manifest['hello.json']!.sid, manifest[newerFile()]!.sid);
    const again = await flows(['push', ...creds(b)], work);
    assert.equal((again.stdout.match(/^unchanged: /gm) ?? []).length, 3, again.stdout);
    const diff = await flows(['diff', ...creds(b)], work);
    assert.equal(diff.code, 0, diff.stdout);
  });
});

describe('switchboard flows: files that cannot be read', () => {
  let work: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'sb-flows-unreadable-'));
    mkdirSync(join(work, 'a-directory.json'));
    writeFileSync(join(work, 'good.json'), JSON.stringify(survey()));
  });
  after(() => rmSync(work, { recursive: true, force: true }));
  // No server is needed: every one of these stops before connecting.
  const nowhere = ['--base-url', 'http://127.0.0.1:9', '--account-sid', `AC${'0'.repeat(32)}`, '--auth-token', 'x'];

  it('import says the file cannot be read, and why', async () => {
    const missing = await flows(['import', '/nonexistent.json', ...nowhere], work);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, 'switchboard flows import: cannot read /nonexistent.json: no such file\n');
    const directory = await flows(['import', 'a-directory.json', ...nowhere], work);
    assert.equal(directory.code, 2);
    assert.equal(directory.stderr, 'switchboard flows import: cannot read a-directory.json: it is a directory\n');
  });

  it('validate, push and diff say the same', async () => {
    const validate = await flows(['validate', '/nonexistent.json', 'a-directory.json', 'good.json'], work);
    // Every file is listed; one that cannot be read is a failure (2), not an invalid definition (1).
    assert.equal(validate.code, 2);
    assert.equal(validate.stdout, '✗ /nonexistent.json\n    cannot read the file: no such file\n✗ a-directory.json\n    cannot read the file: it is a directory\n✓ good.json\n3 files checked: 1 valid, 0 invalid, 2 unreadable; 0 warnings\n');
    const push = await flows(['push', '/nonexistent.json', ...nowhere], work);
    assert.equal(push.code, 2);
    assert.equal(push.stderr, '/nonexistent.json: not pushed, cannot read the file: no such file\n');
    const diff = await flows(['diff', 'good.json', '/nonexistent.json'], work);
    assert.equal(diff.code, 2);
    assert.equal(diff.stderr, 'switchboard flows diff: cannot read /nonexistent.json: no such file\n');
    const diffDirectory = await flows(['diff', 'a-directory.json', 'good.json'], work);
    assert.equal(diffDirectory.stderr, 'switchboard flows diff: cannot read a-directory.json: it is a directory\n');
  });
});

describe('CLI tables: long cells', () => {
  it('cuts a cell longer than MAX_CELL_WIDTH with an ellipsis; short cells and other rows are untouched', () => {
    const text = table(
      [
        { sid: 'FW1', name: 'x'.repeat(100_000) },
        { sid: 'FW2', name: 'short' },
        { sid: 'FW3', name: 'two\nlines' },
        { sid: 'FW4', name: '😀'.repeat(60) },
      ],
      [{ key: 'sid', title: 'sid' }, { key: 'name', title: 'name' }],
    );
    const lines = text.split('\n');
    assert.equal(lines.length, 5, 'a newline in a cell does not break the row');
    assert.equal(lines[1], `FW1  ${'x'.repeat(MAX_CELL_WIDTH - 1)}…`);
    assert.equal(lines[2], 'FW2  short');
    assert.equal(lines[3], 'FW3  two lines');
    assert.equal(lines[4], `FW4  ${'😀'.repeat(MAX_CELL_WIDTH - 1)}…`, 'cut between characters, not inside one');
    assert.ok(lines.every((line) => Array.from(line).length <= 5 + MAX_CELL_WIDTH), text);
  });

  it('flows list: a 100,000-character name does not widen every row', async () => {
    const s = await startTestServer({ listen: true });
    const work = mkdtempSync(join(tmpdir(), 'sb-flows-list-long-'));
    try {
      const long = `${'Very long name '.repeat(7000)}end`;
      const longSid = (await s.app.flows.create(s.account.sid, { friendlyName: long, status: 'draft', definition: survey() })).sid;
      const shortSid = (await s.app.flows.create(s.account.sid, { friendlyName: 'Short', status: 'draft', definition: survey() })).sid;
      const list = await flows(['list', ...creds(s)], work);
      assert.equal(list.code, 0, list.stderr);
      const lines = list.stdout.trimEnd().split('\n');
      assert.ok(lines.every((line) => line.length < 200), `rows of ${lines.map((l) => l.length).join(', ')} characters`);
      assert.match(lines.find((l) => l.startsWith(longSid))!, /Very long name Very long name .*…\s+draft\s+1\s/);
      assert.match(lines.find((l) => l.startsWith(shortSid))!, /^FW[0-9a-f]{32} {2}Short +draft/);
      const json = await flows(['list', '--json', ...creds(s)], work);
      assert.ok(JSON.parse(json.stdout).some((f: { friendlyName: string }) => f.friendlyName === long), '--json keeps the whole name');
    } finally {
      await s.close();
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('switchboard flows validate / diff on a Flow resource file', () => {
  it('takes the definition a saved Flow resource holds, as simulate and the console do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-flows-resource-'));
    try {
      writeFileSync(join(dir, 'resource.json'), JSON.stringify({ sid: 'FW' + '1'.repeat(32), friendly_name: 'Pizza', definition: pizza() }));
      writeFileSync(join(dir, 'export.json'), JSON.stringify(pizza()));
      const validate = await flows(['validate', 'resource.json'], dir);
      assert.equal(validate.code, 0, validate.stdout + validate.stderr);
      assert.match(validate.stdout, /✓ resource\.json/);
      const diff = await flows(['diff', 'resource.json', 'export.json'], dir);
      assert.equal(diff.code, 0, diff.stdout + diff.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('switchboard flows: a file holding an integer beyond 2^53', () => {
  let s: TestServer;
  let work: string;
  before(async () => {
    s = await startTestServer({ listen: true });
    work = mkdtempSync(join(tmpdir(), 'sb-flows-big-integer-'));
  });
  after(async () => {
    await s?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('push twice makes one revision, diff is clean and pull leaves the file as written', async () => {
    // A Set Variables value written as a number (a 64-bit ID): JSON.parse rounds it, the server keeps the digits
    // it was sent as a string. Every push was an update (a new revision) and diff never came back clean.
    mkdirSync(join(work, 'flows'));
    const definition = survey();
    definition.states.push({ name: 'remember_id', type: 'set-variables', transitions: [{ event: 'next' }], properties: { variables: [{ key: 'account_id', value: 0 }], offset: { x: 0, y: 900 } } });
    const text = JSON.stringify(definition, null, 2).replace('"value": 0', '"value": 12345678901234567890') + '\n';
    assert.match(text, /"value": 12345678901234567890/);
    writeFileSync(join(work, 'flows/ids.json'), text);
    const first = await flows(['push', ...creds(s)], work);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^created: ids \(FW[0-9a-f]{32}, revision 1\)/);
    const second = await flows(['push', '--json', ...creds(s)], work);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual((JSON.parse(second.stdout) as { action: string; revision: number }[]).map((r) => [r.action, r.revision]), [['unchanged', 1]]);
    const diff = await flows(['diff', ...creds(s)], work);
    assert.equal(diff.code, 0, diff.stdout);
    const pull = await flows(['pull', ...creds(s)], work);
    assert.equal(pull.code, 0, pull.stderr);
    assert.match(pull.stdout, /already up to date, file left as it is/);
    assert.equal(readFileSync(join(work, 'flows/ids.json'), 'utf8'), text);
  });
});

describe('switchboard flows: a file holding a lone surrogate escape', () => {
  let s: TestServer;
  let work: string;
  before(async () => {
    s = await startTestServer({ listen: true });
    work = mkdtempSync(join(tmpdir(), 'sb-flows-lone-surrogate-'));
  });
  after(async () => {
    await s?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('push twice makes one revision (the server keeps U+FFFD), diff is clean and pull leaves the file as written', async () => {
    mkdirSync(join(work, 'flows'));
    const text = JSON.stringify({ ...survey(), description: 'PLACEHOLDER' }, null, 2).replace('PLACEHOLDER', 'broken \\ud800 text') + '\n';
    writeFileSync(join(work, 'flows/odd.json'), text);
    assert.equal((await flows(['push', ...creds(s)], work)).code, 0);
    const second = await flows(['push', '--json', ...creds(s)], work);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual((JSON.parse(second.stdout) as { action: string; revision: number }[]).map((r) => [r.action, r.revision]), [['unchanged', 1]]);
    const diff = await flows(['diff', ...creds(s)], work);
    assert.equal(diff.code, 0, diff.stdout);
    assert.doesNotMatch(diff.stdout, /description/);
    const pull = await flows(['pull', ...creds(s)], work);
    assert.equal(pull.code, 0, pull.stderr);
    assert.equal(readFileSync(join(work, 'flows/odd.json'), 'utf8'), text);
  });
});
