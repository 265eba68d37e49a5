// A flow's dates do not depend on the host's time zone: liquidjs formats through the local clock, so
// on a daylight-saving host a time within an hour of the change printed an hour off. The engine now prints
// through UTC fields (src/engine/liquid/strftime.ts; test/engine/liquid-host-tz.test.ts renders without the
// CLI), and this passes without src/cli/main.ts pinning TZ=UTC, which it keeps for other reasons.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const flow = {
  description: 'prints a date near a DST change',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'say' }, { event: 'incomingCall' }, { event: 'incomingRequest' }], properties: { offset: { x: 0, y: 0 } } },
    {
      name: 'say',
      type: 'send-message',
      transitions: [{ event: 'sent' }, { event: 'failed' }],
      properties: { offset: { x: 0, y: 100 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: '{{ "2024-03-10T06:30:00Z" | date: "%H:%M" }}' },
    },
  ],
};

test('switchboard test prints UTC times on a host in America/New_York (DST began that morning)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'host-tz-'));
  try {
    writeFileSync(join(dir, 'flow.json'), JSON.stringify(flow));
    writeFileSync(join(dir, 'tz.test.yaml'), ['flow: flow.json', 'tests:', '  - name: dst', '    trigger: { message: { body: hi } }', '    expect: { messages: ["06:30"] }', ''].join('\n'));
    const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
    const run = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(process.execPath, [main, 'test', join(dir, 'tz.test.yaml')], { env: { ...process.env, TZ: 'America/New_York', NO_COLOR: '1' }, timeout: 60_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
      });
    });
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /1 passed, 0 failed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
