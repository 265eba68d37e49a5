// Lost updates between two editors of one flow: GET and POST answer an ETag naming the flow's
// revision, and an update sent with If-Match is refused (412, code 20412, both revisions named) when
// someone saved another revision meanwhile — also when the two updates race, on every store. Without
// the header (the twilio SDKs never send it) updates work as before.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import twilio from 'twilio';
import { startTestServer, form, FORM, type TestServer } from '../support/server.ts';
import { specCheckingClient } from '../support/sdk.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { DATABASE_URL, SKIP_REASON, dropSchema, testSchemaName } from '../store/postgres-support.ts';

const definition = readFileSync(new URL('../fixtures/flows/sms-echo.json', import.meta.url), 'utf8');

/** While set, reads of a flow's head wait until `size` of them have arrived: racing updates all read one head. */
let barrier: { size: number; arrived: (() => void)[] } | null = null;

/** The store, with its getFlow held at the barrier (the store's other methods as they are). */
function racing(store: SqliteStore): SqliteStore {
  return new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (property === 'getFlow') {
        return async (...args: Parameters<SqliteStore['getFlow']>) => {
          const head = await target.getFlow(...args);
          const gate = barrier;
          if (gate) {
            await new Promise<void>((resolve) => {
              gate.arrived.push(resolve);
              if (gate.arrived.length === gate.size) {
                barrier = null;
                for (const go of gate.arrived) go();
              }
            });
          }
          return head;
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

interface Backend {
  name: string;
  skip?: string | false;
  start(): Promise<{ nodes: TestServer[]; dispose: () => Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'SQLite',
    async start() {
      return { nodes: [await startTestServer({ store: racing(new SqliteStore({ path: ':memory:' })) })], dispose: async () => {} };
    },
  },
  {
    name: 'PostgreSQL, two nodes',
    skip: SKIP_REASON,
    async start() {
      const schema = testSchemaName();
      const open = () => racing(new PostgresStore({ connectionString: DATABASE_URL!, schema, poolSize: 4 }) as unknown as SqliteStore);
      const nodes = [await startTestServer({ store: open() }), await startTestServer({ store: open() })];
      return { nodes, dispose: () => dropSchema(schema) };
    },
  },
];

for (const backend of backends) {
  describe(`If-Match on flow updates: ${backend.name}`, { skip: backend.skip || false }, () => {
    let nodes: TestServer[];
    let dispose: () => Promise<void>;
    before(async () => {
      ({ nodes, dispose } = await backend.start());
    });
    after(async () => {
      for (const node of nodes ?? []) await node.close();
      await dispose?.();
    });

    const call = (i: number, method: 'GET' | 'POST', url: string, body?: string, headers: Record<string, string> = {}) => {
      const node = nodes[i % nodes.length]!;
      return node.app.server.inject({ method, url, payload: body, headers: { authorization: nodes[0]!.auth, ...(body !== undefined ? FORM : {}), ...headers } });
    };
    const createFlow = async () => {
      const res = await call(0, 'POST', '/v2/Flows', form({ FriendlyName: 'edited twice', Status: 'draft', Definition: definition }));
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.headers.etag, '"1"');
      return res.json().sid as string;
    };
    const update = (sid: string, ifMatch?: string, i = 0, message = 'edit') =>
      call(i, 'POST', `/v2/Flows/${sid}`, form({ Status: 'draft', Definition: definition, CommitMessage: message }), ifMatch === undefined ? {} : { 'if-match': ifMatch });
    const revisions = async (sid: string) => (await call(0, 'GET', `/v2/Flows/${sid}/Revisions`)).json().revisions.map((r: { revision: number }) => r.revision);

    it('GET and POST answer the revision as ETag; an update naming the current revision saves', async () => {
      const sid = await createFlow();
      const fetched = await call(0, 'GET', `/v2/Flows/${sid}`);
      assert.equal(fetched.headers.etag, '"1"');
      const saved = await update(sid, fetched.headers.etag as string);
      assert.equal(saved.statusCode, 200, saved.body);
      assert.equal(saved.json().revision, 2);
      assert.equal(saved.headers.etag, '"2"');
      assert.equal((await call(1, 'GET', `/v2/Flows/${sid}`)).headers.etag, '"2"');
    });

    it('refuses an update whose If-Match names a revision someone saved over: 412, 20412, both revisions named, nothing saved', async () => {
      const sid = await createFlow();
      assert.equal((await update(sid, '"1"', 0, 'first tab')).statusCode, 200);
      const stale = await update(sid, '"1"', 1, 'second tab');
      assert.equal(stale.statusCode, 412, stale.body);
      const body = stale.json();
      assert.equal(body.code, 20412);
      assert.equal(body.status, 412);
      assert.equal(body.more_info, 'https://www.twilio.com/docs/errors/20412');
      assert.match(body.message, /at revision 2, but If-Match names revision 1/);
      assert.deepEqual(body.details, { current_revision: 2, expected_revisions: [1] });
      assert.equal(stale.headers.etag, '"2"');
      assert.deepEqual(await revisions(sid), [2, 1]);
      const head = await call(0, 'GET', `/v2/Flows/${sid}`);
      assert.equal(head.json().commit_message, 'first tab');
    });

    it('takes W/"n", a bare n, a list and *; refuses what names no revision with a 400', async () => {
      const sid = await createFlow();
      assert.equal((await update(sid, 'W/"1"')).statusCode, 200);
      assert.equal((await update(sid, '2')).statusCode, 200);
      assert.equal((await update(sid, '"7", "3"')).statusCode, 200);
      assert.equal((await update(sid, '*')).statusCode, 200);
      assert.equal((await update(sid, '"4"')).statusCode, 412);
      const garbage = await update(sid, '"abc"');
      assert.equal(garbage.statusCode, 400, garbage.body);
      assert.equal(garbage.json().code, 20001);
      assert.match(garbage.json().message, /If-Match/);
      assert.deepEqual(await revisions(sid), [5, 4, 3, 2, 1]);
    });

    it('of racing updates based on one revision, all reading that head, exactly one saves and the others are refused', async () => {
      const sid = await createFlow();
      barrier = { size: 3, arrived: [] };
      const answers = await Promise.all([0, 1, 2].map((i) => update(sid, '"1"', i, `racer ${i}`)));
      assert.equal(barrier, null, 'the three updates read the head together');
      const codes = answers.map((a) => a.statusCode).sort();
      assert.deepEqual(codes, [200, 412, 412], answers.map((a) => a.body).join('\n'));
      assert.deepEqual(await revisions(sid), [2, 1]);
    });

    it('updates without If-Match as before', async () => {
      const sid = await createFlow();
      assert.equal((await update(sid, '"1"')).statusCode, 200);
      const blind = await update(sid);
      assert.equal(blind.statusCode, 200, blind.body);
      assert.equal(blind.json().revision, 3);
    });
  });
}

describe('If-Match is invisible to twilio-node', () => {
  let t: TestServer;
  let client: twilio.Twilio;
  before(async () => {
    t = await startTestServer({ listen: true });
    client = specCheckingClient(t.account.sid, t.account.authToken, t.baseUrl);
  });
  after(() => t.close());

  it('creates, fetches and updates a flow, sending no If-Match', async () => {
    const flow = await client.studio.v2.flows.create({ friendlyName: 'SDK flow', status: 'draft', definition: JSON.parse(definition) });
    // Another editor saves in between: the SDK's update, having no If-Match, still saves on top.
    const other = await fetch(`${t.baseUrl}/v2/Flows/${flow.sid}`, {
      method: 'POST',
      headers: { authorization: t.auth, 'if-match': '"1"', ...FORM },
      body: form({ Status: 'draft', CommitMessage: 'console' }),
    });
    assert.equal(other.status, 200);
    const updated = await client.studio.v2.flows(flow.sid).update({ status: 'published', commitMessage: 'sdk' });
    assert.equal(updated.revision, 3);
    assert.equal((await client.studio.v2.flows(flow.sid).fetch()).revision, 3);
  });
});
