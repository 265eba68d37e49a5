// `switchboard migrate-store` keeps the inbound receipts: a message taken on a SQLite store, the store
// copied to PostgreSQL by the real CLI, then Twilio's retry of that webhook (the same MessageSid) posted
// to a server on the copy. It is a retry there too: no second execution, no second reply, answered as
// Switchboard answers a retry. Without the receipts the copy would run the message again.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { computeSignature } from '../../src/api/wire/signature.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import type { Account, Store } from '../../src/runtime/ports/store.ts';
import { DATABASE_URL, SKIP_REASON, dropSchema, testSchemaName } from './postgres-support.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const echo = JSON.parse(readFileSync(new URL('../fixtures/flows/sms-echo.json', import.meta.url), 'utf8'));
const BASE = 'https://sb.example.com';
const FLOW_ADDRESS = '+15005550006';
const CONTACT = '+15552220001';

const config = () => ({ ...loadConfig({}, {}), dataDir: ':memory:', publicBaseUrl: BASE, inboundExecutionRate: 0, restExecutionRate: 0 });

/** Posts the message webhook as Twilio does (signed), and waits for what it started. */
async function post(app: App, account: Account, flowSid: string, params: Record<string, string>) {
  const path = `/v1/Accounts/${account.sid}/Flows/${flowSid}`;
  const res = await app.server.inject({
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': computeSignature(account.authToken, BASE + path, params) },
    payload: new URLSearchParams(params).toString(),
  });
  assert.equal(res.statusCode, 200, res.body);
  await app.executions.idle();
  return { contentType: res.headers['content-type'], body: res.body };
}

const executionsOf = async (store: Store, account: Account, flowSid: string) => (await store.listExecutions(account.sid, flowSid, {}, { pageSize: 50 })).items;
const replies = (app: App) => app.simulator.transcript(FLOW_ADDRESS, CONTACT).filter((m) => m.direction === 'outbound-api');

if (SKIP_REASON) {
  it('migrate-store keeps inbound receipts: a retried webhook is not run again on PostgreSQL', { skip: SKIP_REASON }, () => {});
} else {
  describe('migrate-store keeps inbound receipts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-migrate-receipts-'));
    const schema = testSchemaName();
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      await dropSchema(schema);
    });

    it('a webhook taken on SQLite and retried after the move to PostgreSQL is not run again', async () => {
      // On SQLite: the message is taken (the flow replies and ends), and a retry then is answered as one.
      const message = { MessageSid: 'SM' + 'c'.repeat(32), AccountSid: '', From: CONTACT, To: FLOW_ADDRESS, Body: 'hello', NumMedia: '0' };
      const sqlite = await createApp(config(), { store: new SqliteStore({ path: join(dir, 'switchboard.db') }) });
      let account: Account;
      let flowSid: string;
      let retryAnswer: Awaited<ReturnType<typeof post>>;
      try {
        ({ account } = await sqlite.accounts.ensureStartupAccount());
        flowSid = (await sqlite.flows.create(account.sid, { friendlyName: 'echo', status: 'published', definition: echo })).sid;
        message.AccountSid = account.sid;
        await post(sqlite, account, flowSid, message);
        retryAnswer = await post(sqlite, account, flowSid, message);
        const executions = await executionsOf(sqlite.store, account, flowSid);
        assert.equal(executions.length, 1, 'a retry on SQLite runs nothing');
        assert.equal(executions[0]!.status, 'ended');
        assert.equal(replies(sqlite).length, 1);
      } finally {
        await sqlite.close(); // and the store
      }

      const run = spawnSync(process.execPath, [MAIN, 'migrate-store', '--from', `sqlite:${dir}`, '--to', DATABASE_URL!, '--database-schema', schema], {
        encoding: 'utf8',
        env: { ...process.env, DATABASE_URL: '' },
      });
      assert.equal(run.status, 0, run.stderr + run.stdout);

      // On the copy: the same webhook again (Twilio retrying a delivery whose answer was lost in the move).
      const target = new PostgresStore({ connectionString: DATABASE_URL!, schema });
      const postgres = await createApp(config(), { store: target });
      try {
        const before = await executionsOf(target, account, flowSid);
        assert.equal(before.length, 1, 'the execution was copied');
        const answer = await post(postgres, account, flowSid, message);
        assert.deepEqual(await executionsOf(target, account, flowSid), before, 'no second execution');
        assert.equal(replies(postgres).length, 0, 'no second reply');
        assert.deepEqual(answer, retryAnswer, 'answered as Switchboard answers a retry');
        // A new message still runs: the receipt is of that MessageSid alone.
        await post(postgres, account, flowSid, { ...message, MessageSid: 'SM' + 'd'.repeat(32) });
        assert.equal((await executionsOf(target, account, flowSid)).length, 2);
      } finally {
        await postgres.close();
      }
      assert.match(run.stdout, /receipts\s+1\b/, 'the summary counts the receipt');
      assert.doesNotMatch(run.stdout, /MISMATCH/);
    });
  });
}
