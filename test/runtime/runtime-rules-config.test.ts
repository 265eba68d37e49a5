// Studio's runtime rules come from configuration (flags, env, config file) into the runtime:
// step caps, the same-widget rule, one active execution per contact, rate limits, the age cap.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, runtimeRules } from '../../src/app.ts';
import { ConfigError, loadConfig, type SwitchboardConfig } from '../../src/config.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { basicAuth, FORM, form } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';

const survey = JSON.parse(readFileSync(new URL('../fixtures/flows/survey.json', import.meta.url), 'utf8'));

/** A flow whose split sends every execution back to itself: only the runtime rules stop it. */
const loop = triggerFlow('loops', 'incomingRequest', 'again', [
  {
    name: 'again',
    type: 'split-based-on',
    properties: { offset: { x: 0, y: 100 }, input: 'x' },
    transitions: [{ event: 'noMatch', next: 'again' }],
  },
]);

async function start(config: SwitchboardConfig, clock: { ms: number }, store = new SqliteStore({ path: ':memory:' })) {
  const app = await createApp({ ...config, dataDir: ':memory:' }, { store, now: () => clock.ms });
  const { account } = await app.accounts.ensureStartupAccount();
  await app.server.ready();
  const create = (flowSid: string, to: string) =>
    app.server.inject({
      method: 'POST',
      url: `/v2/Flows/${flowSid}/Executions`,
      headers: { authorization: basicAuth(account.sid, account.authToken), ...FORM },
      payload: form({ To: to, From: '+15005550006' }),
    });
  return { app, account, create };
}

describe('runtime rules from configuration', () => {
  it('maps every rule key from the environment into runtime options', () => {
    const config = loadConfig({}, {
      SWITCHBOARD_MAX_STEPS: '50',
      SWITCHBOARD_MAX_SAME_WIDGET: '4',
      SWITCHBOARD_MAX_CONTEXT_BYTES: '1048576',
      SWITCHBOARD_MAX_STEP_BYTES: '2097152',
      SWITCHBOARD_DEFAULT_REPLY_TIMEOUT: '120',
      SWITCHBOARD_EXECUTION_MAX_AGE: '3600',
      SWITCHBOARD_EXECUTION_RETENTION: '86400',
      SWITCHBOARD_ONE_ACTIVE_PER_CONTACT: 'false',
      SWITCHBOARD_INBOUND_EXECUTION_RATE: '100',
      SWITCHBOARD_REST_EXECUTION_RATE: '20',
      SWITCHBOARD_TIMEZONE: 'America/Los_Angeles',
      SWITCHBOARD_LIQUID_OBJECT_FORMAT: 'map',
      SWITCHBOARD_SET_VARIABLES_TYPING: 'string',
      SWITCHBOARD_LIQUID_SLASH_DATES: 'day-first',
      SWITCHBOARD_LIQUID_VERSION: '5.5.0',
      SWITCHBOARD_LIQUID_EXTRAS: 'true',
    });
    assert.deepEqual(runtimeRules(config), {
      limits: { maxSteps: 50, maxSameWidgetInARow: 4, maxContextBytes: 1_048_576, maxStepBytes: 2_097_152, defaultReplyTimeoutSeconds: 120, timezone: 'America/Los_Angeles', objectFormat: 'map', variableTyping: 'string', slashDates: 'day-first', liquidVersion: '5.5.0', liquidExtras: true },
      maxExecutionAgeMs: 3_600_000,
      executionRetentionMs: 86_400_000,
      oneActivePerContact: false,
      rateLimits: { inboundPerSecond: 100, restPerSecond: 20 },
    });
  });

  it("defaults to Studio's rules", () => {
    const rules = runtimeRules(loadConfig({}, {}));
    assert.deepEqual(rules.limits, { maxSteps: 1000, maxSameWidgetInARow: 10, maxContextBytes: 5 * 1024 * 1024, maxStepBytes: 50 * 1024 * 1024, defaultReplyTimeoutSeconds: 3600, timezone: 'UTC', objectFormat: 'json', variableTyping: 'infer', slashDates: 'month-first', liquidVersion: '5.4.0', liquidExtras: false });
    assert.equal(rules.maxExecutionAgeMs, 30 * 24 * 3600 * 1000);
    assert.equal(rules.executionRetentionMs, 30 * 24 * 3600 * 1000, 'Twilio keeps executions 30 days after they start');
    assert.equal(runtimeRules(loadConfig({ 'execution-retention': '0' }, {})).executionRetentionMs, 0, '0: kept forever');
    assert.equal(rules.oneActivePerContact, true);
    assert.equal(runtimeRules(loadConfig({ 'set-variables-typing': 'infer-unquote' }, {})).limits?.variableTyping, 'infer-unquote');
  });

  it('rejects bad values naming the key', () => {
    assert.throws(() => loadConfig({}, { SWITCHBOARD_TIMEZONE: 'Mars/Olympus' }), (e: unknown) => e instanceof ConfigError && /SWITCHBOARD_TIMEZONE/.test(e.message));
    assert.throws(() => loadConfig({}, { SWITCHBOARD_MAX_STEPS: '0' }), (e: unknown) => e instanceof ConfigError && /SWITCHBOARD_MAX_STEPS|max-steps|maxSteps/.test(e.message));
    assert.throws(() => loadConfig({ 'rest-execution-rate': 'lots' }, {}), ConfigError);
    assert.throws(() => loadConfig({ 'liquid-object-format': 'yaml' }, {}), ConfigError);
    assert.throws(() => loadConfig({ 'set-variables-typing': 'number' }, {}), ConfigError);
    assert.throws(() => loadConfig({ 'max-context-bytes': '1000' }, {}), (e: unknown) => e instanceof ConfigError && /--max-context-bytes must be a whole number of bytes between 65536/.test(e.message));
    assert.throws(() => loadConfig({}, { SWITCHBOARD_EXECUTION_RETENTION: '-1' }), (e: unknown) => e instanceof ConfigError && /SWITCHBOARD_EXECUTION_RETENTION/.test(e.message));
    assert.throws(() => loadConfig({ 'execution-retention': '30d' }, {}), (e: unknown) => e instanceof ConfigError && /--execution-retention must be a whole number of seconds/.test(e.message));
  });

  it('a configured same-widget limit stops a loop sooner', async () => {
    const clock = { ms: Date.parse('2026-03-01T00:00:00Z') };
    const { app, account, create } = await start(loadConfig({}, { SWITCHBOARD_MAX_SAME_WIDGET: '3' }), clock);
    try {
      const flow = await app.flows.create(account.sid, { friendlyName: 'loop', status: 'published', definition: loop });
      const res = await create(flow.sid, '+15551230001');
      assert.equal(res.statusCode, 201, res.body);
      await app.executions.idle();
      const steps = await app.store.listSteps(account.sid, flow.sid, res.json().sid, { pageSize: 100 });
      const loops = steps.items.filter((s) => s.transitionedFrom === 'again').length;
      assert.ok(loops <= 3, `stopped after at most 3 runs of the widget, saw ${loops}`);
      assert.equal((await app.store.getExecutionBySid(res.json().sid))?.status, 'ended');
    } finally {
      await app.close();
    }
  });

  it('one-active-per-contact off: REST creates run side by side and a reply goes to the newest', async () => {
    const clock = { ms: Date.parse('2026-03-01T00:00:00Z') };
    const { app, account, create } = await start(loadConfig({ 'one-active-per-contact': 'false' }, {}), clock);
    try {
      const flow = await app.flows.create(account.sid, { friendlyName: 'survey', status: 'published', definition: survey });
      const first = await create(flow.sid, '+15551230001');
      clock.ms += 1000;
      const second = await create(flow.sid, '+15551230001');
      assert.equal(first.statusCode, 201, first.body);
      assert.equal(second.statusCode, 201, second.body);
      await app.executions.idle();
      const result = await app.executions.inboundMessage(account.sid, flow.sid, { From: '+15551230001', To: '+15005550006', Body: '5', MessageSid: 'SM' + 'e'.repeat(32) });
      assert.equal(result.executionSid, second.json().sid);
      assert.equal((await app.store.getExecutionBySid(first.json().sid))?.status, 'active', 'the older one still waits');
    } finally {
      await app.close();
    }
  });

  it('one-active-per-contact on (the default): a second create is a 409 naming the active one', async () => {
    const clock = { ms: Date.parse('2026-03-01T00:00:00Z') };
    const { app, account, create } = await start(loadConfig({}, {}), clock);
    try {
      const flow = await app.flows.create(account.sid, { friendlyName: 'survey', status: 'published', definition: survey });
      const first = await create(flow.sid, '+15551230001');
      const second = await create(flow.sid, '+15551230001');
      assert.equal(second.statusCode, 409);
      assert.equal(second.json().code, 20409);
      assert.equal(second.json().details.conflicting_execution_sid, first.json().sid);
    } finally {
      await app.close();
    }
  });

  it('ends a waiting execution once the configured maximum age has passed', async () => {
    const clock = { ms: Date.parse('2026-03-01T00:00:00Z') };
    const { app, account, create } = await start(loadConfig({}, { SWITCHBOARD_EXECUTION_MAX_AGE: '300' }), clock);
    try {
      // survey waits 600 s for a reply: the 300 s age cap comes first.
      const flow = await app.flows.create(account.sid, { friendlyName: 'survey', status: 'published', definition: survey });
      const res = await create(flow.sid, '+15551230001');
      await app.executions.idle();
      clock.ms += 301_000;
      await app.executions.fireDueTimers();
      await app.executions.idle();
      const execution = await app.store.getExecutionBySid(res.json().sid);
      assert.equal(execution?.status, 'ended');
      const steps = await app.store.listSteps(account.sid, flow.sid, res.json().sid, { pageSize: 100 });
      assert.equal(steps.items.some((s) => s.name === 'timeout'), false, 'the age cap, not the reply timeout, ended it');
    } finally {
      await app.close();
    }
  });

  it('a lowered age cap applies to executions already waiting: expiry goes by creation time, not a timer row each', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-expiry-'));
    const path = join(dir, 'switchboard.db');
    const clock = { ms: Date.parse('2026-03-01T00:00:00Z') };
    try {
      const first = await start(loadConfig({}, {}), clock, new SqliteStore({ path }));
      let executionSid: string;
      let flowSid: string;
      try {
        const flow = await first.app.flows.create(first.account.sid, { friendlyName: 'survey', status: 'published', definition: survey });
        flowSid = flow.sid;
        const res = await first.create(flow.sid, '+15551230001');
        assert.equal(res.statusCode, 201, res.body);
        executionSid = res.json().sid;
        await first.app.executions.idle();
        const timers = await first.app.store.dueTimers(Number.MAX_SAFE_INTEGER, 10);
        assert.deepEqual(timers.map((t) => t.executionSid), [executionSid], 'only the reply timeout is stored');
        // The default cap is 30 days away: the oldest active execution says when.
        assert.equal(await first.app.store.oldestActiveExecution(), clock.ms);
      } finally {
        await first.app.close();
      }

      // Restarted with a 60 s cap, two minutes later: the waiting execution is past it.
      clock.ms += 120_000;
      const second = await start(loadConfig({}, { SWITCHBOARD_EXECUTION_MAX_AGE: '60' }), clock, new SqliteStore({ path }));
      try {
        assert.equal(await second.app.executions.fireDueTimers(), 1);
        await second.app.executions.idle();
        const execution = await second.app.store.getExecutionBySid(executionSid);
        assert.equal(execution?.status, 'ended');
        assert.equal((execution?.state as { endReason?: { kind: string } }).endReason?.kind, 'expired');
        const steps = await second.app.store.listSteps(second.account.sid, flowSid, executionSid, { pageSize: 100 });
        assert.equal(steps.items.some((s) => s.name === 'timeout'), false);
        assert.equal(await second.app.store.oldestActiveExecution(), null);
        assert.deepEqual(await second.app.store.dueTimers(Number.MAX_SAFE_INTEGER, 10), [], 'its reply timeout went with it');
        assert.equal(await second.app.executions.fireDueTimers(), 0, 'nothing fires twice');
      } finally {
        await second.app.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an execution that cannot be ended for its age does not hold up the others', async () => {
    const clock = { ms: Date.parse('2026-03-01T00:00:00Z') };
    const store = new SqliteStore({ path: ':memory:' });
    const { app, account, create } = await start(loadConfig({}, { SWITCHBOARD_EXECUTION_MAX_AGE: '300' }), clock, store);
    try {
      const flow = await app.flows.create(account.sid, { friendlyName: 'survey', status: 'published', definition: survey });
      const broken = (await create(flow.sid, '+15551230001')).json().sid as string;
      clock.ms += 1;
      const healthy = (await create(flow.sid, '+15551230002')).json().sid as string;
      await app.executions.idle();
      // The older one's state is damaged: its sprint throws.
      store.db.prepare(`UPDATE executions SET state = 'null' WHERE sid = ?`).run(broken);
      clock.ms += 301_000;
      await assert.rejects(app.executions.fireDueTimers());
      await app.executions.idle();
      assert.equal((await app.store.getExecutionBySid(healthy))?.status, 'ended', 'the one behind it still ended');
      assert.equal((await app.store.getExecutionBySid(broken))?.status, 'active', 'left for a later round');
      // Not tried again at once (the timer loop would spin on it): after a lease, as a failed timer is.
      assert.equal(await app.executions.fireDueTimers(), 0);
      clock.ms += 31_000;
      await assert.rejects(app.executions.fireDueTimers());
    } finally {
      await app.close();
    }
  });

  it("an age-cap timer written by a node from before migration 6 (a rolling upgrade) still ends its execution", async () => {
    const clock = { ms: Date.parse('2026-03-01T00:00:00Z') };
    const store = new SqliteStore({ path: ':memory:' });
    const { app, account, create } = await start(loadConfig({}, {}), clock, store);
    try {
      const flow = await app.flows.create(account.sid, { friendlyName: 'survey', status: 'published', definition: survey });
      const sid = (await create(flow.sid, '+15551230001')).json().sid as string;
      await app.executions.idle();
      store.db.prepare('INSERT INTO timers (id, execution_sid, account_sid, due_at) VALUES (?, ?, ?, ?)').run('EX' + sid.slice(2), sid, account.sid, clock.ms + 60_000);
      clock.ms += 61_000;
      assert.equal(await app.executions.fireDueTimers(), 1);
      await app.executions.idle();
      const execution = await app.store.getExecutionBySid(sid);
      assert.equal(execution?.status, 'ended');
      assert.equal((execution?.state as { endReason?: { kind: string } }).endReason?.kind, 'expired');
      assert.deepEqual(await app.store.dueTimers(Number.MAX_SAFE_INTEGER, 10), [], 'the old timer is consumed, and the reply timeout went with the execution');
      assert.equal((await app.store.listAlerts(account.sid, {}, { pageSize: 10 })).items.length, 0, 'no alert about an unexpected event');
    } finally {
      await app.close();
    }
  });

  it('such an old age-cap timer of an execution already ended is consumed, not fired again after every lease', async () => {
    const clock = { ms: Date.parse('2026-03-01T00:00:00Z') };
    const store = new SqliteStore({ path: ':memory:' });
    const { app, account, create } = await start(loadConfig({}, {}), clock, store);
    try {
      const flow = await app.flows.create(account.sid, { friendlyName: 'survey', status: 'published', definition: survey });
      const sid = (await create(flow.sid, '+15551230001')).json().sid as string;
      await app.executions.idle();
      store.db.prepare('INSERT INTO timers (id, execution_sid, account_sid, due_at) VALUES (?, ?, ?, ?)').run('EX' + sid.slice(2), sid, account.sid, clock.ms + 60_000);
      await app.executions.end(account.sid, flow.sid, sid);
      clock.ms += 61_000;
      assert.equal(await app.executions.fireDueTimers(), 1);
      await app.executions.idle();
      assert.deepEqual(store.db.prepare(`SELECT id FROM timers WHERE id LIKE 'EX%'`).all(), [], 'the old timer is gone');
      clock.ms += 31_000;
      assert.equal(await app.executions.fireDueTimers(), 0, 'nothing fires again once its lease runs out');
    } finally {
      await app.close();
    }
  });
});
