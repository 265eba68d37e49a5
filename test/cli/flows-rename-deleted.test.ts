// A flow deleted on the server whose file was removed too (as push and diff advise, "remove the file … to keep it
// deleted", done without editing the manifest) is no rename's source: when another file is then renamed by a plain
// mv git does not report, or a new one added, the rename warning of push and diff named it among the files "gone"
// and said the push "leaves the old flows on the server" — a flow that is no longer there. Nor is a file named on
// the command line that does not exist (a typo) a rename's target.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { described, pulledFlows } from '../support/pulled-flows.ts';

describe('the rename warning leaves out a removed file whose flow was deleted on the server', () => {
  const pulled = pulledFlows('sb-flows-rename-deleted-');
  const { dir, write, flows, fresh } = pulled;

  it('push and diff name only the gone file whose flow is still on the server', async () => {
    await fresh();
    const gone = (await pulled.s.app.flows.create(pulled.s.account.sid, { friendlyName: 'Gone', status: 'published', definition: described('gone') })).sid;
    assert.equal((await flows(['pull'])).code, 0);
    const deleted = await fetch(`${pulled.s.baseUrl}/v2/Flows/${gone}`, { method: 'DELETE', headers: { authorization: pulled.s.auth } });
    assert.equal(deleted.status, 204);
    rmSync(join(dir(), 'gone.json'));
    // A plain mv with an edit: no git, no synced hash to pair it by.
    renameSync(join(dir(), 'survey.json'), join(dir(), 'poll.json'));
    write('poll.json', 'renamed and edited');

    for (const args of [['diff'], ['push', '--dry-run']]) {
      const run = await flows(args);
      assert.match(run.stderr, /^warning: flows\/flows\.manifest\.json tracks flows\/survey\.json \(Survey, FW\w+\), which is gone, while flows\/poll\.json has no manifest entry: /m, args.join(' '));
      assert.doesNotMatch(run.stderr, /gone\.json/, `${args.join(' ')}: ${run.stderr}`);
    }
    // With only the deleted one gone, a new file has nothing to warn about.
    renameSync(join(dir(), 'poll.json'), join(dir(), 'survey.json'));
    write('survey.json', 'server 0');
    write('new.json', 'a new flow');
    for (const args of [['diff'], ['push', '--dry-run']]) {
      const run = await flows(args);
      assert.doesNotMatch(run.stderr, /warning: .* tracks/, `${args.join(' ')}: ${run.stderr}`);
    }
    const push = await flows(['push']);
    assert.equal(push.code, 0, push.stderr);
    assert.doesNotMatch(push.stderr, /tracks/);
    assert.match(push.stdout, /^created: new /m);
  });

  it('a file named to push or diff that does not exist is no rename of a gone one: only that it cannot be read is said', async () => {
    await fresh();
    rmSync(join(dir(), 'other.json'));
    const push = await flows(['push', 'flows/typo.json']);
    assert.equal(push.code, 2);
    assert.equal(push.stderr, 'flows/typo.json: not pushed, cannot read the file: no such file\n');
    const diff = await flows(['diff', 'flows/typo.json']);
    assert.equal(diff.code, 2);
    assert.doesNotMatch(diff.stderr, /tracks/);
  });
});
