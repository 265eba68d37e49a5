// `flows pull` overwrote a file edited since it was pulled (a reviewer's edit, then `flows pull`:
// "pulled …", exit 0, the edit gone). The manifest now keeps, per file, a hash of the JSON last pulled
// or pushed (`synced`): a pull replaces a file that differs from the server's only while it still holds
// that JSON. Otherwise it stops before writing anything, names the files and exits 2; --force
// overwrites them. A manifest without hashes (an older version's) cannot tell an edit: such a file is
// refused too, until --force or the next push records it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { described, pulledFlows } from '../support/pulled-flows.ts';
import { FLOWS_USAGE } from '../../src/cli/flows.ts';
import { syncedHash } from '../../src/cli/flows/manifest.ts';

describe('flows pull keeps local edits', () => {
  const pulled = pulledFlows('sb-flows-pull-edits-');
  const { dir, read, manifest, flows, serverChanges, fresh } = pulled;

  it('records the hash of the JSON pulled for each file', async () => {
    await fresh();
    assert.equal(manifest()['survey.json']!.synced, syncedHash(JSON.parse(read('survey.json'))));
    assert.equal(manifest()['survey.json']!.synced, syncedHash(described('server 0')));
    assert.match(manifest()['other.json']!.synced!, /^sha256:[0-9a-f]{64}$/);
  });

  it('an edited file is not overwritten: nothing is pulled, the file is named, --force is offered, exit 2', async () => {
    await fresh();
    const edited = JSON.stringify(described('my local edit'), null, 2) + '\n';
    writeFileSync(join(dir(), 'survey.json'), edited);
    await serverChanges(pulled.surveySid, 'server 1');
    await serverChanges(pulled.otherSid, 'server 1');
    const before = read('flows.manifest.json');

    const pull = await flows(['pull', '--dir', 'flows']);
    assert.equal(pull.code, 2, pull.stdout + pull.stderr);
    assert.equal(pull.stdout, '');
    assert.match(pull.stderr, new RegExp(`^flows/survey\\.json: not overwritten with Survey \\(${pulled.surveySid}, revision \\d+\\): it was edited since it was last pulled or pushed$`, 'm'));
    assert.match(pull.stderr, /^nothing was pulled: a file may hold local changes the pull would lose .*--force overwrites them$/m);
    assert.doesNotMatch(pull.stderr, /other\.json/);
    assert.equal(read('survey.json'), edited, 'the edit is still there');
    // All or nothing: the unedited file is not updated either, and the manifest is as it was.
    assert.equal(JSON.parse(read('other.json')).description, 'server 0');
    assert.equal(read('flows.manifest.json'), before);

    // Naming only the other flow pulls it: the edited file is not touched.
    const other = await flows(['pull', 'Other']);
    assert.equal(other.code, 0, other.stderr);
    assert.equal(JSON.parse(read('other.json')).description, 'server 1');
    assert.equal(read('survey.json'), edited);

    const forced = await flows(['pull', '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(JSON.parse(read('survey.json')).description, 'server 1');
    assert.equal(manifest()['survey.json']!.synced, syncedHash(described('server 1')));
  });

  it('an edited file whose flow has not changed on the server since is kept, and the other flows are pulled (exit 0)', async () => {
    await fresh();
    const edited = JSON.stringify(described('my edit, not pushed yet'), null, 2) + '\n';
    writeFileSync(join(dir(), 'survey.json'), edited);
    await serverChanges(pulled.otherSid, 'server 7');
    const before = manifest()['survey.json'];
    const pull = await flows(['pull']);
    assert.equal(pull.code, 0, pull.stdout + pull.stderr);
    assert.match(pull.stdout, new RegExp(`^kept flows/survey\\.json: edited since the last pull or push, and Survey \\(${pulled.surveySid}, revision \\d+\\) has not changed on the server since \\(flows push sends the edits\\)$`, 'm'));
    assert.equal(read('survey.json'), edited, 'the edit is still there');
    assert.deepEqual(manifest()['survey.json'], before, 'still synced with what the server holds');
    assert.equal(JSON.parse(read('other.json')).description, 'server 7');
    // Once the server changes too, the edit is refused as before.
    await serverChanges(pulled.surveySid, 'server 8');
    const refused = await flows(['pull']);
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.equal(read('survey.json'), edited);
  });

  it('an unedited file is updated (the server changed, the file still holds what was pulled), also reformatted', async () => {
    await fresh();
    // The same JSON, formatted by hand: no edit.
    writeFileSync(join(dir(), 'survey.json'), JSON.stringify(JSON.parse(read('survey.json'))));
    await serverChanges(pulled.surveySid, 'server 2');
    const pull = await flows(['pull']);
    assert.equal(pull.code, 0, pull.stderr);
    assert.equal(JSON.parse(read('survey.json')).description, 'server 2');
  });

  it('a file edited to what the server has is no conflict (nothing to overwrite)', async () => {
    await fresh();
    await serverChanges(pulled.surveySid, 'server 3');
    writeFileSync(join(dir(), 'survey.json'), JSON.stringify(described('server 3')));
    const pull = await flows(['pull']);
    assert.equal(pull.code, 0, pull.stderr);
    assert.match(pull.stdout, /survey\.json \(already up to date, file left as it is\)/);
    assert.equal(manifest()['survey.json']!.synced, syncedHash(described('server 3')));
  });

  it('a push records what it sent: a later pull updates the file, unless it is edited again', async () => {
    await fresh();
    writeFileSync(join(dir(), 'survey.json'), JSON.stringify(described('pushed'), null, 2));
    const push = await flows(['push']);
    assert.equal(push.code, 0, push.stderr);
    assert.equal(manifest()['survey.json']!.synced, syncedHash(described('pushed')));
    await serverChanges(pulled.surveySid, 'server 4');
    const pull = await flows(['pull']);
    assert.equal(pull.code, 0, pull.stderr);
    assert.equal(JSON.parse(read('survey.json')).description, 'server 4');

    writeFileSync(join(dir(), 'survey.json'), JSON.stringify(described('edited after the pull')));
    await serverChanges(pulled.surveySid, 'server 5');
    const refused = await flows(['pull']);
    assert.equal(refused.code, 2);
    assert.equal(JSON.parse(read('survey.json')).description, 'edited after the pull');
  });

  it("a manifest without hashes (an older version's) cannot tell an edit: refused until --force, which records it", async () => {
    await fresh();
    const old = Object.fromEntries(Object.entries(manifest()).map(([file, { friendlyName, sid }]) => [file, { friendlyName, sid }]));
    writeFileSync(join(dir(), 'flows.manifest.json'), JSON.stringify({ flows: old }, null, 2));
    // A file that holds what the server has is still fine.
    const same = await flows(['pull']);
    assert.equal(same.code, 0, same.stderr);
    assert.ok(manifest()['survey.json']!.synced, 'recorded from now on');

    writeFileSync(join(dir(), 'flows.manifest.json'), JSON.stringify({ flows: old }, null, 2));
    await serverChanges(pulled.surveySid, 'server 6');
    const refused = await flows(['pull']);
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /^flows\/survey\.json: not overwritten .*flows\.manifest\.json does not record what it held when last pulled or pushed \(written by an older version\)/m);
    assert.equal(JSON.parse(read('survey.json')).description, 'server 0');
    const forced = await flows(['pull', '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(JSON.parse(read('survey.json')).description, 'server 6');
    assert.equal(manifest()['survey.json']!.synced, syncedHash(described('server 6')));
  });

  it('a file the manifest does not list, where a pull would write, is not overwritten', async () => {
    await fresh();
    rmSync(join(dir(), 'flows.manifest.json'));
    writeFileSync(join(dir(), 'survey.json'), JSON.stringify(described('written by hand')));
    const pull = await flows(['pull', 'Survey']);
    assert.equal(pull.code, 2, pull.stdout + pull.stderr);
    assert.match(pull.stderr, /^flows\/survey\.json: not overwritten .*flows\.manifest\.json does not list it/m);
    assert.equal(JSON.parse(read('survey.json')).description, 'written by hand');
  });

  it('--force is pull\'s, push\'s and export\'s alone, and the help says what it does', async () => {
    const diff = await flows(['diff', '--force']);
    assert.equal(diff.code, 2);
    assert.equal(diff.stderr, 'switchboard: flows diff does not take --force (flows pull, push and export do)\n');
    const text = FLOWS_USAGE.replace(/\s+/g, ' ');
    assert.match(text, /A file edited since it was last pulled or pushed \(the manifest keeps a hash of that JSON\) is not overwritten: the pull stops before writing anything and names the files \(exit 2\); --force overwrites them/);
    assert.match(text, /--force pull: overwrite local files edited since they were last pulled or pushed/);
    assert.match(text, /--force overwrites them\. One whose flow has not changed on the server since is kept as it is/);
  });
});
