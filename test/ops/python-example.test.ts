// The documented twilio-python example, run for real against a listening test server when a
// python3 with the `twilio` package exists; skipped with the reason otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestServer } from '../support/server.ts';

const run = promisify(execFile);
const EXAMPLE = new URL('../../examples/python/studio_example.py', import.meta.url).pathname;

function pythonWithTwilio(): string | null {
  for (const python of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(python, ['-c', 'import twilio.rest'], { stdio: 'ignore', timeout: 20_000 });
    if (probe.status === 0) return python;
  }
  return null;
}

const python = pythonWithTwilio();

test('examples/python/studio_example.py runs against Switchboard', { skip: python ? false : 'no python3 with the twilio package (pip install twilio, or apt-get install python3-twilio)', timeout: 60_000 }, async (t) => {
  const server = await startTestServer({ listen: true });
  t.after(() => server.close());
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    SWITCHBOARD_URL: server.baseUrl,
    TWILIO_ACCOUNT_SID: server.account.sid,
    TWILIO_AUTH_TOKEN: server.account.authToken,
  };
  const { stdout } = await run(python!, [EXAMPLE], { env, encoding: 'utf8', timeout: 50_000 });
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
  assert.match(String(result.flow_sid), /^FW[0-9a-f]{32}$/);
  assert.equal(result.flow_status, 'published');
  assert.match(String(result.execution_sid), /^FN[0-9a-f]{32}$/);
  assert.equal(result.execution_status, 'active');
  assert.deepEqual(result.steps, ['Trigger->greet']);
  assert.equal(result.ended_status, 'ended');
  assert.deepEqual(result.listed, [result.execution_sid]);
  assert.equal(result.removed, true);
  assert.equal(result.flow_removed, true);
  // What the example did is what the server holds: it leaves nothing behind.
  assert.equal(await server.app.store.getFlow(server.account.sid, String(result.flow_sid)), null);
  assert.equal(await server.app.store.getExecution(server.account.sid, String(result.flow_sid), String(result.execution_sid)), null);
  assert.deepEqual(
    server.app.simulator.transcript('+15005550006', '+15551230001').map((m) => m.body),
    ['Hello Ada, how can we help?'],
  );
});
