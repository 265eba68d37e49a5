// --liquid-version (SWITCHBOARD_LIQUID_VERSION, liquidVersion) and --liquid-extras (SWITCHBOARD_LIQUID_EXTRAS,
// liquidExtras) reach the engine and the validator wherever flows run and are checked: a server's executions and
// its flow validation (as `serve` creates the app) and `switchboard test`'s flow tests.
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

/** Texts back the words of the message, a filter of liquidjs' (push) and one of Shopify's 5.5.0 (sum) applied. */
const flow = triggerFlow('liquid dialect', 'incomingMessage', 'say', [
  {
    name: 'say',
    type: 'send-message',
    properties: {
      offset: { x: 0, y: 100 },
      from: '{{flow.channel.address}}',
      to: '{{contact.channel.address}}',
      body: '{% assign w = trigger.message.Body | split: " " %}{{ w | push: "!" | join: "-" }} {{ w | sum }}',
    },
    transitions: [{ event: 'sent' }, { event: 'failed' }],
  },
]);

describe('liquidVersion and liquidExtras configuration', () => {
  it('are read from the flags, the environment and the config file; 5.4.0 and off by default; bad releases refused', () => {
    assert.equal(loadConfig({}, {}).liquidVersion, '5.4.0');
    assert.equal(loadConfig({}, {}).liquidExtras, false);
    assert.equal(loadConfig({ 'liquid-version': '5.5' }, {}).liquidVersion, '5.5.0');
    assert.equal(loadConfig({}, { SWITCHBOARD_LIQUID_VERSION: '4.0.2' }).liquidVersion, '4.0.2');
    assert.equal(loadConfig({ 'liquid-extras': true }, {}).liquidExtras, true);
    assert.equal(loadConfig({}, { SWITCHBOARD_LIQUID_EXTRAS: 'true' }).liquidExtras, true);
    for (const bad of ['latest', '3.0', '5', '5.x']) {
      assert.throws(() => loadConfig({ 'liquid-version': bad }, {}), (e: unknown) => e instanceof ConfigError && /--liquid-version/.test(e.message) && /4\.0\.0 or later/.test(e.message), bad);
    }
    const rules = runtimeRules(loadConfig({ 'liquid-extras': true }, { SWITCHBOARD_LIQUID_VERSION: '5.5' })).limits;
    assert.deepEqual([rules?.liquidVersion, rules?.liquidExtras], ['5.5.0', true]);
    const simulated = simulationOptionsFrom(engineRules({ 'liquid-version': '5.7' } as never, {})).limits;
    assert.deepEqual([simulated?.liquidVersion, simulated?.liquidExtras], ['5.7.0', false]);
  });

  // Without sum (5.4.0) the words print joined, as {{ w }} does; Shopify's sum adds "a" and "b" as 0.
  for (const [env, expected] of [
    [{}, 'a-b ab'],
    [{ SWITCHBOARD_LIQUID_VERSION: '5.5' }, 'a-b 0'],
    [{ SWITCHBOARD_LIQUID_EXTRAS: 'true' }, 'a-b-! 0'],
  ] as const) {
    it(`a server's execution renders as ${JSON.stringify(expected)} with ${JSON.stringify(env)}`, async () => {
      const { server, flowSid } = await startServerWithFlow(flow, { config: loadConfig({}, env) });
      try {
        const result = await server.app.executions.inboundMessage(server.account.sid, flowSid, { From: '+15551230001', To: '+15005550006', Body: 'a b', MessageSid: 'SM' + 'a'.repeat(32) });
        await server.app.executions.idle();
        const context = await server.app.server.inject({ method: 'GET', url: `/v2/Flows/${flowSid}/Executions/${result.executionSid}/Context`, headers: { authorization: server.auth } });
        assert.equal(context.json().context.widgets.say.outbound.Body, expected, context.body);
      } finally {
        await server.close();
      }
    });
  }

  it("a server's validation warns about what the configured release lacks", async () => {
    for (const [env, named] of [[{}, ['push', 'sum']], [{ SWITCHBOARD_LIQUID_VERSION: '5.5' }, ['push']], [{ SWITCHBOARD_LIQUID_EXTRAS: 'true' }, ['push', 'sum']]] as const) {
      const { server } = await startServerWithFlow(flow, { config: loadConfig({}, env) });
      try {
        // Twilio's behaviour is the warning's subject: keeping liquidjs' extras here does not silence it.
        const warnings = server.app.flows.validate(flow).warnings.filter((w) => /not in Studio's Liquid/.test(w.message));
        assert.deepEqual(warnings.map((w) => /filter '(\w+)'/.exec(w.message)?.[1]), named, JSON.stringify(env));
        assert.ok(warnings.every((w) => w.property_path === '#/states/1/properties/body'));
      } finally {
        await server.close();
      }
    }
  });
});

describe('flow tests under --liquid-extras and --liquid-version', () => {
  const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
  const cli = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [main, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env }, timeout: 60_000 });

  it("a test expecting liquidjs' push fails as on Twilio by default and passes with the flag, the variable or the config file", () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-liquid-dialect-'));
    try {
      writeFileSync(join(dir, 'flow.json'), JSON.stringify(flow));
      writeFileSync(join(dir, 'x.test.yaml'), `flow: flow.json
tests:
  - name: push
    trigger: { message: { body: "a b" } }
    expect: { messages: ["a-b-! 0"], end: completed }
`);
      const defaults = cli(['test', 'x.test.yaml'], dir);
      assert.equal(defaults.status, 1, 'push returns its input by default: the test fails');
      assert.match(defaults.stdout, /a-b ab/);
      const flag = cli(['test', 'x.test.yaml', '--liquid-extras'], dir);
      assert.equal(flag.status, 0, flag.stdout + flag.stderr);
      const env = cli(['test', 'x.test.yaml'], dir, { SWITCHBOARD_LIQUID_EXTRAS: 'true' });
      assert.equal(env.status, 0, env.stdout + env.stderr);
      writeFileSync(join(dir, 'switchboard.config.yaml'), 'liquidExtras: true\n');
      const file = cli(['test', 'x.test.yaml'], dir);
      assert.equal(file.status, 0, file.stdout + file.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
