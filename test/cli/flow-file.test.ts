// `switchboard simulate FILE` and `switchboard call FILE` with a file that cannot run: a missing
// file, broken JSON or an invalid definition is a short message naming the file (and, for an
// invalid definition, each finding with its path) and exit code 1, never a stack trace.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

describe('simulate / call with a flow file that cannot run', () => {
  let dir = '';
  const run = (args: string[]) =>
    spawnSync(process.execPath, [main, ...args], {
      input: 'hi\n\n',
      encoding: 'utf8',
      env: { ...process.env, SWITCHBOARD_DATA_DIR: join(dir, 'data'), TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '' },
      timeout: 60_000,
    });
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-flow-file-'));
    writeFileSync(join(dir, 'broken.json'), '{"states": [\n');
    writeFileSync(join(dir, 'list.json'), '[1, 2]');
    writeFileSync(join(dir, 'invalid.json'), JSON.stringify({ description: 'x', initial_state: 'Trigger', states: [{ name: 'Trigger', type: 'trigger', properties: {}, transitions: [{ event: 'incomingMessage', next: 'nowhere' }] }] }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const command of ['simulate', 'call']) {
    it(`${command}: a missing file`, () => {
      const missing = join(dir, 'nosuch.json');
      const result = run([command, missing]);
      assert.equal(result.status, 1);
      assert.equal(result.stderr.trim(), `${missing}: no such file`);
      assert.equal(result.stdout, '');
    });

    it(`${command}: an invalid definition lists the validator's findings`, () => {
      const result = run([command, join(dir, 'invalid.json')]);
      assert.equal(result.status, 1);
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines[0], `${join(dir, 'invalid.json')}: invalid flow definition`);
      assert.ok(lines.slice(1).some((line) => /^ {2}#\/states\/0\/transitions\/0\/next: .*nowhere/.test(line)), result.stderr);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    });

    if (command === 'call') continue; // the same loader as simulate: the two cases above show it is used

    it(`${command}: broken JSON names the line and column`, () => {
      const result = run([command, join(dir, 'broken.json')]);
      assert.equal(result.status, 1);
      assert.match(result.stderr, /broken\.json: not a flow definition: Invalid JSON at line 2/);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    });

    it(`${command}: JSON that is not an object`, () => {
      const result = run([command, join(dir, 'list.json')]);
      assert.equal(result.status, 1);
      assert.match(result.stderr, /list\.json: not a flow definition: Flow definition must be a JSON object, array found/);
    });

    it(`${command}: a directory`, () => {
      const result = run([command, dir]);
      assert.equal(result.status, 1);
      assert.equal(result.stderr.trim(), `${dir}: is a directory, not a flow file`);
    });
  }
});
