// The configuration model: precedence, config files, validation that names the bad key and its
// source, `switchboard config` masking secrets, and invariants every new key must keep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CONFIG_KEYS, configFlagOptions, loadConfig, resolveSwitchboardConfig } from '../../src/config.ts';
import { configError, tempDir } from '../support/config.ts';
import { displayValue, key } from '../../src/config/model.ts';
import { string } from '../../src/config/value-types.ts';
import { configCommand, effectiveConfigRows } from '../../src/cli/config.ts';

const run = promisify(execFile);
const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;



test('defaults are what the server always used', (t) => {
  const cwd = tempDir(t);
  const config = loadConfig({}, {}, { cwd });
  assert.equal(config.port, 4000);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.dataDir, resolve('./data'));
  assert.equal(config.invalidDefinitions, 'reject');
  assert.equal(config.bodyLimit, 1024 * 1024);
  assert.equal(config.logLevel, 'info');
  assert.equal(config.metrics, true);
  assert.equal(config.otlpEndpoint, undefined);
  assert.equal(config.account, undefined);
});

test('flags beat environment variables, which beat the config file, which beats defaults', (t) => {
  const cwd = tempDir(t);
  writeFileSync(join(cwd, 'switchboard.config.json'), JSON.stringify({ port: 5001, host: '0.0.0.0', logLevel: 'warn', bodyLimit: 4096 }));
  const resolved = resolveSwitchboardConfig({ port: '5003' }, { PORT: '5002', HOST: '10.0.0.1', LOG_LEVEL: '' }, { cwd });
  assert.equal(resolved.values.port, 5003);
  assert.equal(resolved.values.host, '10.0.0.1');
  assert.equal(resolved.values.logLevel, 'warn', 'an empty environment variable counts as unset');
  assert.equal(resolved.values.bodyLimit, 4096);
  assert.equal(resolved.values.serviceName, 'switchboard');
  const origin = Object.fromEntries(resolved.keys.map((k) => [k.name, k.source]));
  assert.deepEqual([origin.port, origin.host, origin.logLevel, origin.serviceName], ['flag', 'env', 'file', 'default']);
  assert.equal(resolved.file, join(cwd, 'switchboard.config.json'));
});

test('a YAML config file named by --config or SWITCHBOARD_CONFIG', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'ops.yaml');
  writeFileSync(file, 'port: 7000\nmetrics: false\ninvalidDefinitions: save-as-draft\ndataDir: ./state\n');
  const viaFlag = loadConfig({ config: file }, {}, { cwd: '/' });
  assert.equal(viaFlag.port, 7000);
  assert.equal(viaFlag.metrics, false);
  assert.equal(viaFlag.invalidDefinitions, 'save-as-draft');
  assert.equal(loadConfig({}, { SWITCHBOARD_CONFIG: file }, { cwd: '/' }).port, 7000);
  assert.match(configError(() => loadConfig({ config: join(dir, 'missing.yaml') }, {}, { cwd: dir })), /missing\.yaml does not exist \(from --config\)/);
});

test('errors name the bad key and where the value came from, all at once', (t) => {
  const cwd = tempDir(t);
  writeFileSync(join(cwd, 'switchboard.config.yaml'), 'prot: 4000\nbodyLimit: lots\n');
  const message = configError(() => loadConfig({ 'log-level': 'loud' }, { PORT: 'eighty', SWITCHBOARD_INVALID_DEFINITIONS: 'ignore' }, { cwd }));
  assert.match(message, /^invalid configuration:/);
  assert.match(message, /unknown key 'prot' in .*switchboard\.config\.yaml/);
  assert.match(message, /'bodyLimit' in .*switchboard\.config\.yaml must be a whole number of bytes/);
  assert.match(message, /--log-level must be one of 'fatal', .*, got 'loud'/);
  assert.match(message, /PORT must be a whole number between 0 and 65535, got 'eighty'/);
  assert.match(message, /SWITCHBOARD_INVALID_DEFINITIONS must be one of 'reject', 'save-as-draft', got 'ignore'/);
});

const SID = 'AC0123456789abcdef0123456789abcdef';

test('bad files, URLs, booleans and key pairs are refused clearly', (t) => {
  const cwd = tempDir(t);
  writeFileSync(join(cwd, 'switchboard.config.json'), '{ "port": ');
  assert.match(configError(() => loadConfig({}, {}, { cwd })), /switchboard\.config\.json is not valid JSON/);
  writeFileSync(join(cwd, 'switchboard.config.json'), '{\n  "port": 4000,\n}\n');
  assert.match(configError(() => loadConfig({}, {}, { cwd })), /switchboard\.config\.json is not valid JSON at line 2, column 15 \(position 16\): a trailing comma before '\}'/);
  const other = tempDir(t);
  writeFileSync(join(other, 'switchboard.config.json'), '[1, 2]');
  assert.match(configError(() => loadConfig({}, {}, { cwd: other })), /must hold an object of settings/);
  assert.match(configError(() => loadConfig({}, { PUBLIC_BASE_URL: 'example.com' }, { cwd: other + '/nowhere' })), /PUBLIC_BASE_URL must be an absolute http\/https URL/);
  assert.match(configError(() => loadConfig({}, { SWITCHBOARD_METRICS: 'maybe' }, { cwd: '/' })), /SWITCHBOARD_METRICS must be true or false/);
  assert.match(configError(() => loadConfig({}, { TWILIO_ACCOUNT_SID: SID }, { cwd: '/' })), /set both TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN/);
  assert.match(configError(() => loadConfig({ 'database-schema': 'bad schema' }, {}, { cwd: '/' })), /--database-schema must be a plain PostgreSQL identifier/);
  assert.match(configError(() => loadConfig({}, { SWITCHBOARD_DATABASE_SCHEMA: 'x'.repeat(64) }, { cwd: '/' })), /SWITCHBOARD_DATABASE_SCHEMA must be a plain PostgreSQL identifier/);
  assert.equal(loadConfig({ 'database-schema': 'tenant_eu1' }, {}, { cwd: '/' }).databaseSchema, 'tenant_eu1');
  const secret = configError(() => loadConfig({}, { DATABASE_URL: 'mysql://root:hunter2@db/x' }, { cwd: '/' }));
  assert.match(secret, /DATABASE_URL must be an absolute postgres\/postgresql URL/);
  assert.equal(secret.includes('hunter2'), false, 'a secret value is never echoed in an error');
  const account = loadConfig({}, { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'tok' }, { cwd: '/' }).account;
  assert.deepEqual(account, { sid: SID, authToken: 'tok' });
});

test('switchboard config shows every key and where it came from, secrets masked', () => {
  const { rows } = effectiveConfigRows(
    { port: '4100' },
    { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'super-secret-token', DATABASE_URL: 'postgres://app:pa55word@db:5432/switchboard' },
  );
  const row = (name: string) => rows.find((r) => r.key === name)!;
  assert.deepEqual(rows.map((r) => r.key), Object.keys(CONFIG_KEYS));
  assert.deepEqual(row('port'), { key: 'port', value: '4100', unset: false, source: '--port', env: 'PORT', flag: '--port' });
  assert.equal(row('authToken').value, '********');
  assert.equal(row('authToken').source, 'TWILIO_AUTH_TOKEN');
  assert.equal(row('accountSid').value, SID);
  assert.equal(row('databaseUrl').value, 'postgres://app:********@db:5432/switchboard', 'the password inside a URL is masked, the rest shown');
  assert.equal(JSON.stringify(rows).includes('super-secret-token'), false);
  assert.equal(JSON.stringify(rows).includes('pa55word'), false);
  assert.equal(row('otlpEndpoint').value, '(unset)');
});

test('switchboard config --json gives a key without a value as null, not the table\'s "(unset)"', () => {
  const lines: string[] = [];
  const env = { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'tok', PUBLIC_BASE_URL: 'https://sb.example.com' };
  assert.equal(configCommand({ json: true }, (line) => lines.push(line), () => undefined, env), 0);
  const keys = new Map((JSON.parse(lines.join('\n')) as { keys: { key: string; value: unknown }[] }).keys.map((k) => [k.key, k]));
  assert.equal(keys.get('otlpEndpoint')?.value, null);
  assert.equal(keys.get('publicBaseUrl')?.value, 'https://sb.example.com');
  assert.equal(keys.get('port')?.value, '4000');
  assert.equal([...keys.values()].some((k) => 'unset' in k), false, 'the table\'s bookkeeping stays out of the JSON');
  const table: string[] = [];
  configCommand({}, (line) => table.push(line), () => undefined, env);
  assert.match(table.join('\n'), /^otlpEndpoint +\(unset\) +default$/m);
});

test('displayValue masks secrets and URL passwords whatever the key', () => {
  const plain = key({ type: string, default: '', description: 'x' });
  const secret = key({ type: string, default: '', description: 'x', secret: true });
  assert.equal(displayValue(plain, 'https://user:pw@example.com/hook'), 'https://user:********@example.com/hook');
  assert.equal(displayValue(secret, 'abc'), '********');
  assert.equal(displayValue(plain, ['a', 'b']), '["a","b"]');
  assert.equal(displayValue(plain, undefined), '(unset)');
});

test('every key is well formed: unique flags and variables, a description, a default its type accepts', () => {
  const flags = new Set<string>();
  const envs = new Set<string>();
  for (const [name, spec] of Object.entries(CONFIG_KEYS) as [string, (typeof CONFIG_KEYS)[keyof typeof CONFIG_KEYS]][]) {
    assert.ok(spec.description.length > 5, `${name} has a description`);
    assert.match(name, /^[a-z][A-Za-z0-9]*$/, `${name} is camelCase (it is the config-file key)`);
    if (spec.flag) {
      assert.ok(!flags.has(spec.flag), `flag --${spec.flag} is used once`);
      flags.add(spec.flag);
      assert.ok(configFlagOptions()[spec.flag], `--${spec.flag} is accepted by the command line`);
    }
    if (spec.env) {
      assert.ok(!envs.has(spec.env), `${spec.env} is used once`);
      envs.add(spec.env);
    }
  }
  assert.ok(configFlagOptions().config, '--config is accepted');
});

test('the command line reports configuration errors with exit code 2 and prints the effective configuration', { timeout: 60_000 }, async (t) => {
  const cwd = tempDir(t);
  const env = { PATH: process.env.PATH ?? '', HOME: cwd };
  const failed = await run(process.execPath, [MAIN, 'config'], { cwd, env: { ...env, PORT: '99999' } }).catch((error: { code: number; stderr: string }) => error);
  assert.equal((failed as { code: number }).code, 2);
  assert.match((failed as { stderr: string }).stderr, /switchboard: invalid configuration:\n {2}PORT must be a whole number between 0 and 65535, got 99999/);

  writeFileSync(join(cwd, 'switchboard.config.yaml'), 'serviceName: switchboard-a\n');
  const { stdout } = await run(process.execPath, [MAIN, 'config', '--json', '--no-metrics'], { cwd, env: { ...env, TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'letmein' } });
  const printed = JSON.parse(stdout) as { file: string; keys: { key: string; value: string; source: string }[] };
  assert.equal(printed.file, join(cwd, 'switchboard.config.yaml'));
  const byKey = Object.fromEntries(printed.keys.map((k) => [k.key, k]));
  assert.equal(byKey.serviceName?.value, 'switchboard-a');
  assert.match(String(byKey.serviceName?.source), /'serviceName' in .*switchboard\.config\.yaml/);
  assert.equal(byKey.metrics?.value, 'false');
  assert.equal(byKey.metrics?.source, '--no-metrics');
  assert.equal(byKey.authToken?.value, '********');
  assert.equal(stdout.includes('letmein'), false);
});
