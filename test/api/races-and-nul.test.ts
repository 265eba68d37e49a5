// Requests racing each other on one flow, and NUL characters in request values, on every store:
// SQLite inline, SQLite with its writer thread, PostgreSQL (one node and two nodes on one schema).
// Concurrent updates each get a revision of their own; an update or create racing the flow's delete
// is a 404, never a 500; a NUL is a 400 naming the parameter and never fails another request.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startTestServer, form, FORM, type TestServer } from '../support/server.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { DATABASE_URL, SKIP_REASON, dropSchema, testSchemaName } from '../store/postgres-support.ts';
import type { SprintWrite, Store } from '../../src/runtime/ports/store.ts';
import { toApiError } from '../../src/api/wire/error-mapping.ts';

const survey = readFileSync(new URL('../fixtures/flows/survey.json', import.meta.url), 'utf8');

interface Backend {
  name: string;
  skip?: string | false;
  /** One or more app nodes on one store (`store`: the first node's, unwrapped); `dispose` after closing them. */
  start(): Promise<{ nodes: TestServer[]; store: Store; dispose: () => Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'SQLite inline',
    async start() {
      const store = new SqliteStore({ path: ':memory:' });
      return { nodes: [await startTestServer({ store })], store, dispose: async () => {} };
    },
  },
  {
    name: 'SQLite writer thread',
    async start() {
      const dir = mkdtempSync(join(tmpdir(), 'sb-races-'));
      const store = new SqliteStore({ path: join(dir, 'db.sqlite'), writer: 'thread' });
      return { nodes: [await startTestServer({ store })], store, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'PostgreSQL, two nodes',
    skip: SKIP_REASON,
    async start() {
      const schema = testSchemaName();
      const open = () => new PostgresStore({ connectionString: DATABASE_URL!, schema, poolSize: 4 });
      const store = open();
      const first = await startTestServer({ store: store as unknown as SqliteStore });
      const second = await startTestServer({ store: open() as unknown as SqliteStore });
      return { nodes: [first, second], store, dispose: () => dropSchema(schema) };
    },
  },
];

for (const backend of backends) {
  describe(`races and NUL characters: ${backend.name}`, { skip: backend.skip || false }, () => {
    let nodes: TestServer[];
    let store: Store;
    let dispose: () => Promise<void>;
    before(async () => {
      ({ nodes, store, dispose } = await backend.start());
    });
    after(async () => {
      for (const node of nodes ?? []) await node.close();
      await dispose?.();
    });

    /** A request on node i (round robin), with the first node's account. */
    const call = (i: number, method: 'GET' | 'POST' | 'DELETE', url: string, body?: string) => {
      const node = nodes[i % nodes.length]!;
      return node.app.server.inject({ method, url, payload: body, headers: { authorization: nodes[0]!.auth, ...(body !== undefined ? FORM : {}) } });
    };
    const createFlow = async () => {
      const res = await call(0, 'POST', '/v2/Flows', form({ FriendlyName: 'survey', Status: 'published', Definition: survey }));
      assert.equal(res.statusCode, 201, res.body);
      return res.json().sid as string;
    };
    const contact = (n: number) => '+1555000' + String(n).padStart(4, '0');

    it('concurrent updates of one flow each get 200 and a revision of their own', async () => {
      const sid = await createFlow();
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, n) => call(n, 'POST', `/v2/Flows/${sid}`, form({ Status: 'published', CommitMessage: `c${n}` }))),
      );
      assert.deepEqual(answers.map((res) => res.statusCode), Array(10).fill(200), answers.map((res) => res.body).join('\n'));
      const revisions = answers.map((res) => res.json().revision as number).sort((a, b) => a - b);
      assert.deepEqual(revisions, Array.from({ length: 10 }, (_, n) => n + 2));
      // Each revision is the commit its answer showed.
      for (const res of answers) {
        const { revision, commit_message } = res.json();
        const saved = await call(0, 'GET', `/v2/Flows/${sid}/Revisions/${revision}`);
        assert.equal(saved.json().commit_message, commit_message);
      }
      const head = await call(0, 'GET', `/v2/Flows/${sid}`);
      assert.equal(head.json().revision, 11);
    });

    it('updates racing the delete of their flow are 200 or 404, never 500', async () => {
      const sid = await createFlow();
      const updates = Array.from({ length: 8 }, (_, n) => call(n, 'POST', `/v2/Flows/${sid}`, form({ Status: 'published', CommitMessage: `c${n}` })));
      const deleted = call(1, 'DELETE', `/v2/Flows/${sid}`);
      const answers = await Promise.all(updates);
      assert.equal((await deleted).statusCode, 204);
      for (const res of answers) {
        assert.ok(res.statusCode === 200 || res.statusCode === 404, res.body);
        if (res.statusCode === 404) assert.equal(res.json().code, 20404);
      }
      const after = await call(0, 'POST', `/v2/Flows/${sid}`, form({ Status: 'published' }));
      assert.equal(after.statusCode, 404);
    });

    it('creates and inbound messages racing the delete of their flow are 201/200 or 404, never 500', async () => {
      const sid = await createFlow();
      const accountSid = nodes[0]!.account.sid;
      const requests = Array.from({ length: 16 }, (_, n) =>
        n % 2 === 0
          ? call(n, 'POST', `/v2/Flows/${sid}/Executions`, form({ To: contact(n), From: '+15550000000' }))
          : call(n, 'POST', `/v1/Accounts/${accountSid}/Flows/${sid}`, form({ From: contact(n), To: '+15550000000', Body: 'hi', MessageSid: 'SM' + String(n).padStart(32, '0') })),
      );
      await new Promise((resolve) => setImmediate(resolve));
      const deleted = call(1, 'DELETE', `/v2/Flows/${sid}`);
      const answers = await Promise.all(requests);
      assert.equal((await deleted).statusCode, 204);
      for (const [n, res] of answers.entries()) {
        const ok = n % 2 === 0 ? 201 : 200;
        assert.ok(res.statusCode === ok || res.statusCode === 404, `${n}: ${res.statusCode} ${res.body}`);
        if (res.statusCode === 404) assert.equal(res.json().code, 20404);
      }
    });

    it('a create or inbound message whose flow is deleted just before its execution is written is a 404', async () => {
      const accountSid = nodes[0]!.account.sid;
      const original = store.writeSprint;
      try {
        for (const webhook of [false, true]) {
          const sid = await createFlow();
          // Another node's delete, between this node reading the flow and writing the new execution.
          store.writeSprint = async (write: SprintWrite) => {
            if (write.isNew && write.execution.flowSid === sid) await store.deleteFlow(accountSid, sid);
            return original.call(store, write);
          };
          const res = webhook
            ? await call(0, 'POST', `/v1/Accounts/${accountSid}/Flows/${sid}`, form({ From: contact(40), To: '+15550000000', Body: 'hi' }))
            : await call(0, 'POST', `/v2/Flows/${sid}/Executions`, form({ To: contact(41), From: '+15550000000' }));
          assert.equal(res.statusCode, 404, res.body);
          assert.equal(res.json().code, 20404);
          const path = webhook ? `/v1/Accounts/${accountSid}/Flows/${sid}` : `/v2/Flows/${sid}`;
          assert.equal(res.json().message, `The requested resource ${path} was not found`);
          store.writeSprint = original;
        }
      } finally {
        store.writeSprint = original;
      }
    });

    it('a NUL in a form value is a 400 naming the parameter, and other requests of the moment succeed', async () => {
      const sid = await createFlow();
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, n) => {
          const to = n === 5 ? `+1555000\u00004` : contact(100 + n);
          return call(n, 'POST', `/v2/Flows/${sid}/Executions`, form({ To: to, From: '+15550000000' }));
        }),
      );
      for (const [n, res] of answers.entries()) {
        if (n === 5) {
          assert.equal(res.statusCode, 400, res.body);
          assert.equal(res.json().code, 20001);
          assert.match(res.json().message, /Invalid parameter To: .*NUL/);
        } else {
          assert.equal(res.statusCode, 201, `${n}: ${res.body}`);
        }
      }
      // The survey waits for a reply: each execution set its timer.
      const list = await call(0, 'GET', `/v2/Flows/${sid}/Executions?PageSize=50`);
      assert.equal(list.json().executions.length, 11);
    });

    it('refuses NUL in every stored text field, in forms, JSON bodies and query strings', async () => {
      const sid = await createFlow();
      const accountSid = nodes[0]!.account.sid;
      const cases: [string, string, string, string][] = [
        ['POST', '/v2/Flows', form({ FriendlyName: 'a\u0000b', Status: 'draft', Definition: survey }), 'FriendlyName'],
        ['POST', `/v2/Flows/${sid}`, form({ Status: 'published', CommitMessage: 'a\u0000b' }), 'CommitMessage'],
        ['POST', `/v2/Flows/${sid}/Executions`, form({ To: contact(1), From: '+1\u0000' }), 'From'],
        ['POST', `/v1/Flows/${sid}/Executions`, form({ To: contact(1), From: '+1\u0000' }), 'From'],
        ['POST', `/simulator/Flows/${sid}/Messages`, form({ From: '+1555\u00001' }), 'From'],
        ['POST', `/v1/Accounts/${accountSid}/Flows/${sid}`, form({ From: '+1555\u00001', To: '+15550000000', Body: 'hi' }), 'From'],
        ['POST', `/v2/Flows/${sid}/TestUsers`, form({ TestUsers: ['+1', '+2\u0000'] }), 'TestUsers'],
        ['GET', `/v2/Flows/${sid}/Executions?status=active%00`, '', 'status'],
      ];
      for (const [method, url, body, name] of cases) {
        const res = await call(0, method as 'GET' | 'POST', url, method === 'GET' ? undefined : body);
        assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
        assert.equal(res.json().code, 20001);
        assert.match(res.json().message, new RegExp(`Invalid parameter ${name}: must not contain a NUL`), url);
      }
      const json = await nodes[0]!.app.server.inject({
        method: 'POST',
        url: `/v2/Flows/${sid}/Executions`,
        payload: JSON.stringify({ To: 'x\u0000', From: '+15550000000' }),
        headers: { authorization: nodes[0]!.auth, 'content-type': 'application/json' },
      });
      assert.equal(json.statusCode, 400);
      assert.match(json.json().message, /Invalid parameter To/);
      // A widget name with an escaped NUL (valid JSON) would become each step's name.
      const named = JSON.parse(survey);
      named.states[1].name = 'a\u0000b';
      const definition = await call(0, 'POST', '/v2/Flows', form({ FriendlyName: 'x', Status: 'draft', Definition: JSON.stringify(named) }));
      assert.equal(definition.statusCode, 400, definition.body);
      assert.equal(definition.json().code, 81022);
      assert.equal(definition.json().details.errors[0].property_path, '#/states/1/name');
      assert.equal((await call(0, 'GET', `/v2/Flows/${sid}`)).json().revision, 1, 'nothing was saved');
    });

    it('keeps an escaped NUL inside Parameters, and drops a NUL from an inbound message Body', async () => {
      const sid = await createFlow();
      const accountSid = nodes[0]!.account.sid;
      const created = await call(0, 'POST', `/v2/Flows/${sid}/Executions`, form({ To: contact(7), From: '+15550000000', Parameters: '{"note":"a\\u0000b"}' }));
      assert.equal(created.statusCode, 201, created.body);
      const context = await call(0, 'GET', `/v2/Flows/${sid}/Executions/${created.json().sid}/Context`);
      assert.equal(context.json().context.flow.data.note, 'a\u0000b');
      // The active count (metrics, on a shared store) reads every active execution's state, this one's too.
      const counted = await nodes[0]!.app.store.countActiveExecutions?.();
      if (counted) assert.ok(counted.active >= 1);

      const inbound = await call(0, 'POST', `/v1/Accounts/${accountSid}/Flows/${sid}`, form({ From: contact(8), To: '+15550000000', Body: 'he\u0000llo', MessageSid: 'SM' + 'e'.repeat(32) }));
      assert.equal(inbound.statusCode, 200, inbound.body);
      const list = (await call(0, 'GET', `/v2/Flows/${sid}/Executions?PageSize=50`)).json().executions as { sid: string; contact_channel_address: string }[];
      const execution = list.find((e) => e.contact_channel_address === contact(8));
      assert.ok(execution);
      const trigger = await call(0, 'GET', `/v2/Flows/${sid}/Executions/${execution.sid}/Context`);
      assert.equal(trigger.json().context.trigger.message.Body, 'hello');
    });

    const postJson = (url: string, body: string, i = 0) =>
      nodes[i % nodes.length]!.app.server.inject({ method: 'POST', url, payload: body, headers: { authorization: nodes[0]!.auth, 'content-type': 'application/json' } });

    it('a lone surrogate in a JSON body becomes U+FFFD, and other requests of the moment succeed', async () => {
      const sid = await createFlow();
      const accountSid = nodes[0]!.account.sid;
      // The escapes stay in the body text (JSON.stringify would write them the same way).
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, n) =>
          postJson(`/v2/Flows/${sid}/Executions`, n === 3 ? '{"To":"+1555\\ud800","From":"+1","Parameters":{"k\\udc00":"v\\ud800x"}}' : JSON.stringify({ To: contact(200 + n), From: '+15550000000' }), n),
        ),
      );
      for (const [n, res] of answers.entries()) assert.equal(res.statusCode, 201, `${n}: ${res.body}`);
      const odd = answers[3]!.json();
      assert.equal(odd.contact_channel_address, '+1555\uFFFD');
      const context = await call(0, 'GET', `/v2/Flows/${sid}/Executions/${odd.sid}/Context`);
      assert.deepEqual(context.json().context.flow.data, { 'k\uFFFD': 'v\uFFFDx' });
      // JSON-in-form Parameters, and a webhook's JSON body.
      const inForm = await call(0, 'POST', `/v2/Flows/${sid}/Executions`, form({ To: contact(210), From: '+15550000000', Parameters: '{"n":"\\udfff"}' }));
      assert.equal(inForm.statusCode, 201, inForm.body);
      const data = await call(0, 'GET', `/v2/Flows/${sid}/Executions/${inForm.json().sid}/Context`);
      assert.equal(data.json().context.flow.data.n, '\uFFFD');
      const hook = await postJson(`/v1/Accounts/${accountSid}/Flows/${sid}`, JSON.stringify({ From: contact(211), To: '+15550000000', Body: 'hi \ud83d!', MessageSid: 'SM' + 'f'.repeat(32) }));
      assert.equal(hook.statusCode, 200, hook.body);
      const list = (await call(0, 'GET', `/v2/Flows/${sid}/Executions?PageSize=50`)).json().executions as { sid: string; contact_channel_address: string }[];
      const execution = list.find((e) => e.contact_channel_address === contact(211));
      assert.ok(execution);
      const trigger = await call(0, 'GET', `/v2/Flows/${sid}/Executions/${execution.sid}/Context`);
      assert.equal(trigger.json().context.trigger.message.Body, 'hi \uFFFD!');
    });

    it('a lone surrogate in a Definition becomes U+FFFD, and the flow runs', async () => {
      const named = JSON.parse(survey);
      named.states[1].name = 'ask\udc00';
      for (const state of named.states) for (const t of state.transitions) if (t.next === 'ask') t.next = 'ask\udc00';
      const created = await call(0, 'POST', '/v2/Flows', form({ FriendlyName: 'lone', Status: 'published', Definition: JSON.stringify(named) }));
      assert.equal(created.statusCode, 201, created.body);
      const sid = created.json().sid as string;
      assert.equal(created.json().definition.states[1].name, 'ask\uFFFD');
      const revision = await call(0, 'GET', `/v2/Flows/${sid}/Revisions/1`);
      assert.equal(revision.json().definition.states[0].transitions[0].next, 'ask\uFFFD');
      const run = await call(0, 'POST', `/v2/Flows/${sid}/Executions`, form({ To: contact(220), From: '+15550000000' }));
      assert.equal(run.statusCode, 201, run.body);
      const steps = await call(0, 'GET', `/v2/Flows/${sid}/Executions/${run.json().sid}/Steps`);
      assert.ok(steps.json().steps.some((step: { transitioned_to: string }) => step.transitioned_to === 'ask\uFFFD'), steps.body);
    });

    it('an over-long MessageSid or CallSid on the flow webhook is a 400 naming it (a stored key; was a 500 on PostgreSQL)', async () => {
      const sid = await createFlow();
      const accountSid = nodes[0]!.account.sid;
      const hook = `/v1/Accounts/${accountSid}/Flows/${sid}`;
      // Random: PostgreSQL compresses a repetitive key below its index row limit.
      const long = (prefix: string) => prefix + randomBytes(5_000).toString('hex');
      const cases: [string, Record<string, string>, string][] = [
        ['message', { From: contact(300), To: '+15550000000', Body: 'x', MessageSid: long('SM') }, 'MessageSid'],
        ['conversation', { ConversationSid: 'CH' + '1'.repeat(32), Author: 'u1', Body: 'x', MessageSid: long('IM') }, 'MessageSid'],
        ['call', { From: contact(301), To: '+15550000000', CallSid: long('CA'), CallStatus: 'ringing' }, 'CallSid'],
      ];
      for (const [kind, fields, name] of cases) {
        const res = await call(0, 'POST', hook, form(fields));
        assert.equal(res.statusCode, 400, `${kind}: ${res.body}`);
        assert.equal(res.json().code, 20001);
        assert.match(res.json().message, new RegExp(`Invalid parameter ${name}: is 10002 characters long`), kind);
      }
      // A call handed back with <Redirect method="GET"> has its parameters in the query.
      const get = await call(0, 'GET', `${hook}?FlowEvent=return&CallSid=${long('CA')}`);
      assert.equal(get.statusCode, 400, get.body);
      assert.match(get.json().message, /Invalid parameter CallSid/);
      // At the bound, a message is taken (and its receipt stored).
      const edge = await call(0, 'POST', hook, form({ From: contact(302), To: '+15550000000', Body: 'x', MessageSid: 'SM' + 'b'.repeat(254) }));
      assert.equal(edge.statusCode, 200, edge.body);
    });

    it('AuthorSid must be a User SID', async () => {
      const sid = await createFlow();
      for (const [url, extra] of [['/v2/Flows', { FriendlyName: 'a', Definition: survey }], [`/v2/Flows/${sid}`, {}]] as const) {
        const bogus = await call(0, 'POST', url, form({ Status: 'draft', AuthorSid: 'bogus', ...extra }));
        assert.equal(bogus.statusCode, 400, bogus.body);
        assert.equal(bogus.json().code, 20001);
        assert.match(bogus.json().message, /AuthorSid/);
        const user = 'US' + 'ab'.repeat(16);
        const good = await call(0, 'POST', url, form({ Status: 'draft', AuthorSid: user, ...extra }));
        assert.ok(good.statusCode === 200 || good.statusCode === 201, good.body);
        assert.equal(good.json().author_sid, user);
      }
    });
  });
}

describe('error mapping of a NUL the database refused', () => {
  it("PostgreSQL's refusal of a NUL (22021, 22P05) is a 400/20001, not a 500", () => {
    for (const code of ['22021', '22P05']) {
      const mapped = toApiError(Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code }), 1024);
      assert.equal(mapped.status, 400);
      assert.equal(mapped.code, 20001);
      assert.match(mapped.message, /NUL/);
    }
  });
});
