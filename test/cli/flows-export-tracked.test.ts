// `flows export FW… --revision N --out <its tracked file>` (what `test --record` advises when the flow file
// differs from the revision an execution ran) records in flows.manifest.json what it wrote, as a pull does:
// a later pull updates the file instead of refusing it as locally edited, and push compares it as that
// revision. An export anywhere else leaves the manifest alone. A tracked file edited since it was last synced is
// not overwritten (exit 2, as pull refuses it) unless --force; a scratch file no manifest tracks is, as ever. A new
// file in a flows folder follows test --record --flow-file's rule: never a second file of a tracked flow (push would
// create it as a second flow) nor another flow's file; a flow the folder does not track yet gets it as its file.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../support/server.ts';
import { flowsCommand, FLOWS_USAGE } from '../../src/cli/flows.ts';
import { syncedHash } from '../../src/cli/flows/manifest.ts';

const pizza = JSON.parse(readFileSync(new URL('../../examples/flows/pizza-order.json', import.meta.url), 'utf8'));

async function flows(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { log: console.log, error: console.error, cwd: process.cwd() };
  console.log = (...parts: unknown[]) => void out.push(parts.map(String).join(' ') + '\n');
  console.error = (...parts: unknown[]) => void err.push(parts.map(String).join(' ') + '\n');
  process.chdir(cwd);
  try {
    return { code: await flowsCommand(args), stdout: out.join(''), stderr: err.join('') };
  } finally {
    console.log = saved.log;
    console.error = saved.error;
    process.chdir(saved.cwd);
  }
}

describe('flows export into a tracked file', () => {
  let server: TestServer;
  let creds: string[] = [];
  let sid = '';
  const dirs: string[] = [];
  const revision = (n: number) => ({ ...pizza, description: `revision ${n}` });

  before(async () => {
    server = await startTestServer({ listen: true });
    creds = ['--base-url', server.baseUrl, '--account-sid', server.account.sid, '--auth-token', server.account.authToken];
    sid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Pizza order', status: 'published', definition: revision(1) })).sid;
  });
  after(async () => {
    await server.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('records the revision it wrote: pull then updates the file, push sees the server moved on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-export-tracked-'));
    dirs.push(dir);
    assert.equal((await flows(['pull', ...creds], dir)).code, 0);
    // The server moves on twice (the console); revision 2 is the one an execution ran.
    await server.app.flows.update(server.account.sid, sid, { status: 'published', definition: revision(2), commitMessage: 'r2' });
    await server.app.flows.update(server.account.sid, sid, { status: 'published', definition: revision(3), commitMessage: 'r3' });
    const exported = await flows(['export', sid, '--revision', '2', '--out', 'flows/pizza-order.json', ...creds], dir);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /its tracked file: flows\.manifest\.json records that it holds this revision/);
    const manifest = JSON.parse(readFileSync(join(dir, 'flows/flows.manifest.json'), 'utf8'));
    assert.equal(manifest.flows['pizza-order.json'].synced, syncedHash(revision(2)));
    // Push holds it back as an older revision than the server's (not as local edits that would be pushed).
    const push = await flows(['push', '--dry-run', ...creds], dir);
    assert.equal(push.code, 2);
    assert.match(push.stderr, /now at revision 3/);
    const pull = await flows(['pull', ...creds], dir);
    assert.equal(pull.code, 0, pull.stderr);
    assert.match(pull.stdout, /pulled Pizza order .*revision 3/);
    assert.equal(JSON.parse(readFileSync(join(dir, 'flows/pizza-order.json'), 'utf8')).description, 'revision 3');
  });

  it('an export outside the tracked file leaves the manifest as it is', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-export-tracked-'));
    dirs.push(dir);
    assert.equal((await flows(['pull', ...creds], dir)).code, 0);
    const before = readFileSync(join(dir, 'flows/flows.manifest.json'), 'utf8');
    const exported = await flows(['export', sid, '--revision', '1', '--out', 'copy.json', ...creds], dir);
    assert.equal(exported.code, 0, exported.stderr);
    assert.doesNotMatch(exported.stdout, /tracked/);
    assert.equal(readFileSync(join(dir, 'flows/flows.manifest.json'), 'utf8'), before);
  });

  it('a tracked file with local edits is not overwritten: exit 2, nothing written, --force overwrites it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-export-tracked-'));
    dirs.push(dir);
    assert.equal((await flows(['pull', ...creds], dir)).code, 0);
    const file = join(dir, 'flows/pizza-order.json');
    const edited = JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), description: 'my local edit' }, null, 2) + '\n';
    writeFileSync(file, edited);
    const manifest = readFileSync(join(dir, 'flows/flows.manifest.json'), 'utf8');
    const refused = await flows(['export', sid, '--revision', '1', '--out', 'flows/pizza-order.json', ...creds], dir);
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, /^flows\/pizza-order\.json: not overwritten with Pizza order \(FW[0-9a-f]{32} revision 1\): it was edited since it was last pulled or pushed$/m);
    assert.match(refused.stderr, /^nothing was exported: the file may hold local changes the export would lose .*--force overwrites it$/m);
    assert.equal(readFileSync(file, 'utf8'), edited, 'the edit is still there');
    assert.equal(readFileSync(join(dir, 'flows/flows.manifest.json'), 'utf8'), manifest);
    const forced = await flows(['export', sid, '--revision', '1', '--out', 'flows/pizza-order.json', '--force', ...creds], dir);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).description, 'revision 1');
    assert.equal(JSON.parse(readFileSync(join(dir, 'flows/flows.manifest.json'), 'utf8')).flows['pizza-order.json'].synced, syncedHash(revision(1)));
    const help = FLOWS_USAGE.replace(/\s+/g, ' ');
    assert.match(help, /--out into a file a manifest tracks: one edited since it was last pulled or pushed is not overwritten \(exit 2, nothing written; --force overwrites it\)/);
    assert.match(help, /export: overwrite such an edited file/);
    assert.match(help, /pull, export: local edits it would overwrite \(nothing is written\)/);
  });

  it('a scratch file no manifest tracks is overwritten as ever, edited or not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-export-tracked-'));
    dirs.push(dir);
    assert.equal((await flows(['export', sid, '--revision', '1', '--out', 'copy.json', ...creds], dir)).code, 0);
    writeFileSync(join(dir, 'copy.json'), '{"edited": true}\n');
    const again = await flows(['export', sid, '--revision', '1', '--out', 'copy.json', ...creds], dir);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(JSON.parse(readFileSync(join(dir, 'copy.json'), 'utf8')).description, 'revision 1');
  });
});

describe('flows export into a flows folder: one file per flow', () => {
  let server: TestServer;
  let creds: string[] = [];
  let sid = '';
  const dirs: string[] = [];
  const workdir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-export-folder-'));
    dirs.push(dir);
    return dir;
  };

  before(async () => {
    server = await startTestServer({ listen: true });
    creds = ['--base-url', server.baseUrl, '--account-sid', server.account.sid, '--auth-token', server.account.authToken];
    sid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Pizza order', status: 'published', definition: pizza })).sid;
  });
  after(async () => {
    await server.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('a new file beside the flow\'s tracked file is refused, nothing written: push would create it as a second flow', async () => {
    const dir = workdir();
    assert.equal((await flows(['pull', ...creds], dir)).code, 0);
    const manifest = readFileSync(join(dir, 'flows/flows.manifest.json'), 'utf8');
    const exported = await flows(['export', sid, '--out', 'flows/pizza-r1.json', ...creds], dir);
    assert.equal(exported.code, 2, exported.stdout + exported.stderr);
    assert.match(
      exported.stderr,
      /^switchboard flows export: flows\/pizza-r1\.json is in a flows folder, and flows\/flows\.manifest\.json tracks flows\/pizza-order\.json for Pizza order \(FW[0-9a-f]{32}\): flows push would create flows\/pizza-r1\.json as a second flow\. Export into flows\/pizza-order\.json \(--out flows\/pizza-order\.json\), or keep this copy outside the flows folder; nothing was written$/m,
    );
    assert.ok(!existsSync(join(dir, 'flows/pizza-r1.json')));
    assert.equal(readFileSync(join(dir, 'flows/flows.manifest.json'), 'utf8'), manifest);
    const push = await flows(['push', '--dry-run', ...creds], dir);
    assert.equal(push.code, 0, push.stderr);
    assert.doesNotMatch(push.stdout, /create/);
  });

  it('the file the manifest tracks for another flow is refused, also when it exists: push would overwrite that flow', async () => {
    const dir = workdir();
    mkdirSync(join(dir, 'flows'));
    const other = `FW${'0'.repeat(32)}`;
    writeFileSync(join(dir, 'flows/flows.manifest.json'), JSON.stringify({ flows: { 'other.json': { friendlyName: 'Other', sid: other } } }));
    for (const present of [false, true]) {
      if (present) writeFileSync(join(dir, 'flows/other.json'), JSON.stringify(pizza));
      const exported = await flows(['export', sid, '--out', 'flows/other.json', ...creds], dir);
      assert.equal(exported.code, 2, exported.stdout + exported.stderr);
      assert.match(exported.stderr, new RegExp(`flows/other\\.json is the file flows/flows\\.manifest\\.json tracks for Other \\(${other}\\): flows push would overwrite that flow with Pizza order`));
      assert.equal(existsSync(join(dir, 'flows/other.json')), present);
    }
  });

  it('a new file in the flows folder of a flow it does not track yet becomes its tracked file: push updates the flow', async () => {
    const dir = workdir();
    mkdirSync(join(dir, 'flows'));
    const exported = await flows(['export', sid, '--out', 'flows/orders.json', ...creds], dir);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /now its tracked file: flows\/flows\.manifest\.json records it for Pizza order/);
    const manifest = JSON.parse(readFileSync(join(dir, 'flows/flows.manifest.json'), 'utf8'));
    assert.deepEqual(manifest.flows, { 'orders.json': { friendlyName: 'Pizza order', sid, synced: syncedHash(pizza) } });
    const push = await flows(['push', '--dry-run', ...creds], dir);
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stdout, /would be unchanged: Pizza order/);
    assert.doesNotMatch(push.stdout, /create/);
    const help = FLOWS_USAGE.replace(/\s+/g, ' ');
    assert.match(help, /A new file in a flows folder \(--dir, or one with a manifest\) only as the flow's tracked file \(it becomes one if the flow has none there\): push would create any other as a second flow/);
  });
});
