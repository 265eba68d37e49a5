// A file the manifest gives no SID (a first push to a server that already has flows, a manifest written by hand or
// never committed) is matched with a server flow by friendly name, and its push is not refused: the manifest knows
// nothing of that flow. But when the definition it replaces is
// none the repository held (not what the file held when last pulled or pushed, nor any committed version of it), it
// may be another flow that shares the name, or a change made on the server: push warns as it overwrites it, with the
// revision that keeps the old definition, `--dry-run` and `flows diff` say so first, and --force leaves the warning out.
// A CI checkout whose manifest is never committed (matched by name on every push) is not warned about its own pushes,
// nor is a file whose SID is another server's (a folder pushed to staging, then production: README).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { described, pulledFlows, hasGit } from '../support/pulled-flows.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';

describe('flows push over a server flow matched by friendly name only', () => {
  const pulled = pulledFlows('sb-flows-push-name-match-');
  const { dir, write, flows, serverChanges, fresh } = pulled;
  const description = async (sid: string) => ((await pulled.s.app.store.getRevision(pulled.s.account.sid, sid, 'LatestRevision'))!.definition as FlowDefinition).description;
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=CI', '-c', 'commit.gpgsign=false', ...args], { cwd: pulled.work, stdio: 'pipe' }).toString();
  /** A working directory whose files and manifest (names, no SIDs) were written by hand while the server's Survey was changed there. */
  const firstPush = async () => {
    await fresh();
    await serverChanges(pulled.surveySid, 'made in the console');
    writeFileSync(join(dir(), 'flows.manifest.json'), JSON.stringify({ flows: { 'survey.json': { friendlyName: 'Survey' }, 'other.json': { friendlyName: 'Other' } } }));
    write('survey.json', 'written by hand');
  };

  it('a first push that replaces a definition the repository never held warns, names the revision that keeps it, and pushes', async () => {
    await firstPush();
    const revision = (await pulled.s.app.store.getFlow(pulled.s.account.sid, pulled.surveySid))!.revision;
    const diff = await flows(['diff', 'flows/survey.json']);
    assert.equal(diff.code, 1, diff.stdout + diff.stderr);
    assert.match(
      diff.stdout,
      /^ {2}the server's flow is matched by friendly name only \(flows\/flows\.manifest\.json gives the file no SID\), whose definition \(revision \d+, updated [0-9T:-]+Z\) is none this file held when last pulled or pushed, nor in a commit: flows push overwrites it, with a warning$/m,
    );
    const json = JSON.parse((await flows(['diff', '--json'])).stdout) as { after: string; matchedByName?: true }[];
    assert.equal(json.find((d) => d.after === 'flows/survey.json')!.matchedByName, true);
    assert.equal(json.find((d) => d.after === 'flows/other.json')!.matchedByName, undefined, 'the server holds what the file holds: nothing to say');

    const dry = await flows(['push', '--dry-run']);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.match(dry.stderr, /^warning: flows\/survey\.json: would overwrite Survey /m);
    assert.equal(await description(pulled.surveySid), 'made in the console');

    const push = await flows(['push']);
    assert.equal(push.code, 0, push.stdout + push.stderr);
    assert.equal(
      push.stderr,
      `warning: flows/survey.json: overwrites Survey (${pulled.surveySid}), matched by friendly name only (flows/flows.manifest.json gives the file no SID), ` +
        `whose definition (revision ${revision}, updated ${push.stderr.match(/updated ([0-9T:-]+Z)/)![1]}) is none this file held when last pulled or pushed, nor in a commit: ` +
        `a flow of the same name made elsewhere, or changed on the server? Revision ${revision} keeps it (flows export ${pulled.surveySid} --revision ${revision}); ` +
        `flows diff flows/survey.json shows what the push replaces, and --force leaves out this warning\n`,
    );
    assert.match(push.stdout, /^updated: Survey .* ← flows\/survey\.json: the definition$/m);
    assert.equal(await description(pulled.surveySid), 'written by hand');
    // Now the manifest has its SID: the next push is checked as any other (and has nothing to say).
    write('survey.json', 'written by hand 2');
    const next = await flows(['push']);
    assert.equal(next.code, 0, next.stderr);
    assert.equal(next.stderr, '');
  });

  it('--force pushes without the warning', async () => {
    await firstPush();
    const push = await flows(['push', '--force']);
    assert.equal(push.code, 0, push.stderr);
    assert.equal(push.stderr, '');
    assert.equal(await description(pulled.surveySid), 'written by hand');
  });

  it("a file whose manifest SID is another server's (a folder pushed to staging, then production) is pushed without a word", async () => {
    await fresh();
    const staging = await pulled.s.app.accounts.create('staging');
    await pulled.s.app.flows.create(staging.sid, { friendlyName: 'Survey', status: 'published', definition: described('staging copy') });
    write('survey.json', 'local edit');
    const push = await flows(['push', 'flows/survey.json'], { sid: staging.sid, token: staging.authToken });
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stdout, /^updated: Survey /m);
    assert.equal(push.stderr, '', 'its pushes to the other server are recorded nowhere: each would be taken for a change');
  });

  it('a CI checkout whose manifest is never committed is not warned about its own earlier pushes', { skip: !hasGit() && 'no git on this machine' }, async () => {
    await fresh();
    git('init', '-q');
    // The example's layout: no manifest, each flow named by its file (one no other test pushes).
    for (const file of ['flows.manifest.json', 'survey.json', 'other.json']) rmSync(join(dir(), file));
    write('ci-flow.json', 'v0');
    git('add', 'flows');
    git('commit', '-qm', 'v0');
    for (const version of ['v1', 'v2', 'v3']) {
      write('ci-flow.json', version);
      git('commit', '-qm', version, '--', 'flows/ci-flow.json');
      // Each run starts from a checkout without the manifest the last push wrote.
      rmSync(join(dir(), 'flows.manifest.json'), { force: true });
      const push = await flows(['push']);
      assert.equal(push.code, 0, push.stderr);
      assert.equal(push.stderr, '', `${version}: the server held an earlier commit's version`);
      const flow = (await pulled.s.app.store.listFlows(pulled.s.account.sid, { pageSize: 50 })).items.find((f) => f.friendlyName === 'ci-flow')!;
      assert.equal(await description(flow.sid), version);
    }
  });
});
