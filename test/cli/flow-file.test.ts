// `switchboard simulate FILE` and `switchboard call FILE` with a file that cannot run: a missing
// file, broken JSON or an invalid definition is a short message naming the file (and, for an
// invalid definition, each finding with its path) and exit code 1, never a stack trace. The first
// line starts 'switchboard simulate: ' (or call), as every command's refusals do. No flow named at all
// is bad usage, exit 2 as in every command (it was 1, with a usage line that made --from look
// required). The commands run in this process (console captured); one run of the real binary shows
// main.ts passes the exit code through without a trace.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulateCommand } from '../../src/cli/simulate.ts';
import { callCommand } from '../../src/cli/call.ts';
import { flowTargetArgument, openFlowTarget } from '../../src/cli/flow-file.ts';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const COMMANDS = { simulate: simulateCommand, call: callCommand };

describe('simulate / call with a flow file that cannot run', () => {
  let dir = '';
  /** The command in this process: exit code and what it printed. */
  const run = async (command: keyof typeof COMMANDS, file: string | undefined) => {
    const out: string[] = [];
    const err: string[] = [];
    const saved = { log: console.log, error: console.error, databaseUrl: process.env.DATABASE_URL };
    console.log = (...parts: unknown[]) => void out.push(parts.map(String).join(' '));
    console.error = (...parts: unknown[]) => void err.push(parts.map(String).join(' '));
    // The store is --data-dir's: CI's DATABASE_URL would send a FlowSid to its PostgreSQL instead.
    delete process.env.DATABASE_URL;
    try {
      const code = await COMMANDS[command](file, { 'data-dir': join(dir, 'data') });
      return { code, stdout: out.join('\n'), stderr: err.join('\n') };
    } finally {
      console.log = saved.log;
      console.error = saved.error;
      if (saved.databaseUrl !== undefined) process.env.DATABASE_URL = saved.databaseUrl;
    }
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-flow-file-'));
    writeFileSync(join(dir, 'broken.json'), '{"states": [\n');
    writeFileSync(join(dir, 'list.json'), '[1, 2]');
    writeFileSync(join(dir, 'invalid.json'), JSON.stringify({ description: 'x', initial_state: 'Trigger', states: [{ name: 'Trigger', type: 'trigger', properties: {}, transitions: [{ event: 'incomingMessage', next: 'nowhere' }] }] }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const command of ['simulate', 'call'] as const) {
    it(`${command}: a missing file`, async () => {
      const missing = join(dir, 'nosuch.json');
      const result = await run(command, missing);
      assert.equal(result.code, 1);
      assert.equal(result.stderr, `switchboard ${command}: ${missing}: no such file`);
      assert.equal(result.stdout, '');
    });

    it(`${command}: broken JSON names the line and column`, async () => {
      const result = await run(command, join(dir, 'broken.json'));
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`^switchboard ${command}: \\S+broken\\.json: not a flow definition: Invalid JSON at line 2, column \\d+`));
    });

    it(`${command}: JSON that is not an object`, async () => {
      const result = await run(command, join(dir, 'list.json'));
      assert.equal(result.code, 1);
      assert.match(result.stderr, /list\.json: not a flow definition: Flow definition must be a JSON object, array found$/);
    });

    it(`${command}: an invalid definition lists the validator's findings`, async () => {
      const result = await run(command, join(dir, 'invalid.json'));
      assert.equal(result.code, 1);
      const lines = result.stderr.split('\n');
      assert.equal(lines[0], `switchboard ${command}: ${join(dir, 'invalid.json')}: invalid flow definition`);
      assert.ok(lines.slice(1).some((line) => /^ {2}#\/states\/0\/transitions\/0\/next: .*nowhere/.test(line)), result.stderr);
    });

    it(`${command}: a directory`, async () => {
      const result = await run(command, dir);
      assert.equal(result.code, 1);
      assert.equal(result.stderr, `switchboard ${command}: ${dir}: it is a directory`);
    });

    it(`${command}: a FlowSid cut short or mistyped is bad usage (exit 2), saying what a FlowSid looks like`, async () => {
      // It exited 1, as for a flow that is not there, where every other command gives 2 for a malformed SID.
      // 'FW…' is the README's placeholder pasted as written: it said only "FW…: no such file" (exit 1).
      for (const typed of ['FW01a225f819ec6d228e54898f608f4ee', 'FWbad', 'FW' + 'g'.repeat(32), 'FW…']) {
        const result = await run(command, typed);
        assert.equal(result.code, 2, typed);
        assert.equal(result.stderr, `switchboard ${command}: '${typed}' is not a flow SID (FW followed by 32 hex characters), nor a flow file`);
        assert.equal(result.stdout, '');
      }
    });

    it(`${command}: a well-formed FlowSid no store holds is not found (exit 1)`, async () => {
      const result = await run(command, 'FW' + '0'.repeat(32));
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`^switchboard ${command}: flow FW0{32}: `));
    });

    it(`${command}: no flow named is bad usage (exit 2), with a usage line that matches --help`, async () => {
      const result = await run(command, undefined);
      assert.equal(result.code, 2);
      const [first, usage] = result.stderr.split('\n');
      assert.equal(first, `switchboard ${command}: name the flow to run, a FlowSid (FW…) or a flow file`);
      assert.match(usage!, new RegExp(`^Usage: switchboard ${command} <FlowSid\\|flow\\.json> \\[--from \\+1555…\\] \\[--to \\+1500…\\]`));
    });
  }

  it('flowTargetArgument: a FlowSid as stored (hex lower-cased); a file that is there, though named like one, stays a file', (t) => {
    assert.deepEqual(flowTargetArgument('FW' + 'AB'.repeat(16)), { target: 'FW' + 'ab'.repeat(16) });
    assert.deepEqual(flowTargetArgument('flows/menu.json'), { target: 'flows/menu.json' });
    assert.ok('problem' in flowTargetArgument('FWdraft'));
    writeFileSync(join(dir, 'FWdraft'), '{}');
    const cwd = process.cwd();
    process.chdir(dir);
    t.after(() => process.chdir(cwd));
    assert.deepEqual(flowTargetArgument('FWdraft'), { target: 'FWdraft' });
  });

  it('a Flow resource saved from GET /v2/Flows/FW… (the definition under `definition`) runs, as the web import takes it', async () => {
    const definition = { description: 'x', initial_state: 'Trigger', states: [{ name: 'Trigger', type: 'trigger', properties: { offset: { x: 0, y: 0 } }, transitions: [{ event: 'incomingMessage' }] }] };
    writeFileSync(join(dir, 'resource.json'), JSON.stringify({ sid: 'FW' + '0'.repeat(32), friendly_name: 'x', revision: 2, definition }));
    const opened = await openFlowTarget(join(dir, 'resource.json'), { 'data-dir': join(dir, 'data') });
    assert.ok(opened, 'the flow opened');
    try {
      const revision = await opened.app.store.getRevision(opened.account.sid, opened.flowSid, 'LatestRevision');
      assert.deepEqual(revision?.definition, definition);
    } finally {
      await opened.app.close();
    }
  });

  it("a FlowSid runs in its own account's store; a data directory without a store is said so and not created", async (t) => {
    const { createApp } = await import('../../src/app.ts');
    const { loadConfig } = await import('../../src/config.ts');
    const { existsSync } = await import('node:fs');
    const dataDir = join(dir, 'with-store');
    // The SQLite data directory is the subject: CI's DATABASE_URL must not send it to PostgreSQL.
    const savedUrl = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    t.after(() => {
      if (savedUrl !== undefined) process.env.DATABASE_URL = savedUrl;
    });
    const app = await createApp(loadConfig({ 'data-dir': dataDir }));
    let flowSid = '';
    try {
      // A second account, as `accounts create` makes: its flows are found too.
      const other = await app.accounts.create('CI');
      const definition = { description: 'x', initial_state: 'Trigger', states: [{ name: 'Trigger', type: 'trigger', properties: { offset: { x: 0, y: 0 } }, transitions: [{ event: 'incomingMessage' }] }] };
      flowSid = (await app.flows.create(other.sid, { friendlyName: 'other', status: 'published', definition })).sid;
    } finally {
      await app.close();
    }
    const opened = await openFlowTarget(flowSid, { 'data-dir': dataDir });
    assert.ok(opened, 'the flow of another account opened');
    await opened.app.close();

    const empty = join(dir, 'no-store');
    const err: string[] = [];
    const saved = console.error;
    console.error = (...parts: unknown[]) => void err.push(parts.map(String).join(' '));
    try {
      assert.equal(await openFlowTarget(flowSid, { 'data-dir': empty }), null);
    } finally {
      console.error = saved;
    }
    assert.match(err.join('\n'), /there is no Switchboard store in .*no-store/);
    assert.equal(existsSync(empty), false, 'no store was created');
    // With SWITCHBOARD_URL set (as for the flows and executions commands) the message says the store is not reached through it.
    const urlBefore = process.env.SWITCHBOARD_URL;
    process.env.SWITCHBOARD_URL = 'http://127.0.0.1:4123';
    err.length = 0;
    console.error = (...parts: unknown[]) => void err.push(parts.map(String).join(' '));
    try {
      assert.equal(await openFlowTarget(flowSid, { 'data-dir': empty }), null);
    } finally {
      console.error = saved;
      if (urlBefore === undefined) delete process.env.SWITCHBOARD_URL;
      else process.env.SWITCHBOARD_URL = urlBefore;
    }
    assert.match(err.join('\n'), /there is no Switchboard store in .*no-store .*; a FlowSid runs on the store of the server at http:\/\/127\.0\.0\.1:4123 \(SWITCHBOARD_URL\), not through it: give its --data-dir or DATABASE_URL$/);
  });

  it('the real binary: the message, exit code 1, no stack trace', () => {
    const file = join(dir, 'broken.json');
    const result = spawnSync(process.execPath, [main, 'simulate', file], {
      input: 'hi\n\n',
      encoding: 'utf8',
      env: { ...process.env, SWITCHBOARD_DATA_DIR: join(dir, 'data'), TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '' },
      timeout: 60_000,
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /broken\.json: not a flow definition: Invalid JSON at line 2/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });

  it('the real binary: a malformed FlowSid exits 2', () => {
    const result = spawnSync(process.execPath, [main, 'call', 'FWbad'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, SWITCHBOARD_DATA_DIR: join(dir, 'data'), TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '' },
      timeout: 60_000,
    });
    assert.equal(result.status, 2, result.stderr);
    assert.equal(result.stderr, "switchboard call: 'FWbad' is not a flow SID (FW followed by 32 hex characters), nor a flow file\n");
  });
});
