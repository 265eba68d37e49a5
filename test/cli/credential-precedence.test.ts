// Which credentials the remote commands (flows, executions, replay, test --record) use: flags, then the
// environment, then the config file — an API key pair in the environment before TWILIO_AUTH_TOKEN, as
// twilio-cli takes it, but never before an --auth-token given on the command line.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { remoteConnector } from '../../src/cli/remote.ts';

const ACCOUNT = `AC${'1'.repeat(32)}`;
const KEY = `SK${'2'.repeat(32)}`;
const NAMES = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_API_KEY', 'TWILIO_API_SECRET', 'SWITCHBOARD_URL'];

describe('credential precedence', () => {
  let saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    saved = Object.fromEntries(NAMES.map((name) => [name, process.env[name]]));
    for (const name of NAMES) delete process.env[name];
  });
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('an API key pair in the environment comes before TWILIO_AUTH_TOKEN; an --auth-token flag before both', () => {
    const env = { TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: 'env token', TWILIO_API_KEY: KEY, TWILIO_API_SECRET: 'env secret' };
    Object.assign(process.env, env);
    const fromEnv = remoteConnector({}, env)();
    assert.deepEqual([fromEnv.username, fromEnv.password, fromEnv.accountSid], [KEY, 'env secret', ACCOUNT]);
    const fromFlag = remoteConnector({ 'auth-token': 'flag token' }, env)();
    assert.deepEqual([fromFlag.username, fromFlag.password], [ACCOUNT, 'flag token']);
    const keyFlags = remoteConnector({ 'api-key': `SK${'3'.repeat(32)}`, 'api-secret': 'flag secret' }, env)();
    assert.deepEqual([keyFlags.username, keyFlags.password], [`SK${'3'.repeat(32)}`, 'flag secret']);
  });

  it('without an API key in the environment, TWILIO_AUTH_TOKEN', () => {
    const env = { TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: 'env token' };
    Object.assign(process.env, env);
    const connection = remoteConnector({}, env)();
    assert.deepEqual([connection.username, connection.password], [ACCOUNT, 'env token']);
  });
});
