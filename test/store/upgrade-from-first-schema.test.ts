// An upgrade from the oldest SQLite schema that held executions (version 3), as the first releases left
// it: the rows below are what such a release wrote for two executions of one flow waiting at a Send & Wait
// for Reply (state, stored context, step, reply timers and the 30-day expiry timers of the time), copied
// from a data directory it made. This version must migrate the file and carry both on: one takes the
// contact's reply, the other's timeout (due while the server was stopped) fires at start; what the old
// version served for them is served unchanged until they move.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrations.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { FORM, form, startTestServer } from '../support/server.ts';
import { sqliteUserVersion } from '../support/older-schema.ts';

const root = mkdtempSync(join(tmpdir(), 'switchboard-upgrade-first-'));
after(() => rmSync(root, { recursive: true, force: true }));

const AC = 'AC5fbf742753ffc4828b826bf50ee8ede4';
const TOKEN = 'f13f6b64e855725bec429e5b3a255025';
const FW = 'FWfe0052e40b6e2c6121154786f34eac0e';
const CHANNEL = '+15559990000';
const DEFINITION =
  '{"description":"quick timeout","states":[{"name":"Trigger","type":"trigger","transitions":[{"event":"incomingMessage"},{"event":"incomingCall"},{"event":"incomingConversationMessage"},{"event":"incomingRequest","next":"ask"},{"event":"incomingParent"}],"properties":{"offset":{"x":0,"y":0}}},{"name":"ask","type":"send-and-wait-for-reply","transitions":[{"event":"incomingMessage","next":"thanks"},{"event":"timeout","next":"late"},{"event":"deliveryFailure"}],"properties":{"offset":{"x":0,"y":200},"from":"{{flow.channel.address}}","body":"Hi {{flow.data.name | default: \\"there\\"}} – how are you? ✓","timeout":"75"}},{"name":"thanks","type":"send-message","transitions":[{"event":"sent"},{"event":"failed"}],"properties":{"offset":{"x":0,"y":400},"from":"{{flow.channel.address}}","to":"{{contact.channel.address}}","body":"ok"}},{"name":"late","type":"send-message","transitions":[{"event":"sent"},{"event":"failed"}],"properties":{"offset":{"x":0,"y":400},"from":"{{flow.channel.address}}","to":"{{contact.channel.address}}","body":"timed out"}}],"initial_state":"Trigger","flags":{"allow_concurrent_calls":true}}';

interface OldExecution {
  seq: number;
  sid: string;
  contact: string;
  timer: string;
  step: string;
  created: number;
}

/** Waits for a reply; its timeout is far off. */
const REPLYING: OldExecution = { seq: 1, sid: 'FNc1d1c24f467c30b7dc02f3fe8648eb15', contact: '+15550002002', timer: 'TM1c5b6c5f58c8db0921a04aeb7e9b5843', step: 'FT7c3ae3f9cd2f99724bfb9b5dd34c5112', created: 1795969198976 };
/** Its timeout fell due while the server was stopped. */
const TIMING_OUT: OldExecution = { seq: 2, sid: 'FN5ed6984738d71984e670dd35807c2958', contact: '+15550003001', timer: 'TM42a56a1058266add7fee956c646f6374', step: 'FT8c979158f8cdaea5e58087e15516b254', created: 1795969198991 };

const trigger = (e: OldExecution) => `{"request":{"from":"${CHANNEL}","to":"${e.contact}","parameters":{}}}`;

/** The state as that release wrote it: no stepBytes, contextBytes, dueAt or effectId. */
const oldState = (e: OldExecution) =>
  `{"executionSid":"${e.sid}","accountSid":"${AC}","flowSid":"${FW}","channelAddress":"${CHANNEL}","contactAddress":"${e.contact}","status":"active","frames":[{"flowSid":"${FW}","revision":1,"current":"ask","wait":{"kind":"reply","timerId":"${e.timer}","outbound":{"Sid":"SM6a6b5f604f5b64e3abf5ad9042594a08","AccountSid":"${AC}","From":"${CHANNEL}","To":"${e.contact}","Body":"Hi there – how are you? ✓","Status":"queued","NumSegments":"1","NumMedia":"0","Direction":"outbound-api","DateCreated":"Sun, 29 Nov 2026 16:19:58 +0000"}},"trigger":${trigger(e)},"variables":{},"data":{},"widgets":{}}],"stepCount":1,"lastWidget":{"name":"ask","count":1},"lastStepSid":"${e.step}","endReason":null}`;

/** The context column that release kept (and served from) beside the state. */
const oldContext = (e: OldExecution) =>
  `{"flow":{"flow_sid":"${FW}","sid":"${e.sid}","channel":{"address":"${CHANNEL}"},"data":{},"variables":{}},"trigger":${trigger(e)},"widgets":{},"contact":{"channel":{"address":"${e.contact}"}}}`;

function firstSchemaFile(path: string, now: number): void {
  const db = new DatabaseSync(path);
  try {
    db.exec('PRAGMA journal_mode = WAL');
    for (const migration of SQLITE_MIGRATIONS.slice(0, 3)) db.exec(migration);
    db.exec('PRAGMA user_version = 3');
    db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('dev_account_sid', AC);
    db.prepare('INSERT INTO accounts VALUES (?, ?, ?, ?)').run(AC, TOKEN, 'Development account', 1795969192013);
    db.prepare(
      'INSERT INTO flows (seq, sid, account_sid, friendly_name, status, revision, published_revision, commit_message, author_sid, valid, errors, warnings, test_users, date_created, date_updated) VALUES (1, ?, ?, ?, ?, 1, 1, NULL, NULL, 1, ?, ?, ?, ?, NULL)',
    ).run(FW, AC, 'Quick', 'published', '[]', '[]', '[]', 1795969198688);
    db.prepare('INSERT INTO flow_revisions VALUES (?, 1, ?, ?, ?, ?, NULL, NULL, 1, ?, ?, ?, NULL)').run(FW, AC, 'Quick', DEFINITION, 'published', '[]', '[]', 1795969198688);
    for (const e of [REPLYING, TIMING_OUT]) {
      db.prepare(
        'INSERT INTO executions (seq, sid, account_sid, flow_sid, flow_version, contact_sid, contact_channel_address, channel_address, status, initiated_by, state, context, date_created, date_updated, version) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, 3)',
      ).run(e.seq, e.sid, AC, FW, 'FC' + e.sid.slice(2), e.contact, CHANNEL, 'active', 'RQ' + e.sid.slice(2), oldState(e), oldContext(e), e.created, e.created + 15);
      db.prepare('INSERT INTO steps (seq, sid, account_sid, flow_sid, execution_sid, parent_step_sid, name, context, transitioned_from, transitioned_to, type, date_created, date_updated) VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, NULL)').run(
        e.seq, e.step, AC, FW, e.sid, 'incomingRequest', trigger(e), 'Trigger', 'ask', 'trigger', e.created,
      );
      // The 30-day expiry timer every execution had then, and the reply timeout.
      db.prepare('INSERT INTO timers (id, execution_sid, account_sid, due_at) VALUES (?, ?, ?, ?)').run('EX' + e.sid.slice(2), e.sid, AC, now + 30 * 86_400_000);
      db.prepare('INSERT INTO timers (id, execution_sid, account_sid, due_at) VALUES (?, ?, ?, ?)').run(e.timer, e.sid, AC, e === TIMING_OUT ? now - 60_000 : now + 3_600_000);
    }
  } finally {
    db.close();
  }
}

describe('upgrading a data directory of the first schema with executions (version 3)', () => {
  it('migrates it; a waiting execution takes its reply, an overdue timeout fires, the old context is served as it was', async () => {
    const path = join(root, 'switchboard.db');
    firstSchemaFile(path, Date.now());
    const store = new SqliteStore({ path });
    assert.equal(sqliteUserVersion(path), SQLITE_MIGRATIONS.length);
    const server = await startTestServer({ store });
    try {
      assert.equal(server.account.sid, AC, 'the development account of the old version is kept');
      const get = async (url: string) => {
        const res = await server.app.server.inject({ method: 'GET', url, headers: { authorization: server.auth } });
        assert.equal(res.statusCode, 200, res.body);
        return res.json();
      };
      const steps = async (e: OldExecution) =>
        ((await get(`/v2/Flows/${FW}/Executions/${e.sid}/Steps`)).steps as { transitioned_from: string; name: string; transitioned_to: string }[]).map(
          (s) => `${s.transitioned_from} -${s.name}-> ${s.transitioned_to}`,
        );

      const context = await get(`/v2/Flows/${FW}/Executions/${REPLYING.sid}/Context`);
      assert.deepEqual(context.context, JSON.parse(oldContext(REPLYING)));

      const reply = await server.app.server.inject({
        method: 'POST',
        url: `/v1/Accounts/${AC}/Flows/${FW}`,
        headers: { ...FORM, authorization: server.auth },
        payload: form({ From: REPLYING.contact, To: CHANNEL, Body: 'fine', MessageSid: 'SM' + '1'.repeat(32), AccountSid: AC }),
      });
      assert.equal(reply.statusCode, 200, reply.body);

      const deadline = Date.now() + 10_000;
      for (;;) {
        const [a, b] = [await get(`/v2/Flows/${FW}/Executions/${REPLYING.sid}`), await get(`/v2/Flows/${FW}/Executions/${TIMING_OUT.sid}`)];
        if (a.status === 'ended' && b.status === 'ended') break;
        assert.ok(Date.now() < deadline, `still ${a.status} and ${b.status}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.deepEqual(await steps(REPLYING), ['Trigger -incomingRequest-> ask', 'ask -incomingMessage-> thanks', 'thanks -sent-> Ended']);
      assert.deepEqual(await steps(TIMING_OUT), ['Trigger -incomingRequest-> ask', 'ask -timeout-> late', 'late -sent-> Ended']);
      const answered = await get(`/v2/Flows/${FW}/Executions/${REPLYING.sid}/Context`);
      assert.equal(answered.context.widgets.ask.inbound.Body, 'fine');
    } finally {
      await server.close();
    }
    // The expiry timers of the time are gone (executions expire by their age); nothing is left pending.
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      assert.deepEqual(db.prepare('SELECT id FROM timers').all(), []);
    } finally {
      db.close();
    }
  });
});
