// Dev mode lets flows call loopback and private addresses and turns the execution rate limits off. On
// a --host others can reach (0.0.0.0, also from a config file) serve still starts, but says so on one
// stderr line; on loopback it says nothing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devModeExposure, isLoopbackHost, retentionShorterThanAge } from '../../src/cli/serve.ts';
import { withServe } from '../support/serve-process.ts';

const WARNING = /^switchboard: warning: dev mode \(--dev\) on host 0\.0\.0\.0, which is not loopback: flows may call loopback and private addresses and execution rate limits are off/m;

describe('serve --dev on a non-loopback host', () => {
  it('loopback hosts are the loopback ones only', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', 'app.localhost', '::1', '[::1]', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1']) assert.equal(isLoopbackHost(host), true, host);
    for (const host of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', '::ffff:10.0.0.1', '128.0.0.1']) assert.equal(isLoopbackHost(host), false, host);
    assert.equal(devModeExposure({ dev: true, host: '127.0.0.1' }), undefined);
    assert.equal(devModeExposure({ dev: false, host: '0.0.0.0' }), undefined);
    assert.match(`switchboard: warning: ${devModeExposure({ dev: true, host: '0.0.0.0' })}`, WARNING);
  });

  it('--dev --host 0.0.0.0: starts, with one warning line on stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-dev-host-'));
    try {
      await withServe(['--dev', '--host', '0.0.0.0', '--port', '0', '--log-level', 'warn', '--data-dir', dir], {}, (out) => /Auth token:/.test(out), ({ err }) => {
        assert.match(err, WARNING);
        assert.equal(err.split('\n').filter((line) => /dev mode/.test(line)).length, 1, err);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('dev and host from a config file: the same warning; --dev on loopback: none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-dev-host-'));
    try {
      const file = join(dir, 'switchboard.config.yaml');
      writeFileSync(file, 'dev: true\nhost: 0.0.0.0\n');
      await withServe(['--config', file, '--port', '0', '--log-level', 'warn', '--data-dir', dir], {}, (out) => /Auth token:/.test(out), ({ err }) => assert.match(err, WARNING));
      await withServe(['--dev', '--port', '0', '--log-level', 'warn', '--data-dir', dir], {}, (out) => /Auth token:/.test(out), ({ err }) => assert.doesNotMatch(err, /dev mode/));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('serve warns when the retention is shorter than the maximum age', () => {
  it('names both settings; equal, longer or forever says nothing', () => {
    assert.match(retentionShorterThanAge({ executionRetention: 3600, executionMaxAge: 2592000 }) ?? '', /--execution-retention \(3600 s\) is shorter than --execution-max-age \(2592000 s\)/);
    assert.equal(retentionShorterThanAge({ executionRetention: 2592000, executionMaxAge: 2592000 }), undefined);
    assert.equal(retentionShorterThanAge({ executionRetention: 5184000, executionMaxAge: 2592000 }), undefined);
    assert.equal(retentionShorterThanAge({ executionRetention: 0, executionMaxAge: 31536000 }), undefined);
  });
});
