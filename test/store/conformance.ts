// The Store conformance suite: every backend (SQLite now, PostgreSQL later) runs these same
// tests through the Store port only. Nothing here may depend on a particular backend.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { AccountGoneError, StoreConflictError } from '../../src/runtime/ports/store.ts';
import { DomainError } from '../../src/runtime/errors.ts';
import type {
  AlertRecord,
  Account,
  ApiKey,
  ChannelRecord,
  ExecutionRecord,
  ExistingExecutionSprint,
  FlowListItem,
  FlowRecord,
  NewExecutionSprint,
  PageRequest,
  PageResult,
  PendingEffect,
  RevisionListItem,
  RevisionRecord,
  SprintWrite,
  StepRecord,
  Store,
  TimerRecord,
} from '../../src/runtime/ports/store.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';

const T0 = 1_700_000_000_000;

// ---- fixtures

let counter = 0;
/** A unique Twilio-style SID: two-letter prefix + 32 hex digits. */
function sid(prefix: string): string {
  counter += 1;
  return prefix + counter.toString(16).padStart(32, '0');
}

function account(overrides: Partial<Account> = {}): Account {
  return { sid: sid('AC'), authToken: 'tok' + counter, friendlyName: 'Account ' + counter, dateCreated: T0 + counter, callbackSecret: 'cbs' + counter, ...overrides };
}

function channelRecord(exec: ExecutionRecord, key: string): ChannelRecord {
  return { key, accountSid: exec.accountSid, executionSid: exec.sid, value: JSON.stringify({ to: '+15550001111', body: 'hello ' + key }), updatedAt: T0 };
}

function definition(note: string): FlowDefinition {
  return {
    description: note,
    initial_state: 'Trigger',
    states: [{ name: 'Trigger', type: 'trigger', transitions: [], properties: { offset: { x: 0, y: 0 } } }],
    flags: { allow_concurrent_calls: true },
  } as unknown as FlowDefinition;
}

function flowPair(accountSid: string, overrides: Partial<FlowRecord> = {}): { flow: FlowRecord; revision: RevisionRecord } {
  const flow: FlowRecord = {
    sid: sid('FW'),
    accountSid,
    friendlyName: 'Flow ' + counter,
    status: 'draft',
    revision: 1,
    publishedRevision: null,
    commitMessage: 'first',
    authorSid: null,
    valid: true,
    errors: [],
    warnings: [{ property_path: '#/states/0', message: 'just a warning' }],
    dateCreated: T0,
    dateUpdated: null,
    ...overrides,
  };
  return { flow, revision: revisionOf(flow, definition('rev ' + flow.revision)) };
}

function revisionOf(flow: FlowRecord, def: FlowDefinition): RevisionRecord {
  return {
    flowSid: flow.sid,
    accountSid: flow.accountSid,
    revision: flow.revision,
    friendlyName: flow.friendlyName,
    definition: def,
    status: flow.status,
    commitMessage: flow.commitMessage,
    authorSid: flow.authorSid,
    valid: flow.valid,
    errors: flow.errors,
    warnings: flow.warnings,
    dateCreated: flow.dateUpdated ?? flow.dateCreated,
    dateUpdated: null,
  };
}

/** What listFlows shows of a flow: its head without the validation report. */
function flowListItem({ valid: _valid, errors: _errors, warnings: _warnings, ...item }: FlowRecord): FlowListItem {
  return item;
}

/** What listRevisions shows of a revision: no definition, no validation report. */
function revisionListItem({ definition: _definition, valid: _valid, errors: _errors, warnings: _warnings, ...item }: RevisionRecord): RevisionListItem {
  return item;
}

/** The flow's next head and revision, as the runtime would build them. */
function nextRevision(
  flow: FlowRecord,
  status: FlowRecord['status'],
  message: string,
): { flow: FlowRecord; revision: RevisionRecord } {
  const revision = flow.revision + 1;
  const next: FlowRecord = {
    ...flow,
    status,
    revision,
    publishedRevision: status === 'published' ? revision : flow.publishedRevision,
    commitMessage: message,
    dateUpdated: T0 + revision * 1000,
  };
  return { flow: next, revision: revisionOf(next, definition(message)) };
}

function execution(flow: FlowRecord, overrides: Partial<ExecutionRecord> = {}): ExecutionRecord {
  const n = ++counter;
  return {
    sid: sid('FN'),
    accountSid: flow.accountSid,
    flowSid: flow.sid,
    flowVersion: flow.revision,
    contactSid: sid('FX'),
    contactChannelAddress: '+1555000' + String(n).padStart(4, '0'),
    channelAddress: '+15559990000',
    status: 'active',
    initiatedBy: 'API',
    state: { cursor: 'Trigger', stack: [1, 2, { nested: true }], text: 'héllo ✓' },
    dateCreated: T0 + n,
    dateUpdated: null,
    ...overrides,
  };
}

function step(exec: ExecutionRecord, overrides: Partial<StepRecord> = {}): StepRecord {
  const n = ++counter;
  return {
    sid: sid('FT'),
    accountSid: exec.accountSid,
    flowSid: exec.flowSid,
    executionSid: exec.sid,
    parentStepSid: null,
    name: 'widget_' + n,
    context: { widgets: { ['widget_' + n]: { Body: 'hi' } } },
    transitionedFrom: 'Trigger',
    transitionedTo: 'widget_' + n,
    type: 'Execution',
    dateCreated: T0 + n,
    dateUpdated: null,
    ...overrides,
  };
}

function timer(exec: ExecutionRecord, dueAt: number, id = sid('TM')): TimerRecord {
  return { id, executionSid: exec.sid, accountSid: exec.accountSid, dueAt };
}

function effect(exec: ExecutionRecord, payload: unknown, createdAt = T0, id = sid('EF')): PendingEffect {
  return { id, executionSid: exec.sid, accountSid: exec.accountSid, payload, createdAt };
}

type NewParts = Partial<Omit<NewExecutionSprint, 'execution' | 'isNew'>>;
type UpdateParts = Pick<ExistingExecutionSprint, 'expectedVersion'> & Partial<Omit<ExistingExecutionSprint, 'execution' | 'isNew'>>;

/** A sprint with nothing but `parts`: a new execution's holds its pair's slot unless `exclusive: false`. */
function sprint(exec: ExecutionRecord, isNew: true, parts?: NewParts): SprintWrite;
/** An update says which version it expects (or 'unchecked'), as the store's callers must. */
function sprint(exec: ExecutionRecord, isNew: false, parts: UpdateParts): SprintWrite;
function sprint(exec: ExecutionRecord, isNew: boolean, parts: NewParts | UpdateParts = {}): SprintWrite {
  const empty = { execution: exec, steps: [], timersToAdd: [], timersToCancel: [], effectsToAdd: [], effectsDone: [] };
  return isNew ? { ...empty, isNew: true, exclusive: true, ...(parts as NewParts) } : { ...empty, isNew: false, ...(parts as UpdateParts) };
}

/**
 * Checked by tsc (npm test runs it), never called: SprintWrite cannot carry what a store would ignore.
 * Each @ts-expect-error fails the type check should its line compile.
 */
export function sprintWriteShapes(exec: ExecutionRecord): SprintWrite[] {
  const empty = { execution: exec, steps: [], timersToAdd: [], timersToCancel: [], effectsToAdd: [], effectsDone: [] };
  return [
    { ...empty, isNew: true, exclusive: false, soleCall: { passing: [] } },
    { ...empty, isNew: false, expectedVersion: 3, readdressed: true },
    { ...empty, isNew: false, expectedVersion: 'unchecked' },
    // @ts-expect-error an update says which version it was built on (or 'unchecked'): none would be last writer wins
    { ...empty, isNew: false },
    // @ts-expect-error a version is a number
    { ...empty, isNew: false, expectedVersion: 'latest' },
    // @ts-expect-error an insert decides whether it takes its pair's one active slot
    { ...empty, isNew: true },
    // @ts-expect-error an insert has no version to check
    { ...empty, isNew: true, exclusive: true, expectedVersion: 1 },
    // @ts-expect-error an insert is not moved to another pair
    { ...empty, isNew: true, exclusive: true, readdressed: true },
    // @ts-expect-error an update's row has its slot already
    { ...empty, isNew: false, expectedVersion: 1, exclusive: false },
    // @ts-expect-error only a new call is checked against the caller's other calls
    { ...empty, isNew: false, expectedVersion: 1, soleCall: { passing: [] } },
  ];
}

// ---- paging checks

/**
 * Walks a list every way the API can: keyset forward ('after' the last position), offset pages,
 * and keyset backward ('before' the first position) from the last page. Each walk must yield
 * exactly `expected` (in list order) with no duplicates or omissions, and hasMore must be exact.
 */
async function checkPaging<T>(
  list: (page: PageRequest) => Promise<PageResult<T>>,
  keyOf: (item: T) => string,
  expected: string[],
  pageSize: number,
): Promise<void> {
  const pageCount = Math.max(1, Math.ceil(expected.length / pageSize));

  // forward by cursor
  const pages: PageResult<T>[] = [];
  let result = await list({ pageSize });
  pages.push(result);
  while (result.hasMore) {
    assert.ok(result.lastPosition !== null, 'a page with more after it has a lastPosition');
    result = await list({ pageSize, cursor: { direction: 'after', position: result.lastPosition } });
    pages.push(result);
    assert.ok(pages.length <= pageCount + 1, 'forward paging does not terminate');
  }
  assert.equal(pages.length, pageCount, 'number of pages');
  assert.deepEqual(pages.flatMap((p) => p.items.map(keyOf)), expected, 'forward cursor walk');
  for (const [index, page] of pages.entries()) {
    const slice = expected.slice(index * pageSize, (index + 1) * pageSize);
    assert.deepEqual(page.items.map(keyOf), slice, `page ${index}`);
    assert.equal(page.hasMore, index < pageCount - 1, `hasMore of page ${index}`);
    if (page.items.length) {
      // positions feed PageTokens of the form PA<digits>/PB<digits>
      assert.match(page.firstPosition ?? '', /^\d{1,15}$/);
      assert.match(page.lastPosition ?? '', /^\d{1,15}$/);
    } else {
      assert.equal(page.firstPosition, null);
      assert.equal(page.lastPosition, null);
    }
  }

  // forward by offset
  for (let index = 0; index < pageCount; index++) {
    const page = await list({ pageSize, offset: index * pageSize });
    assert.deepEqual(page.items.map(keyOf), expected.slice(index * pageSize, (index + 1) * pageSize), `offset page ${index}`);
    assert.equal(page.hasMore, index < pageCount - 1, `hasMore of offset page ${index}`);
  }
  const beyond = await list({ pageSize, offset: pageCount * pageSize });
  assert.deepEqual(beyond.items, []);
  assert.equal(beyond.hasMore, false);

  // backward by cursor: 'before' page i's first position is exactly page i-1
  for (let index = pages.length - 1; index > 0; index--) {
    const position = pages[index]!.firstPosition!;
    const previous = await list({ pageSize, cursor: { direction: 'before', position } });
    assert.deepEqual(previous.items.map(keyOf), pages[index - 1]!.items.map(keyOf), `before page ${index}`);
    assert.equal(previous.hasMore, true, `a previous page has a next page (${index})`);
    assert.equal(previous.firstPosition, pages[index - 1]!.firstPosition);
    assert.equal(previous.lastPosition, pages[index - 1]!.lastPosition);
  }
  if (pages[0]!.firstPosition !== null) {
    const none = await list({ pageSize, cursor: { direction: 'before', position: pages[0]!.firstPosition } });
    assert.deepEqual(none.items, [], 'nothing before the first item');
  }

  // backward walk that does not start on a page boundary still covers everything once
  if (expected.length > 2) {
    const middle = await list({ pageSize: 1, offset: expected.length - 2 });
    const seen: string[] = middle.items.map(keyOf);
    let cursor = middle.firstPosition;
    while (cursor !== null) {
      const page = await list({ pageSize, cursor: { direction: 'before', position: cursor } });
      seen.unshift(...page.items.map(keyOf));
      cursor = page.items.length ? page.firstPosition : null;
      assert.ok(seen.length <= expected.length, 'backward walk does not terminate');
    }
    assert.deepEqual(seen, expected.slice(0, expected.length - 1), 'backward walk from an arbitrary item');
  }
}

// ---- the suite

export function runStoreConformance(
  name: string,
  makeStore: () => Promise<Store>,
  dispose: (store: Store) => Promise<void> = (store) => store.close(),
): void {
  /** A fresh store for one test, always disposed. */
  async function withStore(fn: (store: Store) => Promise<void>): Promise<void> {
    const store = await makeStore();
    try {
      await fn(store);
    } finally {
      await dispose(store);
    }
  }
  const test = (title: string, fn: (store: Store) => Promise<void>) => it(title, () => withStore(fn));

  /** A store with two accounts and one flow in each. */
  async function seed(store: Store) {
    const a = account();
    const b = account();
    await store.createAccount(a);
    await store.createAccount(b);
    const fa = flowPair(a.sid);
    const fb = flowPair(b.sid);
    await store.createFlow(fa.flow, fa.revision);
    await store.createFlow(fb.flow, fb.revision);
    return { a, b, flowA: fa.flow, flowB: fb.flow };
  }

  describe(`Store conformance: ${name}`, () => {
    describe('accounts, keys, settings', () => {
      test('creates, reads and lists accounts; updates tokens', async (store) => {
        assert.equal(store.kind === 'sqlite' || store.kind === 'postgres', true);
        const a = account();
        const b = account();
        await store.createAccount(a);
        await store.createAccount(b);
        assert.deepEqual(await store.getAccount(a.sid), a);
        assert.equal(await store.getAccount(sid('AC')), null);
        await store.updateAccountToken(a.sid, 'rotated');
        assert.deepEqual(await store.getAccount(a.sid), { ...a, authToken: 'rotated' });
        assert.deepEqual(await store.getAccount(b.sid), b, 'other accounts untouched');
        const all = await store.listAccounts();
        assert.deepEqual(
          all.sort((x, y) => x.sid.localeCompare(y.sid)),
          [{ ...a, authToken: 'rotated' }, b].sort((x, y) => x.sid.localeCompare(y.sid)),
        );
      });

      test("an account's callback secret is kept as given and outlives a new auth token; none given, the auth token is taken", async (store) => {
        const a = account({ callbackSecret: 'callback-secret-a' });
        await store.createAccount(a);
        await store.updateAccountToken(a.sid, 'rotated');
        assert.deepEqual(await store.getAccount(a.sid), { ...a, authToken: 'rotated', callbackSecret: 'callback-secret-a' });
        await store.updateAccountToken(a.sid, 'rotated again');
        assert.equal((await store.listAccounts())[0]!.callbackSecret, 'callback-secret-a');
        const { callbackSecret: _none, ...older } = account();
        await store.createAccount(older);
        assert.equal((await store.getAccount(older.sid))?.callbackSecret, older.authToken);
      });

      test("rotating an account's callback secret keeps the one it replaced until the grace's end, or drops it", async (store) => {
        const a = account({ callbackSecret: 'secret-1' });
        const b = account({ callbackSecret: 'secret-b' });
        await store.createAccount(a);
        await store.createAccount(b);
        assert.equal(await store.rotateCallbackSecret(a.sid, 'secret-2', 5_000), true);
        assert.deepEqual(await store.getAccount(a.sid), { ...a, callbackSecret: 'secret-2', previousCallbackSecret: { secret: 'secret-1', until: 5_000 } });
        // A second rotation keeps only the secret it replaced.
        assert.equal(await store.rotateCallbackSecret(a.sid, 'secret-3', 9_000), true);
        assert.deepEqual((await store.getAccount(a.sid))?.previousCallbackSecret, { secret: 'secret-2', until: 9_000 });
        assert.deepEqual(await store.getAccount(b.sid), b, 'other accounts untouched');
        // No grace: the replaced secret, and an earlier one, are gone at once.
        assert.equal(await store.rotateCallbackSecret(a.sid, 'secret-4', null), true);
        assert.deepEqual(await store.getAccount(a.sid), { ...a, callbackSecret: 'secret-4' });
        assert.equal(await store.rotateCallbackSecret(sid('AC'), 'secret-x', 1_000), false, 'no such account');
        // A row without a callback secret (an older node's, keyed by its auth token): the auth token is what stays accepted.
        const older = account({ callbackSecret: '' });
        await store.createAccount(older);
        await store.rotateCallbackSecret(older.sid, 'secret-5', 1_000);
        assert.deepEqual((await store.getAccount(older.sid))?.previousCallbackSecret, { secret: older.authToken, until: 1_000 });
        // A previous secret is part of the account: creating it with one (a copied store) keeps it.
        const copied = account({ callbackSecret: 'secret-c', previousCallbackSecret: { secret: 'secret-c0', until: 7_000 } });
        await store.createAccount(copied);
        assert.deepEqual(await store.getAccount(copied.sid), copied);
      });

      test('rejects a duplicate account SID and keeps the original', async (store) => {
        const a = account();
        await store.createAccount(a);
        await assert.rejects(store.createAccount({ ...a, authToken: 'other' }));
        assert.deepEqual(await store.getAccount(a.sid), a);
        assert.equal((await store.listAccounts()).length, 1);
      });

      test('creates and reads API keys', async (store) => {
        const a = account();
        await store.createAccount(a);
        const key: ApiKey = { sid: sid('SK'), accountSid: a.sid, friendlyName: 'ci', secretHash: 'ab'.repeat(32), dateCreated: T0 };
        await store.createApiKey(key);
        assert.deepEqual(await store.getApiKey(key.sid), key);
        assert.equal(await store.getApiKey(sid('SK')), null);
        await assert.rejects(store.createApiKey({ ...key, friendlyName: 'dup' }));
        assert.deepEqual(await store.getApiKey(key.sid), key);
      });

      test('gets and overwrites settings', async (store) => {
        assert.equal(await store.getSetting('dev_account'), null);
        await store.setSetting('dev_account', 'AC1');
        await store.setSetting('other', '');
        assert.equal(await store.getSetting('dev_account'), 'AC1');
        await store.setSetting('dev_account', 'AC2');
        assert.equal(await store.getSetting('dev_account'), 'AC2');
        assert.equal(await store.getSetting('other'), '', 'empty string is a value, not null');
      });

      test('deletes an API key (revocation); other keys stay', async (store) => {
        const a = account();
        await store.createAccount(a);
        const key = (name: string): ApiKey => ({ sid: sid('SK'), accountSid: a.sid, friendlyName: name, secretHash: 'ab'.repeat(32), dateCreated: T0 });
        const [k1, k2] = [key('one'), key('two')];
        await store.createApiKey(k1);
        await store.createApiKey(k2);
        assert.equal(await store.deleteApiKey(k1.sid), true);
        assert.equal(await store.getApiKey(k1.sid), null);
        assert.deepEqual(await store.getApiKey(k2.sid), k2);
        assert.equal(await store.deleteApiKey(k1.sid), false, 'a second delete finds nothing');
        assert.equal(await store.deleteApiKey(sid('SK')), false);
        assert.deepEqual((await store.listApiKeys()).map((k) => k.sid), [k2.sid]);
      });

      test('deletes an account with everything it owns, and nothing of another account', async (store) => {
        const { a, b, flowA, flowB } = await seed(store);
        const second = flowPair(a.sid);
        await store.createFlow(second.flow, second.revision);
        const keyA: ApiKey = { sid: sid('SK'), accountSid: a.sid, friendlyName: 'a', secretHash: 'ab'.repeat(32), dateCreated: T0 };
        const keyB: ApiKey = { ...keyA, sid: sid('SK'), accountSid: b.sid };
        await store.createApiKey(keyA);
        await store.createApiKey(keyB);
        const alertOf = (exec: ExecutionRecord): AlertRecord => ({ sid: sid('NO'), accountSid: exec.accountSid, flowSid: exec.flowSid, executionSid: exec.sid, logLevel: 'error', errorCode: 84003, text: 'x', dateCreated: T0 });
        const [execA, execB] = [execution(flowA), execution(flowB)];
        for (const exec of [execA, execB]) {
          await store.writeSprint(
            sprint(exec, true, {
              steps: [step(exec)],
              timersToAdd: [timer(exec, T0 + 10)],
              effectsToAdd: [effect(exec, { kind: 'send' })],
              alerts: [alertOf(exec)],
              inboundReceipt: { accountSid: exec.accountSid, key: 'SM' + 'r'.repeat(32), receivedAt: T0 },
            }),
          );
        }
        await store.setSetting(`carrier:${a.sid}`, '{"channel":"webhook"}');
        await store.setSetting(`carrier:${b.sid}`, '{"channel":"webhook"}');
        await store.setSetting('dev_account_sid', b.sid);
        // The carrier's send ledger: the recipient and body of a message are the account's data.
        const recordA = channelRecord(execA, 'inflight:EFa');
        const recordB = channelRecord(execB, 'inflight:EFb');
        await store.putChannelRecord(recordA);
        await store.putChannelRecord(recordB);

        assert.deepEqual(await store.deleteAccount(a.sid), { apiKeys: 1, flows: 2 });
        assert.equal(await store.getAccount(a.sid), null);
        assert.equal(await store.getApiKey(keyA.sid), null);
        assert.equal(await store.getFlow(a.sid, flowA.sid), null);
        assert.equal(await store.getFlow(a.sid, second.flow.sid), null);
        assert.equal(await store.getRevision(a.sid, flowA.sid, 'LatestRevision'), null);
        assert.equal(await store.getExecutionBySid(execA.sid), null);
        assert.deepEqual((await store.listAlerts(a.sid, {}, { pageSize: 10 })).items, []);
        assert.equal(await store.hasInboundReceipt(a.sid, 'SM' + 'r'.repeat(32)), false);
        assert.equal(await store.getSetting(`carrier:${a.sid}`), null);
        assert.equal(await store.getChannelRecord(recordA.key), null);
        assert.deepEqual(await store.getChannelRecord(recordB.key), recordB);
        // What is left is the other account's, whole: its timer and effect are the only ones to claim.
        assert.deepEqual(await store.getAccount(b.sid), b);
        assert.deepEqual(await store.getApiKey(keyB.sid), keyB);
        assert.deepEqual(await store.getFlow(b.sid, flowB.sid), flowB);
        assert.ok(await store.getExecutionBySid(execB.sid));
        assert.equal((await store.listAlerts(b.sid, {}, { pageSize: 10 })).items.length, 1);
        assert.equal(await store.hasInboundReceipt(b.sid, 'SM' + 'r'.repeat(32)), true);
        assert.equal(await store.getSetting(`carrier:${b.sid}`), '{"channel":"webhook"}');
        assert.equal(await store.getSetting('dev_account_sid'), b.sid);
        assert.deepEqual((await store.claimDueTimers(T0 + 100, { owner: 'n', until: T0 + 1000 }, 10)).map((t) => t.accountSid), [b.sid]);
        assert.deepEqual((await store.claimEffects(T0 + 100, { owner: 'n', until: T0 + 1000 }, 10)).map((e) => e.accountSid), [b.sid]);
        assert.deepEqual((await store.listAccounts()).map((x) => x.sid), [b.sid]);

        assert.equal(await store.deleteAccount(a.sid), null, 'a second delete finds nothing');
        assert.equal(await store.deleteAccount(sid('AC')), null);
        // Another spelling of a live account's SID names no rows: its settings stay (SQLite's LIKE ignored case).
        const lettered = account({ sid: 'AC' + 'ab'.repeat(16) });
        await store.createAccount(lettered);
        await store.setSetting(`carrier:${lettered.sid}`, '{"channel":"webhook"}');
        assert.equal(await store.deleteAccount('AC' + 'AB'.repeat(16)), null);
        assert.equal(await store.getSetting(`carrier:${lettered.sid}`), '{"channel":"webhook"}');
        assert.ok(await store.deleteAccount(lettered.sid));
        // The SID may be used again (migrations and a re-created TWILIO_ACCOUNT_SID do).
        await store.createAccount(a);
        assert.deepEqual(await store.getAccount(a.sid), a);
      });
    });

    describe('flows, revisions, test users', () => {
      test('round-trips a flow and its first revision', async (store) => {
        const { a } = await seed(store);
        const { flow, revision } = flowPair(a.sid, { authorSid: 'US1', errors: [{ property_path: '#/x', message: 'bad' }], valid: false });
        await store.createFlow(flow, revision);
        assert.deepEqual(await store.getFlow(a.sid, flow.sid), flow);
        assert.deepEqual(await store.getRevision(a.sid, flow.sid, 'LatestRevision'), revision);
        assert.deepEqual(await store.getRevision(a.sid, flow.sid, 1), revision);
        assert.equal(await store.getRevision(a.sid, flow.sid, 'LatestPublished'), null, 'a draft is not published');
        assert.equal(await store.getRevision(a.sid, flow.sid, 2), null);
        // A number no revision can have is not found, not a store failure (PostgreSQL's INTEGER refuses it).
        assert.equal(await store.getRevision(a.sid, flow.sid, 99_999_999_999), null);
        assert.equal(await store.getRevision(a.sid, flow.sid, 2 ** 31), null);
        assert.equal(await store.getRevision(a.sid, flow.sid, 0), null);
        assert.deepEqual(await store.getTestUsers(a.sid, flow.sid), []);
      });

      test('rejects a duplicate flow SID without writing its revision', async (store) => {
        const { a, flowA } = await seed(store);
        const again = flowPair(a.sid, { sid: flowA.sid, friendlyName: 'impostor', revision: 2 });
        await assert.rejects(store.createFlow(again.flow, again.revision));
        assert.equal((await store.getFlow(a.sid, flowA.sid))?.friendlyName, flowA.friendlyName);
        assert.equal(await store.getRevision(a.sid, flowA.sid, 2), null, 'createFlow is atomic');
      });

      test('saves revisions; selectors pick latest, latest published, or a number', async (store) => {
        const { a, flowA } = await seed(store);
        const r2 = nextRevision(flowA, 'published', 'publish');
        await store.saveFlowRevision(r2.flow, r2.revision);
        const r3 = nextRevision(r2.flow, 'draft', 'edit');
        await store.saveFlowRevision(r3.flow, r3.revision);
        assert.deepEqual(await store.getFlow(a.sid, flowA.sid), r3.flow);
        assert.equal(r3.flow.publishedRevision, 2);
        assert.deepEqual(await store.getRevision(a.sid, flowA.sid, 'LatestRevision'), r3.revision);
        assert.deepEqual(await store.getRevision(a.sid, flowA.sid, 'LatestPublished'), r2.revision);
        assert.deepEqual(await store.getRevision(a.sid, flowA.sid, 2), r2.revision);
        assert.equal((await store.getRevision(a.sid, flowA.sid, 1))?.commitMessage, 'first', 'old revisions stay as written');
      });

      test('saveFlowRevision is atomic: a duplicate revision number changes nothing', async (store) => {
        const { a, flowA } = await seed(store);
        const r2 = nextRevision(flowA, 'draft', 'two');
        await store.saveFlowRevision(r2.flow, r2.revision);
        const clash = { flow: { ...r2.flow, friendlyName: 'renamed', commitMessage: 'clash' }, revision: { ...r2.revision, commitMessage: 'clash' } };
        await assert.rejects(store.saveFlowRevision(clash.flow, clash.revision));
        assert.deepEqual(await store.getFlow(a.sid, flowA.sid), r2.flow, 'the head did not move');
        assert.deepEqual(await store.getRevision(a.sid, flowA.sid, 2), r2.revision);
      });

      test('saveFlowRevision does not touch or attach to another account’s flow', async (store) => {
        const { a, b, flowA } = await seed(store);
        const foreign = nextRevision({ ...flowA, accountSid: b.sid }, 'published', 'hijack');
        await assert.rejects(store.saveFlowRevision(foreign.flow, foreign.revision));
        assert.deepEqual(await store.getFlow(a.sid, flowA.sid), flowA);
        assert.equal(await store.getRevision(b.sid, flowA.sid, 'LatestRevision'), null);
        const mine = nextRevision(flowA, 'draft', 'mine');
        await store.saveFlowRevision(mine.flow, mine.revision);
        assert.deepEqual(await store.getRevision(a.sid, flowA.sid, 2), mine.revision, 'revision 2 is still free for the owner');
      });

      test('test users are set per flow and account-scoped', async (store) => {
        const { a, b, flowA } = await seed(store);
        assert.equal(await store.setTestUsers(a.sid, flowA.sid, ['+15550001', 'client:bob']), true);
        assert.deepEqual(await store.getTestUsers(a.sid, flowA.sid), ['+15550001', 'client:bob']);
        assert.equal(await store.setTestUsers(b.sid, flowA.sid, ['evil']), false);
        assert.equal(await store.getTestUsers(b.sid, flowA.sid), null);
        assert.deepEqual(await store.getTestUsers(a.sid, flowA.sid), ['+15550001', 'client:bob']);
        assert.equal(await store.setTestUsers(a.sid, sid('FW'), ['x']), false);
        assert.equal(await store.getTestUsers(a.sid, sid('FW')), null);
        assert.equal(await store.setTestUsers(a.sid, flowA.sid, []), true);
        assert.deepEqual(await store.getTestUsers(a.sid, flowA.sid), []);
      });

      test('test users saved as written by earlier versions read back as the contacts executions know', async (store) => {
        const { a, flowA } = await seed(store);
        // The API now stores E.164; a list written before that keeps a formatted number, which read as it is
        // would never match the contact's executions.
        await store.setTestUsers(a.sid, flowA.sid, [' +1 (555) 000-1111 ', '+15550001111', 'whatsapp:+15550002222', 'client:bob']);
        assert.deepEqual(await store.getTestUsers(a.sid, flowA.sid), ['+15550001111', 'whatsapp:+15550002222', 'client:bob']);
      });

      test('flows are invisible to other accounts', async (store) => {
        const { a, b, flowA, flowB } = await seed(store);
        assert.equal(await store.getFlow(b.sid, flowA.sid), null);
        assert.equal(await store.getRevision(b.sid, flowA.sid, 'LatestRevision'), null);
        assert.equal(await store.getRevision(b.sid, flowA.sid, 1), null);
        assert.deepEqual((await store.listRevisions(b.sid, flowA.sid, { pageSize: 50 })).items, []);
        assert.deepEqual((await store.listFlows(a.sid, { pageSize: 50 })).items.map((f) => f.sid), [flowA.sid]);
        assert.deepEqual((await store.listFlows(b.sid, { pageSize: 50 })).items.map((f) => f.sid), [flowB.sid]);
        assert.equal(await store.deleteFlow(b.sid, flowA.sid), false);
        assert.deepEqual(await store.getFlow(a.sid, flowA.sid), flowA, 'a foreign delete removed nothing');
        assert.equal(await store.deleteFlow(a.sid, sid('FW')), false);
      });

      test('lists flows newest first with keyset and offset paging (23 rows, page size 5)', async (store) => {
        const { a, flowA } = await seed(store);
        const sids = [flowA.sid];
        for (let i = 0; i < 22; i++) {
          const { flow, revision } = flowPair(a.sid);
          await store.createFlow(flow, revision);
          sids.push(flow.sid);
        }
        const expected = sids.reverse();
        await checkPaging((page) => store.listFlows(a.sid, page), (f) => f.sid, expected, 5);
        await checkPaging((page) => store.listFlows(a.sid, page), (f) => f.sid, expected, 23);
        await checkPaging((page) => store.listFlows(a.sid, page), (f) => f.sid, expected, 50);
      });

      test('paging an exact multiple of the page size ends without an empty page', async (store) => {
        const a = account();
        await store.createAccount(a);
        const sids: string[] = [];
        for (let i = 0; i < 10; i++) {
          const { flow, revision } = flowPair(a.sid);
          await store.createFlow(flow, revision);
          sids.push(flow.sid);
        }
        await checkPaging((page) => store.listFlows(a.sid, page), (f) => f.sid, sids.reverse(), 5);
        const empty = await store.listFlows(account().sid, { pageSize: 5 });
        assert.deepEqual(empty, { items: [], firstPosition: null, lastPosition: null, hasMore: false });
      });

      test('lists revisions newest first (23 revisions, page size 5)', async (store) => {
        const { a, flowA } = await seed(store);
        let head = flowA;
        for (let i = 0; i < 22; i++) {
          const next = nextRevision(head, i % 5 === 0 ? 'published' : 'draft', 'rev ' + (i + 2));
          await store.saveFlowRevision(next.flow, next.revision);
          head = next.flow;
        }
        const expected = Array.from({ length: 23 }, (_, i) => String(23 - i));
        await checkPaging((page) => store.listRevisions(a.sid, flowA.sid, page), (r) => String(r.revision), expected, 5);
        const first = await store.listRevisions(a.sid, flowA.sid, { pageSize: 1 });
        assert.deepEqual(first.items[0], revisionListItem((await store.getRevision(a.sid, flowA.sid, 'LatestRevision'))!));
        assert.equal((await store.getRevision(a.sid, flowA.sid, 'LatestPublished'))?.revision, 22);
      });

      test('lists show flows and revisions without definitions or validation reports; fetches show them whole', async (store) => {
        const { a, flowA } = await seed(store);
        const flawed = { ...flowA, valid: false, errors: [{ property_path: '#/states/1', message: 'an error' }] };
        const next = nextRevision(flawed, 'published', 'second');
        await store.saveFlowRevision(next.flow, next.revision);
        // Exactly the list item's fields: a list reads no definition, errors or warnings (nor holds them).
        assert.deepEqual((await store.listFlows(a.sid, { pageSize: 10 })).items, [flowListItem(next.flow)]);
        const revisions = (await store.listRevisions(a.sid, flowA.sid, { pageSize: 10 })).items;
        assert.deepEqual(revisions, [revisionListItem(next.revision), revisionListItem((await store.getRevision(a.sid, flowA.sid, 1))!)]);
        for (const item of revisions) assert.equal('definition' in item, false);
        assert.deepEqual(await store.getFlow(a.sid, flowA.sid), next.flow);
        assert.deepEqual(await store.getRevision(a.sid, flowA.sid, 2), next.revision);
      });

      test('deleteFlow removes the flow, its revisions and test users', async (store) => {
        const { a, b, flowA, flowB } = await seed(store);
        const r2 = nextRevision(flowA, 'published', 'two');
        await store.saveFlowRevision(r2.flow, r2.revision);
        await store.setTestUsers(a.sid, flowA.sid, ['+1555']);
        assert.equal(await store.deleteFlow(a.sid, flowA.sid), true);
        assert.equal(await store.getFlow(a.sid, flowA.sid), null);
        assert.equal(await store.getRevision(a.sid, flowA.sid, 1), null);
        assert.equal(await store.getRevision(a.sid, flowA.sid, 'LatestPublished'), null);
        assert.deepEqual((await store.listRevisions(a.sid, flowA.sid, { pageSize: 50 })).items, []);
        assert.equal(await store.getTestUsers(a.sid, flowA.sid), null);
        assert.equal(await store.deleteFlow(a.sid, flowA.sid), false, 'second delete finds nothing');
        assert.deepEqual(await store.getFlow(b.sid, flowB.sid), flowB, 'other flows untouched');
        assert.equal((await store.getRevision(b.sid, flowB.sid, 1))?.flowSid, flowB.sid);
      });
    });

    describe('executions and steps', () => {
      test('writes a new execution with steps, timers and effects in one sprint, then updates it', async (store) => {
        const { a, flowA } = await seed(store);
        const exec = execution(flowA);
        const s1 = step(exec);
        const s2 = step(exec, { parentStepSid: s1.sid, transitionedFrom: s1.name });
        const t1 = timer(exec, T0 + 60_000);
        const e1 = effect(exec, { type: 'send-message', to: exec.contactChannelAddress, body: 'héllo', media: [] });
        await store.writeSprint(sprint(exec, true, { steps: [s1, s2], timersToAdd: [t1], effectsToAdd: [e1] }));

        assert.deepEqual(await store.getExecution(a.sid, flowA.sid, exec.sid), exec);
        assert.deepEqual(await store.getExecutionBySid(exec.sid), exec);
        assert.deepEqual(await store.getStep(a.sid, flowA.sid, exec.sid, s1.sid), s1);
        assert.deepEqual(await store.getStep(a.sid, flowA.sid, exec.sid, s2.sid), s2);
        assert.deepEqual((await store.listSteps(a.sid, flowA.sid, exec.sid, { pageSize: 50 })).items, [s1, s2]);
        assert.deepEqual(await store.dueTimers(T0 + 60_000, 10), [t1]);
        assert.deepEqual(await store.pendingEffects(10), [e1]);

        const ended: ExecutionRecord = { ...exec, status: 'ended', state: { done: true }, dateUpdated: T0 + 99 };
        const s3 = step(exec, { transitionedTo: 'Ended' });
        await store.writeSprint(sprint(ended, false, { expectedVersion: 'unchecked', steps: [s3], timersToCancel: [t1.id], effectsDone: [e1.id] }));
        assert.deepEqual(await store.getExecution(a.sid, flowA.sid, exec.sid), ended);
        assert.deepEqual((await store.listSteps(a.sid, flowA.sid, exec.sid, { pageSize: 50 })).items, [s1, s2, s3]);
        assert.deepEqual(await store.dueTimers(Number.MAX_SAFE_INTEGER, 10), []);
        assert.equal(await store.nextTimerDue(), null);
        assert.deepEqual(await store.pendingEffects(10), []);
      });

      test('round-trips JSON state exactly (nulls, unicode, deep nesting, empty containers)', async (store) => {
        const { flowA } = await seed(store);
        const state = { a: null, b: [], c: {}, d: 'ü\u0000"\\', e: -1.5, f: { g: { h: { i: [true, false, null] } } } };
        const exec = execution(flowA, { state, dateUpdated: T0 + 5, initiatedBy: 'FN-parent' });
        await store.writeSprint(sprint(exec, true));
        assert.deepEqual(await store.getExecutionBySid(exec.sid), exec);
        const nullState = execution(flowA, { state: null, contactChannelAddress: 'client:x' });
        await store.writeSprint(sprint(nullState, true));
        assert.deepEqual((await store.getExecutionBySid(nullState.sid))?.state, null);
      });

      test('at most one active execution per flow and contact/channel pair', async (store) => {
        const { a, b, flowA, flowB } = await seed(store);
        const first = execution(flowA, { contactChannelAddress: '+15551112222' });
        await store.writeSprint(sprint(first, true));
        assert.deepEqual(await store.findActiveExecution(flowA.sid, '+15551112222', first.channelAddress), first);
        assert.equal(await store.findActiveExecutionSid(flowA.sid, '+15551112222', first.channelAddress), first.sid);
        assert.equal(await store.findActiveExecutionSid(flowA.sid, '+15551112222', '+10000000000'), null);
        assert.equal(await store.findActiveExecution(flowA.sid, '+15551112222', '+10000000000'), null, 'another channel');
        assert.equal(await store.findActiveExecution(flowB.sid, '+15551112222', first.channelAddress), null, 'another flow');

        // the same pair on another flow, or another channel of the same flow, may be active too
        const otherFlow = execution(flowB, { contactChannelAddress: '+15551112222' });
        const otherChannel = execution(flowA, { contactChannelAddress: '+15551112222', channelAddress: '+10000000000' });
        await store.writeSprint(sprint(otherFlow, true));
        await store.writeSprint(sprint(otherChannel, true));
        assert.equal((await store.findActiveExecution(flowB.sid, '+15551112222', otherFlow.channelAddress))?.sid, otherFlow.sid);
        assert.equal((await store.getExecution(b.sid, flowB.sid, otherFlow.sid))?.sid, otherFlow.sid);

        const second = execution(flowA, { contactChannelAddress: '+15551112222' });
        await assert.rejects(store.writeSprint(sprint(second, true)));
        assert.equal(await store.getExecutionBySid(second.sid), null);

        // once the first has ended, the pair is free again; ended executions never conflict
        await store.writeSprint(sprint({ ...first, status: 'ended', dateUpdated: T0 + 7 }, false, { expectedVersion: 'unchecked' }));
        assert.equal(await store.findActiveExecution(flowA.sid, '+15551112222', first.channelAddress), null);
        await store.writeSprint(sprint(second, true));
        assert.equal((await store.findActiveExecution(flowA.sid, '+15551112222', first.channelAddress))?.sid, second.sid);
        await store.writeSprint(sprint({ ...second, status: 'ended' }, false, { expectedVersion: 'unchecked' }));
        const third = execution(flowA, { contactChannelAddress: '+15551112222', status: 'ended' });
        await store.writeSprint(sprint(third, true));
        const all = await store.listExecutions(a.sid, flowA.sid, {}, { pageSize: 50 });
        assert.equal(all.items.filter((e) => e.contactChannelAddress === '+15551112222').length, 4);
      });

      test('a readdressed sprint moves an execution to a new contact/channel pair (Start Conversation)', async (store) => {
        const { a, flowA } = await seed(store);
        const exec = execution(flowA, { contactChannelAddress: '+15550003333', channelAddress: '+15005550006' });
        await store.writeSprint(sprint(exec, true));
        const conversation = 'CH' + 'c'.repeat(32);
        const moved: ExecutionRecord = { ...exec, channelAddress: conversation, contactChannelAddress: 'client:ann', contactSid: sid('FC'), state: { moved: true }, dateUpdated: T0 + 50 };
        await store.writeSprint(sprint(moved, false, { readdressed: true, expectedVersion: 1 }));
        assert.deepEqual(await store.getExecution(a.sid, flowA.sid, exec.sid), moved);
        assert.equal(await store.findActiveExecutionSid(flowA.sid, 'client:ann', conversation), exec.sid);
        assert.equal((await store.findActiveExecution(flowA.sid, 'client:ann', conversation))?.sid, exec.sid);
        assert.equal(await store.findActiveExecutionSid(flowA.sid, '+15550003333', '+15005550006'), null, 'the old pair is free');
        assert.equal((await store.loadExecution(exec.sid))?.version, 2);
        // The old pair may start another execution; the new pair's slot is taken.
        const next = execution(flowA, { contactChannelAddress: '+15550003333', channelAddress: '+15005550006' });
        await store.writeSprint(sprint(next, true));
        const other = execution(flowA, { contactChannelAddress: '+15550004444', channelAddress: '+15005550006' });
        await store.writeSprint(sprint(other, true));
        await assert.rejects(
          store.writeSprint(sprint({ ...other, channelAddress: conversation, contactChannelAddress: 'client:ann' }, false, { expectedVersion: 'unchecked', readdressed: true })),
          (e: unknown) => e instanceof StoreConflictError && e.reason === 'active-execution',
        );
        assert.equal((await store.getExecutionBySid(other.sid))?.channelAddress, '+15005550006', 'a refused move changes nothing');
        // Ending it under its new addresses frees the new pair.
        await store.writeSprint(sprint({ ...moved, status: 'ended', dateUpdated: T0 + 60 }, false, { expectedVersion: 'unchecked' }));
        assert.equal(await store.findActiveExecutionSid(flowA.sid, 'client:ann', conversation), null);
        assert.equal((await store.getExecutionBySid(exec.sid))?.channelAddress, conversation);
      });

      test('non-exclusive executions share a contact pair; findActiveExecution returns the newest', async (store) => {
        const { flowA } = await seed(store);
        const first = execution(flowA, { contactChannelAddress: '+15550007777' });
        const second = execution(flowA, { contactChannelAddress: '+15550007777' });
        await store.writeSprint(sprint(first, true, { exclusive: false }));
        await store.writeSprint(sprint(second, true, { exclusive: false }));
        assert.equal((await store.findActiveExecution(flowA.sid, '+15550007777', first.channelAddress))?.sid, second.sid);
        assert.equal(await store.findActiveExecutionSid(flowA.sid, '+15550007777', first.channelAddress), second.sid);
        await store.writeSprint(sprint({ ...second, status: 'ended' }, false, { expectedVersion: 'unchecked' }));
        assert.equal((await store.findActiveExecution(flowA.sid, '+15550007777', first.channelAddress))?.sid, first.sid);
        assert.equal(await store.findActiveExecutionSid(flowA.sid, '+15550007777', first.channelAddress), first.sid);
        // The exclusive slot is still one: two exclusive executions for one pair conflict.
        const third = execution(flowA, { contactChannelAddress: '+15550008888' });
        const fourth = execution(flowA, { contactChannelAddress: '+15550008888' });
        await store.writeSprint(sprint(third, true));
        await assert.rejects(store.writeSprint(sprint(fourth, true)), (e: unknown) => e instanceof StoreConflictError && e.reason === 'active-execution');
      });

      test("soleCall: a new call execution is refused while its pair has another active call but those it lets pass; nothing of it is kept", async (store) => {
        const { a, flowA, flowB } = await seed(store);
        const contact = '+15550004321';
        const callSid = (n: number) => 'CA' + String(n).padStart(32, 'f');
        const call = (n: number, overrides: Partial<ExecutionRecord> = {}) =>
          execution(flowA, { contactChannelAddress: contact, initiatedBy: callSid(n), state: { callSid: callSid(n), frames: [] }, ...overrides });
        const receipt = (n: number) => ({ accountSid: a.sid, key: `call:${flowA.sid}:${callSid(n)}`, receivedAt: T0 });
        const refused = (e: unknown) => e instanceof StoreConflictError && e.reason === 'active-execution';
        // The caller's REST execution holds the pair's slot: the calls beside it do not take it.
        const rest = execution(flowA, { contactChannelAddress: contact });
        await store.writeSprint(sprint(rest, true));
        const first = call(1);
        await store.writeSprint(sprint(first, true, { exclusive: false, soleCall: { passing: [rest.sid] }, inboundReceipt: receipt(1) }));
        // A second call, with the first not let pass: refused whole (no row, no step, no receipt).
        const second = call(2);
        await assert.rejects(
          store.writeSprint(sprint(second, true, { exclusive: false, soleCall: { passing: [rest.sid] }, inboundReceipt: receipt(2), steps: [step(second)], timersToAdd: [timer(second, T0)] })),
          refused,
        );
        assert.equal(await store.getExecutionBySid(second.sid), null);
        assert.equal(await store.hasInboundReceipt(a.sid, receipt(2).key), false, 'its receipt is not kept: a retry of the webhook is not a duplicate');
        assert.deepEqual(await store.dueTimers(T0, 50), []);
        // Without soleCall (concurrent calls allowed) it goes beside the first.
        await store.writeSprint(sprint(second, true, { exclusive: false }));
        // A call the router let pass (it no longer holds the line) does not refuse; an unknown one does.
        const third = call(3);
        await assert.rejects(store.writeSprint(sprint(third, true, { exclusive: false, soleCall: { passing: [rest.sid, first.sid] } })), refused);
        await store.writeSprint(sprint(third, true, { exclusive: false, soleCall: { passing: [rest.sid, first.sid, second.sid] } }));
        // Other pairs and flows are not looked at; executions not on a call (the REST one) never refuse.
        await store.writeSprint(sprint(call(4, { channelAddress: '+15559990001' }), true, { soleCall: { passing: [] } }));
        await store.writeSprint(sprint(execution(flowB, { contactChannelAddress: contact, state: { callSid: callSid(5) } }), true, { soleCall: { passing: [] } }));
        for (const ended of [first, second, third]) await store.writeSprint(sprint({ ...ended, status: 'ended', dateUpdated: T0 + 9 }, false, { expectedVersion: 'unchecked' }));
        const after = call(6);
        await store.writeSprint(sprint(after, true, { exclusive: false, soleCall: { passing: [] } }));
        assert.equal((await store.findActiveExecutionByCall(flowA.sid, callSid(6)))?.sid, after.sid);
        // Racing calls (webhooks on many nodes at once) beside the REST execution: exactly one is written.
        await store.writeSprint(sprint({ ...after, status: 'ended', dateUpdated: T0 + 10 }, false, { expectedVersion: 'unchecked' }));
        const racers = Array.from({ length: 8 }, (_, i) => call(10 + i));
        const results = await Promise.allSettled(
          racers.map((racer, i) => store.writeSprint(sprint(racer, true, { exclusive: false, soleCall: { passing: [rest.sid] }, inboundReceipt: receipt(10 + i), steps: [step(racer)] }))),
        );
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, 'exactly one call execution is written');
        for (const r of results) if (r.status === 'rejected') assert.ok(refused(r.reason), String(r.reason));
        const calls = (await store.listActiveExecutionsOfPair(flowA.sid, contact, rest.channelAddress, 50)).map((e) => e.sid).filter((s) => s !== rest.sid);
        assert.equal(calls.length, 1);
        assert.equal(calls[0], racers[results.findIndex((r) => r.status === 'fulfilled')]!.sid);
      });

      test("listActiveExecutionsOfPair (and its SIDs alone): all of a pair's active executions, newest first, up to the limit", async (store) => {
        const { a, flowA, flowB } = await seed(store);
        const contact = '+15550006666';
        const oldest = execution(flowA, { contactChannelAddress: contact });
        const middle = execution(flowA, { contactChannelAddress: contact });
        const newest = execution(flowA, { contactChannelAddress: contact });
        // The oldest holds the pair's slot; the others share the pair beside it.
        await store.writeSprint(sprint(oldest, true));
        await store.writeSprint(sprint(middle, true, { exclusive: false }));
        await store.writeSprint(sprint(newest, true, { exclusive: false }));
        // Not the pair's: ended, another channel, another contact, another flow.
        await store.writeSprint(sprint(execution(flowA, { contactChannelAddress: contact, status: 'ended' }), true));
        await store.writeSprint(sprint(execution(flowA, { contactChannelAddress: contact, channelAddress: '+10000000000' }), true));
        await store.writeSprint(sprint(execution(flowA, { contactChannelAddress: '+15550006667' }), true));
        await store.writeSprint(sprint(execution(flowB, { contactChannelAddress: contact }), true));

        const sids = async (limit: number) => (await store.listActiveExecutionsOfPair(flowA.sid, contact, oldest.channelAddress, limit)).map((e) => e.sid);
        assert.deepEqual(await sids(10), [newest.sid, middle.sid, oldest.sid]);
        assert.deepEqual(await sids(2), [newest.sid, middle.sid]);
        assert.deepEqual(await store.listActiveExecutionsOfPair(flowA.sid, contact, oldest.channelAddress, 1), [newest], 'whole records');
        assert.equal((await store.findActiveExecution(flowA.sid, contact, oldest.channelAddress))?.sid, newest.sid, "findActiveExecution's is the first");
        assert.deepEqual(await store.listActiveExecutionsOfPair(flowA.sid, '+15550006668', oldest.channelAddress, 10), []);
        // The same SIDs in the same order without the records (an inbound message asks for two).
        assert.deepEqual(await store.listActiveExecutionSidsOfPair(flowA.sid, contact, oldest.channelAddress, 10), [newest.sid, middle.sid, oldest.sid]);
        assert.deepEqual(await store.listActiveExecutionSidsOfPair(flowA.sid, contact, oldest.channelAddress, 2), [newest.sid, middle.sid]);
        assert.deepEqual(await store.listActiveExecutionSidsOfPair(flowA.sid, '+15550006668', oldest.channelAddress, 2), []);

        // Ending one (the slot holder here) drops it; a readdressed execution is listed under its new pair.
        await store.writeSprint(sprint({ ...oldest, status: 'ended', dateUpdated: T0 + 9 }, false, { expectedVersion: 'unchecked' }));
        assert.deepEqual(await sids(10), [newest.sid, middle.sid]);
        const conversation = 'CH' + 'd'.repeat(32);
        await store.writeSprint(sprint({ ...middle, channelAddress: conversation, dateUpdated: T0 + 10 }, false, { expectedVersion: 'unchecked', readdressed: true }));
        assert.deepEqual(await sids(10), [newest.sid]);
        assert.deepEqual(await store.listActiveExecutionSidsOfPair(flowA.sid, contact, conversation, 2), [middle.sid]);
        assert.deepEqual((await store.listActiveExecutionsOfPair(flowA.sid, contact, conversation, 10)).map((e) => e.sid), [middle.sid]);
        assert.equal((await store.getExecution(a.sid, flowA.sid, middle.sid))?.channelAddress, conversation);
      });

      test("findActiveExecutionByCall: the flow's active execution whose state names the call, on any pair", async (store) => {
        const { flowA, flowB } = await seed(store);
        const call = (n: number) => 'CA' + String(n).padStart(32, 'c');
        const byCall = async (flowSid: string, callSid: string) => (await store.findActiveExecutionByCall(flowSid, callSid))?.sid ?? null;
        // An inbound call: its CallSid is in the state from the first sprint.
        const inbound = execution(flowA, { initiatedBy: call(1), state: { callSid: call(1), frames: [] } });
        await store.writeSprint(sprint(inbound, true));
        assert.deepEqual(await store.findActiveExecutionByCall(flowA.sid, call(1)), inbound, 'the whole record');
        assert.equal(await byCall(flowB.sid, call(1)), null, 'another flow');
        assert.equal(await byCall(flowA.sid, call(9)), null, 'another call');
        // A sprint that keeps it active on the same call, and one that moves it to another pair.
        const stepped = { ...inbound, state: { callSid: call(1), frames: [], step: 2 }, dateUpdated: T0 + 1 };
        await store.writeSprint(sprint(stepped, false, { expectedVersion: 1 }));
        assert.deepEqual(await store.findActiveExecutionByCall(flowA.sid, call(1)), stepped);
        const moved = { ...stepped, contactChannelAddress: 'client:bo', channelAddress: 'CH' + 'e'.repeat(32), dateUpdated: T0 + 2 };
        await store.writeSprint(sprint(moved, false, { readdressed: true, expectedVersion: 2 }));
        assert.equal(await byCall(flowA.sid, call(1)), inbound.sid, 'found on its new pair');
        // An outbound call becomes the execution's once answered: a later sprint names it.
        const outbound = execution(flowA, { contactChannelAddress: '+15550005555' });
        await store.writeSprint(sprint(outbound, true));
        assert.equal(await byCall(flowA.sid, call(2)), null);
        await store.writeSprint(sprint({ ...outbound, state: { callSid: call(2) }, dateUpdated: T0 + 3 }, false, { expectedVersion: 1 }));
        assert.equal(await byCall(flowA.sid, call(2)), outbound.sid);
        assert.equal((await store.loadExecution(outbound.sid))?.version, 2, 'one update, at the version it was built on');
        // Its call is replaced by another (the caller hung up; a new call was placed), then none.
        await store.writeSprint(sprint({ ...outbound, state: { callSid: call(3) }, dateUpdated: T0 + 4 }, false, { expectedVersion: 'unchecked' }));
        assert.equal(await byCall(flowA.sid, call(2)), null, 'the old call is no longer its');
        assert.equal(await byCall(flowA.sid, call(3)), outbound.sid);
        await store.writeSprint(sprint({ ...outbound, state: {}, dateUpdated: T0 + 5 }, false, { expectedVersion: 'unchecked' }));
        assert.equal(await byCall(flowA.sid, call(3)), null);
        // A stale sprint is still refused when its call differs.
        await assert.rejects(
          store.writeSprint(sprint({ ...outbound, state: { callSid: call(4) } }, false, { expectedVersion: 1 })),
          (e: unknown) => e instanceof StoreConflictError && e.reason === 'version',
        );
        assert.equal(await byCall(flowA.sid, call(4)), null);
        // Two active executions naming one call: the newest. An ended one is never found.
        const again = execution(flowA, { contactChannelAddress: '+15550005556', state: { callSid: call(1) } });
        await store.writeSprint(sprint(again, true));
        assert.equal(await byCall(flowA.sid, call(1)), again.sid);
        await store.writeSprint(sprint({ ...again, status: 'ended', dateUpdated: T0 + 6 }, false, { expectedVersion: 'unchecked' }));
        await store.writeSprint(sprint({ ...moved, status: 'ended', dateUpdated: T0 + 7 }, false, { expectedVersion: 'unchecked' }));
        assert.equal(await byCall(flowA.sid, call(1)), null);
        await store.writeSprint(sprint(execution(flowA, { contactChannelAddress: '+15550005557', status: 'ended', state: { callSid: call(5) } }), true));
        assert.equal(await byCall(flowA.sid, call(5)), null);
      });

      test('writeSprint is atomic: a second active execution leaves nothing of its sprint behind', async (store) => {
        const { a, flowA } = await seed(store);
        const first = execution(flowA);
        await store.writeSprint(sprint(first, true));
        const clash = execution(flowA, { contactChannelAddress: first.contactChannelAddress });
        const s = step(clash);
        await assert.rejects(
          store.writeSprint(
            sprint(clash, true, { steps: [s], timersToAdd: [timer(clash, T0)], effectsToAdd: [effect(clash, { x: 1 })] }),
          ),
        );
        assert.equal(await store.getExecutionBySid(clash.sid), null);
        assert.equal(await store.getStep(a.sid, flowA.sid, clash.sid, s.sid), null);
        assert.deepEqual(await store.dueTimers(Number.MAX_SAFE_INTEGER, 10), []);
        assert.equal(await store.nextTimerDue(), null);
        assert.deepEqual(await store.pendingEffects(10), []);
        assert.deepEqual((await store.listExecutions(a.sid, flowA.sid, {}, { pageSize: 50 })).items, [first]);
      });

      test('writeSprint is atomic: a duplicate step SID rolls back the update, cancellations and effects', async (store) => {
        const { a, flowA } = await seed(store);
        const exec = execution(flowA);
        const s1 = step(exec);
        const keep = timer(exec, T0 + 10);
        const done = effect(exec, { n: 1 });
        await store.writeSprint(sprint(exec, true, { steps: [s1], timersToAdd: [keep], effectsToAdd: [done] }));

        const changed: ExecutionRecord = { ...exec, status: 'ended', state: { changed: true }, dateUpdated: T0 + 50 };
        const fresh = step(exec);
        await assert.rejects(
          store.writeSprint(
            sprint(changed, false, {
              expectedVersion: 'unchecked',
              steps: [fresh, { ...step(exec), sid: s1.sid }],
              timersToAdd: [timer(exec, T0 + 20)],
              timersToCancel: [keep.id],
              effectsToAdd: [effect(exec, { n: 2 })],
              effectsDone: [done.id],
            }),
          ),
        );
        assert.deepEqual(await store.getExecution(a.sid, flowA.sid, exec.sid), exec, 'execution unchanged');
        assert.deepEqual((await store.listSteps(a.sid, flowA.sid, exec.sid, { pageSize: 50 })).items, [s1]);
        assert.equal(await store.getStep(a.sid, flowA.sid, exec.sid, fresh.sid), null);
        assert.deepEqual(await store.dueTimers(Number.MAX_SAFE_INTEGER, 10), [keep], 'cancelled timer restored, new one absent');
        assert.deepEqual(await store.pendingEffects(10), [done], 'done effect restored, new one absent');

        // duplicates inside one new-execution sprint roll back the insert too
        const other = execution(flowA);
        const dup = step(other);
        await assert.rejects(store.writeSprint(sprint(other, true, { steps: [dup, dup] })));
        assert.equal(await store.getExecutionBySid(other.sid), null);
        assert.equal(await store.findActiveExecution(flowA.sid, other.contactChannelAddress, other.channelAddress), null);
      });

      test('writeSprint rejects an update of a missing execution and a duplicate insert', async (store) => {
        const { flowA } = await seed(store);
        const ghost = execution(flowA);
        await assert.rejects(store.writeSprint(sprint(ghost, false, { expectedVersion: 'unchecked', steps: [step(ghost)], effectsToAdd: [effect(ghost, 1)] })));
        assert.equal(await store.getExecutionBySid(ghost.sid), null);
        assert.deepEqual(await store.pendingEffects(10), []);

        const exec = execution(flowA);
        await store.writeSprint(sprint(exec, true));
        await assert.rejects(store.writeSprint(sprint({ ...exec, status: 'ended', contactChannelAddress: 'other' }, true)));
        assert.deepEqual(await store.getExecutionBySid(exec.sid), exec);
      });

      test('executions and steps are invisible to other accounts and other flows', async (store) => {
        const { a, b, flowA, flowB } = await seed(store);
        const exec = execution(flowA);
        const s = step(exec);
        await store.writeSprint(sprint(exec, true, { steps: [s] }));
        assert.equal(await store.getExecution(b.sid, flowA.sid, exec.sid), null);
        assert.equal(await store.getExecution(b.sid, flowB.sid, exec.sid), null);
        assert.equal(await store.getExecution(a.sid, flowB.sid, exec.sid), null, 'wrong flow');
        assert.deepEqual((await store.listExecutions(b.sid, flowA.sid, {}, { pageSize: 50 })).items, []);
        assert.deepEqual((await store.listExecutions(b.sid, flowB.sid, {}, { pageSize: 50 })).items, []);
        assert.deepEqual((await store.listSteps(b.sid, flowA.sid, exec.sid, { pageSize: 50 })).items, []);
        assert.deepEqual((await store.listSteps(a.sid, flowB.sid, exec.sid, { pageSize: 50 })).items, []);
        assert.equal(await store.getStep(b.sid, flowA.sid, exec.sid, s.sid), null);
        assert.equal(await store.getStep(a.sid, flowB.sid, exec.sid, s.sid), null);
        assert.equal(await store.deleteExecution(b.sid, flowA.sid, exec.sid), false);
        assert.equal(await store.deleteExecution(a.sid, flowB.sid, exec.sid), false);
        assert.deepEqual(await store.getExecution(a.sid, flowA.sid, exec.sid), exec, 'foreign deletes removed nothing');
        assert.deepEqual(await store.getStep(a.sid, flowA.sid, exec.sid, s.sid), s);
      });

      test('getStep needs the right execution', async (store) => {
        const { a, flowA } = await seed(store);
        const e1 = execution(flowA);
        const e2 = execution(flowA);
        const s1 = step(e1);
        const s2 = step(e2);
        await store.writeSprint(sprint(e1, true, { steps: [s1] }));
        await store.writeSprint(sprint(e2, true, { steps: [s2] }));
        assert.equal(await store.getStep(a.sid, flowA.sid, e2.sid, s1.sid), null);
        assert.deepEqual((await store.listSteps(a.sid, flowA.sid, e1.sid, { pageSize: 50 })).items, [s1]);
        assert.deepEqual((await store.listSteps(a.sid, flowA.sid, e2.sid, { pageSize: 50 })).items, [s2]);
        assert.deepEqual((await store.listSteps(a.sid, flowA.sid, sid('FN'), { pageSize: 50 })).items, []);
        assert.equal(await store.getExecution(a.sid, flowA.sid, sid('FN')), null);
        assert.equal(await store.getExecutionBySid(sid('FN')), null);
      });

      test("an execution's stamp (status, version) moves with every sprint, of the flow's executions only", async (store) => {
        const { a, b, flowA } = await seed(store);
        const exec = execution(flowA);
        assert.equal(await store.getExecutionStamp(a.sid, flowA.sid, exec.sid), null);
        await store.writeSprint(sprint(exec, true, { steps: [step(exec)] }));
        assert.deepEqual(await store.getExecutionStamp(a.sid, flowA.sid, exec.sid), { status: 'active', version: 1 });
        // A sprint that leaves the execution as it was (its state, status and date) still moves it: its steps are new.
        await store.writeSprint(sprint(exec, false, { expectedVersion: 1, steps: [step(exec)] }));
        assert.deepEqual(await store.getExecutionStamp(a.sid, flowA.sid, exec.sid), { status: 'active', version: 2 });
        assert.deepEqual(await store.getExecutionStamp(a.sid, flowA.sid, exec.sid), { status: 'active', version: 2 }, 'reading does not move it');
        await store.writeSprint(sprint({ ...exec, status: 'ended', dateUpdated: T0 + 5000 }, false, { expectedVersion: 2 }));
        assert.deepEqual(await store.getExecutionStamp(a.sid, flowA.sid, exec.sid), { status: 'ended', version: 3 });
        assert.equal((await store.loadExecution(exec.sid))?.version, 3, "loadExecution's version");
        assert.equal(await store.getExecutionStamp(b.sid, flowA.sid, exec.sid), null, "another account's");
        assert.equal(await store.getExecutionStamp(a.sid, sid('FW'), exec.sid), null, "another flow's");
        assert.ok(await store.deleteExecution(a.sid, flowA.sid, exec.sid));
        assert.equal(await store.getExecutionStamp(a.sid, flowA.sid, exec.sid), null, 'deleted');
      });

      test("reads executions' standings (end reason, frames' widgets) out of their states, of the flow's executions only", async (store) => {
        const { a, b, flowA, flowB } = await seed(store);
        const frame = (current: unknown, extra: Record<string, unknown> = {}) => ({ flowSid: flowA.sid, revision: 1, current, wait: null, trigger: {}, variables: {}, data: {}, widgets: { big: 'x'.repeat(1000) }, ...extra });
        const waiting = execution(flowA, { state: { endReason: null, frames: [frame('Trigger'), frame('ask_child', { parentWidget: 'run_child' })] } });
        const ended = execution(flowA, { status: 'ended', state: { endReason: { kind: 'error', code: 81001, message: 'loop "w" ✓' }, frames: [frame(null)] } });
        const odd = execution(flowA, { state: { frames: ['not a frame', frame({ not: 'a name' }, { parentWidget: 7 })] } });
        const notAList = execution(flowA, { state: { frames: { 0: frame('w') }, endReason: 'text' } });
        const nullState = execution(flowA, { state: null });
        const otherFlow = execution(flowB);
        for (const exec of [waiting, ended, odd, notAList, nullState, otherFlow]) await store.writeSprint(sprint(exec, true));
        const asked = [waiting, ended, odd, notAList, nullState, otherFlow].map((e) => e.sid).concat(sid('FN'));
        const standings = await store.listExecutionStandings(a.sid, flowA.sid, asked);
        assert.deepEqual(
          [...standings].sort((x, y) => x.sid.localeCompare(y.sid)),
          [
            { sid: waiting.sid, status: 'active', endReason: null, frames: [{ current: 'Trigger', parentWidget: null }, { current: 'ask_child', parentWidget: 'run_child' }] },
            { sid: ended.sid, status: 'ended', endReason: { kind: 'error', code: 81001, message: 'loop "w" ✓' }, frames: [{ current: null, parentWidget: null }] },
            { sid: odd.sid, status: 'active', endReason: null, frames: [{ current: null, parentWidget: null }, { current: { not: 'a name' }, parentWidget: 7 }] },
            { sid: notAList.sid, status: 'active', endReason: 'text', frames: null },
            { sid: nullState.sid, status: 'active', endReason: null, frames: null },
          ].sort((x, y) => x.sid.localeCompare(y.sid)),
        );
        assert.deepEqual(await store.listExecutionStandings(b.sid, flowA.sid, asked), [], "another account's");
        assert.deepEqual((await store.listExecutionStandings(b.sid, flowB.sid, asked)).map((s) => s.sid), [otherFlow.sid]);
        assert.deepEqual(await store.listExecutionStandings(a.sid, flowA.sid, []), []);
        // Escapes jsonb refuses: kept (SQLite) or read as U+FFFD (PostgreSQL), never a failed read.
        const escaped = execution(flowA, { status: 'ended', state: { endReason: { kind: 'error', code: 1, message: 'a\u0000b \ud800' }, frames: [] } });
        await store.writeSprint(sprint(escaped, true));
        const [read] = await store.listExecutionStandings(a.sid, flowA.sid, [escaped.sid]);
        assert.ok(['a\u0000b \ud800', 'a\ufffdb \ufffd'].includes((read!.endReason as { message: string }).message), JSON.stringify(read!.endReason));
        assert.deepEqual(read!.frames, []);
      });

      test('lists executions newest first (23 rows, page size 5)', async (store) => {
        const { a, b, flowA, flowB } = await seed(store);
        const sids: string[] = [];
        for (let i = 0; i < 23; i++) {
          const exec = execution(flowA);
          await store.writeSprint(sprint(exec, true));
          sids.push(exec.sid);
          if (i % 4 === 0) await store.writeSprint(sprint(execution(flowB), true)); // noise in another account
        }
        const expected = sids.reverse();
        await checkPaging((page) => store.listExecutions(a.sid, flowA.sid, {}, page), (e) => e.sid, expected, 5);
        await checkPaging((page) => store.listExecutions(a.sid, flowA.sid, {}, page), (e) => e.sid, expected, 7);
        assert.equal((await store.listExecutions(b.sid, flowB.sid, {}, { pageSize: 50 })).items.length, 6);
      });

      test('updating an execution does not move it in the list', async (store) => {
        const { a, flowA } = await seed(store);
        const execs = [execution(flowA), execution(flowA), execution(flowA)];
        for (const e of execs) await store.writeSprint(sprint(e, true));
        await store.writeSprint(sprint({ ...execs[0]!, status: 'ended', dateUpdated: T0 + 1e6 }, false, { expectedVersion: 'unchecked' }));
        const listed = await store.listExecutions(a.sid, flowA.sid, {}, { pageSize: 50 });
        assert.deepEqual(listed.items.map((e) => e.sid), execs.map((e) => e.sid).reverse());
        assert.equal(listed.items[2]!.status, 'ended');
      });

      test('filters executions by status and date bounds (from inclusive, to exclusive), with paging', async (store) => {
        const { a, flowA } = await seed(store);
        const all: ExecutionRecord[] = [];
        for (let i = 0; i < 12; i++) {
          const exec = execution(flowA, { dateCreated: T0 + i * 1000, status: i % 3 === 0 ? 'active' : 'ended' });
          await store.writeSprint(sprint(exec, true));
          all.push(exec);
        }
        const newestFirst = [...all].reverse();
        const sidsOf = (list: ExecutionRecord[]) => list.map((e) => e.sid);
        const list = (filter: Parameters<Store['listExecutions']>[2], page: PageRequest = { pageSize: 50 }) =>
          store.listExecutions(a.sid, flowA.sid, filter, page);

        assert.deepEqual(sidsOf((await list({ status: 'active' })).items), sidsOf(newestFirst.filter((e) => e.status === 'active')));
        assert.deepEqual(sidsOf((await list({ status: 'ended' })).items), sidsOf(newestFirst.filter((e) => e.status === 'ended')));
        const from = T0 + 3000;
        const to = T0 + 8000;
        const inRange = newestFirst.filter((e) => e.dateCreated >= from && e.dateCreated < to);
        assert.equal(inRange.length, 5, 'DateCreatedFrom is inclusive, DateCreatedTo exclusive ("starting before")');
        assert.deepEqual(sidsOf((await list({ dateCreatedFrom: from, dateCreatedTo: to })).items), sidsOf(inRange));
        assert.deepEqual(sidsOf((await list({ dateCreatedFrom: from })).items), sidsOf(newestFirst.filter((e) => e.dateCreated >= from)));
        assert.deepEqual(sidsOf((await list({ dateCreatedTo: to })).items), sidsOf(newestFirst.filter((e) => e.dateCreated < to)));
        assert.deepEqual(
          sidsOf((await list({ status: 'ended', dateCreatedFrom: from, dateCreatedTo: to })).items),
          sidsOf(inRange.filter((e) => e.status === 'ended')),
        );
        assert.deepEqual((await list({ dateCreatedFrom: to, dateCreatedTo: to })).items, [], 'an empty interval');
        assert.deepEqual((await list({ dateCreatedFrom: to + 1, dateCreatedTo: from })).items, []);
        assert.deepEqual(sidsOf((await list({ status: undefined, dateCreatedFrom: undefined })).items), sidsOf(newestFirst));
        await checkPaging(
          (page) => list({ status: 'ended', dateCreatedTo: T0 + 10_000 }, page),
          (e) => e.sid,
          sidsOf(newestFirst.filter((e) => e.status === 'ended' && e.dateCreated < T0 + 10_000)),
          3,
        );
      });

      test('filters executions by contact address (exact), with the other filters and paging', async (store) => {
        const { a, b, flowA } = await seed(store);
        const second = flowPair(a.sid);
        await store.createFlow(second.flow, second.revision);
        const caller = '+15550100';
        const all: ExecutionRecord[] = [];
        for (let i = 0; i < 12; i++) {
          // Every third one is another contact (one that only differs by a suffix, or by case).
          const contact = i % 3 === 1 ? `${caller}1` : i % 3 === 2 ? 'whatsapp:+15550100' : caller;
          const exec = execution(flowA, {
            dateCreated: T0 + i * 1000,
            status: i % 2 === 0 ? 'ended' : 'active',
            contactChannelAddress: contact,
            // A flow address each, so that the active ones do not share a contact pair.
            channelAddress: `+1555999${String(i).padStart(4, '0')}`,
          });
          await store.writeSprint(sprint(exec, true));
          all.push(exec);
        }
        // The same contact on another flow of the account is not listed.
        await store.writeSprint(sprint(execution(second.flow, { contactChannelAddress: caller }), true));
        const newestFirst = [...all].reverse();
        const callers = newestFirst.filter((e) => e.contactChannelAddress === caller);
        const sidsOf = (list: ExecutionRecord[]) => list.map((e) => e.sid);
        const list = (filter: Parameters<Store['listExecutions']>[2], page: PageRequest = { pageSize: 50 }) =>
          store.listExecutions(a.sid, flowA.sid, filter, page);

        assert.equal(callers.length, 4);
        assert.deepEqual(sidsOf((await list({ contactAddress: caller })).items), sidsOf(callers));
        assert.deepEqual(sidsOf((await list({ contactAddress: 'whatsapp:+15550100' })).items), sidsOf(newestFirst.filter((e) => e.contactChannelAddress === 'whatsapp:+15550100')));
        assert.deepEqual((await list({ contactAddress: '+1555010' })).items, [], 'a prefix is not a match');
        assert.deepEqual((await list({ contactAddress: 'WHATSAPP:+15550100' })).items, [], 'nor another case');
        assert.deepEqual((await store.listExecutions(b.sid, flowA.sid, { contactAddress: caller }, { pageSize: 50 })).items, [], 'nor another account');
        assert.deepEqual(
          sidsOf((await list({ contactAddress: caller, status: 'ended', dateCreatedFrom: T0 + 1000, dateCreatedTo: T0 + 9000 })).items),
          sidsOf(callers.filter((e) => e.status === 'ended' && e.dateCreated >= T0 + 1000 && e.dateCreated < T0 + 9000)),
        );
        assert.deepEqual(sidsOf((await list({ contactAddress: undefined })).items), sidsOf(newestFirst));
        await checkPaging((page) => list({ contactAddress: caller }, page), (e) => e.sid, sidsOf(callers), 3);
        await checkPaging((page) => list({ contactAddress: caller }, page), (e) => e.sid, sidsOf(callers), 1);
      });

      test('lists steps in chronological order (23 steps over several sprints, page size 5)', async (store) => {
        const { a, flowA } = await seed(store);
        const exec = execution(flowA);
        const other = execution(flowA);
        const steps = Array.from({ length: 23 }, () => step(exec));
        await store.writeSprint(sprint(exec, true, { steps: steps.slice(0, 4) }));
        await store.writeSprint(sprint(other, true, { steps: [step(other), step(other)] }));
        await store.writeSprint(sprint(exec, false, { expectedVersion: 'unchecked', steps: steps.slice(4, 5) }));
        await store.writeSprint(sprint(other, false, { expectedVersion: 'unchecked', steps: [step(other)] }));
        await store.writeSprint(sprint(exec, false, { expectedVersion: 'unchecked', steps: steps.slice(5, 17) }));
        await store.writeSprint(sprint(exec, false, { expectedVersion: 'unchecked', steps: steps.slice(17) }));
        const expected = steps.map((s) => s.sid);
        await checkPaging((page) => store.listSteps(a.sid, flowA.sid, exec.sid, page), (s) => s.sid, expected, 5);
        await checkPaging((page) => store.listSteps(a.sid, flowA.sid, exec.sid, page), (s) => s.sid, expected, 1);
        assert.deepEqual((await store.listSteps(a.sid, flowA.sid, exec.sid, { pageSize: 100 })).items, steps);
        assert.equal((await store.listSteps(a.sid, flowA.sid, other.sid, { pageSize: 100 })).items.length, 3);
      });

      test('deleteExecution removes its steps, timers and effects only', async (store) => {
        const { a, flowA } = await seed(store);
        const gone = execution(flowA);
        const kept = execution(flowA);
        const goneStep = step(gone);
        const keptStep = step(kept);
        const keptTimer = timer(kept, T0 + 2);
        const keptEffect = effect(kept, 'k', T0 + 2);
        await store.writeSprint(sprint(gone, true, { steps: [goneStep], timersToAdd: [timer(gone, T0 + 1)], effectsToAdd: [effect(gone, 'g', T0 + 1)] }));
        await store.writeSprint(sprint(kept, true, { steps: [keptStep], timersToAdd: [keptTimer], effectsToAdd: [keptEffect] }));
        const goneRecord = channelRecord(gone, 'carrier-msg:SMgone');
        const keptRecord = channelRecord(kept, 'carrier-msg:SMkept');
        await store.putChannelRecord(goneRecord);
        await store.putChannelRecord(keptRecord);

        assert.equal(await store.deleteExecution(a.sid, flowA.sid, gone.sid), true);
        assert.equal(await store.getChannelRecord(goneRecord.key), null);
        assert.deepEqual(await store.getChannelRecord(keptRecord.key), keptRecord);
        assert.equal(await store.getExecution(a.sid, flowA.sid, gone.sid), null);
        assert.equal(await store.getExecutionBySid(gone.sid), null);
        assert.equal(await store.getStep(a.sid, flowA.sid, gone.sid, goneStep.sid), null);
        assert.deepEqual((await store.listSteps(a.sid, flowA.sid, gone.sid, { pageSize: 10 })).items, []);
        assert.deepEqual(await store.dueTimers(Number.MAX_SAFE_INTEGER, 10), [keptTimer]);
        assert.deepEqual(await store.pendingEffects(10), [keptEffect]);
        assert.equal(await store.findActiveExecution(flowA.sid, gone.contactChannelAddress, gone.channelAddress), null);
        assert.equal(await store.deleteExecution(a.sid, flowA.sid, gone.sid), false, 'second delete finds nothing');

        assert.deepEqual(await store.getExecution(a.sid, flowA.sid, kept.sid), kept);
        assert.deepEqual(await store.getStep(a.sid, flowA.sid, kept.sid, keptStep.sid), keptStep);
        // the pair of a deleted active execution is free again
        await store.writeSprint(sprint({ ...execution(flowA), contactChannelAddress: gone.contactChannelAddress }, true));
      });

      test('deleteFlow cascades to executions, steps, timers and effects of that flow only', async (store) => {
        const { a, b, flowA, flowB } = await seed(store);
        const second = flowPair(a.sid);
        await store.createFlow(second.flow, second.revision);
        const doomed = [execution(flowA), execution(flowA, { status: 'ended' })];
        for (const e of doomed) {
          await store.writeSprint(sprint(e, true, { steps: [step(e), step(e)], timersToAdd: [timer(e, T0)], effectsToAdd: [effect(e, e.sid)] }));
        }
        const survivors = [execution(second.flow), execution(flowB)];
        const survivorSteps = survivors.map((e) => step(e));
        const survivorTimers = survivors.map((e, i) => timer(e, T0 + 100 + i));
        const survivorEffects = survivors.map((e) => effect(e, e.sid));
        for (const [i, e] of survivors.entries()) {
          await store.writeSprint(
            sprint(e, true, { steps: [survivorSteps[i]!], timersToAdd: [survivorTimers[i]!], effectsToAdd: [survivorEffects[i]!] }),
          );
        }

        for (const e of [...doomed, ...survivors]) await store.putChannelRecord(channelRecord(e, `inflight:${e.sid}`));
        assert.equal(await store.deleteFlow(a.sid, flowA.sid), true);
        for (const e of survivors) assert.ok(await store.getChannelRecord(`inflight:${e.sid}`));
        for (const e of doomed) {
          assert.equal(await store.getChannelRecord(`inflight:${e.sid}`), null);
          assert.equal(await store.getExecutionBySid(e.sid), null);
          assert.deepEqual((await store.listSteps(a.sid, flowA.sid, e.sid, { pageSize: 10 })).items, []);
        }
        assert.deepEqual((await store.listExecutions(a.sid, flowA.sid, {}, { pageSize: 10 })).items, []);
        assert.equal(await store.findActiveExecution(flowA.sid, doomed[0]!.contactChannelAddress, doomed[0]!.channelAddress), null);
        assert.deepEqual(await store.dueTimers(Number.MAX_SAFE_INTEGER, 10), survivorTimers);
        assert.equal(await store.nextTimerDue(), T0 + 100);
        assert.deepEqual(await store.pendingEffects(10), survivorEffects);
        for (const [i, e] of survivors.entries()) {
          assert.deepEqual(await store.getExecutionBySid(e.sid), e);
          assert.deepEqual(await store.getStep(e.accountSid, e.flowSid, e.sid, survivorSteps[i]!.sid), survivorSteps[i]);
        }
        assert.equal(await store.deleteFlow(b.sid, second.flow.sid), false, 'foreign account cannot cascade-delete');
        assert.deepEqual(await store.getExecutionBySid(survivors[0]!.sid), survivors[0]);
      });
    });

    describe('timers and pending effects', () => {
      test('expiredExecutions: active ones created by a time, oldest first, paged by (created, sid); ended ones never', async (store) => {
        const { flowA, flowB } = await seed(store);
        assert.equal(await store.oldestActiveExecution(), null);
        assert.deepEqual(await store.expiredExecutions(Number.MAX_SAFE_INTEGER, 10), []);
        const young = execution(flowA, { dateCreated: T0 + 900 });
        const old = execution(flowB, { dateCreated: T0 + 100 });
        // Two created in the same millisecond: ordered by SID, and paging must not skip either.
        const [twinA, twinB] = [execution(flowA, { dateCreated: T0 + 500 }), execution(flowB, { dateCreated: T0 + 500 })].sort((x, y) => (x.sid < y.sid ? -1 : 1));
        const ended = execution(flowA, { dateCreated: T0, status: 'ended' });
        for (const e of [young, old, twinB!, twinA!, ended]) await store.writeSprint(sprint(e, true));
        const age = (e: ExecutionRecord) => ({ sid: e.sid, dateCreated: e.dateCreated });

        assert.equal(await store.oldestActiveExecution(), T0 + 100, 'the ended one does not count');
        assert.deepEqual(await store.expiredExecutions(T0 + 99, 10), []);
        assert.deepEqual(await store.expiredExecutions(T0 + 500, 10), [age(old), age(twinA!), age(twinB!)], 'created at the limit counts');
        assert.deepEqual(await store.expiredExecutions(T0 + 1000, 2), [age(old), age(twinA!)]);
        assert.deepEqual(await store.expiredExecutions(T0 + 1000, 2, age(twinA!)), [age(twinB!), age(young)]);
        assert.deepEqual(await store.expiredExecutions(T0 + 1000, 2, age(young)), []);

        // Ending one takes it out; the next oldest is the one to expire next.
        await store.writeSprint(sprint({ ...old, status: 'ended', state: { done: true }, dateUpdated: T0 + 2000 }, false, { expectedVersion: 'unchecked' }));
        assert.equal(await store.oldestActiveExecution(), T0 + 500);
        assert.deepEqual(await store.expiredExecutions(T0 + 1000, 10), [age(twinA!), age(twinB!), age(young)]);
      });

      test('activeExecutionsOnCalls: of a stretch of active ones created by a time, those on a call or whose deepest frame waits on one, whole, paged by (created, sid)', async (store) => {
        const { flowA, flowB } = await seed(store);
        const frame = (wait: unknown) => ({ current: 'w', wait, trigger: {}, variables: {}, widgets: { big: 'x'.repeat(3000) } });
        const ringing = { kind: 'call', twiml: [], outputs: { CallSid: 'CA' + '1'.repeat(32) } };
        const reply = { kind: 'reply', timerId: 'TM1', outbound: { body: 'say "kind":"call"' } };
        const at = (dateCreated: number, state: unknown, overrides: Partial<ExecutionRecord> = {}) => execution(flowA, { dateCreated, state, ...overrides });
        const onCall = at(T0 + 100, { callSid: 'CA' + '2'.repeat(32), frames: [frame({ kind: 'effect', effectId: 'EF1' })] });
        const placing = at(T0 + 200, { frames: [frame(null), frame(ringing)] });
        // Two created in the same millisecond, one of each kind: ordered by SID, and paging must not skip either.
        const [twinA, twinB] = [
          execution(flowB, { dateCreated: T0 + 300, state: { callSid: 'CA' + '3'.repeat(32), frames: [frame(ringing)] } }),
          execution(flowB, { dateCreated: T0 + 300, state: { frames: [frame({ kind: 'call', twiml: [{ say: 'hi' }] })] } }),
        ].sort((x, y) => (x.sid < y.sid ? -1 : 1));
        const young = at(T0 + 900, { callSid: 'CA' + '4'.repeat(32), frames: [frame(null)] });
        // Not on a call: a messaging execution waiting for a reply (its text naming a call wait), one whose call
        // wait is in an outer frame, one ended on a call, and states with no frames to look into.
        const messaging = at(T0 + 150, { frames: [frame(reply)] });
        const outerCall = at(T0 + 250, { frames: [frame(ringing), frame({ kind: 'subflow' })] });
        const ended = at(T0 + 50, { callSid: 'CA' + '5'.repeat(32), frames: [frame(ringing)] }, { status: 'ended' });
        const odd = [at(T0 + 60, null), at(T0 + 70, { frames: { kind: 'call' } }), at(T0 + 80, { frames: [] }), at(T0 + 90, { callSid: '', frames: ['no wait'] })];
        for (const e of [young, messaging, twinB!, onCall, outerCall, ended, placing, twinA!, ...odd]) await store.writeSprint(sprint(e, true, { exclusive: false }));
        const sids = (found: ExecutionRecord[]) => found.map((e) => e.sid);
        const age = (e: ExecutionRecord) => ({ sid: e.sid, dateCreated: e.dateCreated });
        /** Each stretch of `scan` walked from the start: what it found, and where it stopped. */
        const walk = async (createdBy: number, scan: number) => {
          const stretches: { found: string[]; to: string | null }[] = [];
          let after: { sid: string; dateCreated: number } | undefined;
          for (;;) {
            const { executions, scannedTo } = await store.activeExecutionsOnCalls(createdBy, scan, after);
            stretches.push({ found: sids(executions), to: scannedTo?.sid ?? null });
            if (scannedTo === null) return stretches;
            assert.ok(stretches.length < 20, 'the walk does not end');
            after = scannedTo;
          }
        };

        assert.deepEqual(await store.activeExecutionsOnCalls(T0 + 1000, 100), { executions: [onCall, placing, twinA!, twinB!, young], scannedTo: age(young) }, 'whole records, oldest first');
        assert.deepEqual(await store.activeExecutionsOnCalls(T0 + 99, 100), { executions: [], scannedTo: age(odd[3]!) }, 'a stretch with none on a call');
        assert.deepEqual(await store.activeExecutionsOnCalls(T0 + 59, 100), { executions: [], scannedTo: null }, 'the ended one is not looked at');
        assert.deepEqual(await store.activeExecutionsOnCalls(T0 + 1000, 100, age(young)), { executions: [], scannedTo: null });
        assert.deepEqual(sids((await store.activeExecutionsOnCalls(T0 + 300, 100)).executions), sids([onCall, placing, twinA!, twinB!]), 'created at the limit counts');
        // Stretches of three of the eleven active ones (four odd, then onCall, messaging, placing, outerCall, the twins, young).
        assert.deepEqual(await walk(T0 + 1000, 3), [
          { found: [], to: odd[2]!.sid },
          { found: [onCall.sid], to: messaging.sid },
          { found: [placing.sid, twinA!.sid], to: twinA!.sid },
          { found: [twinB!.sid, young.sid], to: young.sid },
          { found: [], to: null },
        ]);

        // The call over (ended, or no longer waited on): out of the sweep.
        await store.writeSprint(sprint({ ...placing, state: { frames: [frame(reply)] }, dateUpdated: T0 + 2000 }, false, { expectedVersion: 1 }));
        await store.writeSprint(sprint({ ...onCall, status: 'ended', dateUpdated: T0 + 2000 }, false, { expectedVersion: 1 }));
        assert.deepEqual(sids((await store.activeExecutionsOnCalls(T0 + 1000, 100)).executions), sids([twinA!, twinB!, young]));
        // A messaging execution that comes to wait on a call is found.
        await store.writeSprint(sprint({ ...messaging, state: { frames: [frame(reply), frame(ringing)] }, dateUpdated: T0 + 2000 }, false, { expectedVersion: 1 }));
        assert.deepEqual(sids((await store.activeExecutionsOnCalls(T0 + 1000, 100)).executions), sids([messaging, twinA!, twinB!, young]));
      });

      test("activeExecutionsWithAgents: the flow's active executions whose deepest frame waits on a virtual agent, whole, paged by SID", async (store) => {
        const { flowA, flowB } = await seed(store);
        const frame = (wait: unknown) => ({ current: 'w', wait, trigger: {}, variables: {}, widgets: {} });
        const agent = { kind: 'virtual-agent', timerId: 'TM1', conversationSid: 'CH' + '1'.repeat(32), sessionId: 's1' };
        const withAgent = () => execution(flowA, { state: { frames: [frame(agent)] } });
        const agents = [withAgent(), withAgent(), withAgent(), execution(flowA, { state: { frames: [frame({ kind: 'subflow' }), frame(agent)] } })];
        // Not found: another flow's (another account's too), an ended one, one whose agent wait is an outer frame's,
        // one waiting for a reply whose text names an agent wait, and states with no frames to look into.
        const others = [
          execution(flowB, { state: { frames: [frame(agent)] } }),
          execution(flowA, { status: 'ended', state: { frames: [frame(agent)] } }),
          execution(flowA, { state: { frames: [frame(agent), frame({ kind: 'subflow' })] } }),
          execution(flowA, { state: { frames: [frame({ kind: 'reply', timerId: 'TM2', outbound: { body: '"kind":"virtual-agent"' } })] } }),
          execution(flowA, { state: null }),
          execution(flowA, { state: { frames: { kind: 'virtual-agent' } } }),
        ];
        for (const e of [...others, ...agents]) await store.writeSprint(sprint(e, true, { exclusive: false }));
        const bySid = [...agents].sort((x, y) => (x.sid < y.sid ? -1 : 1));
        assert.deepEqual(await store.activeExecutionsWithAgents(flowA.accountSid, flowA.sid, 10), bySid, 'whole records, in SID order');
        assert.deepEqual(await store.activeExecutionsWithAgents(flowA.accountSid, flowA.sid, 3), bySid.slice(0, 3));
        assert.deepEqual(await store.activeExecutionsWithAgents(flowA.accountSid, flowA.sid, 3, bySid[2]!.sid), bySid.slice(3));
        assert.deepEqual(await store.activeExecutionsWithAgents(flowA.accountSid, flowA.sid, 3, bySid[3]!.sid), []);
        assert.deepEqual(await store.activeExecutionsWithAgents(flowB.accountSid, flowA.sid, 10), [], "another account's flow SID finds nothing");
        assert.deepEqual(await store.activeExecutionsWithAgents(flowB.accountSid, flowB.sid, 10), [others[0]]);
      });

      test('dueTimers returns timers due at or before now, soonest first, up to a limit', async (store) => {
        const { flowA, flowB } = await seed(store);
        const e1 = execution(flowA);
        const e2 = execution(flowB);
        const late = timer(e1, T0 + 500);
        const early = timer(e2, T0 + 100);
        const exact = timer(e1, T0 + 300);
        const future = timer(e2, T0 + 10_000);
        await store.writeSprint(sprint(e1, true, { timersToAdd: [late, exact] }));
        await store.writeSprint(sprint(e2, true, { timersToAdd: [future, early] }));

        assert.equal(await store.nextTimerDue(), T0 + 100);
        assert.deepEqual(await store.dueTimers(T0 + 99, 10), []);
        assert.deepEqual(await store.dueTimers(T0 + 300, 10), [early, exact], 'due_at == now is due; across accounts');
        assert.deepEqual(await store.dueTimers(T0 + 1000, 10), [early, exact, late]);
        assert.deepEqual(await store.dueTimers(T0 + 1000, 2), [early, exact]);
        assert.deepEqual(await store.dueTimers(T0 + 20_000, 10), [early, exact, late, future]);

        await store.deleteTimer(early.id);
        await store.deleteTimer(early.id); // deleting twice is harmless
        await store.deleteTimer('no-such-timer');
        assert.equal(await store.nextTimerDue(), T0 + 300);
        assert.deepEqual(await store.dueTimers(T0 + 1000, 10), [exact, late]);

        // cancelling through a sprint, and adding a replacement in the same sprint
        const replacement = timer(e1, T0 + 50);
        await store.writeSprint(sprint(e1, false, { expectedVersion: 'unchecked', timersToCancel: [exact.id, late.id], timersToAdd: [replacement] }));
        assert.deepEqual(await store.dueTimers(T0 + 20_000, 10), [replacement, future]);
        assert.equal(await store.nextTimerDue(), T0 + 50);
      });

      test('a sprint cannot cancel another execution’s timers or finish its effects', async (store) => {
        const { flowA } = await seed(store);
        const mine = execution(flowA);
        const theirs = execution(flowA);
        const theirTimer = timer(theirs, T0);
        const theirEffect = effect(theirs, 'x');
        await store.writeSprint(sprint(theirs, true, { timersToAdd: [theirTimer], effectsToAdd: [theirEffect] }));
        await store.writeSprint(sprint(mine, true, { timersToCancel: [theirTimer.id], effectsDone: [theirEffect.id] }));
        assert.deepEqual(await store.dueTimers(T0, 10), [theirTimer]);
        assert.deepEqual(await store.pendingEffects(10), [theirEffect]);
      });

      test('ending an execution drops its outstanding effects, not other executions\' ones', async (store) => {
        const { flowA } = await seed(store);
        const exec = execution(flowA);
        const other = execution(flowA);
        await store.writeSprint(sprint(exec, true, { effectsToAdd: [effect(exec, { n: 1 }), effect(exec, { n: 2 })] }));
        await store.writeSprint(sprint(other, true, { effectsToAdd: [effect(other, { n: 3 })] }));
        await store.writeSprint(sprint({ ...exec, status: 'ended' }, false, { expectedVersion: 'unchecked' }));
        assert.deepEqual((await store.pendingEffects(10)).map((e) => e.executionSid), [other.sid]);
      });

      test('pendingEffects lists oldest first up to a limit; deleteEffect removes one', async (store) => {
        const { flowA, flowB } = await seed(store);
        const e1 = execution(flowA);
        const e2 = execution(flowB);
        const effects = [
          effect(e1, { type: 'send', body: 'one', nested: { list: [1, 'two', null] } }, T0 + 1),
          effect(e2, 'plain string', T0 + 2),
          effect(e1, 42, T0 + 3),
          effect(e2, null, T0 + 4),
          effect(e1, [{ a: 1 }], T0 + 5),
        ];
        await store.writeSprint(sprint(e1, true, { effectsToAdd: [effects[0]!] }));
        await store.writeSprint(sprint(e2, true, { effectsToAdd: [effects[1]!] }));
        await store.writeSprint(sprint(e1, false, { expectedVersion: 'unchecked', effectsToAdd: [effects[2]!] }));
        await store.writeSprint(sprint(e2, false, { expectedVersion: 'unchecked', effectsToAdd: [effects[3]!] }));
        await store.writeSprint(sprint(e1, false, { expectedVersion: 'unchecked', effectsToAdd: [effects[4]!] }));

        assert.deepEqual(await store.pendingEffects(10), effects);
        assert.deepEqual(await store.pendingEffects(2), effects.slice(0, 2));
        await store.deleteEffect(effects[1]!.id);
        await store.deleteEffect(effects[1]!.id);
        await store.deleteEffect('no-such-effect');
        assert.deepEqual(await store.pendingEffects(10), [effects[0], effects[2], effects[3], effects[4]]);
        await store.writeSprint(sprint(e1, false, { expectedVersion: 'unchecked', effectsDone: [effects[0]!.id, effects[4]!.id] }));
        assert.deepEqual(await store.pendingEffects(10), [effects[2], effects[3]]);
      });
    });

    describe('concurrent writers', () => {
      test('many createFlow and writeSprint calls in flight at once all land', async (store) => {
        const a = account();
        await store.createAccount(a);
        const pairs = Array.from({ length: 30 }, () => flowPair(a.sid));
        await Promise.all(pairs.map((p) => store.createFlow(p.flow, p.revision)));
        const flows = await store.listFlows(a.sid, { pageSize: 100 });
        assert.deepEqual(flows.items.map((f) => f.sid).sort(), pairs.map((p) => p.flow.sid).sort());

        const target = pairs[0]!.flow;
        const execs = Array.from({ length: 40 }, () => execution(target));
        const stepsOf = new Map(execs.map((e) => [e.sid, [step(e), step(e), step(e)]]));
        await Promise.all(
          execs.map((e) =>
            store.writeSprint(sprint(e, true, { steps: stepsOf.get(e.sid)!, timersToAdd: [timer(e, T0 + 1)], effectsToAdd: [effect(e, e.sid)] })),
          ),
        );
        // then a second wave of updates, interleaved with reads
        await Promise.all(
          execs.flatMap((e) => [
            store.writeSprint(sprint({ ...e, status: 'ended', dateUpdated: T0 + 9 }, false, { expectedVersion: 'unchecked', steps: [step(e, { name: 'end' })] })),
            store.getExecutionBySid(e.sid).then((got) => assert.equal(got?.sid, e.sid)),
          ]),
        );
        const listed = await store.listExecutions(a.sid, target.sid, {}, { pageSize: 100 });
        assert.deepEqual(listed.items.map((e) => e.sid).sort(), execs.map((e) => e.sid).sort());
        assert.ok(listed.items.every((e) => e.status === 'ended'));
        for (const e of execs) {
          const steps = (await store.listSteps(a.sid, target.sid, e.sid, { pageSize: 100 })).items;
          assert.deepEqual(steps.slice(0, 3), stepsOf.get(e.sid));
          assert.equal(steps.length, 4);
          assert.equal(steps[3]!.name, 'end');
        }
        assert.equal((await store.dueTimers(T0 + 1, 1000)).length, 40);
        assert.equal((await store.pendingEffects(1000)).length, 0, 'ending each execution dropped its outstanding effect');
      });

      test('racing new executions for one contact: exactly one wins, the rest leave no trace', async (store) => {
        const { a, flowA } = await seed(store);
        const racers = Array.from({ length: 12 }, () => execution(flowA, { contactChannelAddress: '+15550009999' }));
        const results = await Promise.allSettled(
          racers.map((e) => store.writeSprint(sprint(e, true, { steps: [step(e)], timersToAdd: [timer(e, T0)], effectsToAdd: [effect(e, e.sid)] }))),
        );
        const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [racers[i]!] : []));
        assert.equal(won.length, 1, 'exactly one sprint commits');
        const winner = won[0]!;
        assert.equal((await store.findActiveExecution(flowA.sid, '+15550009999', winner.channelAddress))?.sid, winner.sid);
        assert.deepEqual((await store.listExecutions(a.sid, flowA.sid, {}, { pageSize: 50 })).items.map((e) => e.sid), [winner.sid]);
        assert.deepEqual((await store.dueTimers(T0, 50)).map((t) => t.executionSid), [winner.sid]);
        assert.deepEqual((await store.pendingEffects(50)).map((e) => e.payload), [winner.sid]);
      });

      test('concurrent saveFlowRevision with the same revision number: one wins, history stays consistent', async (store) => {
        const { a, flowA } = await seed(store);
        const candidates = Array.from({ length: 6 }, (_, i) => nextRevision(flowA, 'draft', 'candidate ' + i));
        const results = await Promise.allSettled(candidates.map((c) => store.saveFlowRevision(c.flow, c.revision)));
        const winners = candidates.filter((_, i) => results[i]!.status === 'fulfilled');
        assert.equal(winners.length, 1);
        assert.deepEqual(await store.getFlow(a.sid, flowA.sid), winners[0]!.flow);
        assert.deepEqual(await store.getRevision(a.sid, flowA.sid, 2), winners[0]!.revision);
        assert.equal((await store.listRevisions(a.sid, flowA.sid, { pageSize: 50 })).items.length, 2);
        // The losers are version conflicts, which the runtime retries from a fresh read.
        for (const result of results) {
          if (result.status === 'rejected') assert.ok(result.reason instanceof StoreConflictError && result.reason.reason === 'version', String(result.reason));
        }
      });

      test('saveFlowRevision of a flow deleted meanwhile is a version conflict and writes nothing', async (store) => {
        const { a, flowA } = await seed(store);
        const next = nextRevision(flowA, 'published', 'too late');
        assert.equal(await store.deleteFlow(a.sid, flowA.sid), true);
        await assert.rejects(store.saveFlowRevision(next.flow, next.revision), (error: unknown) => error instanceof StoreConflictError && error.reason === 'version');
        assert.equal(await store.getFlow(a.sid, flowA.sid), null);
        assert.equal(await store.getRevision(a.sid, flowA.sid, 'LatestRevision'), null);
      });

      test('a sprint with a NUL character in a text column never fails the other sprints of its batch', async (store) => {
        const { a, flowA } = await seed(store);
        const execs = Array.from({ length: 8 }, (_, i) => execution(flowA, i === 3 ? { contactChannelAddress: '+1555000\u00004' } : {}));
        // Written in one tick: one group commit.
        const results = await Promise.allSettled(
          execs.map((e) => store.writeSprint(sprint(e, true, { steps: [step(e)], timersToAdd: [timer(e, T0 + 5)] }))),
        );
        for (const [i, result] of results.entries()) {
          if (i !== 3) assert.equal(result.status, 'fulfilled', String((result as PromiseRejectedResult).reason));
        }
        const bad = execs[3]!;
        // A backend may store it (SQLite) or refuse it (PostgreSQL cannot keep NUL in TEXT), alone.
        const stored = await store.getExecution(a.sid, flowA.sid, bad.sid);
        if (results[3]!.status === 'fulfilled') assert.equal(stored?.contactChannelAddress, bad.contactChannelAddress);
        else assert.equal(stored, null);
        const good = execs.filter((_, i) => i !== 3).map((e) => e.sid).sort();
        const listed = (await store.listExecutions(a.sid, flowA.sid, {}, { pageSize: 50 })).items.map((e) => e.sid).filter((s) => s !== bad.sid);
        assert.deepEqual(listed.sort(), good);
        const timers = (await store.dueTimers(T0 + 5, 50)).map((t) => t.executionSid).filter((s) => s !== bad.sid);
        assert.deepEqual(timers.sort(), good, "the other sprints' timers are committed too");
      });

      test('a sprint with lone UTF-16 surrogates is stored (U+FFFD where the store cannot keep one) without failing its batch', async (store) => {
        const { a, flowA } = await seed(store);
        const state = { note: 'half \ud83d of an emoji', frames: [{ current: 'w', wait: { kind: 'reply' } }] };
        const execs = Array.from({ length: 8 }, (_, i) => execution(flowA, i === 3 ? { contactChannelAddress: '+1555\ud8004', state } : {}));
        const bad = execs[3]!;
        const results = await Promise.allSettled(
          execs.map((e) =>
            store.writeSprint(sprint(e, true, { steps: [step(e, e === bad ? { name: 'w\udc00' } : {})], timersToAdd: [timer(e, T0 + 5)], wakeOthers: true })),
          ),
        );
        for (const result of results) assert.equal(result.status, 'fulfilled', String((result as PromiseRejectedResult).reason));
        const stored = await store.getExecution(a.sid, flowA.sid, bad.sid);
        assert.ok(['+1555\ud8004', '+1555\ufffd4'].includes(stored!.contactChannelAddress), JSON.stringify(stored!.contactChannelAddress));
        assert.deepEqual(stored!.state, state, 'a state (stored as JSON text) keeps its escape');
        const [written] = (await store.listSteps(a.sid, flowA.sid, bad.sid, { pageSize: 5 })).items;
        assert.ok(['w\udc00', 'w\ufffd'].includes(written!.name));
        assert.equal((await store.listExecutions(a.sid, flowA.sid, {}, { pageSize: 50 })).items.length, 8);
      });

      test('a sprint whose values the store refuses fails alone, as an invalid parameter; its batch commits', async (store) => {
        const { a, flowA } = await seed(store);
        // A contact address too big to index (PostgreSQL: 54000), a timer due at a fractional millisecond
        // (PostgreSQL: 22P02, from outside the sprint's own block). A backend may store either instead.
        const huge = execution(flowA, { contactChannelAddress: '+1' + randomBytes(8000).toString('hex') });
        const fractional = execution(flowA);
        const execs = [execution(flowA), huge, execution(flowA), fractional, execution(flowA)];
        const results = await Promise.allSettled(
          execs.map((e) =>
            store.writeSprint(sprint(e, true, { steps: [step(e)], timersToAdd: [timer(e, e === fractional ? T0 + 5.5 : T0 + 5)], wakeOthers: true })),
          ),
        );
        for (const [i, result] of results.entries()) {
          const e = execs[i]!;
          if (e !== huge && e !== fractional) {
            assert.equal(result.status, 'fulfilled', String((result as PromiseRejectedResult).reason));
          } else if (result.status === 'rejected') {
            assert.ok(result.reason instanceof DomainError && result.reason.kind === 'invalid-parameter', String(result.reason));
            assert.equal(await store.getExecution(a.sid, flowA.sid, e.sid), null);
          }
        }
        const good = [execs[0]!, execs[2]!, execs[4]!].map((e) => e.sid).sort();
        const listed = (await store.listExecutions(a.sid, flowA.sid, {}, { pageSize: 50 })).items.map((e) => e.sid);
        assert.deepEqual(listed.filter((s) => good.includes(s)).sort(), good);
        const timers = (await store.dueTimers(T0 + 5, 50)).map((t) => t.executionSid).filter((s) => good.includes(s));
        assert.deepEqual(timers.sort(), good, "the other sprints' timers are committed too");
      });
    });

    describe('many nodes: versions, claims, leases, fencing', () => {
      const conflict = (reason: string) => (error: unknown) => error instanceof StoreConflictError && error.reason === reason;
      const ids = (rows: { id: string }[]) => rows.map((r) => r.id);

      test('loadExecution returns the version; each sprint bumps it; a stale version writes nothing', async (store) => {
        const { a, flowA } = await seed(store);
        const exec = execution(flowA);
        await store.writeSprint(sprint(exec, true, { steps: [step(exec)] }));
        assert.deepEqual(await store.loadExecution(exec.sid), { record: exec, version: 1 });
        assert.equal(await store.loadExecution(sid('FN')), null);
        const v2 = { ...exec, state: { at: 'two' }, dateUpdated: T0 + 2 };
        await store.writeSprint(sprint(v2, false, { expectedVersion: 1, steps: [step(exec)] }));
        assert.deepEqual(await store.loadExecution(exec.sid), { record: v2, version: 2 });

        const stale = { ...exec, state: { at: 'stale' } };
        const staleStep = step(exec);
        const staleTimer = timer(exec, T0);
        const staleEffect = effect(exec, 'stale');
        await assert.rejects(
          store.writeSprint(sprint(stale, false, { expectedVersion: 1, steps: [staleStep], timersToAdd: [staleTimer], effectsToAdd: [staleEffect] })),
          conflict('version'),
        );
        assert.deepEqual(await store.loadExecution(exec.sid), { record: v2, version: 2 }, 'the row did not move');
        assert.equal(await store.getStep(a.sid, flowA.sid, exec.sid, staleStep.sid), null);
        assert.deepEqual(await store.dueTimers(Number.MAX_SAFE_INTEGER, 10), []);
        assert.deepEqual(await store.pendingEffects(10), []);
        // 'unchecked' (copying a store) writes whatever the version, and still bumps it
        await store.writeSprint(sprint(exec, false, { expectedVersion: 'unchecked' }));
        assert.equal((await store.loadExecution(exec.sid))?.version, 3);
        await store.deleteExecution(a.sid, flowA.sid, exec.sid);
        await assert.rejects(store.writeSprint(sprint(exec, false, { expectedVersion: 3 })), conflict('version'), 'a deleted execution is a conflict');
      });

      test('a stale expectedVersion is refused by every kind of update; only an explicit unchecked one skips the check', async (store) => {
        const { a, flowA } = await seed(store);
        const exec = execution(flowA, { state: { at: 'one' } });
        await store.writeSprint(sprint(exec, true));
        const v2 = { ...exec, state: { at: 'two' }, dateUpdated: T0 + 2 };
        await store.writeSprint(sprint(v2, false, { expectedVersion: 1 }));
        // Each built on version 1 (read before v2 was written): one that stays active, one that ends it,
        // one that moves it to another pair; none may overwrite v2.
        const stale: [string, SprintWrite][] = [
          ['stays active', sprint({ ...exec, state: { at: 'stale' } }, false, { expectedVersion: 1, steps: [step(exec)] })],
          ['ends it', sprint({ ...exec, status: 'ended', state: { at: 'stale' } }, false, { expectedVersion: 1, timersToAdd: [timer(exec, T0)] })],
          ['moves it', sprint({ ...exec, channelAddress: 'CH' + 'd'.repeat(32), contactChannelAddress: 'client:stale' }, false, { expectedVersion: 1, readdressed: true })],
        ];
        for (const [what, write] of stale) {
          await assert.rejects(store.writeSprint(write), conflict('version'), what);
          assert.deepEqual(await store.loadExecution(exec.sid), { record: v2, version: 2 }, `${what}: the row did not move`);
        }
        assert.deepEqual((await store.listSteps(a.sid, flowA.sid, exec.sid, { pageSize: 10 })).items, []);
        assert.deepEqual(await store.dueTimers(Number.MAX_SAFE_INTEGER, 10), []);
        // An update that lost its version on the way (a plain-JS caller, a JSON round trip) is refused
        // too, rather than written unchecked over whatever another node wrote.
        const lost = { ...sprint({ ...exec, state: { at: 'lost' } }, false, { expectedVersion: 1 }), expectedVersion: undefined } as unknown as SprintWrite;
        await assert.rejects(store.writeSprint(lost), /expectedVersion/);
        assert.deepEqual(await store.loadExecution(exec.sid), { record: v2, version: 2 });
        // Only 'unchecked', said outright, writes over any version.
        const copied = { ...exec, state: { at: 'copied' }, dateUpdated: T0 + 3 };
        await store.writeSprint(sprint(copied, false, { expectedVersion: 'unchecked' }));
        assert.deepEqual(await store.loadExecution(exec.sid), { record: copied, version: 3 });
      });

      test('loadExecutions reads many at once, each with its version; unknown SIDs are absent', async (store) => {
        const { flowA } = await seed(store);
        const first = execution(flowA);
        const second = execution(flowA);
        await store.writeSprint(sprint(first, true));
        await store.writeSprint(sprint(second, true));
        const moved = { ...second, state: { at: 'two' }, dateUpdated: T0 + 2 };
        await store.writeSprint(sprint(moved, false, { expectedVersion: 1 }));
        const missing = sid('FN');
        const loaded = await store.loadExecutions([first.sid, missing, second.sid]);
        assert.deepEqual([...loaded.keys()].sort(), [first.sid, second.sid].sort());
        assert.deepEqual(loaded.get(first.sid), { record: first, version: 1 });
        assert.deepEqual(loaded.get(second.sid), { record: moved, version: 2 });
        assert.equal((await store.loadExecutions([])).size, 0);
      });

      test('racing sprints from one version: exactly one commits, steps never interleave', async (store) => {
        const { a, flowA } = await seed(store);
        const exec = execution(flowA);
        await store.writeSprint(sprint(exec, true));
        const racers = Array.from({ length: 10 }, (_, i) => ({ state: { winner: i }, steps: [step(exec), step(exec), step(exec)] }));
        const results = await Promise.allSettled(
          racers.map((r) => store.writeSprint(sprint({ ...exec, state: r.state }, false, { expectedVersion: 1, steps: r.steps }))),
        );
        const winners = racers.filter((_, i) => results[i]!.status === 'fulfilled');
        assert.equal(winners.length, 1);
        for (const [i, r] of results.entries()) if (r.status === 'rejected') assert.ok(conflict('version')(r.reason), `racer ${i}: ${r.reason}`);
        const loaded = await store.loadExecution(exec.sid);
        assert.deepEqual(loaded?.record.state, winners[0]!.state);
        assert.equal(loaded?.version, 2);
        const listed = (await store.listSteps(a.sid, flowA.sid, exec.sid, { pageSize: 100 })).items;
        assert.deepEqual(listed, winners[0]!.steps);
      });

      test('a second active execution for a contact pair is an active-execution conflict', async (store) => {
        const { flowA } = await seed(store);
        const first = execution(flowA);
        await store.writeSprint(sprint(first, true));
        const second = execution(flowA, { contactChannelAddress: first.contactChannelAddress });
        await assert.rejects(store.writeSprint(sprint(second, true, { steps: [step(second)] })), conflict('active-execution'));
        assert.equal(await store.getExecutionBySid(second.sid), null);
        // once the first has ended the pair is free
        await store.writeSprint(sprint({ ...first, status: 'ended' }, false, { expectedVersion: 1 }));
        await store.writeSprint(sprint(second, true));
        assert.equal((await store.findActiveExecution(flowA.sid, first.contactChannelAddress, first.channelAddress))?.sid, second.sid);
      });

      test('claimDueTimers: due and unclaimed only, soonest first; a lease keeps others off until it expires', async (store) => {
        const { flowA } = await seed(store);
        const exec = execution(flowA);
        const t1 = timer(exec, T0 + 100);
        const t2 = timer(exec, T0 + 200);
        const t3 = timer(exec, T0 + 300);
        const later = timer(exec, T0 + 10_000);
        await store.writeSprint(sprint(exec, true, { timersToAdd: [t3, later, t1, t2] }));
        assert.deepEqual(await store.claimDueTimers(T0 + 50, { owner: 'A', until: T0 + 1000 }, 10), []);
        assert.deepEqual(await store.claimDueTimers(T0 + 250, { owner: 'A', until: T0 + 1000 }, 10), [t1, t2]);
        assert.deepEqual(await store.claimDueTimers(T0 + 400, { owner: 'B', until: T0 + 1400 }, 10), [t3], 'claimed timers are skipped');
        assert.deepEqual(ids(await store.dueTimers(T0 + 400, 10)), [t1.id, t2.id, t3.id], 'dueTimers still lists claimed timers');
        // the next claimable moment: `later` is due at +10000, A's lease ends at +1000
        assert.equal(await store.nextTimerDue(), T0 + 1000);
        assert.deepEqual(await store.claimDueTimers(T0 + 1000, { owner: 'C', until: T0 + 5000 }, 10), [], 'a lease holds up to its expiry');
        assert.deepEqual(await store.claimDueTimers(T0 + 1001, { owner: 'C', until: T0 + 5000 }, 1), [t1], 'expired: taken over, limit respected');
        assert.deepEqual(await store.claimDueTimers(T0 + 1001, { owner: 'C', until: T0 + 5000 }, 10), [t2]);
        assert.equal(await store.nextTimerDue(), T0 + 1400);
      });

      test('nodes claiming timers at once never get the same timer', async (store) => {
        const { flowA, flowB } = await seed(store);
        const execs = [execution(flowA), execution(flowA), execution(flowB)];
        const all: TimerRecord[] = [];
        for (const e of execs) {
          const timers = Array.from({ length: 20 }, (_, i) => timer(e, T0 + i));
          all.push(...timers);
          await store.writeSprint(sprint(e, true, { timersToAdd: timers }));
        }
        const claims = await Promise.all(
          Array.from({ length: 8 }, (_, node) => store.claimDueTimers(T0 + 100, { owner: 'node' + node, until: T0 + 5000 }, 10)),
        );
        const claimed = claims.flat().map((t) => t.id);
        assert.equal(new Set(claimed).size, claimed.length, 'no timer claimed twice');
        // whatever is left is claimed by a later sweep; together everything is claimed exactly once
        const rest = await store.claimDueTimers(T0 + 100, { owner: 'late', until: T0 + 5000 }, 1000);
        assert.deepEqual([...claimed, ...ids(rest)].sort(), ids(all).sort());
      });

      test('effects written under a lease are claimable only once it expires; claimEffects is oldest first', async (store) => {
        const { flowA } = await seed(store);
        const exec = execution(flowA);
        const leased = effect(exec, 'leased', T0 + 1);
        await store.writeSprint(sprint(exec, true, { effectsToAdd: [leased], effectLease: { owner: 'A', until: T0 + 1000 } }));
        const free1 = effect(exec, 'free1', T0 + 2);
        const free2 = effect(exec, 'free2', T0 + 3);
        await store.writeSprint(sprint(exec, false, { expectedVersion: 'unchecked', effectsToAdd: [free1, free2] }));
        assert.deepEqual(await store.claimEffects(T0 + 10, { owner: 'B', until: T0 + 2000 }, 10), [free1, free2]);
        assert.deepEqual(await store.claimEffects(T0 + 10, { owner: 'C', until: T0 + 2000 }, 10), []);
        assert.deepEqual(await store.claimEffects(T0 + 1001, { owner: 'C', until: T0 + 3000 }, 10), [leased], 'A died: C takes over');
        assert.deepEqual(await store.pendingEffects(10), [leased, free1, free2], 'claiming does not consume');
      });

      test('nodes claiming effects at once never get the same effect', async (store) => {
        const { flowA } = await seed(store);
        const execs = Array.from({ length: 6 }, () => execution(flowA));
        const all: PendingEffect[] = [];
        for (const e of execs) {
          const effects = Array.from({ length: 8 }, (_, i) => effect(e, i));
          all.push(...effects);
          await store.writeSprint(sprint(e, true, { effectsToAdd: effects }));
        }
        const claims = await Promise.all(Array.from({ length: 6 }, (_, node) => store.claimEffects(T0, { owner: 'n' + node, until: T0 + 10 }, 9)));
        const claimed = claims.flat().map((e) => e.id);
        assert.equal(new Set(claimed).size, claimed.length);
        const rest = await store.claimEffects(T0, { owner: 'late', until: T0 + 10 }, 1000);
        assert.deepEqual([...claimed, ...ids(rest)].sort(), ids(all).sort());
      });

      test('fencing: a sprint consuming a timer or effect commits only while its owner still holds it', async (store) => {
        const { a, flowA } = await seed(store);
        const exec = execution(flowA);
        const t = timer(exec, T0);
        const e = effect(exec, 'x');
        await store.writeSprint(sprint(exec, true, { timersToAdd: [t], effectsToAdd: [e], effectLease: { owner: 'A', until: T0 + 100 } }));
        await store.claimDueTimers(T0, { owner: 'A', until: T0 + 100 }, 10);
        // B takes both over after A's lease expired
        assert.deepEqual(await store.claimDueTimers(T0 + 101, { owner: 'B', until: T0 + 500 }, 10), [t]);
        assert.deepEqual(await store.claimEffects(T0 + 101, { owner: 'B', until: T0 + 500 }, 10), [e]);
        const lateStep = step(exec);
        await assert.rejects(
          store.writeSprint(sprint(exec, false, { expectedVersion: 'unchecked', consumes: { kind: 'timer', id: t.id, owner: 'A' }, timersToCancel: [t.id], steps: [lateStep] })),
          conflict('stale-claim'),
        );
        await assert.rejects(
          store.writeSprint(sprint(exec, false, { expectedVersion: 'unchecked', consumes: { kind: 'effect', id: e.id, owner: 'A' }, effectsDone: [e.id] })),
          conflict('stale-claim'),
        );
        assert.equal(await store.getStep(a.sid, flowA.sid, exec.sid, lateStep.sid), null, 'the stale sprint wrote nothing');
        assert.equal((await store.loadExecution(exec.sid))?.version, 1);
        // the current owner consumes them
        await store.writeSprint(sprint(exec, false, { expectedVersion: 'unchecked', consumes: { kind: 'timer', id: t.id, owner: 'B' }, timersToCancel: [t.id] }));
        await store.writeSprint(sprint(exec, false, { expectedVersion: 'unchecked', consumes: { kind: 'effect', id: e.id, owner: 'B' }, effectsDone: [e.id] }));
        assert.deepEqual(await store.dueTimers(Number.MAX_SAFE_INTEGER, 10), []);
        assert.deepEqual(await store.pendingEffects(10), []);
        // consumed once: consuming again is stale
        await assert.rejects(
          store.writeSprint(sprint(exec, false, { expectedVersion: 'unchecked', consumes: { kind: 'timer', id: t.id, owner: 'B' } })),
          conflict('stale-claim'),
        );
      });

      test('renewLeases extends only what the owner still holds; releaseLeases frees it at once', async (store) => {
        const { flowA } = await seed(store);
        const exec = execution(flowA);
        const mine = timer(exec, T0);
        const lost = timer(exec, T0 + 1);
        const myEffect = effect(exec, 'mine');
        await store.writeSprint(sprint(exec, true, { timersToAdd: [mine, lost], effectsToAdd: [myEffect], effectLease: { owner: 'A', until: T0 + 100 } }));
        assert.deepEqual(await store.claimDueTimers(T0 + 1, { owner: 'A', until: T0 + 100 }, 10), [mine, lost]);
        await store.renewLeases({ owner: 'A', until: T0 + 50 }, { timers: [lost.id], effects: [] }); // shortened: lost to B below
        assert.deepEqual(await store.claimDueTimers(T0 + 60, { owner: 'B', until: T0 + 1000 }, 10), [lost]);
        await store.renewLeases({ owner: 'A', until: T0 + 5000 }, { timers: [mine.id, lost.id], effects: [myEffect.id] });
        assert.deepEqual(await store.claimDueTimers(T0 + 2000, { owner: 'C', until: T0 + 9000 }, 10), [lost], 'B’s lease was not renewed by A');
        assert.deepEqual(await store.claimEffects(T0 + 2000, { owner: 'C', until: T0 + 9000 }, 10), []);
        assert.deepEqual(await store.claimDueTimers(T0 + 2000, { owner: 'C', until: T0 + 9000 }, 10), []);
        await store.releaseLeases('A');
        assert.deepEqual(await store.claimDueTimers(T0 + 2000, { owner: 'C', until: T0 + 9000 }, 10), [mine]);
        assert.deepEqual(await store.claimEffects(T0 + 2000, { owner: 'C', until: T0 + 9000 }, 10), [myEffect]);
        await store.releaseLeases('nobody'); // harmless
      });

      test('exclusive: callers of one name run one at a time, results and errors pass through', async (store) => {
        let inside = 0;
        let most = 0;
        const order: number[] = [];
        const run = (n: number) =>
          store.exclusive('chore', async () => {
            inside++;
            most = Math.max(most, inside);
            await new Promise((r) => setTimeout(r, 15));
            order.push(n);
            inside--;
            return n * 2;
          });
        const results = await Promise.all([run(1), run(2), run(3), run(4)]);
        assert.deepEqual(results, [2, 4, 6, 8]);
        assert.equal(most, 1, 'never two inside at once');
        assert.equal(order.length, 4);
        await assert.rejects(store.exclusive('chore', async () => Promise.reject(new Error('boom'))), /boom/);
        assert.equal(await store.exclusive('chore', async () => 'free again'), 'free again');
      });

      test('listApiKeys and listSettings return everything', async (store) => {
        const a = account();
        const b = account();
        await store.createAccount(a);
        await store.createAccount(b);
        const k1: ApiKey = { sid: sid('SK'), accountSid: a.sid, friendlyName: 'one', secretHash: 'aa'.repeat(32), dateCreated: T0 + 1 };
        const k2: ApiKey = { sid: sid('SK'), accountSid: b.sid, friendlyName: 'two', secretHash: 'bb'.repeat(32), dateCreated: T0 + 2 };
        await store.createApiKey(k2);
        await store.createApiKey(k1);
        assert.deepEqual(await store.listApiKeys(), [k1, k2]);
        assert.deepEqual(await store.listSettings(), []);
        await store.setSetting('b', '2');
        await store.setSetting('a', '1');
        await store.setSetting('b', '3');
        assert.deepEqual(await store.listSettings(), [
          { key: 'a', value: '1' },
          { key: 'b', value: '3' },
        ]);
      });
    });

    describe('metrics', () => {
      test('countActiveExecutions (where a backend offers it) counts active executions and what each waits for', async (store) => {
        if (!store.countActiveExecutions) {
          // Optional only for a single-node store: its one node counts active executions itself. SQLite
          // does not offer it: node:sqlite is synchronous, and reading every active state's wait per
          // scrape held the event loop ~7 s with 1,000,000 waiting executions.
          assert.equal(store.kind, 'sqlite', 'a store shared by many nodes must count active executions');
          return;
        }
        const { flowA, flowB } = await seed(store);
        const waitingOn = (kind: string | null) => ({ frames: [{ current: 'w', wait: kind ? { kind } : null }] });
        await store.writeSprint(sprint(execution(flowA, { state: waitingOn('reply') }), true));
        await store.writeSprint(sprint(execution(flowA, { state: waitingOn('reply') }), true));
        await store.writeSprint(sprint(execution(flowB, { state: waitingOn('effect') }), true));
        await store.writeSprint(sprint(execution(flowB, { state: waitingOn(null) }), true));
        await store.writeSprint(sprint(execution(flowA, { status: 'ended', state: waitingOn(null) }), true));
        assert.deepEqual(await store.countActiveExecutions(), { active: 4, waiting: { reply: 2, effect: 1 } });
      });

      test('countActiveExecutions reads a state holding a NUL character (an escaped \\u0000 in its JSON)', async (store) => {
        if (!store.countActiveExecutions) return;
        const { flowA } = await seed(store);
        const state = { note: 'a\u0000b', literal: '\\u0000', frames: [{ current: 'w', wait: { kind: 'reply' } }] };
        const exec = execution(flowA, { state });
        await store.writeSprint(sprint(exec, true));
        assert.deepEqual(await store.countActiveExecutions(), { active: 1, waiting: { reply: 1 } });
        assert.deepEqual((await store.getExecution(exec.accountSid, exec.flowSid, exec.sid))?.state, state);
      });

      test('countActiveExecutions reads a state holding a lone UTF-16 surrogate (an escaped \\ud800 in its JSON)', async (store) => {
        if (!store.countActiveExecutions) return;
        const { flowA } = await seed(store);
        const state = { note: 'a\ud800b', literal: '\\ud800', pair: '\ud83d\ude00', frames: [{ current: 'w', wait: { kind: 'reply' } }] };
        const exec = execution(flowA, { state });
        await store.writeSprint(sprint(exec, true));
        assert.deepEqual(await store.countActiveExecutions(), { active: 1, waiting: { reply: 1 } });
        assert.deepEqual((await store.getExecution(exec.accountSid, exec.flowSid, exec.sid))?.state, state);
      });
    });

    describe('inbound receipts and alerts', () => {
      const alert = (exec: ExecutionRecord, overrides: Partial<AlertRecord> = {}): AlertRecord => ({
        sid: sid('NO'),
        accountSid: exec.accountSid,
        flowSid: exec.flowSid,
        executionSid: exec.sid,
        logLevel: 'warning',
        errorCode: 81002,
        text: 'Msg=unexpected+event&ErrorCode=81002&LogLevel=WARNING',
        dateCreated: T0 + ++counter,
        ...overrides,
      });

      test('a receipt is written with its sprint; the same key again writes nothing and is a duplicate-inbound conflict', async (store) => {
        const { a, b, flowA } = await seed(store);
        const exec = execution(flowA);
        const receipt = { accountSid: a.sid, key: 'SM' + 'r'.repeat(32), receivedAt: T0 };
        assert.equal(await store.hasInboundReceipt(a.sid, receipt.key), false);
        await store.writeSprint(sprint(exec, true, { inboundReceipt: receipt, steps: [step(exec)] }));
        assert.equal(await store.hasInboundReceipt(a.sid, receipt.key), true);
        assert.equal(await store.hasInboundReceipt(b.sid, receipt.key), false, 'receipts are per account');
        // Several keys in one read: any of them found.
        assert.equal(await store.hasInboundReceipt(a.sid, ['FW' + 'x'.repeat(32) + ':SMother', receipt.key]), true);
        assert.equal(await store.hasInboundReceipt(a.sid, [receipt.key, 'SMother']), true);
        assert.equal(await store.hasInboundReceipt(a.sid, ['SMother', 'SManother']), false);
        assert.equal(await store.hasInboundReceipt(b.sid, ['SMother', receipt.key]), false, 'per account, with several keys too');
        const again = sprint({ ...exec, status: 'ended' }, false, { expectedVersion: 'unchecked', inboundReceipt: { ...receipt, receivedAt: T0 + 5 }, steps: [step(exec)] });
        await assert.rejects(store.writeSprint(again), (e: unknown) => e instanceof StoreConflictError && e.reason === 'duplicate-inbound');
        assert.equal((await store.getExecutionBySid(exec.sid))?.status, 'active', 'the duplicate sprint left nothing behind');
        assert.equal((await store.listSteps(a.sid, flowA.sid, exec.sid, { pageSize: 50 })).items.length, 1);
        // Another account may use the same key.
        const other = execution((await seed(store)).flowB);
        await store.writeSprint(sprint(other, true, { inboundReceipt: { ...receipt, accountSid: other.accountSid } }));
        assert.equal(await store.hasInboundReceipt(other.accountSid, receipt.key), true);
      });

      test('receipts are listed per account in key order, a page after a key at a time, and written as they were (a copy)', async (store) => {
        const { a, b, flowA } = await seed(store);
        // Keys every backend orders alike (one prefix, then digits), written out of order.
        const key = (n: number) => `msg:${flowA.sid}:SM${String(n).padStart(32, '0')}`;
        const receipt = (accountSid: string, n: number) => ({ accountSid, key: key(n), receivedAt: T0 + n * 1000 });
        assert.deepEqual(await store.listInboundReceipts(a.sid, 10), [], 'none yet');
        await store.addInboundReceipts([]);
        const written = [5, 1, 7, 3, 2, 6, 4].map((n) => receipt(a.sid, n));
        await store.addInboundReceipts(written);
        await store.addInboundReceipts([receipt(b.sid, 9)]);
        const inKeyOrder = [...written].sort((x, y) => (x.key < y.key ? -1 : 1));
        assert.deepEqual(await store.listInboundReceipts(a.sid, 100), inKeyOrder, "the account's own, each with its received time");
        assert.deepEqual(await store.listInboundReceipts(b.sid, 100), [receipt(b.sid, 9)]);
        // A keyset walk: each page after the last key of the one before.
        const pages: string[][] = [];
        for (let page = await store.listInboundReceipts(a.sid, 3); page.length > 0; page = await store.listInboundReceipts(a.sid, 3, page.at(-1)!.key)) {
          pages.push(page.map((r) => r.key));
        }
        assert.deepEqual(pages, [[key(1), key(2), key(3)], [key(4), key(5), key(6)], [key(7)]]);
        assert.deepEqual(await store.listInboundReceipts(a.sid, 10, key(7)), []);
        // A written receipt is one the store ran: the webhook's sprint is a duplicate.
        assert.equal(await store.hasInboundReceipt(a.sid, key(3)), true);
        const exec = execution(flowA);
        await assert.rejects(
          store.writeSprint(sprint(exec, true, { inboundReceipt: { ...receipt(a.sid, 3), receivedAt: T0 + 99_000 }, steps: [step(exec)] })),
          (e: unknown) => e instanceof StoreConflictError && e.reason === 'duplicate-inbound',
        );
        assert.equal(await store.getExecutionBySid(exec.sid), null, 'the duplicate sprint left nothing behind');
        // One already there is left as it was; the others of the same write are written.
        await store.addInboundReceipts([{ ...receipt(a.sid, 2), receivedAt: T0 + 99_000 }, receipt(a.sid, 8)]);
        assert.deepEqual(await store.listInboundReceipts(a.sid, 2, key(1)), [receipt(a.sid, 2), receipt(a.sid, 3)]);
        assert.deepEqual(await store.listInboundReceipts(a.sid, 10, key(7)), [receipt(a.sid, 8)]);
        // A sprint's receipt is listed as well; the received times are kept, so they expire when they would have.
        const other = execution(flowA);
        await store.writeSprint(sprint(other, true, { inboundReceipt: receipt(a.sid, 10) }));
        assert.deepEqual(await store.listInboundReceipts(a.sid, 10, key(8)), [receipt(a.sid, 10)]);
        assert.equal(await store.pruneHistory({ receipts: T0 + 4500 }), 4);
        assert.deepEqual((await store.listInboundReceipts(a.sid, 100)).map((r) => r.key), [5, 6, 7, 8, 10].map(key));
      });

      test('receipts written many at once are all written, in one go', async (store) => {
        const { a } = await seed(store);
        const receipts = Array.from({ length: 1203 }, (_, n) => ({ accountSid: a.sid, key: `SM${String(n).padStart(32, '0')}`, receivedAt: T0 + n }));
        await store.addInboundReceipts(receipts);
        const listed = [];
        for (let page = await store.listInboundReceipts(a.sid, 500); page.length > 0; page = await store.listInboundReceipts(a.sid, 500, page.at(-1)!.key)) listed.push(...page);
        assert.deepEqual(listed, receipts);
        // All or none: a write of which one row cannot be written leaves none of them.
        const more = Array.from({ length: 600 }, (_, n) => ({ accountSid: a.sid, key: `SN${String(n).padStart(32, '0')}`, receivedAt: T0 }));
        await assert.rejects(store.addInboundReceipts([...more, { accountSid: a.sid, key: null as unknown as string, receivedAt: T0 }]));
        assert.equal(await store.hasInboundReceipt(a.sid, more[0]!.key), false, 'none of the failed write is kept');
      });

      test('alerts are written with their sprint, listed newest first with filters and paging, and account-scoped', async (store) => {
        const { a, b, flowA, flowB } = await seed(store);
        const exec = execution(flowA);
        const written: AlertRecord[] = [];
        for (let i = 0; i < 12; i++) written.push(alert(exec, { logLevel: i % 3 === 0 ? 'error' : 'warning', errorCode: i % 3 === 0 ? 84003 : 81002, dateCreated: T0 + i * 1000 }));
        await store.writeSprint(sprint(exec, true, { alerts: written.slice(0, 5) }));
        await store.writeSprint(sprint(exec, false, { expectedVersion: 'unchecked', alerts: written.slice(5) }));
        const otherExec = execution(flowB);
        await store.writeSprint(sprint(otherExec, true, { alerts: [alert(otherExec)] }));
        const newestFirst = [...written].reverse();
        const sids = (list: AlertRecord[]) => list.map((x) => x.sid);
        assert.deepEqual((await store.listAlerts(a.sid, {}, { pageSize: 50 })).items, newestFirst);
        assert.deepEqual(sids((await store.listAlerts(a.sid, { logLevel: 'error' }, { pageSize: 50 })).items), sids(newestFirst.filter((x) => x.logLevel === 'error')));
        assert.deepEqual(
          sids((await store.listAlerts(a.sid, { startDate: T0 + 3000, endDate: T0 + 8000 }, { pageSize: 50 })).items),
          sids(newestFirst.filter((x) => x.dateCreated >= T0 + 3000 && x.dateCreated < T0 + 8000)),
        );
        await checkPaging((page) => store.listAlerts(a.sid, {}, page), (x) => x.sid, sids(newestFirst), 5);
        assert.deepEqual(await store.getAlert(a.sid, written[3]!.sid), written[3]);
        assert.equal(await store.getAlert(b.sid, written[3]!.sid), null, 'invisible to another account');
        assert.equal((await store.listAlerts(b.sid, {}, { pageSize: 50 })).items.length, 1);
      });

      test("one execution's alerts: listed by execution among many newer ones of the account, paged, with other filters, account-scoped", async (store) => {
        const { a, b, flowA, flowB } = await seed(store);
        const mine = execution(flowA);
        const other = execution(flowA);
        const mineWritten: AlertRecord[] = [];
        for (let i = 0; i < 7; i++) mineWritten.push(alert(mine, { logLevel: i % 2 === 0 ? 'error' : 'warning', dateCreated: T0 + i * 1000 }));
        await store.writeSprint(sprint(mine, true, { alerts: mineWritten }));
        // More of the account's newer alerts than a page holds, all another execution's.
        await store.writeSprint(sprint(other, true, { alerts: Array.from({ length: 30 }, () => alert(other, { dateCreated: T0 + 60_000 })) }));
        const elsewhere = execution(flowB);
        await store.writeSprint(sprint(elsewhere, true, { alerts: [alert(elsewhere)] }));
        const sids = (list: AlertRecord[]) => list.map((x) => x.sid);
        const newestFirst = [...mineWritten].reverse();
        assert.deepEqual((await store.listAlerts(a.sid, { executionSid: mine.sid }, { pageSize: 50 })).items, newestFirst);
        await checkPaging((page) => store.listAlerts(a.sid, { executionSid: mine.sid }, page), (x) => x.sid, sids(newestFirst), 3);
        assert.deepEqual(
          sids((await store.listAlerts(a.sid, { executionSid: mine.sid, logLevel: 'error', startDate: T0 + 2000 }, { pageSize: 50 })).items),
          sids(newestFirst.filter((x) => x.logLevel === 'error' && x.dateCreated >= T0 + 2000)),
        );
        assert.equal((await store.listAlerts(a.sid, { executionSid: other.sid }, { pageSize: 50 })).items.length, 30);
        assert.deepEqual((await store.listAlerts(a.sid, { executionSid: sid('FN') }, { pageSize: 50 })).items, []);
        // Another account's execution is not listed through this account, nor this one's through it.
        assert.deepEqual((await store.listAlerts(a.sid, { executionSid: elsewhere.sid }, { pageSize: 50 })).items, []);
        assert.deepEqual((await store.listAlerts(b.sid, { executionSid: mine.sid }, { pageSize: 50 })).items, []);
        assert.equal((await store.listAlerts(b.sid, { executionSid: elsewhere.sid }, { pageSize: 50 })).items.length, 1);
      });

      test("addAlerts writes a flow's own alerts (no execution) in one go, in order, beside its executions' alerts", async (store) => {
        const { a, b, flowA, flowB } = await seed(store);
        const exec = execution(flowA);
        const flowAlert = (flow: FlowRecord, overrides: Partial<AlertRecord> = {}): AlertRecord => ({
          sid: sid('NO'),
          accountSid: flow.accountSid,
          flowSid: flow.sid,
          executionSid: flow.sid,
          logLevel: 'error',
          errorCode: 20429,
          text: 'Msg=Too+many+requests&ErrorCode=20429&LogLevel=ERROR',
          dateCreated: T0 + ++counter,
          ...overrides,
        });
        await store.addAlerts([]);
        assert.deepEqual((await store.listAlerts(a.sid, {}, { pageSize: 50 })).items, [], 'nothing to write, nothing written');
        const first = alert(exec, { dateCreated: T0 + 1 });
        await store.writeSprint(sprint(exec, true, { alerts: [first] }));
        const own = [flowAlert(flowA, { dateCreated: T0 + 2 }), flowAlert(flowA, { logLevel: 'warning', errorCode: 81002, dateCreated: T0 + 2 })];
        await store.addAlerts(own);
        const last = alert(exec, { dateCreated: T0 + 3 });
        await store.writeSprint(sprint(exec, false, { expectedVersion: 'unchecked', alerts: [last] }));
        await store.addAlerts([flowAlert(flowB, { dateCreated: T0 + 4 })]);
        assert.equal(await store.getExecutionBySid(flowA.sid), null, 'no execution was written for them');
        assert.deepEqual((await store.listAlerts(a.sid, {}, { pageSize: 50 })).items, [last, own[1], own[0], first], 'newest first, in the order written');
        assert.deepEqual(await store.getAlert(a.sid, own[0]!.sid), own[0]);
        assert.equal(await store.getAlert(b.sid, own[0]!.sid), null, 'invisible to another account');
        assert.deepEqual((await store.listAlerts(a.sid, { executionSid: exec.sid }, { pageSize: 50 })).items, [last, first], "not among an execution's");
        assert.deepEqual((await store.listAlerts(a.sid, { logLevel: 'error' }, { pageSize: 50 })).items.map((x) => x.sid), [own[0]!.sid]);
        assert.equal((await store.listAlerts(b.sid, {}, { pageSize: 50 })).items.length, 1);
        // Many at once: all of them, in order (past one statement's worth of rows).
        const many = Array.from({ length: 1201 }, () => flowAlert(flowB, { dateCreated: T0 + 10_000 }));
        await store.addAlerts(many);
        const listedB: AlertRecord[] = [];
        for (let page = await store.listAlerts(b.sid, {}, { pageSize: 500 }); ; ) {
          listedB.push(...page.items);
          if (!page.hasMore || page.lastPosition === null) break;
          page = await store.listAlerts(b.sid, {}, { pageSize: 500, cursor: { direction: 'after', position: page.lastPosition } });
        }
        assert.equal(listedB.length, 1202);
        assert.deepEqual(listedB.slice(0, 1201).map((x) => x.sid), [...many].reverse().map((x) => x.sid));
        // All or none: a batch with an alert whose SID is taken writes nothing.
        await assert.rejects(store.addAlerts([flowAlert(flowA, { dateCreated: T0 + 5 }), { ...own[0]! }]));
        assert.equal((await store.listAlerts(a.sid, {}, { pageSize: 50 })).items.length, 4, 'the refused batch left nothing behind');
        // They keep the alerts' retention, and go with their account.
        assert.equal(await store.pruneHistory({ alerts: T0 + 5000 }), 5);
        assert.equal((await store.listAlerts(b.sid, { startDate: T0, endDate: T0 + 5000 }, { pageSize: 50 })).items.length, 0);
        assert.equal((await store.listAlerts(b.sid, {}, { pageSize: 1 })).items[0]?.sid, many[1200]!.sid);
        await store.deleteAccount(b.sid);
        assert.deepEqual((await store.listAlerts(b.sid, {}, { pageSize: 50 })).items, []);
      });

      test('pruneHistory drops receipts and alerts older than their cut-offs only', async (store) => {
        const { a, flowA } = await seed(store);
        const exec = execution(flowA);
        const old = alert(exec, { dateCreated: T0 });
        const recent = alert(exec, { dateCreated: T0 + 10_000 });
        await store.writeSprint(sprint(exec, true, { alerts: [old, recent], inboundReceipt: { accountSid: a.sid, key: 'old', receivedAt: T0 } }));
        await store.writeSprint(sprint(exec, false, { expectedVersion: 'unchecked', inboundReceipt: { accountSid: a.sid, key: 'recent', receivedAt: T0 + 10_000 } }));
        assert.equal(await store.pruneHistory({ receipts: T0 + 5000, alerts: T0 + 5000 }), 2);
        assert.equal(await store.hasInboundReceipt(a.sid, 'old'), false);
        assert.equal(await store.hasInboundReceipt(a.sid, 'recent'), true);
        assert.deepEqual((await store.listAlerts(a.sid, {}, { pageSize: 50 })).items, [recent]);
        assert.equal(await store.pruneHistory({ receipts: T0 + 5000, alerts: T0 + 5000 }), 0);
      });

      test('channel records: written, replaced, read, listed by key prefix and deleted', async (store) => {
        const { flowA } = await seed(store);
        const exec = execution(flowA);
        await store.writeSprint(sprint(exec, true));
        assert.equal(await store.getChannelRecord('inflight:EF1'), null);
        const records = ['carrier-msg:SM1', 'carrier-report:EF2', 'carrier-report:EF1', 'carrier-reports', 'carrier-seen:EF1', 'inflight:EF1'].map((key) => channelRecord(exec, key));
        for (const record of records) await store.putChannelRecord(record);
        const replaced = { ...records[5]!, value: '{"state":"done"}', updatedAt: T0 + 1 };
        await store.putChannelRecord(replaced);
        assert.deepEqual(await store.getChannelRecord('inflight:EF1'), replaced);
        const keys = async (prefix: string, limit = 10, after?: string) => (await store.listChannelRecords(prefix, limit, after)).map((r) => r.key);
        assert.deepEqual(await keys('carrier-report:'), ['carrier-report:EF1', 'carrier-report:EF2']);
        assert.deepEqual(await keys('carrier-report:', 1), ['carrier-report:EF1']);
        assert.deepEqual(await keys('carrier-report:', 10, 'carrier-report:EF1'), ['carrier-report:EF2']);
        assert.deepEqual(await keys('carrier-'), ['carrier-msg:SM1', 'carrier-report:EF1', 'carrier-report:EF2', 'carrier-reports', 'carrier-seen:EF1']);
        assert.equal((await store.listChannelRecords('', 100)).length, 6);
        assert.deepEqual(await store.listChannelRecords('carrier-report:', 10).then((r) => r[0]), records[2]);
        assert.equal(await store.deleteChannelRecord('carrier-report:EF1'), true);
        assert.equal(await store.deleteChannelRecord('carrier-report:EF1'), false);
        assert.deepEqual(await keys('carrier-report:'), ['carrier-report:EF2']);
      });

      test('insertChannelRecord writes only where no record is: of racing claims one wins', async (store) => {
        const { flowA } = await seed(store);
        const exec = execution(flowA);
        await store.writeSprint(sprint(exec, true));
        const claims = ['EFa', 'EFb', 'EFc', 'EFd'].map((effectId) => ({ ...channelRecord(exec, 'carrier-msg:CA1'), value: JSON.stringify({ effectId }) }));
        const won = await Promise.all(claims.map((claim) => store.insertChannelRecord(claim)));
        assert.equal(won.filter(Boolean).length, 1, 'exactly one claim is written');
        assert.deepEqual(await store.getChannelRecord('carrier-msg:CA1'), claims[won.indexOf(true)]);
        assert.equal(await store.insertChannelRecord(channelRecord(exec, 'carrier-msg:CA2')), true);
      });

      test('pruneHistory drops channel records last written before the cut-off whose execution is not active', async (store) => {
        const { flowA } = await seed(store);
        const active = execution(flowA);
        const ended = execution(flowA, { status: 'ended' });
        await store.writeSprint(sprint(active, true));
        await store.writeSprint(sprint(ended, true));
        const gone = execution(flowA); // never written, or deleted since
        const put = (exec: ExecutionRecord, key: string, updatedAt: number) => store.putChannelRecord({ ...channelRecord(exec, key), updatedAt });
        await put(active, 'inflight:old-active', T0);
        await put(ended, 'inflight:old-ended', T0);
        await put(gone, 'inflight:old-gone', T0);
        await put(ended, 'inflight:recent-ended', T0 + 10_000);
        assert.equal(await store.pruneHistory({ receipts: T0, alerts: T0 }), 0, 'no cut-off, no pruning');
        assert.equal(await store.pruneHistory({ receipts: T0, alerts: T0, channelRecords: T0 + 5000 }), 2);
        assert.deepEqual((await store.listChannelRecords('inflight:', 10)).map((r) => r.key), ['inflight:old-active', 'inflight:recent-ended']);
      });

      test('pruneHistory deletes ended executions started before the cut-off, oldest first and at most the limit, with their steps, timers and channel records; never an active one', async (store) => {
        const { a, b, flowA, flowB } = await seed(store);
        const at = (flow: FlowRecord, dateCreated: number) => execution(flow, { dateCreated });
        // Written out of age order, and across accounts: the oldest go first whatever the order of writing.
        const old = [at(flowA, T0 + 3), at(flowB, T0 + 1), at(flowA, T0 + 2)];
        const activeOld = at(flowA, T0);
        const recent = at(flowA, T0 + 10_000);
        for (const exec of [...old, activeOld, recent]) {
          await store.writeSprint(sprint(exec, true, { steps: [step(exec), step(exec)], timersToAdd: [timer(exec, T0 + 60_000)], effectsToAdd: [effect(exec, { send: exec.sid })], alerts: [alert(exec)] }));
          await store.putChannelRecord(channelRecord(exec, `inflight:${exec.sid}`));
        }
        // Ended later than the cut-off: an execution's start is what its retention runs from (Twilio's rule).
        for (const exec of [...old, recent]) await store.writeSprint(sprint({ ...exec, status: 'ended', dateUpdated: T0 + 20_000 }, false, { expectedVersion: 'unchecked', steps: [step(exec)] }));
        const prune = (limit: number) => store.pruneHistory({ executions: { createdBefore: T0 + 5000, limit } });
        const byAge = [...old].sort((x, y) => x.dateCreated - y.dateCreated);
        assert.equal(await prune(2), 2);
        assert.equal(await store.getExecutionBySid(byAge[0]!.sid), null);
        assert.equal(await store.getExecutionBySid(byAge[1]!.sid), null);
        assert.equal((await store.getExecutionBySid(byAge[2]!.sid))?.status, 'ended', 'the youngest of them waits for the next batch');
        assert.equal(await prune(2), 1);
        assert.equal(await prune(2), 0);
        for (const exec of old) {
          assert.equal(await store.getExecutionBySid(exec.sid), null);
          assert.deepEqual((await store.listSteps(exec.accountSid, exec.flowSid, exec.sid, { pageSize: 50 })).items, []);
          assert.equal(await store.getChannelRecord(`inflight:${exec.sid}`), null);
        }
        assert.deepEqual((await store.dueTimers(Number.MAX_SAFE_INTEGER, 10)).map((t) => t.executionSid).sort(), [activeOld.sid, recent.sid].sort());
        assert.deepEqual((await store.pendingEffects(10)).map((e) => e.executionSid), [activeOld.sid]);
        // The active one past the cut-off and the ended one within it keep everything.
        assert.equal((await store.getExecutionBySid(activeOld.sid))?.status, 'active');
        assert.equal((await store.listSteps(a.sid, flowA.sid, activeOld.sid, { pageSize: 50 })).items.length, 2);
        assert.equal((await store.listSteps(a.sid, flowA.sid, recent.sid, { pageSize: 50 })).items.length, 3);
        assert.ok(await store.getChannelRecord(`inflight:${activeOld.sid}`));
        // Alerts keep their own retention (pruneHistory's `alerts`).
        assert.equal((await store.listAlerts(a.sid, {}, { pageSize: 50 })).items.length + (await store.listAlerts(b.sid, {}, { pageSize: 50 })).items.length, 5);
        // A cut-off past them all takes the ended one, never the active one.
        assert.equal(await store.pruneHistory({ executions: { createdBefore: Number.MAX_SAFE_INTEGER, limit: 10 } }), 1);
        assert.equal(await store.getExecutionBySid(recent.sid), null);
        assert.equal((await store.getExecutionBySid(activeOld.sid))?.status, 'active');
        assert.equal((await store.listSteps(a.sid, flowA.sid, activeOld.sid, { pageSize: 50 })).items.length, 2);
      });

      test('pruneHistory prunes only the parts given a cut-off, counting an execution as one row', async (store) => {
        const { a, flowA } = await seed(store);
        const exec = execution(flowA, { status: 'ended' });
        await store.writeSprint(sprint(exec, true, { steps: [step(exec), step(exec)], alerts: [alert(exec, { dateCreated: T0 })], inboundReceipt: { accountSid: a.sid, key: 'old', receivedAt: T0 } }));
        assert.equal(await store.pruneHistory({ executions: { createdBefore: T0 + 10 ** 9, limit: 10 } }), 1, 'the execution alone');
        assert.equal(await store.hasInboundReceipt(a.sid, 'old'), true);
        assert.equal((await store.listAlerts(a.sid, {}, { pageSize: 50 })).items.length, 1);
        assert.equal(await store.pruneHistory({ receipts: T0 + 1, alerts: T0 + 1 }), 2);
      });

      test('pruneHistory with a limit deletes at most that many of each of receipts, alerts and channel records, due ones only', async (store) => {
        const { a, flowA } = await seed(store);
        const exec = execution(flowA, { status: 'ended' });
        await store.writeSprint(sprint(exec, true, { alerts: [1, 2, 3, 4, 5, 6].map((n) => alert(exec, { dateCreated: n <= 5 ? T0 : T0 + 10_000 })) }));
        for (let n = 0; n < 6; n++) {
          const other = execution(flowA, { status: 'ended' });
          await store.writeSprint(sprint(other, true, { inboundReceipt: { accountSid: a.sid, key: `SM${n}`, receivedAt: n < 5 ? T0 : T0 + 10_000 } }));
          await store.putChannelRecord({ ...channelRecord(exec, `inflight:EF${n}`), updatedAt: n < 5 ? T0 : T0 + 10_000 });
        }
        const due = { receipts: T0 + 5000, alerts: T0 + 5000, channelRecords: T0 + 5000 };
        assert.equal(await store.pruneHistory({ receipts: due.receipts, limit: 2 }), 2, 'a batch of receipts alone');
        assert.equal(await store.pruneHistory({ ...due, limit: 2 }), 6, 'two of each kind');
        assert.equal(await store.pruneHistory({ ...due, limit: 2 }), 5, 'the last receipt, two alerts and two records');
        assert.equal(await store.pruneHistory({ ...due, limit: 2 }), 2, 'the last alert and channel record');
        assert.equal(await store.pruneHistory({ ...due, limit: 2 }), 0);
        assert.deepEqual((await store.listAlerts(a.sid, {}, { pageSize: 50 })).items.map((x) => x.dateCreated), [T0 + 10_000], 'the recent alert stays');
        assert.equal(await store.hasInboundReceipt(a.sid, 'SM5'), true, 'the recent receipt stays');
        assert.deepEqual((await store.listChannelRecords('inflight:', 10)).map((r) => r.key), ['inflight:EF5'], 'the recent record stays');
      });
    });

    describe('deleted accounts: what races their deletion', () => {
      test('createFlow, saveFlowRevision and setAccountSetting refuse an account that is gone (AccountGoneError) and write nothing', async (store) => {
        const { a, b, flowA } = await seed(store);
        await store.setAccountSetting(b.sid, 'carrier', '{"channel":"webhook"}');
        assert.equal(await store.getSetting(`carrier:${b.sid}`), '{"channel":"webhook"}', "an account's own setting, under <name>:<AccountSid>");
        assert.ok(await store.deleteAccount(a.sid));
        const late = flowPair(a.sid);
        await assert.rejects(store.createFlow(late.flow, late.revision), (error: unknown) => error instanceof AccountGoneError && error.accountSid === a.sid);
        assert.equal(await store.getFlow(a.sid, late.flow.sid), null);
        assert.equal(await store.getRevision(a.sid, late.flow.sid, 'LatestRevision'), null, 'nor its revision');
        const next = nextRevision(flowA, 'published', 'after the delete');
        await assert.rejects(store.saveFlowRevision(next.flow, next.revision), AccountGoneError);
        assert.equal(await store.getRevision(a.sid, flowA.sid, 2), null);
        await assert.rejects(store.setAccountSetting(a.sid, 'carrier', '{"channel":"twilio","twilio":{"authToken":"upstream-secret"}}'), AccountGoneError);
        assert.equal(await store.getSetting(`carrier:${a.sid}`), null, 'no upstream secret is left behind');
        const never = flowPair(sid('AC'));
        await assert.rejects(store.createFlow(never.flow, never.revision), AccountGoneError, 'nor for an account that never was');
        assert.deepEqual(await store.getFlow(b.sid, (await store.listFlows(b.sid, { pageSize: 10 })).items[0]!.sid).then((f) => f?.accountSid), b.sid);
      });

      test('a flow created while its account is being deleted goes with it, or is refused: none is left', async (store) => {
        for (let round = 0; round < 8; round++) {
          const a = account();
          await store.createAccount(a);
          const pairs = Array.from({ length: 6 }, () => flowPair(a.sid));
          const creates = pairs.map((pair, i) => (i % 2 ? Promise.resolve() : new Promise((resolve) => setImmediate(resolve))).then(() => store.createFlow(pair.flow, pair.revision)));
          const results = await Promise.allSettled([...creates.slice(0, 3), store.deleteAccount(a.sid), ...creates.slice(3)]);
          for (const result of results) {
            if (result.status === 'rejected') assert.ok(result.reason instanceof AccountGoneError, String(result.reason));
          }
          assert.equal(await store.getAccount(a.sid), null);
          for (const pair of pairs) assert.equal(await store.getFlow(a.sid, pair.flow.sid), null, `round ${round}: a flow outlived its account`);
          assert.equal(await store.deleteAccount(a.sid), null, 'nothing of it is left to purge');
        }
      });

      test('deleteAccount purges what still names an account whose row is gone (leftoversOnly); null once nothing is left', async (store) => {
        const { a, b, flowA, flowB } = await seed(store);
        const [execA, execB] = [execution(flowA), execution(flowB)];
        await store.writeSprint(sprint(execB, true));
        assert.deepEqual(await store.deleteAccount(a.sid), { apiKeys: 0, flows: 1 });
        // What requests that raced the deletion (a node's read cache still held the account) may have written.
        await store.setSetting(`carrier:${a.sid}`, '{"channel":"twilio","twilio":{"authToken":"upstream-secret"}}');
        await store.putChannelRecord(channelRecord(execA, 'inflight:EFlate'));
        await store.setSetting(`carrier:${b.sid}`, '{"channel":"webhook"}');
        await store.putChannelRecord(channelRecord(execB, 'inflight:EFb'));
        await store.setSetting('dev_account_sid', a.sid);

        assert.deepEqual(await store.deleteAccount(a.sid), { apiKeys: 0, flows: 0, leftoversOnly: true });
        assert.equal(await store.getSetting(`carrier:${a.sid}`), null);
        assert.equal(await store.getChannelRecord('inflight:EFlate'), null);
        assert.equal(await store.deleteAccount(a.sid), null, 'nothing of it is left');
        // Nothing of another account, nor a setting whose value (not key) names it.
        assert.equal(await store.getSetting(`carrier:${b.sid}`), '{"channel":"webhook"}');
        assert.ok(await store.getChannelRecord('inflight:EFb'));
        assert.equal(await store.getSetting('dev_account_sid'), a.sid);
        assert.ok(await store.getFlow(b.sid, flowB.sid));
      });

      test('pruneHistory orphans: what names an account that is gone goes, a bounded batch at a time; nothing of a live account', async (store) => {
        const { a, b, flowA, flowB } = await seed(store);
        const [execA, execB] = [execution(flowA), execution(flowB)];
        await store.writeSprint(sprint(execB, true));
        assert.ok(await store.deleteAccount(a.sid));
        const gone = sid('AC'); // an account never in this store
        await store.setSetting(`carrier:${a.sid}`, '{"channel":"webhook"}');
        await store.setSetting(`other-setting:${gone}`, 'x');
        for (const key of ['inflight:EF1', 'inflight:EF2', 'carrier-msg:SM1']) await store.putChannelRecord(channelRecord(execA, key));
        await store.setSetting(`carrier:${b.sid}`, '{"channel":"webhook"}');
        await store.putChannelRecord(channelRecord(execB, 'inflight:EFb'));
        await store.setSetting('dev_account_sid', a.sid);
        await store.setSetting('configured-accounts', JSON.stringify([a.sid]));

        assert.equal(await store.pruneHistory({ orphans: true, limit: 2 }), 2);
        assert.equal(await store.pruneHistory({ orphans: true, limit: 2 }), 2);
        assert.equal(await store.pruneHistory({ orphans: true, limit: 2 }), 1);
        assert.equal(await store.pruneHistory({ orphans: true, limit: 2 }), 0);
        assert.equal(await store.getSetting(`carrier:${a.sid}`), null);
        assert.equal(await store.getSetting(`other-setting:${gone}`), null);
        assert.deepEqual((await store.listChannelRecords('', 10)).map((r) => r.key), ['inflight:EFb']);
        assert.equal(await store.getSetting(`carrier:${b.sid}`), '{"channel":"webhook"}');
        assert.equal(await store.getSetting('dev_account_sid'), a.sid);
        assert.equal(await store.getSetting('configured-accounts'), JSON.stringify([a.sid]));
        assert.ok(await store.getExecutionBySid(execB.sid));
        assert.equal(await store.pruneHistory({ orphans: true }), 0, 'without a limit: all, and nothing is left');
      });

      test('putChannelRecord unlessDeleted writes nothing back once its execution is gone; a record still under its key is replaced', async (store) => {
        const { flowA } = await seed(store);
        const exec = execution(flowA);
        await store.writeSprint(sprint(exec, true));
        const record = channelRecord(exec, 'inflight:EFsend');
        await store.putChannelRecord(record, { unlessDeleted: true });
        assert.deepEqual(await store.getChannelRecord(record.key), record, 'written while its execution exists');
        const done = { ...record, value: '{"state":"done"}', updatedAt: T0 + 1 };
        await store.putChannelRecord(done, { unlessDeleted: true });
        assert.deepEqual(await store.getChannelRecord(record.key), done, 'replaced');
        assert.equal(await store.deleteExecution(exec.accountSid, exec.flowSid, exec.sid), true);
        assert.equal(await store.getChannelRecord(record.key), null, 'the delete took it');
        // The send completes after the delete: its outcome is not written back (recipient and body).
        await store.putChannelRecord({ ...done, updatedAt: T0 + 2 }, { unlessDeleted: true });
        assert.equal(await store.getChannelRecord(record.key), null);
        // A record still there is replaced, whatever the execution (it was not deleted since it was written).
        const gone = execution(flowA);
        const kept = channelRecord(gone, 'inflight:EFkept');
        await store.putChannelRecord(kept);
        await store.putChannelRecord({ ...kept, value: '{"state":"done"}' }, { unlessDeleted: true });
        assert.equal((await store.getChannelRecord(kept.key))?.value, '{"state":"done"}');
      });
    });
  });
}
