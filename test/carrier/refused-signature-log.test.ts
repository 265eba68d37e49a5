// A webhook refused for its X-Twilio-Signature (403, 20003) is logged: a warning naming the URLs the signature was
// checked over, so a team moving to real Twilio numbers sees why Twilio's requests bounce (most often a public base
// URL other than the one Twilio calls). Behind a reverse proxy that names another URL (X-Forwarded-Proto/-Host,
// Forwarded), the line names it and says to set --public-base-url: those headers are never trusted for signatures.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import twilio from 'twilio';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

const UPSTREAM = 'AC' + 'a'.repeat(32);
const UPSTREAM_TOKEN = 'upstream-token';
const FLOW = 'FW' + 'b'.repeat(32);
const EXECUTION = 'FN' + 'c'.repeat(32);
const EFFECT = 'EF' + 'd'.repeat(32);
type Line = { level: number; msg: string; checkedUrls?: string[]; forwardedUrl?: string; hint?: string };

async function withApp(publicBaseUrl: string | undefined, run: (app: Awaited<ReturnType<typeof createApp>>, account: { sid: string; authToken: string }, lines: () => Line[]) => Promise<void>) {
  let log = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      log += String(chunk);
      done();
    },
  });
  const base = loadConfig({}, {}, { cwd: '/nonexistent' });
  const config = { ...base, dataDir: ':memory:', logLevel: 'info' as const, logFormat: 'json' as const, ...(publicBaseUrl ? { publicBaseUrl } : {}) };
  const app = await createApp(config, { store: new SqliteStore({ path: ':memory:' }), observability: { log: sink } });
  try {
    const { account } = await app.accounts.ensureStartupAccount();
    const auth = 'Basic ' + Buffer.from(`${account.sid}:${account.authToken}`).toString('base64');
    const carrier = await app.server.inject({
      method: 'POST',
      url: `/v1/Accounts/${account.sid}/Carrier`,
      headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ Channel: 'twilio', UpstreamAccountSid: UPSTREAM, AuthToken: UPSTREAM_TOKEN }).toString(),
    });
    assert.ok(carrier.statusCode < 300, carrier.body);
    await run(app, account, () => log.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Line));
  } finally {
    await app.close();
  }
}

const refusals = (lines: Line[]) => lines.filter((line) => line.msg.startsWith('webhook refused'));

describe('a webhook refused for its signature is logged', () => {
  it('flow webhook and status callback: a warning with the URLs checked (secrets in them redacted); none for a good signature', async () => {
    await withApp('https://sb.example.com', async (app, account, lines) => {
      const params = { MessageSid: 'SM' + '1'.repeat(32), From: '+15551230001', To: '+15550009999', Body: 'hi' };
      const path = `/v1/Accounts/${account.sid}/Flows/${FLOW}?sb=${EXECUTION}.g1.a.SECRETMAC`;
      const bad = await app.server.inject({
        method: 'POST', url: path, payload: new URLSearchParams(params).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature('wrong', `https://sb.example.com${path}`, params) },
      });
      assert.equal(bad.statusCode, 403);
      assert.equal(bad.json().code, 20003);
      const status = `/v1/Accounts/${account.sid}/Carrier/Executions/${EXECUTION}/Messages/${EFFECT}/Status`;
      const missing = await app.server.inject({ method: 'POST', url: status, payload: 'MessageSid=SM1&MessageStatus=sent', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(missing.statusCode, 403);
      // Told what it lacks, not "Invalid": a carrier callback takes no Basic auth, only the signature.
      assert.match(missing.json().message, /^Missing X-Twilio-Signature: a carrier callback takes only Twilio's signature/);
      assert.equal(missing.json().code, 20003);
      const [flowLine, statusLine] = refusals(lines());
      assert.ok(flowLine && statusLine, JSON.stringify(lines()));
      assert.equal(flowLine.level, 40);
      assert.equal(flowLine.msg, 'webhook refused (403, 20003): invalid X-Twilio-Signature');
      assert.deepEqual(flowLine.checkedUrls, [`https://sb.example.com/v1/Accounts/${account.sid}/Flows/${FLOW}?sb=${EXECUTION}.g1.a.[redacted]`]);
      assert.equal(flowLine.hint, undefined);
      assert.equal(statusLine.msg, 'webhook refused (403, 20003): no X-Twilio-Signature');
      assert.deepEqual(statusLine.checkedUrls, [`https://sb.example.com${status}`]);
      assert.ok(!lines().some((line) => JSON.stringify(line).includes('SECRETMAC')));

      const good = { MessageSid: 'SM1', MessageStatus: 'sent' };
      const signed = await app.server.inject({
        method: 'POST', url: status, payload: new URLSearchParams(good).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(UPSTREAM_TOKEN, `https://sb.example.com${status}`, good) },
      });
      assert.notEqual(signed.statusCode, 403);
      assert.equal(refusals(lines()).length, 2);
    });
  });

  it('behind a TLS proxy without --public-base-url: still 403 (X-Forwarded-* is not trusted), and the warning names the forwarded URL and the fix', async () => {
    await withApp(undefined, async (app, account, lines) => {
      const params = { MessageSid: 'SM' + '2'.repeat(32), From: '+15551230001', To: '+15550009999', Body: 'hi' };
      const path = `/v1/Accounts/${account.sid}/Flows/${FLOW}`;
      const response = await app.server.inject({
        method: 'POST', url: path, payload: new URLSearchParams(params).toString(),
        headers: {
          host: 'internal:8080', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'sb.example.com',
          'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(UPSTREAM_TOKEN, `https://sb.example.com${path}`, params),
        },
      });
      assert.equal(response.statusCode, 403);
      const [line] = refusals(lines());
      assert.ok(line, JSON.stringify(lines()));
      assert.deepEqual(line.checkedUrls, [`http://internal:8080${path}`]);
      assert.equal(line.forwardedUrl, `https://sb.example.com${path}`);
      assert.match(line.hint!, /--public-base-url/);
    });
  });
});
