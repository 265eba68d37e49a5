// List pages bounded by bytes as well as rows: the executions lists (v2, v1) and v1 Engagements stop a
// page early once its serialised items would pass the byte budget (a page holds at least one item), and
// next_page_url continues right after the last item returned, so following it yields every item once.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readByteBoundedPage, LIST_PAGE_BYTES } from '../../src/api/wire/byte-bounded-page.ts';
import type { PageRequest, PageResult } from '../../src/runtime/ports/store.ts';
import { startTestServer, form, FORM, type TestServer } from '../support/server.ts';
import { walkBytePages } from './byte-pages.ts';

// ---- the page reader, over a keyset list held in memory

interface Item {
  seq: number;
  text: string;
}

/** A list paged as the SQL stores page it (newest first, keyset positions), counting what each read holds. */
class FakeList {
  readonly rows: Item[];
  reads: PageRequest[] = [];
  constructor(sizes: number[]) {
    // seq 1..n; newest (highest seq) first.
    this.rows = sizes.map((size, i) => ({ seq: i + 1, text: 'x'.repeat(size) })).reverse();
  }
  read = async (request: PageRequest): Promise<PageResult<Item>> => {
    this.reads.push(request);
    let rows: Item[];
    if (request.cursor?.direction === 'after') {
      const p = Number(request.cursor.position);
      rows = this.rows.filter((r) => r.seq < p).slice(0, request.pageSize);
    } else if (request.cursor?.direction === 'before') {
      const p = Number(request.cursor.position);
      const newer = this.rows.filter((r) => r.seq > p);
      rows = newer.slice(Math.max(0, newer.length - request.pageSize));
    } else {
      rows = this.rows.slice(request.offset ?? 0, (request.offset ?? 0) + request.pageSize);
    }
    const last = rows.at(-1);
    const hasMore = last ? this.rows.some((r) => r.seq < last.seq) : false;
    return { items: rows, firstPosition: rows[0] ? String(rows[0].seq) : null, lastPosition: last ? String(last.seq) : null, hasMore };
  };
}

/** The item's serialised form: its text as a JSON string (its size is the text's plus 2). */
const serialise = (item: Item) => JSON.stringify(item.text);
const bytesOf = (items: string[]) => items.reduce((sum, text) => sum + Buffer.byteLength(text), 0);

/** Follows next pages (PA lastPosition) from the first, as an SDK follows next_page_url. */
async function followAll(list: FakeList, pageSize: number, budget: number) {
  const pages: string[][] = [];
  let request: PageRequest = { pageSize };
  for (;;) {
    const page = await readByteBoundedPage(list.read, request, serialise, budget);
    pages.push(page.items);
    if (!page.hasMore) return pages;
    request = { pageSize, cursor: { direction: 'after', position: page.lastPosition! } };
  }
}

describe('a page bounded by bytes', () => {
  it('stops before the item that would pass the budget; the next page starts with it: every item once, in order', async () => {
    // Sizes that make pages end mid-chunk, at chunk edges and on one oversized item.
    const sizes = Array.from({ length: 300 }, (_, i) => (i % 97 === 5 ? 5000 : 100 + ((i * 37) % 400)));
    const list = new FakeList(sizes);
    const budget = 3000;
    const pages = await followAll(list, 1000, budget);
    const all = pages.flat();
    assert.deepEqual(all, list.rows.map(serialise), 'every item exactly once, in the list order');
    for (const page of pages) {
      assert.ok(page.length >= 1);
      if (page.length > 1) assert.ok(bytesOf(page) <= budget, `a page of ${page.length} items holds ${bytesOf(page)} bytes`);
    }
    assert.ok(pages.some((page) => page.length === 1 && bytesOf(page) > budget), 'an item larger than the budget is a page of its own');
    assert.ok(Math.max(...list.reads.map((r) => r.pageSize)) <= 50, 'the store is read in chunks');
  });

  it('a page of small items still holds PageSize rows, read in a few chunks', async () => {
    const list = new FakeList(Array.from({ length: 120 }, () => 50));
    const page = await readByteBoundedPage(list.read, { pageSize: 100 }, serialise, LIST_PAGE_BYTES);
    assert.equal(page.items.length, 100);
    assert.equal(page.hasMore, true);
    assert.equal(page.lastPosition, '21');
    assert.equal(page.firstPosition, '120');
    assert.ok(list.reads.length <= 4, `${list.reads.length} reads`);
  });

  it('Page=N without a token starts at its offset and continues by cursor', async () => {
    const list = new FakeList(Array.from({ length: 40 }, () => 100));
    const page = await readByteBoundedPage(list.read, { pageSize: 15, offset: 15 }, serialise, 1000);
    assert.equal(page.items.length, 9, '9 items of 102 bytes fit in 1,000');
    assert.deepEqual([page.firstPosition, page.lastPosition, page.hasMore], ['25', '17', true]);
  });

  it('a previous page (a before cursor) ends right before the cursor, and is bounded the same way', async () => {
    const list = new FakeList(Array.from({ length: 60 }, () => 100));
    const page = await readByteBoundedPage(list.read, { pageSize: 50, cursor: { direction: 'before', position: '20' } }, serialise, 1000);
    assert.equal(page.items.length, 9);
    assert.deepEqual([page.firstPosition, page.lastPosition, page.hasMore], ['29', '21', true]);
    assert.deepEqual(page.items, list.rows.filter((r) => r.seq >= 21 && r.seq <= 29).map(serialise));
  });

  it('an empty list is an empty page', async () => {
    const page = await readByteBoundedPage(new FakeList([]).read, { pageSize: 50 }, serialise, 1000);
    assert.deepEqual(page, { items: [], firstPosition: null, lastPosition: null, hasMore: false });
  });
});

// ---- on the wire

const BASE = 'https://switchboard.example.com';
const smsEcho = readFileSync(new URL('../fixtures/flows/sms-echo.json', import.meta.url), 'utf8');

describe('executions lists on the wire', () => {
  let t: TestServer;
  let flowSid: string;
  let contact = 0;
  const call = (method: 'GET' | 'POST', url: string, body?: string) =>
    t.app.server.inject({ method, url, payload: body, headers: { authorization: t.auth, ...(body !== undefined ? FORM : {}) } });
  const follow = (absolute: string) => {
    assert.ok(absolute.startsWith(BASE), absolute);
    return call('GET', absolute.slice(BASE.length));
  };
  const MB = 1024 * 1024;
  const COUNT = 10;

  before(async () => {
    t = await startTestServer({ config: { publicBaseUrl: BASE, bodyLimit: 4 * MB } });
    const flow = await call('POST', '/v2/Flows', form({ FriendlyName: 'big contexts', Status: 'published', Definition: smsEcho }));
    flowSid = flow.json().sid;
    // Each execution's context holds its ~1 MB Parameters twice (flow.data, trigger.request.parameters): ~2 MB an item.
    for (let i = 0; i < COUNT; i++) {
      const parameters = JSON.stringify({ blob: String(i).repeat(MB) });
      const res = await call('POST', `/v2/Flows/${flowSid}/Executions`, form({ To: `+1555020${String(++contact).padStart(4, '0')}`, From: '+15005550006', Parameters: parameters }));
      assert.equal(res.statusCode, 201, res.body.slice(0, 300));
    }
    await t.app.executions.idle();
  });
  after(() => t.close());

  for (const [version, collection, key] of [['v2', 'Executions', 'executions'], ['v1', 'Executions', 'executions'], ['v1', 'Engagements', 'engagements']] as const) {
    it(`${version} ${collection}: pages stop at ${LIST_PAGE_BYTES} bytes of items, and next_page_url yields every execution once`, async () => {
      type Item = { sid: string; context: { flow: { data: { blob: string } } } };
      const pages = await walkBytePages<Item>(await call('GET', `/${version}/Flows/${flowSid}/${collection}?PageSize=1000`), key, follow);
      for (const item of pages.flat()) assert.equal(item.context.flow.data.blob.length, MB, 'each item carries its whole context');
      const seen = pages.flat().map((item) => item.sid);
      assert.ok(pages.length >= 2, `${pages.length} pages`);
      assert.equal(seen.length, COUNT);
      assert.equal(new Set(seen).size, COUNT, 'no execution twice');
    });
  }

  it('previous_page_url from the second page gives back a page ending right before it', async () => {
    const first = (await call('GET', `/v2/Flows/${flowSid}/Executions`)).json();
    const second = (await follow(first.meta.next_page_url)).json();
    assert.ok(second.meta.previous_page_url);
    const previous = (await follow(second.meta.previous_page_url)).json();
    assert.deepEqual(
      previous.executions.map((e: { sid: string }) => e.sid),
      first.executions.map((e: { sid: string }) => e.sid),
    );
  });
});

describe('the context limit at the API (--max-context-bytes)', () => {
  let t: TestServer;
  let flowSid: string;
  const LIMIT = 65_536;
  const call = (method: 'GET' | 'POST', url: string, body?: string) =>
    t.app.server.inject({ method, url, payload: body, headers: { authorization: t.auth, ...(body !== undefined ? FORM : {}) } });

  before(async () => {
    t = await startTestServer({ config: { maxContextBytes: LIMIT } });
    // Four Set Variables of ten 1,000-byte values each: ~20 KB a step, so the fourth passes 64 KiB.
    const setMany = (name: string, next?: string) => ({
      name,
      type: 'set-variables',
      transitions: [{ event: 'next', ...(next ? { next } : {}) }],
      properties: { variables: Array.from({ length: 10 }, (_, i) => ({ key: `${name}_${i}`, value: '{{flow.data.s}}' })), offset: { x: 0, y: 0 } },
    });
    const definition = {
      description: 'grows',
      initial_state: 'Trigger',
      flags: { allow_concurrent_calls: true },
      states: [
        { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall' }, { event: 'incomingRequest', next: 'v1' }], properties: { offset: { x: 0, y: 0 } } },
        setMany('v1', 'v2'),
        setMany('v2', 'v3'),
        setMany('v3', 'v4'),
        setMany('v4'),
      ],
    };
    const res = await call('POST', '/v2/Flows', form({ FriendlyName: 'grows', Status: 'published', Definition: JSON.stringify(definition) }));
    assert.equal(res.statusCode, 201, res.body);
    flowSid = res.json().sid;
  });
  after(() => t.close());

  it('a create whose Parameters cannot fit is a Twilio 400 and stores nothing', async () => {
    const res = await call('POST', `/v2/Flows/${flowSid}/Executions`, form({ To: '+15550300001', From: '+15005550006', Parameters: JSON.stringify({ s: 'p'.repeat(40_000) }) }));
    assert.equal(res.statusCode, 400);
    const body = res.json();
    assert.equal(body.code, 20001);
    assert.equal(body.status, 400);
    assert.equal(body.more_info, 'https://www.twilio.com/docs/errors/20001');
    assert.match(body.message, /^Invalid parameter Parameters: is 40008 bytes of JSON; .* may hold 65536 bytes in all$/);
    const list = await call('GET', `/v2/Flows/${flowSid}/Executions`);
    assert.deepEqual(list.json().executions, []);
  });

  it('the configured limit reaches the engine: the widget that would pass it ends the execution with 84003', async () => {
    const res = await call('POST', `/v2/Flows/${flowSid}/Executions`, form({ To: '+15550300002', From: '+15005550006', Parameters: JSON.stringify({ s: 'z'.repeat(1000) }) }));
    assert.equal(res.statusCode, 201, res.body);
    await t.app.executions.idle();
    const sid = res.json().sid;
    const context = (await call('GET', `/v2/Flows/${flowSid}/Executions/${sid}/Context`)).json().context;
    assert.equal(context.widgets.v4.error.code, 84003);
    assert.match(context.widgets.v4.error.message, /^Widget 'v4' would take the execution's context to \d+ bytes, over its limit of 65536 bytes/);
    assert.equal(context.flow.variables.v3_9, 'z'.repeat(1000));
    assert.equal(context.flow.variables.v4_0, undefined);
    assert.ok(Buffer.byteLength(JSON.stringify(context)) <= LIMIT);
    const execution = (await call('GET', `/v2/Flows/${flowSid}/Executions/${sid}`)).json();
    assert.equal(execution.status, 'ended');
  });
});
