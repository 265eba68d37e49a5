// Without --public-base-url the URLs a response hands out (url, links, meta.*_url, webhook_url) are based
// on the Host the request came to. Only a host (a name, IPv4, or [IPv6]) with an optional port 1–65535 is
// taken: anything else would be pasted into every URL, so the server's own address stands in for it.
// Raw HTTP: inject and HTTP clients would refuse or rewrite such a Host.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { computeSignature } from '../../src/api/wire/signature.ts';
import { rawExchange } from '../support/raw-http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';

const definition = triggerFlow('host', 'incomingMessage', 'vars', [
  { name: 'vars', type: 'set-variables', properties: { offset: { x: 0, y: 100 }, variables: [{ key: 'k', value: 'v' }] }, transitions: [{ event: 'next' }] },
]);

interface RawAnswer {
  status: number;
  body: string;
}

describe('the Host header in the URLs of responses', () => {
  let t: TestServer;
  let flowSid: string;
  before(async () => {
    t = await startTestServer({ listen: true });
    for (const name of ['one', 'two']) flowSid = (await t.app.flows.create(t.account.sid, { friendlyName: name, status: 'published', definition })).sid;
  });
  after(() => t.close());

  async function raw(host: string, method: string, path: string, headers: Record<string, string> = {}, body = ''): Promise<RawAnswer> {
    const lines = [`${method} ${path} HTTP/1.1`, `Host: ${host}`, 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    if (body !== '' || method === 'POST') lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
    const answer = await rawExchange(t, `${lines.join('\r\n')}\r\n\r\n${body}`);
    const [head, ...rest] = answer.split('\r\n\r\n');
    return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head!)![1]), body: rest.join('\r\n\r\n') };
  }
  const listFlows = (host: string) => raw(host, 'GET', '/v2/Flows?PageSize=1', { Authorization: t.auth });

  /** Every URL of a flows page: the meta block's, and each flow's url, links and webhook_url. */
  function urlsOf(body: string): string[] {
    const page = JSON.parse(body);
    const urls = [page.meta.first_page_url, page.meta.url, page.meta.next_page_url];
    for (const flow of page.flows) urls.push(flow.url, flow.webhook_url, ...Object.values(flow.links));
    return urls;
  }

  it('takes a name, an IPv4 or a bracketed IPv6 address with a port in range', async () => {
    for (const host of ['studio.example', 'Studio.Example:8080', '192.0.2.7:65535', '[::1]:4000', '[2001:db8::1]', 'my_host.local~1:1']) {
      const res = await listFlows(host);
      assert.equal(res.status, 200, `${host}: ${res.body}`);
      for (const url of urlsOf(res.body)) assert.ok(url.startsWith(`http://${host}/`), `${host}: ${url}`);
    }
  });

  it('falls back to its own address for a Host that is no host and port', async () => {
    const bogus = ['a.example/evil?x=', 'a.example:99999', 'a.example:0', 'a.example:', 'a.example:080', 'user@a.example', 'a.example:80:80', '[not-an-address]:80', 'a%2eexample', "a'example", 'a.example#frag'];
    for (const host of bogus) {
      const res = await listFlows(host);
      assert.equal(res.status, 200, `${host}: ${res.body}`);
      const urls = urlsOf(res.body);
      assert.ok(urls.length > 4);
      for (const url of urls) assert.ok(url.startsWith(`${t.baseUrl}/`), `${host}: ${url}`);
      assert.ok(!res.body.includes(host), `${host} appears nowhere in ${res.body.slice(0, 300)}`);
    }
  });

  it('checks a webhook signature against its own address, never the bogus Host', async () => {
    const path = `/v1/Accounts/${t.account.sid}/Flows/${flowSid}`;
    const params = { AccountSid: t.account.sid, MessageSid: 'SM' + 'a'.repeat(32), SmsSid: 'SM' + 'a'.repeat(32), From: '+15551230001', To: '+15005550006', Body: 'hi' };
    const post = (host: string, signedUrl: string, sid: string) => {
      const withSid = { ...params, MessageSid: sid, SmsSid: sid };
      return raw(host, 'POST', path, { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': computeSignature(t.account.authToken, signedUrl, withSid) }, new URLSearchParams(withSid).toString());
    };
    const bogus = 'a.example:99999';
    assert.equal((await post(bogus, `http://${bogus}${path}`, 'SM' + 'b'.repeat(32))).status, 403, 'signed over the bogus Host');
    const own = await post(bogus, `${t.baseUrl}${path}`, 'SM' + 'c'.repeat(32));
    assert.equal(own.status, 200, `signed over the address it reached: ${own.body}`);
    const named = await post('hooks.example', `http://hooks.example${path}`, 'SM' + 'd'.repeat(32));
    assert.equal(named.status, 200, `signed over a proper Host: ${named.body}`);
  });
});
