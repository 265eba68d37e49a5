// Problems are blamed on the source that holds them: a bad time zone names its flag, variable or file
// key (and an overridden one is a warning, like PORT); an account SID of the wrong shape is a config
// error naming TWILIO_ACCOUNT_SID (exit 2), not a crash at start; rules over several keys are reported
// with the per-key problems; two config files in the working directory are refused, not one picked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, resolveSwitchboardConfig } from '../../src/config.ts';
import { configError, tempDir } from '../support/config.ts';

const SID = 'AC' + 'ab12'.repeat(8);



test('a bad time zone names the source that holds it', (t) => {
  const cwd = tempDir(t);
  assert.match(configError(() => loadConfig({ timezone: 'Nowhere/X' }, {}, { cwd })), /\n {2}--timezone must be an IANA time zone .*'Nowhere\/X'/);
  assert.match(configError(() => loadConfig({}, { SWITCHBOARD_TIMEZONE: 'Nowhere/X' }, { cwd })), /\n {2}SWITCHBOARD_TIMEZONE must be an IANA time zone/);
  writeFileSync(join(cwd, 'switchboard.config.yaml'), 'timezone: Bad/Zone\n');
  const file = configError(() => loadConfig({}, {}, { cwd }));
  assert.match(file, /'timezone' in .*switchboard\.config\.yaml must be an IANA time zone .*'Bad\/Zone'/);
  assert.doesNotMatch(file, /SWITCHBOARD_TIMEZONE/);
});

test('a bad time zone overridden by a stronger source is a warning, and the good one is used', (t) => {
  const resolved = resolveSwitchboardConfig({ timezone: 'Europe/Paris' }, { SWITCHBOARD_TIMEZONE: 'Bad/X' }, { cwd: tempDir(t) });
  assert.equal(resolved.values.timezone, 'Europe/Paris');
  assert.equal(resolved.warnings.length, 1);
  assert.match(resolved.warnings[0]!, /^SWITCHBOARD_TIMEZONE must be an IANA time zone .*'Bad\/X' \(not used: --timezone overrides it\)/);
});

test('TWILIO_ACCOUNT_SID must be AC and 32 hex characters: a config error naming the variable', (t) => {
  const cwd = tempDir(t);
  assert.match(configError(() => loadConfig({}, { TWILIO_ACCOUNT_SID: 'foo', TWILIO_AUTH_TOKEN: 'bar' }, { cwd })), /TWILIO_ACCOUNT_SID must be an account SID: AC followed by 32 hex characters, got 'foo'/);
  assert.match(configError(() => loadConfig({}, { TWILIO_ACCOUNT_SID: `${SID}0`, TWILIO_AUTH_TOKEN: 'bar' }, { cwd })), /TWILIO_ACCOUNT_SID must be/);
  writeFileSync(join(cwd, 'switchboard.config.json'), JSON.stringify({ accountSid: 'ACnothex' }));
  assert.match(configError(() => loadConfig({}, { TWILIO_AUTH_TOKEN: 'bar' }, { cwd })), /'accountSid' in .*switchboard\.config\.json must be an account SID/);
  assert.deepEqual(loadConfig({}, { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'bar' }, { cwd: tempDir(t) }).account, { sid: SID, authToken: 'bar' });
});

test('rules over several keys are reported together with the per-key problems, not one round later', (t) => {
  const message = configError(() => loadConfig({ port: 'eighty' }, { TWILIO_AUTH_TOKEN: 'bar' }, { cwd: tempDir(t) }));
  assert.match(message, /--port must be/);
  assert.match(message, /set both TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or neither/);
  // A rule over a key that is itself bad is not guessed at: only the key's own problem is listed.
  const bad = configError(() => loadConfig({}, { TWILIO_ACCOUNT_SID: 'foo' }, { cwd: tempDir(t) }));
  assert.match(bad, /TWILIO_ACCOUNT_SID must be/);
  assert.doesNotMatch(bad, /set both/);
});

test('two config files in the working directory are refused, naming both; --config picks one', (t) => {
  const cwd = tempDir(t);
  writeFileSync(join(cwd, 'switchboard.config.json'), JSON.stringify({ port: 4100 }));
  writeFileSync(join(cwd, 'switchboard.config.yaml'), 'port: 4200\n');
  const message = configError(() => loadConfig({}, {}, { cwd }));
  assert.match(message, /two config files in .*switchboard\.config\.json and .*switchboard\.config\.yaml; remove one, or name the one to use with --config/);
  assert.equal(loadConfig({ config: 'switchboard.config.yaml' }, {}, { cwd }).port, 4200);
  assert.equal(loadConfig({}, { SWITCHBOARD_CONFIG: 'switchboard.config.json' }, { cwd }).port, 4100);
  rmSync(join(cwd, 'switchboard.config.json'));
  assert.equal(loadConfig({}, {}, { cwd }).port, 4200);
});
