// `flows push` replaced a change made on the server (console, API, twilio-cli) since the last pull or
// push without a word. It now refuses, as git refuses a push that is no fast-forward: a flow whose
// server definition differs from both the file and the manifest's `synced` hash (and from every
// version of the file the git history holds) is named with its revision, nothing is pushed, exit 2;
// --force overwrites. No manifest entry, another server (matched by name), a server already holding the
// file, or a server still at the synced definition: a push as before. A CI checkout whose manifest is
// never committed back after its pushes is not stopped, since what it pushed is in the git history.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { described, pulledFlows, hasGit } from '../support/pulled-flows.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { flowsCommand, FLOWS_USAGE } from '../../src/cli/flows.ts';
import { syncedHash } from '../../src/cli/flows/manifest.ts';
import { canonicalJson } from '../../src/flowtest/flow-diff.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';

describe('flows push refuses to overwrite a change made on the server since the last pull or push', () => {
  const pulled = pulledFlows('sb-flows-push-drift-');
  const { dir, read, write, manifest, flows, serverChanges, fresh } = pulled;
  const onServer = async (sid: string) => {
    const flow = await pulled.s.app.store.getFlow(pulled.s.account.sid, sid);
    const latest = await pulled.s.app.store.getRevision(pulled.s.account.sid, sid, 'LatestRevision');
    return { description: (latest!.definition as FlowDefinition).description, revision: flow!.revision, status: flow!.status };
  };
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=CI', '-c', 'commit.gpgsign=false', ...args], { cwd: pulled.work, stdio: 'pipe' }).toString();

  it('a flow changed on the server and in the file: named with its revision, nothing pushed (the other flow neither), exit 2; --force overwrites', async () => {
    await fresh();
    await serverChanges(pulled.surveySid, 'console edit');
    const { revision } = await onServer(pulled.surveySid);
    write('survey.json', 'local edit');
    write('other.json', 'local edit of the other');
    const manifestBefore = read('flows.manifest.json');

    const push = await flows(['push', '--message', 'deploy']);
    assert.equal(push.code, 2, push.stdout + push.stderr);
    assert.equal(push.stdout, '');
    assert.match(push.stderr, new RegExp(`^flows/survey\\.json: not pushed: Survey \\(${pulled.surveySid}\\) is now at revision ${revision}, updated [0-9T:-]+Z, "console: console edit", a change made on the server since the file was last pulled or pushed, which the file does not hold$`, 'm'));
    assert.match(push.stderr, /^nothing was pushed: a flow changed on the server since the last pull or push, and the push would overwrite that change \(flows diff shows the server's side: bring it into the files, then push again\); --force overwrites it$/m);
    assert.doesNotMatch(push.stderr, /other\.json/);
    // All or nothing, as for an invalid file: the other flow's change is held back too.
    assert.deepEqual(await onServer(pulled.surveySid), { description: 'console edit', revision, status: 'published' });
    assert.equal((await onServer(pulled.otherSid)).description, 'server 0');
    assert.equal(read('flows.manifest.json'), manifestBefore);

    // --dry-run says the same, exit 2, and what the push would do once forced.
    const dry = await flows(['push', '--dry-run']);
    assert.equal(dry.code, 2, dry.stdout + dry.stderr);
    assert.match(dry.stderr, /^flows\/survey\.json: not pushed: Survey .* is now at revision/m);
    assert.match(dry.stderr, /^nothing would be pushed: a flow changed on the server .*; --force overwrites it, and would push:$/m);
    assert.match(dry.stdout, /^would be updated: Survey .* ← flows\/survey\.json: the definition$/m);
    assert.match(dry.stdout, /^would be updated: Other .* ← flows\/other\.json: the definition$/m);
    assert.equal((await onServer(pulled.surveySid)).description, 'console edit');
    assert.equal(read('flows.manifest.json'), manifestBefore);

    const forced = await flows(['push', '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal((await onServer(pulled.surveySid)).description, 'local edit');
    assert.equal((await onServer(pulled.otherSid)).description, 'local edit of the other');
    assert.equal(manifest()['survey.json']!.synced, syncedHash(described('local edit')));
    assert.equal((manifest()['survey.json'] as { server?: string }).server, undefined, 'no second hash when the server holds the file as it is');
    // Synced again: the next push is a plain one.
    write('survey.json', 'next edit');
    const next = await flows(['push']);
    assert.equal(next.code, 0, next.stderr);
    assert.equal((await onServer(pulled.surveySid)).description, 'next edit');
  });

  it('a file the server change was merged into by hand (as the refusal asks), beside its own edits, is pushed; one that lost a part of it is not', async () => {
    await fresh();
    // The server changed the description and the body of 'sorry' (a console edit, after the pull).
    const base = JSON.parse(read('survey.json')) as FlowDefinition;
    const withBody = (definition: FlowDefinition, widget: string, body: string): FlowDefinition => ({
      ...definition,
      states: definition.states.map((s) => (s.name === widget ? { ...s, properties: { ...s.properties, body } } : s)),
    });
    const server = withBody({ ...base, description: 'console edit' }, 'sorry', 'Sorry, from the console');
    await pulled.s.app.flows.update(pulled.s.account.sid, pulled.surveySid, { status: 'published', definition: server, commitMessage: 'console edit' });
    // The file's own edit: the body of 'thanks', and a widget the server does not have.
    const own = withBody(base, 'thanks', 'Thanks, from git');
    const extra = { ...own.states.find((s) => s.name === 'thanks')!, name: 'thanks_again' };
    const local = { ...own, states: [...own.states, extra] };
    writeFileSync(join(dir(), 'survey.json'), JSON.stringify(local, null, 2));
    const refused = await flows(['push']);
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /^flows\/survey\.json: not pushed: Survey .* which the file does not hold$/m);
    const diffBefore = await flows(['diff', 'flows/survey.json']);
    assert.match(diffBefore.stdout, /flows push refuses to overwrite it without --force/);

    // Half merged: the description is in, the body of 'sorry' is not.
    writeFileSync(join(dir(), 'survey.json'), JSON.stringify({ ...local, description: 'console edit' }, null, 2));
    const half = await flows(['push']);
    assert.equal(half.code, 2, half.stdout + half.stderr);
    assert.match(half.stderr, /which the file does not hold$/m);

    // Merged: both server changes are in the file, its own edits beside them.
    const merged = withBody({ ...local, description: 'console edit' }, 'sorry', 'Sorry, from the console');
    writeFileSync(join(dir(), 'survey.json'), JSON.stringify(merged, null, 2));
    const diff = await flows(['diff', 'flows/survey.json']);
    assert.equal(diff.code, 1, diff.stderr);
    assert.doesNotMatch(diff.stdout, /refuses/);
    const push = await flows(['push', '--message', 'merged']);
    assert.equal(push.code, 0, push.stdout + push.stderr);
    assert.match(push.stdout, /^updated: Survey .*: the definition$/m);
    const latest = await pulled.s.app.store.getRevision(pulled.s.account.sid, pulled.surveySid, 'LatestRevision');
    assert.equal(canonicalJson(latest!.definition), canonicalJson(merged));
  });

  it('a server still at the synced definition is updated; a server that already holds the file is left as it is', async () => {
    await fresh();
    write('survey.json', 'local edit');
    write('other.json', 'made on both sides');
    await serverChanges(pulled.otherSid, 'made on both sides');
    const { revision } = await onServer(pulled.otherSid);
    const push = await flows(['push']);
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stdout, /^updated: Survey .*: the definition$/m);
    assert.match(push.stdout, /^unchanged: Other /m);
    assert.equal((await onServer(pulled.otherSid)).revision, revision);
  });

  it('a file kept as a saved Flow resource ({definition: …}): its next push after an edit is a plain one', async () => {
    await fresh();
    const resource = (description: string) => JSON.stringify({ friendly_name: 'Survey', status: 'published', definition: described(description) }, null, 2);
    writeFileSync(join(dir(), 'survey.json'), resource('resource 1'));
    const first = await flows(['push', 'flows/survey.json']);
    assert.equal(first.code, 0, first.stderr);
    // The file's hash is the whole resource's: the manifest also records the definition the server holds.
    assert.equal((manifest()['survey.json'] as { server?: string }).server, syncedHash(described('resource 1')));
    writeFileSync(join(dir(), 'survey.json'), resource('resource 2'));
    const second = await flows(['push', 'flows/survey.json']);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.equal((await onServer(pulled.surveySid)).description, 'resource 2');
    // A pull still sees the file as unedited (the manifest's synced hash is the file's) and replaces it.
    await serverChanges(pulled.surveySid, 'console edit');
    const pull = await flows(['pull', 'Survey']);
    assert.equal(pull.code, 0, pull.stderr);
    assert.equal(JSON.parse(read('survey.json')).description, 'console edit');
  });

  it('a draft saved on the server (the published revision as pulled) is a change too: push writes the latest revision', async () => {
    await fresh();
    await serverChanges(pulled.surveySid, 'console draft', 'draft');
    write('survey.json', 'local edit');
    const push = await flows(['push']);
    assert.equal(push.code, 2, push.stdout + push.stderr);
    assert.match(push.stderr, /^flows\/survey\.json: not pushed: Survey .*"console: console draft"/m);
    assert.equal((await onServer(pulled.surveySid)).description, 'console draft');
  });

  it('a status changed on the server (published on the console) is no conflict: only the definition counts', async () => {
    await fresh();
    await serverChanges(pulled.surveySid, 'server 0', 'draft');
    write('survey.json', 'local edit');
    const push = await flows(['push']);
    assert.equal(push.code, 0, push.stderr);
    assert.equal((await onServer(pulled.surveySid)).description, 'local edit');
  });

  it('a file the manifest has no synced hash or SID for is pushed as before', async () => {
    await fresh();
    await serverChanges(pulled.surveySid, 'console edit');
    write('survey.json', 'local edit');
    const entries = manifest();
    const { synced: _, ...unhashed } = entries['survey.json']!;
    writeFileSync(join(dir(), 'flows.manifest.json'), JSON.stringify({ flows: { ...entries, 'survey.json': unhashed } }));
    const push = await flows(['push']);
    assert.equal(push.code, 0, push.stderr);
    assert.equal((await onServer(pulled.surveySid)).description, 'local edit');

    // An entry without a SID (written by hand) matches by friendly name, as before.
    await serverChanges(pulled.surveySid, 'console edit 2');
    write('survey.json', 'local edit 2');
    writeFileSync(join(dir(), 'flows.manifest.json'), JSON.stringify({ flows: { 'survey.json': { friendlyName: 'Survey' } } }));
    const unlisted = await flows(['push', 'flows/survey.json']);
    assert.equal(unlisted.code, 0, unlisted.stderr);
    assert.equal((await onServer(pulled.surveySid)).description, 'local edit 2');
  });

  it('on another server (its flows matched by friendly name) the synced hash is not about them: a push as before', async () => {
    await fresh();
    const other = await pulled.s.app.accounts.create('staging');
    await pulled.s.app.flows.create(other.sid, { friendlyName: 'Survey', status: 'published', definition: described('staging copy') });
    write('survey.json', 'local edit');
    const push = await flows(['push', 'flows/survey.json'], { sid: other.sid, token: other.authToken });
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stdout, /^updated: Survey /m);
  });

  it('a flow deleted on the server since the last pull or push is not created again unasked', async () => {
    await fresh();
    const gone = (await pulled.s.app.flows.create(pulled.s.account.sid, { friendlyName: 'Gone', status: 'published', definition: described('gone') })).sid;
    const pull = await flows(['pull']);
    assert.equal(pull.code, 0, pull.stderr);
    const deleted = await fetch(`${pulled.s.baseUrl}/v2/Flows/${gone}`, { method: 'DELETE', headers: { authorization: pulled.s.auth } });
    assert.equal(deleted.status, 204);
    const push = await flows(['push']);
    assert.equal(push.code, 2, push.stdout + push.stderr);
    assert.match(push.stderr, new RegExp(`^flows/gone\\.json: not pushed: its flow Gone \\(${gone}\\) was deleted on the server since the file was last pulled or pushed, and a push would create it again$`, 'm'));
    // The verdict says what to do about a deletion (not 'bring it into the files'), and diff says the same (not 'new flow').
    assert.match(
      push.stderr,
      /^nothing was pushed: a flow the manifest tracks was deleted on the server since, and the push would create it again \(to keep it deleted, remove its file and manifest entry\); --force creates it again$/m,
    );
    assert.doesNotMatch(push.stderr, /bring it into the files/);
    const diff = await flows(['diff', 'flows/gone.json']);
    assert.equal(diff.code, 1, diff.stderr);
    assert.equal(
      diff.stdout,
      `+++ flows/gone.json\n  its flow Gone (${gone}) was deleted on the server since the file was last pulled or pushed: flows push refuses to create it again without --force (remove the file and its manifest entry to keep it deleted)\n\n`,
    );
    // A pull leaves the file and says its flow is gone.
    const pullAfter = await flows(['pull']);
    assert.equal(pullAfter.code, 0, pullAfter.stderr);
    assert.match(
      pullAfter.stdout,
      new RegExp(`^note: flows/gone\\.json: its flow Gone \\(${gone}\\) is no longer on the server \\(deleted there\\): remove the file and its manifest entry to keep it deleted; flows push --force creates it again$`, 'm'),
    );
    assert.doesNotMatch(pullAfter.stdout, /note: flows\/(survey|other)\.json/);
    const json = await flows(['diff', '--json', 'flows/gone.json']);
    assert.deepEqual(JSON.parse(json.stdout), [{ before: null, after: 'flows/gone.json', new: true, deletedOnServer: gone }]);
    const listed = (await (await fetch(`${pulled.s.baseUrl}/v2/Flows`, { headers: { authorization: pulled.s.auth } })).json()) as { flows: { friendly_name: string }[] };
    assert.ok(!listed.flows.some((flow) => flow.friendly_name === 'Gone'), 'not created again');
    const forced = await flows(['push', '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /^created: Gone /m);
  });

  it('a CI checkout whose manifest is never committed back: what earlier pushes sent is in the git history, no conflict', { skip: !hasGit() && 'no git on this machine' }, async () => {
    await fresh();
    git('init', '-q');
    git('add', 'flows');
    git('commit', '-qm', 'pulled');
    for (const version of ['v1', 'v2']) {
      write('survey.json', version);
      git('commit', '-qm', version, '--', 'flows/survey.json');
      // A fresh checkout: the manifest as committed (synced: "server 0"), stale since the first push.
      git('checkout', '-q', '--', 'flows/flows.manifest.json');
      const push = await flows(['push']);
      assert.equal(push.code, 0, `${version}: ${push.stdout}${push.stderr}`);
      assert.equal((await onServer(pulled.surveySid)).description, version);
    }
    // A change pushed from a laptop (never committed) is the server's own: CI refuses to overwrite it.
    write('survey.json', 'hotfix');
    assert.equal((await flows(['push'])).code, 0);
    git('checkout', '-q', '--', 'flows');
    write('survey.json', 'v3');
    git('commit', '-qm', 'v3', '--', 'flows/survey.json');
    assert.equal(git('log', '--format=%s', '--', 'flows/flows.manifest.json').trim(), 'pulled', 'the manifest was committed once, by the pull');
    git('checkout', '-q', '--', 'flows/flows.manifest.json');
    const refused = await flows(['push']);
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /^flows\/survey\.json: not pushed: Survey .* is now at revision \d+/m);
    assert.equal((await onServer(pulled.surveySid)).description, 'hotfix');
  });

  // actions/checkout fetches one commit by default: what an earlier run pushed is in no commit the clone has,
  // so the second push of a changed flow was refused as a change made on the server, with nothing saying why.
  it('in a shallow clone the refusal says the history is missing and names the ways out', { skip: !hasGit() && 'no git on this machine' }, async () => {
    await fresh();
    git('init', '-q');
    git('add', 'flows');
    git('commit', '-qm', 'pulled');
    const clones: string[] = [];
    const ciPush = async (version: string) => {
      write('survey.json', version);
      git('commit', '-qm', version, '--', 'flows/survey.json');
      const clone = mkdtempSync(join(tmpdir(), 'sb-flows-shallow-'));
      clones.push(clone);
      execFileSync('git', ['clone', '-q', '--depth', '1', `file://${pulled.work}`, clone], { stdio: 'pipe' });
      assert.equal(execFileSync('git', ['rev-parse', '--is-shallow-repository'], { cwd: clone }).toString().trim(), 'true');
      const { s } = pulled;
      return runCliInProcess(flowsCommand, ['push', '--base-url', s.baseUrl, '--account-sid', s.account.sid, '--auth-token', s.account.authToken], clone);
    };
    try {
      // The first run pushes over the pulled definition, the manifest's synced one: a plain push.
      const first = await ciPush('v1');
      assert.equal(first.code, 0, first.stdout + first.stderr);
      // The second finds v1 on the server, which its one commit does not hold.
      const second = await ciPush('v2');
      assert.equal(second.code, 2, second.stdout + second.stderr);
      assert.match(second.stderr, /^flows\/survey\.json: not pushed: Survey .* is now at revision \d+/m);
      assert.match(second.stderr, /shallow clone/);
      assert.match(second.stderr, /fetch-depth: 0/);
      assert.match(second.stderr, /git fetch --unshallow/);
      assert.match(second.stderr, /commit flows\/flows\.manifest\.json after each push/);
      assert.match(second.stderr, /--force/);
      assert.equal((await onServer(pulled.surveySid)).description, 'v1');
    } finally {
      for (const clone of clones) rmSync(clone, { recursive: true, force: true });
    }
    // A full clone has no such note: its refusals are changes made on the server.
    await serverChanges(pulled.surveySid, 'console edit');
    write('survey.json', 'local edit');
    const full = await flows(['push']);
    assert.equal(full.code, 2, full.stdout + full.stderr);
    assert.doesNotMatch(full.stderr, /shallow/);
  });

  it('flows diff says when the server changed since the last pull or push', async () => {
    await fresh();
    await serverChanges(pulled.surveySid, 'console edit');
    write('survey.json', 'local edit');
    const diff = await flows(['diff']);
    assert.equal(diff.code, 1, diff.stderr);
    assert.match(diff.stdout, new RegExp(`^  the server's flow changed since the file was last pulled or pushed \\(Survey \\(${pulled.surveySid}\\) is now at revision \\d+, .*\\): flows push refuses to overwrite it without --force$`, 'm'));
    assert.doesNotMatch(diff.stdout, /other.*changed since/);
    const json = await flows(['diff', '--json']);
    const entries = JSON.parse(json.stdout) as { after: string; serverChanged?: boolean }[];
    assert.equal(entries.find((e) => e.after === 'flows/survey.json')!.serverChanged, true);
    assert.equal(entries.find((e) => e.after === 'flows/other.json')!.serverChanged, undefined);
  });

  it('the help says what push --force does', () => {
    const text = FLOWS_USAGE.replace(/\s+/g, ' ');
    assert.match(text, /A flow changed on the server since its file was last pulled or pushed .* or deleted there, is not overwritten: the push sends nothing and names the flows \(exit 2; --dry-run too\); --force overwrites them/);
    assert.match(text, /and whose change the file does not hold \(merged in by hand\), or deleted there/);
    assert.match(text, /push: changes made on the server it would overwrite \(nothing is sent\)/);
    assert.match(text, /--force pull: overwrite local files edited since they were last pulled or pushed; push: overwrite flows changed on the server since then/);
  });
});
