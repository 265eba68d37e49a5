// A flow kept as a Terraform template (deploy-time `${…}` placeholders) and `flows push`/`pull`: a push without
// the values published it with its placeholders unfilled (a flow that fails at run time: its request's URL is
// literally `${serverless_url}/hours`). Push now refuses such a file (exit 1, nothing sent, --dry-run too) and
// says the ways out; `push --vars FILE` fills it in, records the definition as pushed (substituted) and marks the
// entry, and the drift check compares substituted definitions (the file's committed versions filled in with the
// same values). Pull never writes the server's filled-in flow over a template, and says so.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { flowsCommand, FLOWS_USAGE } from '../../src/cli/flows.ts';
import { syncedHash } from '../../src/cli/flows/manifest.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { templatedFlow } from '../support/flows.ts';

/** The template as a deployment with deploy.yaml's values holds it. */
const filled = (path = '/hours', body = 'hi') => templatedFlow(`https://fn.example.com${path}`, body, '+15005550006');

describe('flows push and pull with a flow kept as a Terraform template', () => {
  let server: TestServer;
  let work = '';
  const creds = () => ['--base-url', server.baseUrl, '--account-sid', server.account.sid, '--auth-token', server.account.authToken];
  const flows = (args: string[]) => runCliInProcess(flowsCommand, [...args, ...creds()], work);
  const put = (file: string, value: unknown) => writeFileSync(join(work, 'flows', file), JSON.stringify(value, null, 2) + '\n');
  const read = (file: string) => readFileSync(join(work, 'flows', file), 'utf8');
  const manifest = () => JSON.parse(read('flows.manifest.json')).flows as Record<string, { sid: string; synced?: string; vars?: boolean }>;
  const serverFlows = async () => (await server.app.store.listFlows(server.account.sid, { pageSize: 50 })).items;
  const latest = async (sid: string) => (await server.app.store.getRevision(server.account.sid, sid, 'LatestRevision'))!;
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=CI', '-c', 'commit.gpgsign=false', ...args], { cwd: work, stdio: 'pipe' }).toString();

  before(async () => {
    server = await startTestServer({ listen: true });
  });
  after(async () => {
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });
  /** A new working directory: flows/plain.json, flows/support.json (the template), deploy.yaml, partial.yaml; the server's flows deleted. */
  const fresh = async () => {
    for (const flow of await serverFlows()) await server.app.store.deleteFlow(server.account.sid, flow.sid);
    if (work) rmSync(work, { recursive: true, force: true });
    work = mkdtempSync(join(tmpdir(), 'sb-flows-push-vars-'));
    mkdirSync(join(work, 'flows'));
    put('plain.json', filled());
    put('support.json', templatedFlow('${serverless_url}/hours'));
    writeFileSync(join(work, 'deploy.yaml'), 'serverless_url: https://fn.example.com\nflow_vars: { from: "+15005550006" }\n');
    writeFileSync(join(work, 'partial.yaml'), 'serverless_url: https://fn.example.com\n');
  };

  it('push refuses a file with placeholders left (exit 1, nothing sent), naming them and the ways out; --dry-run says the same', async () => {
    await fresh();
    const push = await flows(['push', '--status', 'published']);
    assert.equal(push.code, 1, push.stdout + push.stderr);
    assert.match(
      push.stderr,
      /^flows\/support\.json: not pushed, it holds deploy-time template placeholders \$\{serverless_url\}, \$\{flow_vars\.from\} \(a flow kept as a Terraform template\), and the flow would fail at run time with them unfilled: push with --vars FILE .*, or deploy this flow with Terraform and leave it out of the push by naming the files to push \(flows push FILE…\)$/m,
    );
    assert.match(push.stderr, /^nothing was pushed: 1 of 2 files cannot be pushed/m);
    assert.deepEqual(await serverFlows(), []);
    assert.throws(() => read('flows.manifest.json'), /ENOENT/);

    const dry = await flows(['push', '--dry-run']);
    assert.equal(dry.code, 1, dry.stdout + dry.stderr);
    assert.match(dry.stderr, /^flows\/support\.json: not pushed, it holds deploy-time template placeholders \$\{serverless_url\}, \$\{flow_vars\.from\}.*--vars FILE/m);
    assert.match(dry.stdout, /^would be created: plain ← flows\/plain\.json/m);

    // Values for some of them only: the others are named, with the vars file.
    const partial = await flows(['push', '--vars', 'partial.yaml']);
    assert.equal(partial.code, 1, partial.stdout + partial.stderr);
    assert.match(partial.stderr, /^flows\/support\.json: not pushed, --vars partial\.yaml has no value for the placeholder \$\{flow_vars\.from\} /m);
    assert.deepEqual(await serverFlows(), []);

    // The template left out (Terraform deploys it): the other file is pushed.
    const named = await flows(['push', 'flows/plain.json']);
    assert.equal(named.code, 0, named.stderr);
    assert.deepEqual((await serverFlows()).map((f) => f.friendlyName), ['plain']);
  });

  it('--help and the README say so', () => {
    assert.match(FLOWS_USAGE, /--vars FILE +validate, import, diff, push:/);
    assert.match(FLOWS_USAGE, /deploy-time \$\{…\} placeholders \(a flow kept as a\s+Terraform template\) is refused \(exit 1, nothing sent; --dry-run too\)/);
    assert.match(FLOWS_USAGE, /template \(a file with deploy-time \$\{…\} placeholders, or last pushed\s+with --vars\) is never overwritten/);
    assert.match(FLOWS_USAGE, /A template \(a file\s+with deploy-time \$\{…\} placeholders\) is compared as written, and diff\s+says so: --vars FILE compares it filled in/);
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    assert.match(readme, /`flows diff` without `--vars` compares a template as written \(each placeholder against the server's value\) and says so/);
  });

  it('push --vars fills the template in; the manifest records the definition as pushed; a second push finds it unchanged', async () => {
    await fresh();
    const push = await flows(['push', '--vars', 'deploy.yaml', '--status', 'published']);
    assert.equal(push.code, 0, push.stdout + push.stderr);
    const support = (await serverFlows()).find((f) => f.friendlyName === 'support')!;
    assert.deepEqual((await latest(support.sid)).definition, filled());
    assert.deepEqual(manifest()['support.json'], { friendlyName: 'support', sid: support.sid, synced: syncedHash(filled()), vars: true });
    assert.equal(manifest()['plain.json']!.vars, undefined, 'a file the values do not change is no template');
    const again = await flows(['push', '--vars', 'deploy.yaml', '--status', 'published']);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.doesNotMatch(again.stdout, /^(created|updated):/m);
    assert.equal((await latest(support.sid)).revision, 1);
  });

  it('pull leaves a template as it is (also with --force) and says so; diff --vars shows the server change', async () => {
    await fresh();
    assert.equal((await flows(['push', '--vars', 'deploy.yaml'])).code, 0);
    const sid = manifest()['support.json']!.sid;
    const plainSid = manifest()['plain.json']!.sid;
    await server.app.flows.update(server.account.sid, sid, { status: 'published', definition: filled('/hours', 'console edit') });
    await server.app.flows.update(server.account.sid, plainSid, { status: 'published', definition: filled('/hours', 'plain console edit') });
    const before = read('support.json');
    const entry = manifest()['support.json'];
    for (const force of [[], ['--force']]) {
      const pull = await flows(['pull', ...force]);
      assert.equal(pull.code, 0, pull.stdout + pull.stderr);
      assert.equal(read('support.json'), before);
      assert.match(pull.stdout, /^kept flows\/support\.json: a flow kept as a template \(it holds deploy-time placeholders \(\$\{serverless_url\}, \$\{flow_vars\.from\}\)\), not overwritten with support .*flows diff --vars FILE flows\/support\.json shows the server's changes/m);
      assert.deepEqual(manifest()['support.json'], entry, 'the drift check still knows what was pushed');
      assert.match(read('plain.json'), /plain console edit/);
    }
    // A file last pushed with --vars is kept even once its placeholders are gone.
    put('support.json', filled('/hours', 'mine'));
    const pull = await flows(['pull']);
    assert.equal(pull.code, 0, pull.stdout + pull.stderr);
    assert.match(pull.stdout, /^kept flows\/support\.json: a flow kept as a template \(it was last pushed with --vars\)/m);
    assert.match(read('support.json'), /"mine"/);
    put('support.json', templatedFlow('${serverless_url}/hours'));
    const diff = await flows(['diff', 'flows/support.json', '--vars', 'deploy.yaml']);
    assert.equal(diff.code, 1, diff.stdout + diff.stderr);
    assert.match(diff.stdout, /console edit/);
    assert.match(diff.stdout, /the server's flow changed since the file was last pulled or pushed/);
  });

  it('diff without --vars says a template is compared as written and to give --vars FILE; with them it is compared filled in', async () => {
    await fresh();
    assert.equal((await flows(['push', '--vars', 'deploy.yaml'])).code, 0);
    const note = 'flows/support.json is a template (deploy-time placeholders ${serverless_url}, ${flow_vars.from}), compared as written: ' +
      'give --vars FILE (their values) to compare it filled in, as push --vars sends it';
    const diff = await flows(['diff']);
    assert.equal(diff.code, 1, diff.stdout + diff.stderr);
    assert.ok(diff.stdout.split('\n').includes(`  ${note}`), diff.stdout);
    assert.equal(diff.stdout.split(note).length, 2, 'said once, for the template only');
    const json = JSON.parse((await flows(['diff', '--json'])).stdout) as { after: string; placeholders?: string[] }[];
    assert.deepEqual(json.find((e) => e.after === 'flows/support.json')!.placeholders, ['${serverless_url}', '${flow_vars.from}']);
    assert.equal(json.find((e) => e.after === 'flows/plain.json')!.placeholders, undefined);
    // Against the flow itself (FW… FILE) too.
    const sid = manifest()['support.json']!.sid;
    const pair = await flows(['diff', sid, 'flows/support.json', '--pair']);
    assert.ok(pair.stdout.includes(note), pair.stdout);
    // Filled in: the same as the server, nothing to say.
    const filledIn = await flows(['diff', '--vars', 'deploy.yaml']);
    assert.equal(filledIn.code, 0, filledIn.stdout + filledIn.stderr);
    assert.doesNotMatch(filledIn.stdout, /template/);
    // Values for some only: the ones missing are named.
    const partial = await flows(['diff', 'flows/support.json', '--vars', 'partial.yaml']);
    assert.equal(partial.code, 1);
    assert.match(partial.stdout, /^  --vars partial\.yaml has no value for \$\{flow_vars\.from\} in flows\/support\.json, compared as written: flows push refuses the file until it does$/m);
    // A new flow: push refuses it without the values.
    put('hours.json', templatedFlow('${hours_api}/now'));
    const added = await flows(['diff', 'flows/hours.json']);
    assert.match(added.stdout, /^  new flow 'hours': not on the server yet\n  flows\/hours\.json is a template \(deploy-time placeholders \$\{hours_api\}, \$\{flow_vars\.from\}\): flows push refuses it without --vars FILE \(their values\)$/m);
  });

  it('the drift check compares definitions filled in: a server change the file holds, and a version committed earlier', async () => {
    await fresh();
    git('init', '-q');
    assert.equal((await flows(['push', '--vars', 'deploy.yaml'])).code, 0);
    const sid = manifest()['support.json']!.sid;
    // The server changed the URL; the template was given the same change by hand (its placeholder kept): it holds it.
    await server.app.flows.update(server.account.sid, sid, { status: 'published', definition: filled('/hours2') });
    put('support.json', templatedFlow('${serverless_url}/hours2', 'and my own edit'));
    const merged = await flows(['push', '--vars', 'deploy.yaml']);
    assert.equal(merged.code, 0, merged.stdout + merged.stderr);
    assert.deepEqual((await latest(sid)).definition, filled('/hours2', 'and my own edit'));

    // A CI checkout whose manifest is not committed back: version A is committed with the manifest, B is
    // pushed from a later commit (its manifest entry left behind), then C is pushed: the server holds B filled in.
    git('add', '-A');
    git('commit', '-qm', 'A');
    const committedManifest = read('flows.manifest.json');
    put('support.json', templatedFlow('${serverless_url}/b'));
    git('commit', '-qam', 'B');
    assert.equal((await flows(['push', '--vars', 'deploy.yaml'])).code, 0);
    writeFileSync(join(work, 'flows', 'flows.manifest.json'), committedManifest);
    put('support.json', templatedFlow('${serverless_url}/c'));
    const next = await flows(['push', '--vars', 'deploy.yaml']);
    assert.equal(next.code, 0, next.stdout + next.stderr);
    assert.deepEqual((await latest(sid)).definition, filled('/c'));
    // A change made on the server itself is still refused.
    await server.app.flows.update(server.account.sid, sid, { status: 'published', definition: filled('/console') });
    put('support.json', templatedFlow('${serverless_url}/d'));
    const refused = await flows(['push', '--vars', 'deploy.yaml']);
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /^flows\/support\.json: not pushed: support .* a change made on the server/m);
  });

  it('a committed version with a placeholder the values lack was never pushed so: a server holding it half filled in is a change', async () => {
    await fresh();
    git('init', '-q');
    assert.equal((await flows(['push', '--vars', 'deploy.yaml'])).code, 0);
    const sid = manifest()['support.json']!.sid;
    git('add', '-A');
    git('commit', '-qm', 'pushed');
    put('support.json', templatedFlow('${serverless_url}/v/${nope}'));
    git('commit', '-qam', 'a version push refuses with these values');
    await server.app.flows.update(server.account.sid, sid, { status: 'published', definition: filled('/v/${nope}') });
    put('support.json', templatedFlow('${serverless_url}/w'));
    const push = await flows(['push', '--vars', 'deploy.yaml']);
    assert.equal(push.code, 2, push.stdout + push.stderr);
    assert.match(push.stderr, /^flows\/support\.json: not pushed: support .* a change made on the server/m);
  });

  it('a template moved without git (its JSON as last pushed) is followed as a rename when pushed with the same values', async () => {
    await fresh();
    assert.equal((await flows(['push', '--vars', 'deploy.yaml'])).code, 0);
    const sid = manifest()['support.json']!.sid;
    renameSync(join(work, 'flows', 'support.json'), join(work, 'flows', 'hours.json'));
    const push = await flows(['push', '--vars', 'deploy.yaml']);
    assert.equal(push.code, 0, push.stdout + push.stderr);
    assert.match(push.stdout, new RegExp(`^unchanged: support \\(${sid}.*← flows/hours\\.json \\(renamed from flows/support\\.json\\)`, 'm'));
    assert.equal((await serverFlows()).length, 2);
    assert.deepEqual(manifest()['hours.json'], { friendlyName: 'support', sid, synced: syncedHash(filled()), vars: true });
  });
});

