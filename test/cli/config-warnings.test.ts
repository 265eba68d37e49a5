// A bad value that a stronger source overrides (PORT=eighty under --port 5000) changes nothing, so it
// does not stop a command, but it is still a configuration problem: `switchboard config` and `serve`
// list it as a warning naming the bad source and what is used instead.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, resolveSwitchboardConfig } from '../../src/config.ts';
import { configCommand } from '../../src/cli/config.ts';
import { withServe } from '../support/serve-process.ts';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

function run(args: string[], env: Record<string, string>, cwd: string) {
  return spawnSync(process.execPath, [main, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 });
}

describe('switchboard config: overridden bad values are warnings', () => {
  it('PORT=eighty with --port 5000: exit 0, port 5000, and a warning naming PORT and --port', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'sb-config-warn-'));
    try {
      const text = run(['config', '--port', '5000'], { PORT: 'eighty' }, cwd);
      assert.equal(text.status, 0, text.stderr);
      assert.match(text.stdout, /^port\s+5000\s+--port$/m);
      assert.equal(text.stderr, "switchboard: warning: PORT must be a whole number between 0 and 65535, got 'eighty' (not used: --port overrides it)\n");
      const json = run(['config', '--port', '5000', '--json'], { PORT: 'eighty' }, cwd);
      assert.equal(json.status, 0, json.stderr);
      assert.deepEqual(JSON.parse(json.stdout).warnings, ["PORT must be a whole number between 0 and 65535, got 'eighty' (not used: --port overrides it)"]);
      const clean = run(['config', '--port', '5000'], { PORT: '80' }, cwd);
      assert.equal(clean.stderr, '');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('a bad file value under a variable, a secret never shown, and warnings listed beside errors', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'sb-config-warn-'));
    try {
      const file = join(cwd, 'switchboard.config.yaml');
      const env = { LOG_LEVEL: 'warn', DATABASE_URL: 'mysql://root:hunter2@db/x' };
      writeFileSync(file, 'logLevel: loud\n');
      const resolved = resolveSwitchboardConfig({ 'database-url': 'postgres://u@db/x' }, env, { cwd });
      assert.equal(resolved.values.logLevel, 'warn');
      assert.equal(resolved.warnings.length, 2, resolved.warnings.join('\n'));
      assert.equal(resolved.warnings[0], 'DATABASE_URL must be an absolute postgres/postgresql URL (not used: --database-url overrides it)');
      assert.equal(resolved.warnings[1], `'logLevel' in ${file} must be one of 'fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent', got 'loud' (not used: LOG_LEVEL overrides it)`);
      assert.equal(resolveSwitchboardConfig({}, {}, { cwd: tmpdir() }).warnings.length, 0);

      // A bad value in use is an error (exit 2 in main.ts); the overridden ones are listed after it.
      writeFileSync(file, 'logLevel: loud\nmetrics: maybe\n');
      assert.throws(
        () => resolveSwitchboardConfig({ 'database-url': 'postgres://u@db/x' }, env, { cwd }),
        (error: unknown) =>
          error instanceof ConfigError &&
          /^invalid configuration:\n {2}'metrics' in .* must be true or false, got 'maybe'\n {2}warning: DATABASE_URL must .*\n {2}warning: 'logLevel' in /.test(error.message) &&
          !error.message.includes('hunter2'),
      );

      // With the flag overriding metrics too, `config` prints all three as warnings and succeeds.
      const lines: string[] = [];
      const errors: string[] = [];
      const code = configCommand({ 'database-url': 'postgres://u@db/x', metrics: true, config: file }, (l) => lines.push(l), (l) => errors.push(l), env);
      assert.equal(code, 0);
      assert.equal(errors.length, 3, errors.join('\n'));
      assert.ok(errors.every((l) => l.startsWith('switchboard: warning: ')), errors.join('\n'));
      assert.match(errors.join('\n'), /'metrics' in .* must be true or false, got 'maybe' \(not used: --metrics overrides it\)/);
      assert.doesNotMatch(errors.join('\n') + lines.join('\n'), /hunter2/);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('a variable overriding a different file value is a warning (a container ENV beating the edited file); an equal one is not', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'sb-config-warn-'));
    try {
      const file = join(cwd, 'switchboard.config.yaml');
      writeFileSync(file, 'port: 8080\nhost: 0.0.0.0\nlogLevel: debug\n');
      const resolved = resolveSwitchboardConfig({ 'log-level': 'warn' }, { PORT: '4000', HOST: '0.0.0.0' }, { cwd });
      assert.equal(resolved.values.port, 4000);
      assert.deepEqual(resolved.warnings, [`'port' in ${file} is not used: the environment variable PORT overrides it (4000)`]);
      const text = run(['config'], { PORT: '4000' }, cwd);
      assert.equal(text.status, 0, text.stderr);
      assert.equal(text.stderr, `switchboard: warning: 'port' in ${file} is not used: the environment variable PORT overrides it (4000)\n`);
      assert.equal(resolveSwitchboardConfig({}, { PORT: '8080' }, { cwd }).warnings.length, 0);

      // An invalid variable is the error; it overrides nothing, so no "(unset)" warning about the file beside it.
      assert.throws(
        () => resolveSwitchboardConfig({}, { PORT: 'eighty' }, { cwd }),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.message === "invalid configuration:\n  PORT must be a whole number between 0 and 65535, got 'eighty'",
      );
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('serve starts with the flag and prints the warning on stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-config-warn-serve-'));
    try {
      const { err } = await withServe(['--port', '0', '--log-level', 'warn'], { PORT: 'eighty', SWITCHBOARD_DATA_DIR: dir }, (out) => /Auth token:/.test(out), (printed) => printed);
      assert.match(err, /^switchboard: warning: PORT must be a whole number between 0 and 65535, got 'eighty' \(not used: --port overrides it\)$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
