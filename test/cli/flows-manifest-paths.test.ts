// flows.manifest.json comes with the repository, so a tampered one must not make `flows pull` (or any
// command reading it) write outside --dir: its keys are plain relative paths inside the directory
// (subfolders allowed); an absolute path, a `..` step or a symbolic link leading out is refused
// with the entry named, exit 2, and nothing written.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '../support/server.ts';
import { runCliInProcess, type CliRun as Run } from '../support/cli-in-process.ts';
import { flowsCommand } from '../../src/cli/flows.ts';
import { readManifest, syncedHash } from '../../src/cli/flows/manifest.ts';
import { manifestKeyProblem } from '../../src/cli/manifest-paths.ts';

const surveyFile = fileURLToPath(new URL('../fixtures/flows/survey.json', import.meta.url));
const survey = () => JSON.parse(readFileSync(surveyFile, 'utf8'));
const posix = process.platform !== 'win32';

function flows(args: string[], cwd: string): Promise<Run> {
  return runCliInProcess(flowsCommand, args, cwd);
}
const creds = (s: TestServer) => ['--base-url', s.baseUrl, '--account-sid', s.account.sid, '--auth-token', s.account.authToken];

describe('manifestKeyProblem', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-manifest-keys-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('takes plain names and subfolders inside the directory', () => {
    for (const key of ['hello.json', 'team/hello.json', './hello.json', 'a/b/c.json', '..hello.json']) assert.equal(manifestKeyProblem(dir, key), null, key);
  });

  it('refuses absolute paths, .. steps (either separator) and the directory itself', () => {
    const refused: [string, RegExp][] = [
      ['../escaped.json', /'\.\.' step/],
      ['../../escaped.json', /'\.\.' step/],
      ['team/../../escaped.json', /'\.\.' step/],
      ['..\\escaped.json', /'\.\.' step/],
      ['/tmp/escaped.json', /absolute/],
      ['C:\\escaped.json', /absolute/],
      ['\\\\server\\share\\x.json', /absolute/],
      ['', /no file name/],
      ['a\0.json', /no file name/],
      ['.', /directory itself/],
    ];
    for (const [key, problem] of refused) assert.match(manifestKeyProblem(dir, key) ?? 'accepted', problem, JSON.stringify(key));
  });

  it('refuses a symbolic link out of the directory, as the file or a folder on its way', { skip: !posix && 'symlinks need privileges on Windows' }, () => {
    const outside = mkdtempSync(join(tmpdir(), 'sb-manifest-outside-'));
    try {
      const flowsDir = join(dir, 'links');
      mkdirSync(flowsDir);
      symlinkSync(outside, join(flowsDir, 'out'));
      symlinkSync(join(outside, 'target.json'), join(flowsDir, 'dangling.json'));
      writeFileSync(join(outside, 'real.json'), '{}');
      symlinkSync(join(outside, 'real.json'), join(flowsDir, 'linked.json'));
      writeFileSync(join(flowsDir, 'inner.json'), '{}');
      symlinkSync('inner.json', join(flowsDir, 'alias.json'));
      assert.match(manifestKeyProblem(flowsDir, 'out/new.json') ?? 'accepted', /symbolic link/);
      assert.match(manifestKeyProblem(flowsDir, 'linked.json') ?? 'accepted', /symbolic link/);
      assert.match(manifestKeyProblem(flowsDir, 'dangling.json') ?? 'accepted', /symbolic link to nothing/);
      // A link that stays inside is only another name for a flow file.
      assert.equal(manifestKeyProblem(flowsDir, 'alias.json'), null);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('switchboard flows with a tampered manifest', () => {
  let s: TestServer;
  let work: string;
  let sid = '';
  /** A fresh --dir holding only the manifest given. */
  const withManifest = (name: string, flowsMap: Record<string, unknown>) => {
    const dir = join(work, name, 'flows');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'flows.manifest.json'), JSON.stringify({ flows: flowsMap }));
    return dir;
  };

  before(async () => {
    s = await startTestServer({ listen: true });
    work = mkdtempSync(join(tmpdir(), 'sb-manifest-paths-'));
    sid = (await s.app.flows.create(s.account.sid, { friendlyName: 'A flow', status: 'published', definition: survey() })).sid;
  });
  after(async () => {
    await s?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("pull refuses an entry with '..' that leads out of --dir, names it, exits 2 and writes nothing", async () => {
    const dir = withManifest('dotdot', { '../../escaped.json': { friendlyName: 'A flow', sid } });
    const before = readFileSync(join(dir, 'flows.manifest.json'), 'utf8');
    const pull = await flows(['pull', '--dir', 'dotdot/flows', ...creds(s)], work);
    assert.equal(pull.code, 2, pull.stdout + pull.stderr);
    assert.match(pull.stderr, /switchboard flows pull: dotdot\/flows\/flows\.manifest\.json: the entry "\.\.\/\.\.\/escaped\.json" has a '\.\.' step/);
    assert.equal(existsSync(join(work, 'escaped.json')), false);
    assert.equal(existsSync(join(work, 'dotdot', 'escaped.json')), false);
    assert.equal(pull.stdout, '');
    assert.equal(readFileSync(join(dir, 'flows.manifest.json'), 'utf8'), before, 'the manifest is left as it was');
  });

  it('pull refuses an absolute path', async () => {
    const target = join(work, 'absolute-target.json');
    withManifest('absolute', { [target]: { friendlyName: 'A flow', sid } });
    const pull = await flows(['pull', '--dir', 'absolute/flows', ...creds(s)], work);
    assert.equal(pull.code, 2, pull.stdout + pull.stderr);
    assert.match(pull.stderr, /is an absolute path/);
    assert.equal(existsSync(target), false);
  });

  it('pull refuses a flow file that is a symbolic link out of --dir, and leaves its target alone', { skip: !posix && 'symlinks need privileges on Windows' }, async () => {
    const victim = join(work, 'victim.txt');
    writeFileSync(victim, 'keep me\n');
    const dir = withManifest('symlink', { 'a-flow.json': { friendlyName: 'A flow', sid } });
    symlinkSync(victim, join(dir, 'a-flow.json'));
    const pull = await flows(['pull', '--dir', 'symlink/flows', ...creds(s)], work);
    assert.equal(pull.code, 2, pull.stdout + pull.stderr);
    assert.match(pull.stderr, /the entry "a-flow\.json" leads out of the flow directory through a symbolic link/);
    assert.equal(readFileSync(victim, 'utf8'), 'keep me\n');
  });

  it('pull refuses a symbolic link out of --dir in place of a new flow file or of the manifest itself', { skip: !posix && 'symlinks need privileges on Windows' }, async () => {
    // No manifest entry: the file pull would name after the flow is already a committed link.
    const dir = join(work, 'unlisted', 'flows');
    mkdirSync(dir, { recursive: true });
    symlinkSync(join(work, 'unlisted-target.json'), join(dir, 'a-flow.json'));
    const pull = await flows(['pull', '--dir', 'unlisted/flows', ...creds(s)], work);
    assert.equal(pull.code, 2, pull.stdout + pull.stderr);
    assert.match(pull.stderr, /unlisted\/flows\/a-flow\.json is a symbolic link to nothing: not written/);
    assert.equal(existsSync(join(work, 'unlisted-target.json')), false);

    const manifestDir = join(work, 'linked-manifest', 'flows');
    mkdirSync(manifestDir, { recursive: true });
    symlinkSync(join(work, 'manifest-target.json'), join(manifestDir, 'flows.manifest.json'));
    const second = await flows(['pull', '--dir', 'linked-manifest/flows', ...creds(s)], work);
    assert.equal(second.code, 2, second.stdout + second.stderr);
    assert.match(second.stderr, /linked-manifest\/flows\/flows\.manifest\.json is a symbolic link to nothing/);
    assert.equal(existsSync(join(work, 'manifest-target.json')), false);
    assert.equal(existsSync(join(manifestDir, 'a-flow.json')), false);
  });

  it('push, diff and record (readManifest) refuse the same manifest before doing anything', async () => {
    const dir = withManifest('others', { '../../escaped.json': { friendlyName: 'A flow', sid } });
    writeFileSync(join(dir, 'a-flow.json'), JSON.stringify(survey()));
    for (const command of ['push', 'diff']) {
      const run = await flows([command, '--dir', 'others/flows', ...creds(s)], work);
      assert.equal(run.code, 2, `${command}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, new RegExp(`switchboard flows ${command}: .*the entry "\\.\\./\\.\\./escaped\\.json" has a '\\.\\.' step`));
    }
    // `test --record` finds the flow's file through readManifest too.
    assert.throws(() => readManifest(dir), /the entry "\.\.\/\.\.\/escaped\.json" has a '\.\.' step/);
    const listed = JSON.parse((await flows(['list', '--json', ...creds(s)], work)).stdout) as { sid: string; revision: number }[];
    assert.deepEqual(listed.map((f) => [f.sid, f.revision]), [[sid, 1]], 'push sent nothing');
  });

  it('a manifest that is no manifest is refused with its path, exit 2 (not a crash)', async () => {
    for (const [name, text] of [['notjson', '{'], ['nullflows', '{"flows": null}'], ['badentry', '{"flows": {"a.json": null}}']] as const) {
      const dir = join(work, name, 'flows');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'flows.manifest.json'), text);
      const pull = await flows(['pull', '--dir', `${name}/flows`, ...creds(s)], work);
      assert.equal(pull.code, 2, `${name}: ${pull.stdout}${pull.stderr}`);
      assert.match(pull.stderr, new RegExp(`switchboard flows pull: ${name}/flows/flows\\.manifest\\.json: (not valid JSON|not a flows manifest|the entry "a\\.json" is not)`));
    }
  });

  it('an entry in a subfolder of --dir still works: pull writes it there, creating the folder', async () => {
    const dir = withManifest('subfolder', { 'team/a-flow.json': { friendlyName: 'A flow', sid } });
    const pull = await flows(['pull', '--dir', 'subfolder/flows', ...creds(s)], work);
    assert.equal(pull.code, 0, pull.stdout + pull.stderr);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'team', 'a-flow.json'), 'utf8')).states.map((st: { name: string }) => st.name), survey().states.map((st: { name: string }) => st.name));
    // With the hash of the JSON pulled (flows-pull-local-edits.test.ts).
    const { synced, ...entry } = readManifest(dir).flows['team/a-flow.json']!;
    assert.deepEqual(entry, { friendlyName: 'A flow', sid });
    assert.equal(synced, syncedHash(JSON.parse(readFileSync(join(dir, 'team', 'a-flow.json'), 'utf8'))));
    assert.equal(existsSync(join(dir, 'a-flow.json')), false, 'not also written beside the folder');
  });
});
