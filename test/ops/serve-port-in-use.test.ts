// `npm start` a second time (the port is taken) or a taken --twilio-cli-gateway-port: serve says so
// in one line and exits 1, instead of Node's EADDRINUSE stack trace.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

describe('switchboard serve on a port that is taken', () => {
  let busy: Server;
  let port = 0;
  let dir = '';
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-port-'));
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    port = (busy.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise((resolve) => busy.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const serve = (...args: string[]) =>
    spawnSync(process.execPath, [MAIN, 'serve', '--log-level', 'silent', ...args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', SWITCHBOARD_DATA_DIR: dir },
      timeout: 60_000,
    });

  it('the HTTP port: one line, exit 1', () => {
    const result = serve('--port', String(port));
    assert.equal(result.status, 1, result.stderr);
    assert.equal(result.stderr.trim(), `switchboard: cannot start: 127.0.0.1:${port} is already in use (is another Switchboard running?); stop it or choose another port with --port`);
    assert.doesNotMatch(result.stdout, /listening on/);
  });

  it('the twilio-cli gateway port: one line naming the gateway flag, exit 1', () => {
    const result = serve('--port', '0', '--twilio-cli-gateway-port', String(port));
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr.trim(), new RegExp(`^switchboard: cannot start the twilio-cli gateway: 127\\.0\\.0\\.1:${port} is already in use .*--twilio-cli-gateway-port$`));
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });
});
