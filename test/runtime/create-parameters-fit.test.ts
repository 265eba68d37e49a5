// Parameters an execution's context cannot hold (it holds them twice: flow.data and
// trigger.request.parameters) are refused by the runtime's create, whoever calls it, before anything is
// stored: an invalid-parameter DomainError (a Twilio 400 at the API), not an execution that fails at once.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DomainError } from '../../src/runtime/errors.ts';
import { jsonBytes } from '../../src/engine/context-size.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const smsEcho = JSON.parse(readFileSync(new URL('../fixtures/flows/sms-echo.json', import.meta.url), 'utf8'));
const LIMIT = 8192;

describe('ExecutionService.create and Parameters too big for the context', () => {
  let t: TestServer;
  let flowSid: string;
  before(async () => {
    t = await startTestServer({ config: { maxContextBytes: LIMIT } });
    flowSid = (await t.app.flows.create(t.account.sid, { friendlyName: 'echo', status: 'published', definition: smsEcho })).sid;
  });
  after(() => t.close());

  it('refuses Parameters over half the limit with an invalid-parameter DomainError, and stores nothing', async () => {
    const parameters = { s: 'p'.repeat(LIMIT / 2) };
    const size = jsonBytes(parameters);
    await assert.rejects(
      t.app.executions.create(t.account.sid, flowSid, { to: '+15550400001', from: '+15005550006', parameters }, 'error'),
      (error: unknown) =>
        error instanceof DomainError &&
        error.kind === 'invalid-parameter' &&
        error.message ===
          `Invalid parameter Parameters: is ${size} bytes of JSON; the execution's context holds it twice (flow.data and trigger.request.parameters) and may hold ${LIMIT} bytes in all`,
    );
    assert.deepEqual((await t.app.store.listExecutions(t.account.sid, flowSid, {}, { pageSize: 10 })).items, []);
  });

  it('before anything else: an unknown flow is named only for Parameters that fit', async () => {
    const unknown = 'FW' + 'f'.repeat(32);
    await assert.rejects(
      t.app.executions.create(t.account.sid, unknown, { to: '+15550400002', from: '+15005550006', parameters: { s: 'p'.repeat(LIMIT) } }, 'error'),
      (error: unknown) => error instanceof DomainError && error.kind === 'invalid-parameter',
    );
    await assert.rejects(
      t.app.executions.create(t.account.sid, unknown, { to: '+15550400002', from: '+15005550006', parameters: {} }, 'error'),
      (error: unknown) => error instanceof DomainError && error.kind === 'not-found',
    );
  });

  it('starts an execution whose Parameters take exactly half the limit', async () => {
    // {"s":"…"} is 8 bytes besides the string.
    const parameters = { s: 'q'.repeat(LIMIT / 2 - 8) };
    assert.equal(2 * jsonBytes(parameters), LIMIT);
    const { execution, created } = await t.app.executions.create(t.account.sid, flowSid, { to: '+15550400003', from: '+15005550006', parameters }, 'error');
    assert.equal(created, true);
    assert.equal((await t.app.store.getExecution(t.account.sid, flowSid, execution.sid))?.sid, execution.sid);
  });
});
