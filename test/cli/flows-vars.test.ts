// `flows validate|import|diff --vars FILE`: a flow kept as a Terraform template is checked, imported and compared
// with its deploy-time `${…}` placeholders filled in from the file; push refuses a template without them and fills it
// in with them (recording the definition as pushed), and pull never writes the server's filled-in flow over it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { flowsCommand } from '../../src/cli/flows.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { templatedFlow } from '../support/flows.ts';


describe('switchboard flows --vars', () => {
  let server: TestServer;
  let dir: string;
  const creds = () => ['--base-url', server.baseUrl, '--account-sid', server.account.sid, '--auth-token', server.account.authToken];
  const flows = (args: string[]) => runCliInProcess(flowsCommand, args, dir);

  before(async () => {
    server = await startTestServer({ listen: true });
    dir = mkdtempSync(join(tmpdir(), 'sb-flows-vars-'));
    writeFileSync(join(dir, 'support.json'), JSON.stringify(templatedFlow('${serverless_url}/hours')));
    writeFileSync(join(dir, 'deploy.yaml'), 'serverless_url: https://fn.example.com\nflow_vars: { from: "+15005550006" }\n');
    writeFileSync(join(dir, 'bad-url.json'), JSON.stringify({ serverless_url: 'not a url' }));
  });
  after(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('validate: the placeholders warned about without values are filled in with them', async () => {
    const plain = await flows(['validate', 'support.json', '--json']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.ok((JSON.parse(plain.stdout).files[0].warnings as string[]).some((w) => /deploy-time template placeholder \$\{serverless_url\}/.test(w)), plain.stdout);
    const filled = await flows(['validate', 'support.json', '--vars', 'deploy.yaml', '--json']);
    assert.equal(filled.code, 0, filled.stderr);
    assert.deepEqual((JSON.parse(filled.stdout).files[0].warnings as string[]).filter((w) => /placeholder/.test(w)), []);
    // The values are checked as the flow will hold them: a URL that is none is now the validator's to report.
    const bad = await flows(['validate', 'support.json', '--vars', 'bad-url.json', '--json']);
    assert.ok([...JSON.parse(bad.stdout).files[0].errors, ...JSON.parse(bad.stdout).files[0].warnings].some((m: string) => /not a url/.test(m)), bad.stdout);
  });

  it('import creates the flow with the values; diff against it then finds nothing, and without --vars it differs', async () => {
    const imported = await flows(['import', 'support.json', '--vars', 'deploy.yaml', '--name', 'Support', '--json', ...creds()]);
    assert.equal(imported.code, 0, imported.stderr);
    const sid = JSON.parse(imported.stdout).sid as string;
    const flow = await server.app.store.getRevision(server.account.sid, sid, 1);
    const states = (flow!.definition as { states: { name: string; properties: Record<string, unknown> }[] }).states;
    assert.equal(states.find((s) => s.name === 'fn')!.properties.url, 'https://fn.example.com/hours');
    assert.equal(states.find((s) => s.name === 'say')!.properties.from, '+15005550006');
    const same = await flows(['diff', sid, 'support.json', '--vars', 'deploy.yaml', ...creds()]);
    assert.equal(same.code, 0, same.stdout + same.stderr);
    const differs = await flows(['diff', sid, 'support.json', ...creds()]);
    assert.equal(differs.code, 1, differs.stdout + differs.stderr);
  });

  it('pull refuses --vars; an unreadable vars file is a usage error', async () => {
    const run = await flows(['pull', '--vars', 'deploy.yaml', ...creds()]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /flows pull does not take --vars \(flows validate, import, diff, push do\)/);
    const missing = await flows(['validate', 'support.json', '--vars', 'nope.yaml']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--vars nope\.yaml: no such file/);
  });
});
