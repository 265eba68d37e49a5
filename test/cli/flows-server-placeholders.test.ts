// A server flow that itself holds deploy-time `${…}` placeholders unfilled (a Terraform template created in the
// console, or pushed or imported without its values by another tool) fails at run time where they are used:
// `flows diff` says so under its diff, and `flows pull`, which writes the placeholders into the file (a
// template push then refuses), says so as it writes it and again as later pulls keep it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { flowsCommand } from '../../src/cli/flows.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { templatedFlow } from '../support/flows.ts';

describe('a server flow holding unfilled ${…} placeholders', () => {
  let server: TestServer;
  let work: string;
  let hoursSid: string;
  const flows = (args: string[]) =>
    runCliInProcess(flowsCommand, [...args, '--base-url', server.baseUrl, '--account-sid', server.account.sid, '--auth-token', server.account.authToken], work);

  before(async () => {
    server = await startTestServer({ listen: true });
    work = mkdtempSync(join(tmpdir(), 'sb-server-placeholders-'));
    hoursSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Hours', status: 'published', definition: templatedFlow('${hours_api}/now') })).sid;
    await server.app.flows.create(server.account.sid, { friendlyName: 'Plain', status: 'published', definition: templatedFlow('https://plain.example.com/now', 'hi', '+15005550006') });
    writeFileSync(join(work, 'deploy.json'), JSON.stringify({ hours_api: 'https://hours.example.com', flow_vars: { from: '+15005550006' } }));
  });
  after(async () => {
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('pull says the flow it writes holds them, and that push will refuse the file without --vars', async () => {
    const pull = await flows(['pull']);
    assert.equal(pull.code, 0, pull.stderr);
    assert.match(
      pull.stdout,
      /^note: flows\/hours\.json: the server's flow Hours \(FW\w+, revision 1\) holds deploy-time placeholders \$\{hours_api\}, \$\{flow_vars\.from\} unfilled \(a template created or pushed without its values\): it fails at run time where they are used; flows\/hours\.json holds them too, so flows push refuses it without --vars FILE/m,
    );
    assert.doesNotMatch(pull.stdout, /plain\.json: the server's flow/, 'a flow without placeholders gets no note');
    const json = await flows(['pull', '--json']);
    const entries = JSON.parse(json.stdout) as { friendlyName: string; serverPlaceholders?: string[] }[];
    assert.deepEqual(entries.find((e) => e.friendlyName === 'Hours')!.serverPlaceholders, ['${hours_api}', '${flow_vars.from}']);
    assert.equal(entries.find((e) => e.friendlyName === 'Plain')!.serverPlaceholders, undefined);
  });

  it('a later pull keeps the file as a template without claiming the server holds it filled in', async () => {
    const pull = await flows(['pull']);
    assert.equal(pull.code, 0, pull.stderr);
    const kept = pull.stdout.split('\n').find((line) => line.startsWith('kept flows/hours.json'))!;
    assert.ok(kept, pull.stdout);
    assert.doesNotMatch(kept, /filled in/);
    assert.match(kept, /which holds the same JSON, placeholders and all$/);
    assert.match(pull.stdout, /^note: flows\/hours\.json: the server's flow Hours .* unfilled .*; flows push --vars FILE \(their values\) sends the file filled in$/m);
  });

  it('diff says it under the flow, also when the file is the same, with how push fills them in', async () => {
    const diff = await flows(['diff']);
    assert.equal(diff.code, 0, diff.stdout + diff.stderr);
    assert.match(
      diff.stdout,
      /\+\+\+ flows\/hours\.json\n {2}no changes to widgets or transitions\n {2}the server's flow Hours \(FW\w+ revision 1\) holds deploy-time placeholders \$\{hours_api\}, \$\{flow_vars\.from\} unfilled \(a template created or pushed without its values\): it fails at run time where they are used; flows\/hours\.json holds them too: flows push --vars FILE \(their values\) sends it filled in\n/,
    );
    assert.equal(diff.stdout.match(/unfilled/g)!.length, 1, 'the plain flow gets no note');
    const filled = await flows(['diff', 'flows/hours.json', '--vars', 'deploy.json']);
    assert.equal(filled.code, 1, filled.stdout + filled.stderr);
    assert.match(filled.stdout, /unfilled .*: it fails at run time where they are used; flows push --vars deploy\.json sends flows\/hours\.json with them filled in\n/);
    const json = JSON.parse((await flows(['diff', '--json'])).stdout) as { after: string; serverPlaceholders?: string[] }[];
    assert.deepEqual(json.find((d) => d.after === 'flows/hours.json')!.serverPlaceholders, ['${hours_api}', '${flow_vars.from}']);
    assert.equal(json.find((d) => d.after === 'flows/plain.json')!.serverPlaceholders, undefined);
  });

  it('import of a template without (all) its values warns that the flow it creates holds them', async () => {
    writeFileSync(join(work, 'template.json'), JSON.stringify(templatedFlow('${hours_api}/now')));
    const bare = await flows(['import', 'template.json', '--name', 'Imported', '--json']);
    assert.equal(bare.code, 0, bare.stderr);
    const { sid, placeholders } = JSON.parse(bare.stdout) as { sid: string; placeholders: string[] };
    assert.deepEqual(placeholders, ['${hours_api}', '${flow_vars.from}']);
    assert.equal(
      bare.stderr,
      `warning: template.json holds deploy-time placeholders \${hours_api}, \${flow_vars.from} unfilled (a flow kept as a Terraform template), and so does Imported (${sid}): ` +
        'it fails at run time where they are used; flows import --vars FILE (their values) fills them in\n',
    );
    writeFileSync(join(work, 'partial.json'), JSON.stringify({ hours_api: 'https://hours.example.com' }));
    const partial = await flows(['import', 'template.json', '--name', 'Partly', '--vars', 'partial.json']);
    assert.equal(partial.code, 0, partial.stderr);
    assert.match(partial.stderr, /^warning: template\.json holds a deploy-time placeholder \$\{flow_vars\.from\} unfilled .*: it fails at run time where it is used; --vars partial\.json has no value for it\n$/);
    const filled = await flows(['import', 'template.json', '--name', 'Filled', '--vars', 'deploy.json', '--json']);
    assert.equal(filled.code, 0, filled.stderr);
    assert.equal(filled.stderr, '');
    assert.equal(JSON.parse(filled.stdout).placeholders, undefined);
  });

  it('diff of two server sides says it once per flow revision', async () => {
    const diff = await flows(['diff', hoursSid, `${hoursSid}@1`]);
    assert.equal(diff.code, 0, diff.stdout + diff.stderr);
    assert.equal(diff.stdout.match(/holds deploy-time placeholders/g)!.length, 1, diff.stdout);
    assert.doesNotMatch(diff.stdout, /flows push/);
  });
});
