// `simulate`: a widget that fails again in the same round (a retry loop, common in real flows) shows why under
// each of its failed steps; the reason showed under the first only, the retries' bare.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const flow = fileURLToPath(new URL('./fixtures/simulate-retry.json', import.meta.url));

describe('simulate: failure reasons in a retry loop', () => {
  it('each failed try of the widget shows its reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-simulate-retry-'));
    try {
      const env = { ...process.env, SWITCHBOARD_DATA_DIR: dir, TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '' };
      const result = spawnSync(process.execPath, [main, 'simulate', flow], { input: 'hi\n', encoding: 'utf8', env, timeout: 60_000 });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout.match(/· post —failed→ count\n {6}✗ connect ECONNREFUSED 127\.0\.0\.1:1\n/g)?.length, 2, result.stdout);
      assert.match(result.stdout, /· again —match→ Ended/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
