// Studio's 2,000-widget rule (§1.5): a flow counts its own widgets plus, for every Run Subflow widget,
// the widgets of the subflow revision that widget runs. Above 2,000 the flow gets a warning on save, as
// the other subflow rules (150 Run Subflow widgets, 50 subflows, one revision per subflow) do.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, form, FORM, type TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';
import { FlowService } from '../../src/runtime/flows.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { RevisionSelector, Store } from '../../src/runtime/ports/store.ts';
import { SKIP_REASON, disposePostgresStore, freshPostgresStore } from '../store/postgres-support.ts';

/** A subflow of `widgets` widgets: its trigger and a chain of Set Variables. */
function subflowOf(widgets: number) {
  const chain = Array.from({ length: widgets - 1 }, (_, i) => ({
    name: `set_${i}`,
    type: 'set-variables',
    transitions: [{ event: 'next', ...(i < widgets - 2 ? { next: `set_${i + 1}` } : {}) }],
    properties: { variables: [{ key: 'n', value: String(i) }], offset: { x: 0, y: i * 10 } },
  }));
  return triggerFlow('sub', 'incomingParent', 'set_0', chain);
}

/** A parent whose REST trigger runs `targets` one after another (Run Subflow widgets). */
function parentOf(targets: { sid: string; revision?: string }[]) {
  const widgets = targets.map((t, i) => ({
    name: `sub_${i}`,
    type: 'run-subflow',
    transitions: [{ event: 'completed', ...(i < targets.length - 1 ? { next: `sub_${i + 1}` } : {}) }, { event: 'failed' }],
    properties: { flow_sid: t.sid, flow_revision: t.revision ?? 'LatestPublished', parameters: [], offset: { x: 0, y: 100 * i } },
  }));
  return triggerFlow('parent', 'incomingRequest', 'sub_0', widgets);
}

const TOO_BIG = /^The flow has (\d+) widgets counting its (\d+) Run Subflow instances? \((\d+) of its own, (\d+) in subflows\); Studio cannot publish a flow of more than 2000$/;
const linkedWarning = (warnings: { property_path: string; message: string }[]) => warnings.find((w) => TOO_BIG.test(w.message));

describe('2,000 widgets counting linked subflows', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  const post = (url: string, fields: Record<string, string>) =>
    t.app.server.inject({ method: 'POST', url, payload: form(fields), headers: { authorization: t.auth, ...FORM } });
  const create = async (definition: unknown, status = 'published') => {
    const res = await post('/v2/Flows', { FriendlyName: 'f', Status: status, Definition: JSON.stringify(definition) });
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as { sid: string; valid: boolean; warnings: { property_path: string; message: string }[] };
  };

  it('warns when three instances of a 1,000-widget subflow make 3,004 widgets (the reviewer case)', async () => {
    const sub = await create(subflowOf(1000));
    const parent = await create(parentOf([{ sid: sub.sid }, { sid: sub.sid }, { sid: sub.sid }]));
    assert.equal(parent.valid, true); // a warning, as the sibling subflow rules
    const warning = linkedWarning(parent.warnings);
    assert.ok(warning, JSON.stringify(parent.warnings));
    assert.equal(warning.property_path, '#/states');
    assert.deepEqual(TOO_BIG.exec(warning.message)!.slice(1).map(Number), [3004, 3, 4, 3000]);
  });

  it('counts every instance and stays quiet at 2,000 or fewer', async () => {
    const sub = await create(subflowOf(666));
    // 3 × 666 + 4 = 2002: over; 2 × 666 + 3 = 1335: under.
    const over = await create(parentOf([{ sid: sub.sid }, { sid: sub.sid }, { sid: sub.sid }]));
    assert.ok(linkedWarning(over.warnings), JSON.stringify(over.warnings));
    const under = await create(parentOf([{ sid: sub.sid }, { sid: sub.sid }]));
    assert.equal(linkedWarning(under.warnings), undefined, JSON.stringify(under.warnings));
  });

  it('counts the revision each widget runs: a number, the published one, the larger for LatestDraft', async () => {
    const sub = await create(subflowOf(500)); // revision 1, published, 500 widgets
    const grow = await post(`/v2/Flows/${sub.sid}`, { Status: 'draft', Definition: JSON.stringify(subflowOf(1000)) }); // revision 2, draft
    assert.equal(grow.statusCode, 200, grow.body);
    // Published (revision 1): 4 × 500 + 5 = 2005.
    assert.ok(linkedWarning((await create(parentOf(Array(4).fill({ sid: sub.sid })))).warnings));
    // Published (revision 1): 3 × 500 + 4 = 1504.
    assert.equal(linkedWarning((await create(parentOf(Array(3).fill({ sid: sub.sid })))).warnings), undefined);
    // Revision 2 by number, or the draft as test users get it: 3 × 1000 + 4.
    for (const revision of ['2', 'LatestDraft']) {
      const parent = await create(parentOf(Array(3).fill({ sid: sub.sid, revision })));
      assert.deepEqual(TOO_BIG.exec(linkedWarning(parent.warnings)?.message ?? '')?.slice(1).map(Number), [3004, 3, 4, 3000], revision);
    }
  });

  it('warns on update too, and on a draft save', async () => {
    const sub = await create(subflowOf(1000));
    const parent = await create(parentOf([{ sid: sub.sid }]), 'draft');
    assert.equal(linkedWarning(parent.warnings), undefined);
    const res = await post(`/v2/Flows/${parent.sid}`, { Status: 'draft', Definition: JSON.stringify(parentOf([{ sid: sub.sid }, { sid: sub.sid }])) });
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(linkedWarning(res.json().warnings), res.body);
  });

  it('counts nothing for a subflow that is not found, or a revision number past any stored one', async () => {
    const missing = 'FW' + '0'.repeat(32);
    const parent = await create(parentOf(Array(3).fill({ sid: missing })));
    assert.equal(linkedWarning(parent.warnings), undefined);
    const sub = await create(subflowOf(10));
    const far = await create(parentOf([{ sid: sub.sid, revision: '99999999999' }]));
    assert.equal(linkedWarning(far.warnings), undefined);
  });
});

const backends = [
  { name: 'SQLite', skip: false as string | false, open: async () => {
      const store = new SqliteStore({ path: ':memory:' });
      return { store: store as Store, dispose: async () => store.close() };
    },
  },
  {
    name: 'PostgreSQL',
    skip: SKIP_REASON,
    open: async () => {
      const store = await freshPostgresStore();
      return { store: store as Store, dispose: () => disposePostgresStore(store) };
    },
  },
];

for (const backend of backends) {
  describe(`linked widget count on ${backend.name}: one store read per (subflow, revision)`, { skip: backend.skip || false }, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    const reads: string[] = [];
    let flows: FlowService;
    const account = 'AC' + '1'.repeat(32);
    before(async () => {
      ({ store, dispose } = await backend.open());
      // A flow is written only for an account the store has (createFlow checks it in its transaction).
      await store.createAccount({ sid: account, authToken: 't'.repeat(32), friendlyName: 'linked', dateCreated: 0 });
      const getRevision = store.getRevision.bind(store);
      store.getRevision = (accountSid: string, flowSid: string, selector: RevisionSelector) => {
        reads.push(`${flowSid}@${selector}`);
        return getRevision(accountSid, flowSid, selector);
      };
      flows = new FlowService(store, { now: () => 0, invalidDefinitions: 'reject' });
    });
    after(() => dispose?.());

    it('reads a subflow once however many widgets run it', async () => {
      const a = await flows.create(account, { friendlyName: 'a', status: 'published', definition: subflowOf(400) });
      const b = await flows.create(account, { friendlyName: 'b', status: 'published', definition: subflowOf(300) });
      reads.length = 0;
      const parent = await flows.create(account, {
        friendlyName: 'p',
        status: 'published',
        definition: parentOf([...Array(4).fill({ sid: a.sid }), ...Array(2).fill({ sid: b.sid }), { sid: a.sid, revision: 'LatestDraft' }]),
      });
      // 5 × 400 + 2 × 300 + 8 = 2608, from three reads: a published, b published, a latest (the draft's other half).
      assert.deepEqual(TOO_BIG.exec(linkedWarning(parent.warnings)?.message ?? '')?.slice(1).map(Number), [2608, 7, 8, 2600]);
      assert.deepEqual(reads.sort(), [`${a.sid}@LatestPublished`, `${a.sid}@LatestRevision`, `${b.sid}@LatestPublished`].sort());
    });

    it('a revision number past the INTEGER column names no revision (PostgreSQL refused the read: the save failed)', async () => {
      const a = await flows.create(account, { friendlyName: 'a', status: 'published', definition: subflowOf(10) });
      const parent = await flows.create(account, { friendlyName: 'p', status: 'published', definition: parentOf([{ sid: a.sid, revision: '99999999999' }, { sid: a.sid, revision: '2147483647' }]) });
      assert.equal(parent.status, 'published');
      assert.equal(linkedWarning(parent.warnings), undefined);
    });
  });
}
