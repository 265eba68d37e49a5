// The flows lists (v2, v1) and a flow's Revisions are bounded by bytes as the executions lists are
// (byte-bounded-page.ts): FriendlyName and CommitMessage have no length limit but the body's, so a page of
// PageSize=1000 big items stops at LIST_PAGE_BYTES, and next_page_url continues right after its last item:
// following it yields every flow and revision once, in the list's order.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { LIST_PAGE_BYTES } from '../../src/api/wire/byte-bounded-page.ts';
import { startTestServer, form, FORM, type TestServer, type InjectResponse } from '../support/server.ts';
import { walkBytePages } from './byte-pages.ts';

const BASE = 'https://switchboard.example.com';
const MB = 1024 * 1024;
/** Items of ~1 MB each: together past the budget, so the list takes at least two pages. */
const COUNT = Math.ceil((LIST_PAGE_BYTES * 1.25) / MB);
const smsEcho = readFileSync(new URL('../fixtures/flows/sms-echo.json', import.meta.url), 'utf8');

describe('flows and revisions lists bounded by bytes', () => {
  let t: TestServer;
  /** Flow SIDs newest first, as the flows lists list them. */
  const flowSids: string[] = [];
  let revisedSid = '';
  const call = (method: 'GET' | 'POST', url: string, body?: string) =>
    t.app.server.inject({ method, url, payload: body, headers: { authorization: t.auth, ...(body !== undefined ? FORM : {}) } });
  const follow = (absolute: string) => {
    assert.ok(absolute.startsWith(BASE), absolute);
    return call('GET', absolute.slice(BASE.length));
  };

  /** Every page from `first` on by next_page_url: each page's items, checked against the byte budget. */
  const walk = (first: InjectResponse, key: string) => walkBytePages(first, key, follow, COUNT);

  before(async () => {
    t = await startTestServer({ config: { publicBaseUrl: BASE, bodyLimit: 2 * MB } });
    for (let i = 0; i < COUNT; i++) {
      const res = await call('POST', '/v2/Flows', form({ FriendlyName: String(i % 10).repeat(MB), Status: 'published', Definition: smsEcho }));
      assert.equal(res.statusCode, 201, res.body.slice(0, 300));
      flowSids.unshift(res.json().sid);
    }
    const created = await call('POST', '/v2/Flows', form({ FriendlyName: 'revised', Status: 'published', Definition: smsEcho, CommitMessage: 'c'.repeat(MB) }));
    assert.equal(created.statusCode, 201, created.body.slice(0, 300));
    revisedSid = created.json().sid;
    flowSids.unshift(revisedSid);
    for (let i = 1; i < COUNT; i++) {
      const res = await call('POST', `/v2/Flows/${revisedSid}`, form({ Status: 'draft', CommitMessage: String(i % 10).repeat(MB) }));
      assert.equal(res.statusCode, 200, res.body.slice(0, 300));
    }
  });
  after(() => t.close());

  for (const version of ['v2', 'v1'] as const) {
    it(`${version} Flows: pages stop at ${LIST_PAGE_BYTES} bytes of items, and next_page_url yields every flow once, in order`, async () => {
      const pages = await walk(await call('GET', `/${version}/Flows?PageSize=1000`), 'flows');
      assert.ok(pages.length >= 2, `${pages.length} pages`);
      const items = pages.flat();
      assert.deepEqual(items.map((flow) => flow.sid), flowSids, 'every flow once, newest first');
      for (const flow of items.filter((f) => f.sid !== revisedSid)) assert.equal(String(flow.friendly_name).length, MB, 'each item carries its whole FriendlyName');
      if (version === 'v2') for (const flow of items) assert.deepEqual([flow.definition, flow.valid, flow.errors, flow.warnings], [null, null, null, null]);
    });
  }

  it(`Revisions: pages stop at ${LIST_PAGE_BYTES} bytes of items, and next_page_url yields every revision once, in order`, async () => {
    const pages = await walk(await call('GET', `/v2/Flows/${revisedSid}/Revisions?PageSize=1000`), 'revisions');
    assert.ok(pages.length >= 2, `${pages.length} pages`);
    const items = pages.flat();
    assert.deepEqual(items.map((revision) => revision.revision), Array.from({ length: COUNT }, (_, i) => COUNT - i), 'every revision once, newest first');
    for (const revision of items) {
      assert.equal(String(revision.commit_message).length, MB, 'each item carries its whole CommitMessage');
      assert.deepEqual([revision.definition, revision.valid, revision.errors], [null, null, null]);
    }
    // A revision fetched alone still has its definition.
    const fetched = (await call('GET', `/v2/Flows/${revisedSid}/Revisions/1`)).json();
    assert.deepEqual(fetched.definition, JSON.parse(smsEcho));
  });

  it('Revisions: previous_page_url from the second page gives back a page ending right before it', async () => {
    const first = (await call('GET', `/v2/Flows/${revisedSid}/Revisions?PageSize=1000`)).json();
    const second = (await follow(first.meta.next_page_url)).json();
    assert.ok(second.meta.previous_page_url);
    const previous = (await follow(second.meta.previous_page_url)).json();
    const numbers = (page: { revisions: { revision: number }[] }) => page.revisions.map((r) => r.revision);
    assert.deepEqual(numbers(previous), numbers(first));
    assert.equal(numbers(second)[0], numbers(first).at(-1)! - 1, 'the second page starts right after the first');
  });
});
