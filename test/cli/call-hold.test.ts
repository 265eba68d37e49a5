// `switchboard call` while the flow is at work longer than a webhook waits (a slow HTTP request): the call is
// held (the flow answers with a pause and asks to be asked again), and the phone asks again by itself, as
// Twilio follows the hold's Redirect. It used to wait on hold for a line ("enter = listen again"): a call whose
// flow had ended sat there, a scripted line meant for the next menu was spent on the hold, and the end of input
// reported "caller hung up" for a call the flow had already ended.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnCli, type SpawnedRun } from '../support/cli-spawn.ts';

const flow = fileURLToPath(new URL('./fixtures/call-slow-request.json', import.meta.url));
/** Longer than a webhook waits for the flow (5 s), so the call is held. */
const SLOW_MS = 6500;

function call(dir: string, input: string): Promise<SpawnedRun> {
  return spawnCli(['call', flow, '--vars', join(dir, 'vars.json')], dir, input);
}

describe('switchboard call: a call on hold goes on by itself', () => {
  let dir = '';
  let server: Server;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-call-hold-'));
    server = createServer((request, response) => {
      request.resume();
      setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok": true}'), SLOW_MS);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    writeFileSync(join(dir, 'vars.json'), JSON.stringify({ slow_url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow` }));
  });
  after(() => {
    server.closeAllConnections();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a line typed for the next menu is kept through the hold, and the flow ending the call is said so', async () => {
    const result = await call(dir, 'hello\n5\n');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /\(on hold while the flow works; enter = listen again\)/);
    assert.equal(result.stdout.match(/on hold while the flow works/g)?.length, 1, 'the hold is announced once');
    assert.equal(result.stdout.match(/\[pause\] 1 s of silence/g)?.length, 1, 'its pause is heard once');
    assert.match(result.stdout, /← Lookup 200\. Press a key\./);
    assert.match(result.stdout, /second —keypress→ pressed/);
    assert.match(result.stdout, /← You pressed 5\./);
    assert.match(result.stdout, /call completed: the flow hung up/);
    assert.doesNotMatch(result.stdout, /caller hung up/);
  });

  it('/hangup typed on hold hangs up there, not kept for the next menu', async () => {
    const result = await call(dir, 'hello\n/hangup\n');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /\(on hold while the flow works; enter = listen again\)\n {2}· \[ended\] call completed: caller hung up/);
    assert.doesNotMatch(result.stdout, /Press a key/);
  });

  it('the end of input while on hold hangs up once the call waits for the caller, not in the middle of the request', async () => {
    const result = await call(dir, 'hello\n');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /← Lookup 200\. Press a key\./);
    assert.match(result.stdout, /lookup —success→ second/);
    assert.match(result.stdout, /call completed: caller hung up/);
  });
});
