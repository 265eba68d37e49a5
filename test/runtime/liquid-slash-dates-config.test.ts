// --liquid-slash-dates (SWITCHBOARD_LIQUID_SLASH_DATES, liquidSlashDates) reaches the engine wherever flows run:
// a server's executions (as `serve` and `simulate` create the app) and `switchboard test`'s flow tests.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { runtimeRules } from '../../src/app.ts';
import { engineRules } from '../../src/cli/test.ts';
import { simulationOptionsFrom } from '../../src/flowtest/simulation.ts';
import { startServerWithFlow } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';

/** Texts back the date it was given, as the date filter reads it. */
const flow = triggerFlow('slashed dates', 'incomingMessage', 'say', [
  {
    name: 'say',
    type: 'send-message',
    properties: { offset: { x: 0, y: 100 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: "{{ trigger.message.Body | date: '%Y-%m-%d' }}" },
    transitions: [{ event: 'sent' }, { event: 'failed' }],
  },
]);

describe('liquidSlashDates configuration', () => {
  it('is read from the flag and the environment; month-first by default; other values refused', () => {
    assert.equal(loadConfig({}, {}).liquidSlashDates, 'month-first');
    assert.equal(loadConfig({ 'liquid-slash-dates': 'day-first' }, {}).liquidSlashDates, 'day-first');
    assert.equal(loadConfig({}, { SWITCHBOARD_LIQUID_SLASH_DATES: 'day-first' }).liquidSlashDates, 'day-first');
    assert.throws(() => loadConfig({ 'liquid-slash-dates': 'dmy' }, {}), (e: unknown) => e instanceof ConfigError && /--liquid-slash-dates/.test(e.message));
    assert.equal(runtimeRules(loadConfig({}, { SWITCHBOARD_LIQUID_SLASH_DATES: 'day-first' })).limits?.slashDates, 'day-first');
    assert.equal(runtimeRules(loadConfig({}, {})).limits?.slashDates, 'month-first');
    assert.equal(simulationOptionsFrom(engineRules({ 'liquid-slash-dates': 'day-first' } as never, {})).limits?.slashDates, 'day-first');
    assert.equal(simulationOptionsFrom(engineRules({} as never, {})).limits?.slashDates, 'month-first');
  });

  for (const [env, expected] of [[{}, '2026-03-10'], [{ SWITCHBOARD_LIQUID_SLASH_DATES: 'day-first' }, '2026-10-03']] as const) {
    it(`a server's execution renders 03/10/2026 as ${expected} with ${JSON.stringify(env)}`, async () => {
      const { server, flowSid } = await startServerWithFlow(flow, { config: loadConfig({}, env) });
      try {
        const result = await server.app.executions.inboundMessage(server.account.sid, flowSid, { From: '+15551230001', To: '+15005550006', Body: '03/10/2026', MessageSid: 'SM' + 'a'.repeat(32) });
        await server.app.executions.idle();
        const context = await server.app.server.inject({ method: 'GET', url: `/v2/Flows/${flowSid}/Executions/${result.executionSid}/Context`, headers: { authorization: server.auth } });
        assert.equal(context.json().context.widgets.say.outbound.Body, expected, context.body);
      } finally {
        await server.close();
      }
    });
  }
});

describe('flow tests under --liquid-slash-dates', () => {
  const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
  const cli = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [main, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env }, timeout: 60_000 });

  it('a test expecting day-first fails by default and passes with the flag, the variable or the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-slash-dates-'));
    try {
      writeFileSync(join(dir, 'flow.json'), JSON.stringify(flow));
      writeFileSync(join(dir, 'x.test.yaml'), `flow: flow.json
tests:
  - name: day first
    trigger: { message: { body: "03/10/2026" } }
    expect: { messages: ["2026-10-03"], end: completed }
`);
      const defaults = cli(['test', 'x.test.yaml'], dir);
      assert.equal(defaults.status, 1, 'month first by default: the test fails');
      assert.match(defaults.stdout, /2026-03-10/);
      const flag = cli(['test', 'x.test.yaml', '--liquid-slash-dates', 'day-first'], dir);
      assert.equal(flag.status, 0, flag.stdout + flag.stderr);
      const env = cli(['test', 'x.test.yaml'], dir, { SWITCHBOARD_LIQUID_SLASH_DATES: 'day-first' });
      assert.equal(env.status, 0, env.stdout + env.stderr);
      writeFileSync(join(dir, 'switchboard.config.yaml'), 'liquidSlashDates: day-first\n');
      const file = cli(['test', 'x.test.yaml'], dir);
      assert.equal(file.status, 0, file.stdout + file.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
