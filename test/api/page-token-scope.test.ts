// A PageToken belongs to the list (and filters) whose page handed it out: clients may only request the
// paging URLs the API returned (Twilio's 21481). Every list pages forwards and back with its own tokens,
// and refuses another list's, another account's, an edited one and a bare store position (the old PA<digits> format).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { basicAuth, FORM, form, startTestServer, type TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';

const at = (y: number) => ({ offset: { x: 0, y } });
// Two steps per execution, and an error alert (84003, a broken Liquid tag) from the second.
const definition = triggerFlow('page tokens', 'incomingRequest', 'vars', [
  { name: 'vars', type: 'set-variables', properties: { ...at(100), variables: [{ key: 'k', value: 'v' }] }, transitions: [{ event: 'next', next: 'say' }] },
  {
    name: 'say',
    type: 'send-message',
    properties: { ...at(200), from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: '{% if %}' },
    transitions: [{ event: 'sent' }, { event: 'failed' }],
  },
]);

describe('PageTokens are tied to the list that issued them', () => {
  let t: TestServer;
  let lists: string[];
  const get = (url: string) => t.app.server.inject({ method: 'GET', url, headers: { authorization: t.auth } });
  /** A page URL as the server handed it out, made relative for inject. */
  const local = (url: string) => {
    const parsed = new URL(url);
    return parsed.pathname + parsed.search;
  };
  const withToken = (list: string, token: string) => `${list}${list.includes('?') ? '&' : '?'}PageSize=1&Page=1&PageToken=${encodeURIComponent(token)}`;
  const nextToken = async (list: string) => {
    const page = await get(`${list}${list.includes('?') ? '&' : '?'}PageSize=1`);
    assert.equal(page.statusCode, 200, `${list}: ${page.body}`);
    const next = page.json().meta.next_page_url;
    assert.ok(next, `${list} has a second page`);
    return new URL(next).searchParams.get('PageToken')!;
  };
  const assertRefused = async (url: string, why: string) => {
    const res = await get(url);
    assert.equal(res.statusCode, 400, `${why}: ${url} answered ${res.statusCode} ${res.body.slice(0, 200)}`);
    assert.equal(res.json().code, 21481, why);
    assert.equal(res.json().message, 'Invalid PageToken', why);
  };

  before(async () => {
    t = await startTestServer();
    const flowA = await t.app.flows.create(t.account.sid, { friendlyName: 'A', status: 'published', definition });
    const flowB = await t.app.flows.create(t.account.sid, { friendlyName: 'B', status: 'published', definition });
    // A second revision of A.
    const update = await t.app.server.inject({ method: 'POST', url: `/v2/Flows/${flowA.sid}`, headers: { authorization: t.auth, ...FORM }, payload: form({ CommitMessage: 'again', Definition: JSON.stringify(definition), Status: 'published' }) });
    assert.equal(update.statusCode, 200, update.body);
    const executions: Record<string, string[]> = { [flowA.sid]: [], [flowB.sid]: [] };
    for (const flow of [flowA.sid, flowB.sid]) {
      for (const to of ['+15551230001', '+15551230002']) {
        const res = await t.app.server.inject({ method: 'POST', url: `/v2/Flows/${flow}/Executions`, headers: { authorization: t.auth, ...FORM }, payload: form({ To: to, From: '+15005550006' }) });
        assert.equal(res.statusCode, 201, res.body);
        executions[flow]!.push(res.json().sid);
        await t.app.executions.idle();
      }
    }
    const a = flowA.sid;
    const b = flowB.sid;
    const execution = executions[a]![0]!;
    lists = [
      '/v2/Flows',
      '/v1/Flows',
      `/v2/Flows/${a}/Revisions`,
      `/v2/Flows/${a}/Executions`,
      `/v2/Flows/${a}/Executions?status=ended`,
      `/v2/Flows/${b}/Executions`,
      `/v1/Flows/${a}/Executions`,
      `/v1/Flows/${a}/Engagements`,
      `/v2/Flows/${a}/Executions/${execution}/Steps`,
      `/v2/Flows/${a}/Executions/${executions[a]![1]}/Steps`,
      `/v1/Flows/${a}/Executions/${execution}/Steps`,
      `/v1/Flows/${a}/Engagements/${execution}/Steps`,
      '/v1/Alerts',
      '/v1/Alerts?LogLevel=error',
    ];
  });
  after(() => t.close());

  it('every list pages forwards and back with the tokens it hands out', async () => {
    for (const list of lists) {
      const first = await get(`${list}${list.includes('?') ? '&' : '?'}PageSize=1`);
      assert.equal(first.statusCode, 200, `${list}: ${first.body}`);
      const firstBody = first.json();
      const key = firstBody.meta.key;
      const next = firstBody.meta.next_page_url as string;
      assert.match(new URL(next).searchParams.get('PageToken')!, /^PA\d+_[A-Za-z0-9_-]{12}$/, next);
      const second = await get(local(next));
      assert.equal(second.statusCode, 200, `${next}: ${second.body}`);
      assert.equal(second.json().meta.url, next, 'url is the page asked for');
      assert.notDeepEqual(second.json()[key], firstBody[key], `${list}: the second page is another page`);
      const previous = second.json().meta.previous_page_url as string;
      assert.match(new URL(previous).searchParams.get('PageToken')!, /^PB\d+_[A-Za-z0-9_-]{12}$/, previous);
      const back = await get(local(previous));
      assert.equal(back.statusCode, 200, `${previous}: ${back.body}`);
      assert.deepEqual(back.json()[key], firstBody[key], `${list}: previous_page_url leads back to the first page`);
    }
  });

  it("refuses another list's token, or the same list's with other filters", async () => {
    for (const issuer of lists) {
      const token = await nextToken(issuer);
      for (const other of lists) {
        if (other === issuer) continue;
        await assertRefused(withToken(other, token), `a token of ${issuer} on ${other}`);
      }
    }
  });

  it("refuses another account's token on the lists whose path every account shares", async () => {
    const other = await t.app.accounts.create('other');
    const otherAuth = basicAuth(other.sid, other.authToken);
    for (let i = 0; i < 2; i++) await t.app.flows.create(other.sid, { friendlyName: `other ${i}`, status: 'published', definition });
    for (const list of ['/v2/Flows', '/v1/Flows']) {
      const token = await nextToken(list);
      const res = await t.app.server.inject({ method: 'GET', url: withToken(list, token), headers: { authorization: otherAuth } });
      assert.equal(res.statusCode, 400, `${list}: ${res.body}`);
      assert.equal(res.json().code, 21481);
      const own = await t.app.server.inject({ method: 'GET', url: `${list}?PageSize=1`, headers: { authorization: otherAuth } });
      const ownNext = new URL(own.json().meta.next_page_url).searchParams.get('PageToken')!;
      const followed = await t.app.server.inject({ method: 'GET', url: withToken(list, ownNext), headers: { authorization: otherAuth } });
      assert.equal(followed.statusCode, 200, `${list}: its own token is taken: ${followed.body}`);
    }
  });

  it('refuses an edited token and a bare position (PA<digits>, the old format)', async () => {
    const token = await nextToken('/v2/Flows');
    const match = /^(PA)(\d+)_(.+)$/.exec(token)!;
    const [, , position, check] = match;
    const edited = [
      `PA${Number(position) + 1}_${check}`, // another position
      `PB${position}_${check}`, // the other direction
      `PA${position}_${check!.slice(0, -1)}${check!.endsWith('A') ? 'B' : 'A'}`, // another check
      `PA${position}`, // no check: what tokens used to be
      'PA999',
    ];
    for (const bad of edited) await assertRefused(withToken('/v2/Flows', bad), `edited token ${bad}`);
    assert.equal((await get(withToken('/v2/Flows', token))).statusCode, 200, 'the token as issued is taken');
  });
});
