// A flow file renamed in the repository (git mv flows/survey.json flows/poll.json) made `flows push` create
// a new flow from it, the manifest entry being keyed by the old name, and left the old flow behind on the
// server. Push (and diff, and --dry-run) now follow a rename git reports, or, without git, a new file that
// holds exactly what the gone one held when last synced: the flow is updated and its entry moves to the new
// name. Without a certain match the push is what it was, with a warning saying how to carry the SID over.
// A pull before that push wrote the flow back to the old name (two files for one flow): it follows the rename too.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { hasGit, pulledFlows } from '../support/pulled-flows.ts';
import { FLOWS_USAGE } from '../../src/cli/flows.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';

describe('flows push follows a renamed flow file', () => {
  const pulled = pulledFlows('sb-flows-push-rename-');
  const { dir, read, write, manifest, flows, fresh } = pulled;
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=CI', '-c', 'commit.gpgsign=false', ...args], { cwd: pulled.work, stdio: 'pipe' }).toString();
  const serverFlows = async () => (await pulled.s.app.store.listFlows(pulled.s.account.sid, { pageSize: 50 })).items.map((f) => f.friendlyName).sort();
  const description = async (sid: string) => ((await pulled.s.app.store.getRevision(pulled.s.account.sid, sid, 'LatestRevision'))!.definition as FlowDefinition).description;
  const committed = () => {
    git('init', '-q');
    git('add', 'flows');
    git('commit', '-qm', 'pulled');
  };

  it('git mv, not committed yet: diff and --dry-run say so, push updates the flow and moves its manifest entry', { skip: !hasGit() && 'no git on this machine' }, async () => {
    await fresh();
    committed();
    git('mv', 'flows/survey.json', 'flows/poll.json');
    write('poll.json', 'edited after the rename');
    const before = read('flows.manifest.json');

    const diff = await flows(['diff']);
    assert.equal(diff.code, 1, diff.stdout + diff.stderr);
    assert.match(diff.stdout, new RegExp(`^--- Survey \\(${pulled.surveySid} revision \\d+\\)$`, 'm'));
    assert.match(diff.stdout, /^  flows\/poll\.json is flows\/survey\.json renamed: flows push updates this flow and moves its manifest entry to the new name$/m);
    assert.doesNotMatch(diff.stdout, /new flow|only on the server/);
    assert.equal(diff.stderr, '');
    const json = JSON.parse((await flows(['diff', '--json'])).stdout) as { after: string; renamedFrom?: string }[];
    assert.equal(json.find((e) => e.after === 'flows/poll.json')!.renamedFrom, 'flows/survey.json');

    const dry = await flows(['push', '--dry-run']);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.match(dry.stdout, new RegExp(`^would be updated: Survey \\(${pulled.surveySid}, revision \\d+\\) ← flows/poll\\.json \\(renamed from flows/survey\\.json\\): the definition$`, 'm'));
    assert.equal(read('flows.manifest.json'), before, 'a dry run writes nothing');

    const push = await flows(['push']);
    assert.equal(push.code, 0, push.stdout + push.stderr);
    assert.match(push.stdout, new RegExp(`^updated: Survey \\(${pulled.surveySid}, revision \\d+\\) ← flows/poll\\.json \\(renamed from flows/survey\\.json\\): the definition$`, 'm'));
    assert.doesNotMatch(push.stdout, /created/);
    assert.deepEqual(await serverFlows(), ['Other', 'Survey'], 'no new flow');
    assert.equal(await description(pulled.surveySid), 'edited after the rename');
    const entries = manifest();
    assert.equal(entries['survey.json'], undefined);
    assert.equal(entries['poll.json']!.sid, pulled.surveySid);
    assert.equal(entries['poll.json']!.friendlyName, 'Survey', 'the flow keeps its name');
    // Synced under its new name: the next push is a plain one.
    const again = await flows(['push']);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /^unchanged: Survey .* ← flows\/poll\.json$/m);
  });

  it('a rename committed (with the manifest as it was) is followed, and the old name\'s commits count for the drift check', { skip: !hasGit() && 'no git on this machine' }, async () => {
    await fresh();
    committed();
    write('survey.json', 'v1');
    git('commit', '-qm', 'v1', '--', 'flows/survey.json');
    // An earlier CI run pushed v1 and never committed the manifest back.
    assert.equal((await flows(['push'])).code, 0);
    git('checkout', '-q', '--', 'flows/flows.manifest.json');
    // Renamed and edited in one commit: v1 is in the commits of the old name only.
    git('mv', 'flows/survey.json', 'flows/poll.json');
    write('poll.json', 'v2');
    git('commit', '-qam', 'rename, and v2');
    git('checkout', '-q', '--', 'flows/flows.manifest.json');
    const push = await flows(['push']);
    assert.equal(push.code, 0, push.stdout + push.stderr);
    assert.match(push.stdout, /^updated: Survey .* ← flows\/poll\.json \(renamed from flows\/survey\.json\): the definition$/m);
    assert.deepEqual(await serverFlows(), ['Other', 'Survey']);
    assert.equal(await description(pulled.surveySid), 'v2');
    assert.deepEqual(Object.keys(manifest()).sort(), ['other.json', 'poll.json']);
  });

  it('without git, a renamed file that holds what the old one held when last synced is followed', async () => {
    await fresh();
    renameSync(join(dir(), 'survey.json'), join(dir(), 'poll.json'));
    const push = await flows(['push']);
    assert.equal(push.code, 0, push.stdout + push.stderr);
    assert.match(push.stdout, new RegExp(`^unchanged: Survey \\(${pulled.surveySid}.* ← flows/poll\\.json \\(renamed from flows/survey\\.json\\)$`, 'm'));
    assert.equal(push.stderr, '');
    assert.deepEqual(await serverFlows(), ['Other', 'Survey']);
    assert.equal(manifest()['poll.json']!.sid, pulled.surveySid);
    assert.equal(manifest()['survey.json'], undefined);
  });

  it('without a certain match (renamed and edited, no git) the push is as before, with a warning naming both files and the way to carry the SID over', async () => {
    await fresh();
    renameSync(join(dir(), 'survey.json'), join(dir(), 'poll.json'));
    write('poll.json', 'edited too');
    const diff = await flows(['diff']);
    assert.match(diff.stdout, /^  new flow 'poll': not on the server yet$/m);
    assert.match(diff.stderr, /^warning: flows\/flows\.manifest\.json tracks flows\/survey\.json \(Survey, FW[0-9a-f]{32}\), which is gone, while flows\/poll\.json has no manifest entry/m);
    const push = await flows(['push']);
    assert.equal(push.code, 0, push.stdout + push.stderr);
    assert.match(
      push.stderr,
      new RegExp(
        `^warning: flows/flows\\.manifest\\.json tracks flows/survey\\.json \\(Survey, ${pulled.surveySid}\\), which is gone, while flows/poll\\.json has no manifest entry: ` +
          `a push creates a new flow for it and leaves the old flow on the server\\. If a file was renamed, move its entry to the new name in the manifest ` +
          `\\(e\\.g\\. "survey\\.json" → "poll\\.json", keeping its "sid"\\) so the push updates that flow; a rename git reports \\(git mv\\) is followed by itself$`,
        'm',
      ),
    );
    assert.match(push.stdout, /^created: poll /m);
    assert.deepEqual(await serverFlows(), ['Other', 'Survey', 'poll']);
    assert.ok(existsSync(join(dir(), 'poll.json')));
  });

  it('pull follows a rename too: the server\'s flow is written to the new name and the entry moves there (git mv, not committed)', { skip: !hasGit() && 'no git on this machine' }, async () => {
    await fresh();
    committed();
    git('mv', 'flows/survey.json', 'flows/quiz.json');
    await pulled.serverChanges(pulled.surveySid, 'changed on the server');
    const flowsBefore = await serverFlows();
    const pull = await flows(['pull']);
    assert.equal(pull.code, 0, pull.stdout + pull.stderr);
    assert.match(
      pull.stdout,
      new RegExp(`^pulled Survey \\(${pulled.surveySid}, revision \\d+, published\\) → flows/quiz\\.json \\(renamed from flows/survey\\.json: its manifest entry moves to the new name\\)$`, 'm'),
    );
    assert.ok(!existsSync(join(dir(), 'survey.json')), 'not written back under the old name: one file per flow');
    assert.match(read('quiz.json'), /changed on the server/);
    assert.equal(manifest()['survey.json'], undefined);
    assert.equal(manifest()['quiz.json']!.sid, pulled.surveySid);
    // The next push is a plain one of the new name.
    const push = await flows(['push']);
    assert.equal(push.code, 0, push.stdout + push.stderr);
    assert.match(push.stdout, /^unchanged: Survey .* ← flows\/quiz\.json$/m);
    assert.deepEqual(await serverFlows(), flowsBefore, 'no new flow');
  });

  it('pull follows a rename without git (the file holds what the old one held when last synced); --json says renamedFrom', async () => {
    await fresh();
    renameSync(join(dir(), 'survey.json'), join(dir(), 'quiz.json'));
    await pulled.serverChanges(pulled.surveySid, 'changed again');
    const pull = await flows(['pull', '--json']);
    assert.equal(pull.code, 0, pull.stdout + pull.stderr);
    const rows = JSON.parse(pull.stdout) as { file: string; renamedFrom?: string; written: boolean }[];
    assert.deepEqual(rows.find((r) => r.file === 'flows/quiz.json'), { ...rows.find((r) => r.file === 'flows/quiz.json')!, renamedFrom: 'flows/survey.json', written: true });
    assert.equal(rows.find((r) => r.file === 'flows/other.json')!.renamedFrom, undefined);
    assert.ok(!existsSync(join(dir(), 'survey.json')));
    assert.match(read('quiz.json'), /changed again/);
    assert.equal(manifest()['survey.json'], undefined);
    assert.equal(manifest()['quiz.json']!.sid, pulled.surveySid);
  });

  it('pull without a certain match (renamed and edited, no git) writes the flow back under its old name, and warns so', async () => {
    await fresh();
    renameSync(join(dir(), 'survey.json'), join(dir(), 'ballot.json'));
    write('ballot.json', 'edited too');
    const pull = await flows(['pull']);
    assert.equal(pull.code, 0, pull.stdout + pull.stderr);
    assert.match(
      pull.stderr,
      new RegExp(
        `^warning: flows/flows\\.manifest\\.json tracks flows/survey\\.json \\(Survey, ${pulled.surveySid}\\), which is gone, while flows/ballot\\.json has no manifest entry: ` +
          `a pull writes the old flow back under its old name, beside it\\. If a file was renamed, move its entry to the new name in the manifest ` +
          `\\(e\\.g\\. "survey\\.json" → "ballot\\.json", keeping its "sid"\\) so the pull writes to it; a rename git reports \\(git mv\\) is followed by itself$`,
        'm',
      ),
    );
    assert.ok(existsSync(join(dir(), 'survey.json')), 'written back under the old name, as the warning says');
    assert.match(read('ballot.json'), /edited too/);
  });

  it('the help and the README say so', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    assert.match(readme, /A flow file renamed in the repository \(`git mv flows\/menu\.json flows\/main-menu\.json`\) is the same flow: `push` updates the flow the manifest gave the old name/);
    assert.match(readme, /Without such a match the new file is a new flow, as before, and `push` and `diff` warn on stderr/);
    const text = FLOWS_USAGE.replace(/\s+/g, ' ');
    assert.match(readme, /`pull` before that push writes the server's flow to the new name/);
    assert.match(text, /A file renamed since the last pull or push \(as push follows it, below\) is pulled to its new name, and its manifest entry moves there/);
    assert.match(text, /A file renamed since the last pull or push \(git reports the rename, or it holds what the old file held then\) updates the old file's flow and takes over its manifest entry \(diff and --dry-run say so\); without a certain match it is a new flow, and push warns/);
  });
});
