// Call callback tokens in request logs: every URL Switchboard gives a call to come back on carries
// `?sb=FN….<callback>.<kind>.<mac>`, and the request lines logged its MAC, which is what authorizes the
// callback. The request serializer now redacts it (keeping what the token names), and the value of any
// other secret-bearing query parameter.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { signCallback } from '../../src/runtime/call-tokens.ts';
import { redactedUrl } from '../../src/observability/logger.ts';

const EXECUTION = 'FN' + '0123456789abcdef'.repeat(2);

describe('request logs: secrets in the query string', () => {
  it('redactedUrl: sb keeps what it names, not its MAC; other secret parameters lose their values; the rest stays', () => {
    assert.equal(redactedUrl(`/v1/Accounts/AC1/Flows/FW1?sb=${EXECUTION}.g1.a.AbC-_x9`), `/v1/Accounts/AC1/Flows/FW1?sb=${EXECUTION}.g1.a.[redacted]`);
    assert.equal(redactedUrl('/v1/Accounts/AC1/Flows/FW1?Digits=1&sb=not-a-token&x=2'), '/v1/Accounts/AC1/Flows/FW1?Digits=1&sb=[redacted]&x=2');
    assert.equal(redactedUrl('/x?token=t1&AuthToken=t2&password=p&s%62=t3#frag'), '/x?token=[redacted]&AuthToken=[redacted]&password=[redacted]&s%62=[redacted]#frag');
    assert.equal(redactedUrl('/v2/Flows?PageSize=50&PageToken=PT1&Page=1'), '/v2/Flows?PageSize=50&PageToken=PT1&Page=1');
    assert.equal(redactedUrl('/healthz'), '/healthz');
  });

  it("the server's incoming-request lines carry the redacted URL, never the token's MAC", async () => {
    let log = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        log += String(chunk);
        done();
      },
    });
    const config = { ...loadConfig({}, {}, { cwd: '/nonexistent' }), dataDir: ':memory:', logLevel: 'info' as const, logFormat: 'json' as const };
    const app = await createApp(config, { store: new SqliteStore({ path: ':memory:' }), observability: { log: sink } });
    try {
      const { account } = await app.accounts.ensureStartupAccount();
      const token = signCallback({ executionSid: EXECUTION, callbackId: 'g1', kind: 'a' }, 'callback-secret', 'server-secret');
      const mac = token.split('.').at(-1)!;
      const url = `/v1/Accounts/${account.sid}/Flows/FW${'a'.repeat(32)}?sb=${encodeURIComponent(token)}`;
      await app.server.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'CallSid=CA1&Digits=1' });
      await app.server.inject({ method: 'GET', url: `/v2/Flows?token=api-secret-value&PageSize=5` });
      const lines = log.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { msg: string; req?: { url: string } });
      const urls = lines.filter((line) => line.msg === 'incoming request').map((line) => line.req!.url);
      assert.ok(urls.includes(`/v1/Accounts/${account.sid}/Flows/FW${'a'.repeat(32)}?sb=${EXECUTION}.g1.a.[redacted]`), urls.join('\n'));
      assert.ok(urls.includes('/v2/Flows?token=[redacted]&PageSize=5'), urls.join('\n'));
      assert.ok(!log.includes(mac), 'the MAC is nowhere in the log');
      assert.ok(!log.includes('api-secret-value'));
    } finally {
      await app.close();
    }
  });
});
