// withTwilioAuth sends the account's upstream credentials only to Twilio's own HTTPS API hosts
// (twilio.com and its subdomains) or the account's configured API bases: a look-alike host or a
// plain-HTTP Twilio URL would leak them (reference §2.18).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withTwilioAuth } from '../../src/runtime/twilio-auth.ts';
import type { HttpRequestSpec } from '../../src/engine/types.ts';

const credentials = { username: 'ACupstream', password: 'secret', apiHosts: ['127.0.0.1:8443'] };
const request = (url: string): HttpRequestSpec => ({ method: 'GET', url, contentType: 'application/x-www-form-urlencoded', parameters: [], addTwilioAuth: true });
const basic = 'Basic ' + Buffer.from('ACupstream:secret').toString('base64');

describe('withTwilioAuth hosts', () => {
  for (const url of ['https://api.twilio.com/x', 'https://twilio.com/x', 'https://API.Twilio.com/x', 'https://user:pw@api.twilio.com/x', 'http://127.0.0.1:8443/x']) {
    it(`authenticates ${url}`, () => {
      const out = withTwilioAuth(request(url), credentials);
      assert.equal(out.ok, true);
      if (!out.ok) return;
      assert.equal(out.request.headers?.authorization, basic);
      assert.equal(new URL(out.request.url).username, '');
      assert.equal(new URL(out.request.url).password, '');
    });
  }

  for (const url of ['https://eviltwilio.com/x', 'http://api.twilio.com/x', 'http://twilio.com/x', 'https://twilio.com.evil.example/x', 'https://api.twilio.com.evil.example/x', 'http://127.0.0.1:9999/x']) {
    it(`refuses ${url} without credentials leaving`, () => {
      const out = withTwilioAuth(request(url), credentials);
      assert.equal(out.ok, false);
      if (out.ok) return;
      assert.equal(out.result.kind, 'http-failed');
      assert.equal(out.result.reason, 'blocked');
    });
  }

  it('an unparsable URL fails as a network error', () => {
    const out = withTwilioAuth(request('not a url'), credentials);
    assert.equal(out.ok, false);
    if (!out.ok) assert.equal(out.result.reason, 'network');
  });
});
