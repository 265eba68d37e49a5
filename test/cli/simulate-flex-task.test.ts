// `simulate`: a Send to Flex that hands the contact to an agent shows the task it made and its attributes,
// rendered from the widget's Liquid (where a flow's routing goes wrong unseen); it showed the transition only.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flexTask } from '../../src/cli/flow-file.ts';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const flow = fileURLToPath(new URL('./fixtures/simulate-flex.json', import.meta.url));

describe('simulate: Send to Flex', () => {
  it('prints the task and its attributes under the step', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-simulate-flex-'));
    try {
      const env = { ...process.env, SWITCHBOARD_DATA_DIR: dir, TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '' };
      const result = spawnSync(process.execPath, [main, 'simulate', flow, '--from', '+15551230002'], { input: 'need help\n', encoding: 'utf8', env, timeout: 60_000 });
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /· to_agent —callComplete→ Ended\n {6}→ Flex task WT[0-9a-f]{32} \{"name": ?"\+15551230002", ?"said": ?"NEED HELP"\}\n/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('only for a Send to Flex step with a task; long attributes are cut', () => {
    assert.equal(flexTask({ type: 'send-message', name: 'sent', context: { TaskSid: 'WT1' } }), null);
    assert.equal(flexTask({ type: 'send-to-flex', name: 'failedToEnqueue', context: {} }), null);
    assert.equal(flexTask({ type: 'send-to-flex', name: 'callComplete', context: { TaskSid: 'WT1', Attributes: 'x'.repeat(600) } }), `Flex task WT1 ${'x'.repeat(500)}…`);
  });
});
