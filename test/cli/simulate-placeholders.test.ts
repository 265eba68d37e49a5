// `simulate` and `call` on a flow kept as a Terraform template: the deploy-time placeholders left unfilled are
// named before it runs, with --vars FILE to fill them in (the run used to show `Hello from ${brand}`, or a
// request to `${api}` failing, with no word of why or of --vars). Not one only in the description, which no run reads.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const flow = fileURLToPath(new URL('./fixtures/simulate-template.json', import.meta.url));

function run(dir: string, args: string[], input: string) {
  const env = { ...process.env, SWITCHBOARD_DATA_DIR: dir, TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '' };
  return spawnSync(process.execPath, [main, ...args], { input, encoding: 'utf8', env, timeout: 60_000 });
}

describe('simulate and call: placeholders left unfilled', () => {
  it('are named, with --vars; none once --vars fills them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-placeholders-'));
    try {
      const simulated = run(dir, ['simulate', flow], 'hi\n');
      assert.equal(simulated.status, 0, simulated.stderr);
      assert.match(simulated.stdout, /^Note: deploy-time placeholders are left as written: \$\{brand\}; --vars FILE fills them in\.\n/);
      assert.doesNotMatch(simulated.stdout, /flow_description/);
      const called = run(dir, ['call', flow], '');
      assert.match(called.stdout, /^Note: deploy-time placeholders are left as written: \$\{brand\}/);
      writeFileSync(join(dir, 'vars.json'), '{"brand": "Acme"}');
      const filled = run(dir, ['simulate', flow, '--vars', join(dir, 'vars.json')], 'hi\n');
      assert.equal(filled.status, 0, filled.stderr);
      assert.doesNotMatch(filled.stdout, /Note:/);
      assert.match(filled.stdout, /← Hello from Acme/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
