// SWITCHBOARD_CALLBACK_SECRET_PREVIOUS: the server callback secrets being rotated out. Read as a list
// (comma or space separated in the environment, an array in the config file), `none` for "none was
// set"; a value that cannot be meant is refused with a message that names the keys, never a secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { effectiveConfigRows } from '../../src/cli/config.ts';
import { configError, tempDir } from '../support/config.ts';

test('previous secrets: none by default; a list in the environment; `none` is the empty secret', (t) => {
  const cwd = tempDir(t);
  assert.deepEqual(loadConfig({}, {}, { cwd }).callbackSecretPrevious, []);
  const env = { SWITCHBOARD_CALLBACK_SECRET: 'current-secret', SWITCHBOARD_CALLBACK_SECRET_PREVIOUS: ' old-1, old-2  none,' };
  assert.deepEqual(loadConfig({}, env, { cwd }).callbackSecretPrevious, ['old-1', 'old-2', '']);
});

test('previous secrets in the config file: an array, whose items may hold commas and spaces', (t) => {
  const cwd = tempDir(t);
  writeFileSync(join(cwd, 'switchboard.config.json'), JSON.stringify({ callbackSecret: 'current', callbackSecretPrevious: ['old, with comma', 'none'] }));
  assert.deepEqual(loadConfig({}, {}, { cwd }).callbackSecretPrevious, ['old, with comma', '']);
});

test('listing the current secret as previous is refused, naming the keys and not the secret', (t) => {
  const cwd = tempDir(t);
  const message = configError(() => loadConfig({}, { SWITCHBOARD_CALLBACK_SECRET: 'hunter2-secret', SWITCHBOARD_CALLBACK_SECRET_PREVIOUS: 'old,hunter2-secret' }, { cwd }));
  assert.match(message, /SWITCHBOARD_CALLBACK_SECRET_PREVIOUS lists SWITCHBOARD_CALLBACK_SECRET itself/);
  assert.doesNotMatch(message, /hunter2/);
});

test('`none` with no SWITCHBOARD_CALLBACK_SECRET set is refused: nothing is being rotated', (t) => {
  const cwd = tempDir(t);
  const message = configError(() => loadConfig({}, { SWITCHBOARD_CALLBACK_SECRET_PREVIOUS: 'none' }, { cwd }));
  assert.match(message, /SWITCHBOARD_CALLBACK_SECRET_PREVIOUS lists 'none' while SWITCHBOARD_CALLBACK_SECRET is unset/);
});

test('a config-file value that is no list of secrets is refused without echoing it', (t) => {
  const cwd = tempDir(t);
  writeFileSync(join(cwd, 'switchboard.config.json'), JSON.stringify({ callbackSecretPrevious: [{ secret: 'hunter3-secret' }] }));
  const message = configError(() => loadConfig({}, {}, { cwd }));
  assert.match(message, /'callbackSecretPrevious' in .*switchboard\.config\.json must be secrets/);
  assert.doesNotMatch(message, /hunter3/);
});

test('`switchboard config` masks the previous secrets', () => {
  const { rows } = effectiveConfigRows({}, { SWITCHBOARD_CALLBACK_SECRET: 'current', SWITCHBOARD_CALLBACK_SECRET_PREVIOUS: 'hunter4-secret' });
  const row = rows.find((r) => r.key === 'callbackSecretPrevious')!;
  assert.equal(row.env, 'SWITCHBOARD_CALLBACK_SECRET_PREVIOUS');
  assert.doesNotMatch(row.value, /hunter4/);
});

test('`switchboard config` shows no previous secrets as unset, not as a mask that reads as one set', () => {
  const none = effectiveConfigRows({}, {}).rows.find((r) => r.key === 'callbackSecretPrevious')!;
  assert.equal(none.value, '(unset)');
  assert.equal(none.unset, true);
  const some = effectiveConfigRows({}, { SWITCHBOARD_CALLBACK_SECRET_PREVIOUS: 'hunter5-secret' }).rows.find((r) => r.key === 'callbackSecretPrevious')!;
  assert.equal(some.value, '********');
  assert.equal(some.unset, false);
});
