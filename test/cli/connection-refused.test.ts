// With no server running and no --base-url, `flows list` said "could not connect … is --base-url right?",
// though no --base-url was given: it had tried http://127.0.0.1:4000, the default. The message now names the
// URL it tried and where that came from: the default, --base-url, SWITCHBOARD_URL, or the configured port.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flowsCommand } from '../../src/cli/flows.ts';
import { executionsCommand } from '../../src/cli/executions.ts';
import { remoteConnector } from '../../src/cli/remote.ts';
import { unreachable } from '../../src/flowtest/studio-client.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { freePort } from '../support/ports.ts';

const creds = ['--account-sid', `AC${'0'.repeat(32)}`, '--auth-token', 'token'];

/** The command with these environment variables set inside the run (runCliInProcess clears them, and restores after). */
const withEnv = (env: Record<string, string>, command: (argv: string[]) => Promise<number>) => (argv: string[]) => {
  Object.assign(process.env, env);
  return command(argv);
};

describe('a server that cannot be reached is named with the URL tried and where it came from', () => {
  it('--base-url, SWITCHBOARD_URL, PORT and the config file each named; exit 3', async () => {
    const work = mkdtempSync(join(tmpdir(), 'sb-refused-'));
    try {
      const port = await freePort(); // closed again: nothing listens there
      const url = `http://127.0.0.1:${port}`;
      const given = await runCliInProcess(flowsCommand, ['list', '--base-url', url, ...creds], work);
      assert.equal(given.code, 3, given.stderr);
      assert.equal(given.stderr, `switchboard flows list: could not connect to the server at ${url} (from --base-url; connection refused): is it running, and is --base-url right?\n`);

      const variable = await runCliInProcess(withEnv({ SWITCHBOARD_URL: url }, executionsCommand), ['list', '--flow', `FW${'0'.repeat(32)}`, ...creds], work);
      assert.equal(variable.code, 3, variable.stderr);
      assert.equal(variable.stderr, `switchboard executions list: could not connect to the server at ${url} (from SWITCHBOARD_URL; connection refused): is it running, and is SWITCHBOARD_URL right?\n`);

      const configured = await runCliInProcess(withEnv({ PORT: String(port) }, flowsCommand), ['list', ...creds], work);
      assert.equal(configured.code, 3, configured.stderr);
      assert.equal(configured.stderr, `switchboard flows list: could not connect to the server at ${url} (from PORT; connection refused): is it running, and is PORT right?\n`);

      const file = join(work, 'switchboard.config.yaml');
      writeFileSync(file, `port: ${port}\nhost: 127.0.0.1\n`);
      const fromFile = await runCliInProcess(flowsCommand, ['list', ...creds], work);
      assert.equal(fromFile.code, 3, fromFile.stderr);
      assert.equal(fromFile.stderr, `switchboard flows list: could not connect to the server at ${url} (from 'port' in ${file} and 'host' in ${file}; connection refused): is it running, and is that address right?\n`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('nothing given: the default address, said to be the default (not "is --base-url right?")', () => {
    const connection = remoteConnector({ 'account-sid': `AC${'0'.repeat(32)}`, 'auth-token': 'token' }, {})();
    assert.equal(connection.baseUrl, 'http://127.0.0.1:4000');
    assert.equal(connection.baseUrlFrom, undefined);
    assert.equal(
      unreachable(connection, 'connection refused'),
      'could not connect to the server at http://127.0.0.1:4000 (the default, as neither --base-url nor SWITCHBOARD_URL is set; connection refused): is a server running there?',
    );
    assert.equal(remoteConnector({ 'account-sid': `AC${'0'.repeat(32)}`, 'auth-token': 'token', port: '4100' }, {})().baseUrlFrom, '--port');
  });
});
