// A flow kept as a Terraform template (`${serverless_url}`, `${workflow_sids.master}` in its JSON) is tested with
// the values a deployment would give: the test file's `vars:` and `switchboard test --vars FILE`, the file's
// winning name by name. Without them the placeholders stay text (and the validator warns, as before).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';
import { testCommand } from '../../src/cli/test.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';

const flow = {
  description: 'templated',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', properties: { offset: { x: 0, y: 0 } }, transitions: [{ event: 'incomingMessage', next: 'lookup' }] },
    {
      name: 'lookup',
      type: 'make-http-request',
      properties: { offset: { x: 0, y: 100 }, method: 'GET', url: '${serverless_url}/lookup', content_type: 'application/json' },
      transitions: [{ event: 'success', next: 'reply' }, { event: 'failed' }],
    },
    { name: 'reply', type: 'send-message', properties: { offset: { x: 0, y: 200 }, from: '${flow_vars["from"]}', to: '{{contact.channel.address}}', body: 'Queue ${workflow_sids.master}: {{widgets.lookup.parsed.wait}} min' }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
  ],
};

describe('flow tests of a templated flow', () => {
  let dir: string;
  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-template-vars-'));
    write('flow.json', JSON.stringify(flow));
    const test = (vars: string) => `flow: flow.json
${vars}tests:
  - name: replies with the deployment's values
    trigger: { message: { body: hi } }
    mocks: { http: [{ url: "https://fn.example.com/lookup", body: { wait: 4 } }] }
    expect:
      messages: [{ body: "Queue WW123: 4 min", from: "+15005550006" }]
`;
    write('own.test.yaml', test('vars:\n  serverless_url: https://fn.example.com\n  workflow_sids: { master: WW123 }\n  flow_vars: { from: "+15005550006" }\n'));
    write('partial.test.yaml', test('vars:\n  workflow_sids: { master: WW123 }\n'));
    write('none.test.yaml', test(''));
    write('deploy.yaml', 'serverless_url: https://fn.example.com\nworkflow_sids: { master: WW999 }\nflow_vars: { from: "+15005550006" }\n');
    write('broken.json', '{"serverless_url": }');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("the test file's vars are substituted before the flow is validated and run", () => {
    const summary = runFiles([join(dir, 'own.test.yaml')]);
    assert.equal(summary.failed, 0, textReport(summary));
  });

  it('without values the placeholders stay as written: "${serverless_url}/lookup" is no URL (81014), as on a server', () => {
    const summary = runFiles([join(dir, 'none.test.yaml')]);
    assert.equal(summary.failed, 1);
    assert.match(textReport(summary), /Invalid URL '\$\{serverless_url\}\/lookup' \(error 81014\)/);
  });

  it("--vars FILE gives the values; a test file's own win name by name", async () => {
    const partial = runFiles([join(dir, 'partial.test.yaml')], { vars: { serverless_url: 'https://fn.example.com', workflow_sids: { master: 'WW999' }, flow_vars: { from: '+15005550006' } } });
    assert.equal(partial.failed, 0, textReport(partial));
    const cli = await runCliInProcess(testCommand, ['partial.test.yaml', '--vars', 'deploy.yaml', '--no-color'], dir);
    assert.equal(cli.code, 0, cli.stdout + cli.stderr);
    const theirs = await runCliInProcess(testCommand, ['none.test.yaml', '--vars', 'deploy.yaml', '--no-color'], dir);
    assert.equal(theirs.code, 1, 'WW999 from --vars, where the test expects WW123');
    assert.match(theirs.stdout, /Queue WW999: 4 min/);
  });

  it('placeholders the vars given leave unfilled are noted under the first test, the flow\'s and each subflow\'s', () => {
    write('misspelt.test.yaml', `flow: flow.json
vars: { serverless_url: https://fn.example.com, workflow_sid: { master: WW123 }, flow_vars: { from: "+15005550006" } }
mocks: { subflows: { FW00000000000000000000000000000001: flow.json } }
tests:
  - name: first
    trigger: { message: { body: hi } }
    mocks: { http: [{ url: "https://fn.example.com/lookup", body: { wait: 4 } }] }
  - name: second
    trigger: { message: { body: hi } }
    mocks: { http: [{ url: "https://fn.example.com/lookup", body: { wait: 4 } }] }
`);
    const summary = runFiles([join(dir, 'misspelt.test.yaml')]);
    assert.deepEqual(summary.results.map((r) => r.notes ?? []), [
      [
        "the flow's placeholder ${workflow_sids.master} left as written: no such name in the vars given, or not a plain reference",
        "subflow FW00000000000000000000000000000001's placeholder ${workflow_sids.master} left as written: no such name in the vars given, or not a plain reference",
      ],
      [],
    ]);
    assert.match(textReport(summary), /note: the flow's placeholder \$\{workflow_sids\.master\} left as written/);
    // A placeholder only in the flow's description (Terraform fills it in; no run reads it) is not noted.
    write('described.json', JSON.stringify({ ...flow, description: '${flow_description}' }));
    write('described.test.yaml', readFileSync(join(dir, 'own.test.yaml'), 'utf8').replace('flow: flow.json', 'flow: described.json'));
    const described = runFiles([join(dir, 'described.test.yaml')]);
    assert.equal(described.failed, 0, textReport(described));
    assert.deepEqual(described.results.flatMap((r) => r.notes ?? []), []);
    // Every name given: nothing to note; no vars at all: the validator's warnings speak (`flows validate`), not the runner.
    for (const file of ['own.test.yaml', 'none.test.yaml']) {
      const notes = runFiles([join(dir, file)]).results.flatMap((r) => r.notes ?? []);
      assert.deepEqual(notes.filter((note) => note.includes('left as written')), [], file);
    }
  });

  it('a --vars file that cannot be read or is no mapping is a usage error (2) naming it', async () => {
    for (const [file, why] of [['missing.yaml', /--vars missing\.yaml: no such file/], ['broken.json', /--vars broken\.json: /]] as const) {
      const run = await runCliInProcess(testCommand, ['own.test.yaml', '--vars', file], dir);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, why);
    }
    write('list.yaml', '- a\n- b\n');
    const list = await runCliInProcess(testCommand, ['own.test.yaml', '--vars', 'list.yaml'], dir);
    assert.equal(list.code, 2);
    assert.match(list.stderr, /--vars list\.yaml: must hold a mapping of variable names to values/);
  });
});
