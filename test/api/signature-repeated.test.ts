// X-Twilio-Signature over a repeated parameter (MediaUrl0… are distinct names, but a form may repeat one,
// and the signing must agree with Twilio's libraries): twilio-node signs each distinct value once, in
// sorted order (webhooks.js toFormUrlEncodedParam). A webhook signed that way is accepted; one signed over
// the values as sent (duplicated, unsorted) is not what Twilio sends and is refused.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import twilio from 'twilio';
import { computeSignature, validateSignature } from '../../src/api/wire/signature.ts';
import { CONTACT, NUMBER, UPSTREAM_TOKEN, createFlow, flow, onlyExecution, useCarrierServer, webhookUrl, type CarrierServer } from '../carrier/helpers.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';

const B = 'https://cdn.example.com/b.png';
const A = 'https://cdn.example.com/a.png';
const URL_ = 'https://hooks.example.com/sms?x=1';

/** HMAC over the values in the order and number given: what a signer that neither dedupes nor sorts produces. */
function naiveSignature(token: string, url: string, params: Record<string, string | string[]>): string {
  let data = url;
  for (const name of Object.keys(params).sort()) for (const v of ([] as string[]).concat(params[name]!)) data += name + v;
  return createHmac('sha1', token).update(Buffer.from(data, 'utf8')).digest('base64');
}

describe('signatures over repeated parameters', () => {
  const params = { To: NUMBER, From: CONTACT, Body: 'pics', MediaUrl: [B, A, B] };

  it('our signing matches twilio-node, which signs each distinct value once, sorted', () => {
    const expected = twilio.getExpectedTwilioSignature('secret', URL_, params);
    assert.equal(computeSignature('secret', URL_, params), expected);
    assert.equal(validateSignature('secret', expected, URL_, params), true);
    assert.equal(twilio.validateRequest('secret', expected, URL_, params), true);
    // The same values in another order or count sign the same.
    assert.equal(validateSignature('secret', expected, URL_, { ...params, MediaUrl: [A, B] }), true);
    assert.equal(validateSignature('secret', expected, URL_, { ...params, MediaUrl: [B, B, A, A] }), true);
    // A value more or less does not.
    assert.equal(validateSignature('secret', expected, URL_, { ...params, MediaUrl: [A] }), false);
  });

  it('a signature over the duplicated or unsorted values is refused', () => {
    assert.notEqual(naiveSignature('secret', URL_, params), twilio.getExpectedTwilioSignature('secret', URL_, params));
    assert.equal(validateSignature('secret', naiveSignature('secret', URL_, params), URL_, params), false);
    const unsorted = { ...params, MediaUrl: [B, A] };
    assert.equal(validateSignature('secret', naiveSignature('secret', URL_, unsorted), URL_, unsorted), false);
  });

  describe('the flow webhook', () => {
    let fake: FakeTwilio;
    let server: CarrierServer;
    useCarrierServer((started) => ({ fake, server } = started), { once: true });

    it('accepts a webhook with a repeated key signed as twilio-node signs it, and refuses one signed naively', async () => {
      const flowSid = await createFlow(server, flow([], {}));
      const extra = { NumMedia: '3' };
      // MessageSid differs between calls: sign the exact form sent.
      const sendSigned = async (sign: (params: Record<string, string | string[]>) => string) => {
        const base = fake.inboundMessageParams(CONTACT, NUMBER, 'pics', extra);
        const form = { ...base, MediaUrl: [B, A, B] };
        const body = new URLSearchParams(base);
        for (const url of form.MediaUrl) body.append('MediaUrl', url);
        return fetch(webhookUrl(server, flowSid), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sign(form) },
          body: body.toString(),
        });
      };
      const refused = await sendSigned((form) => naiveSignature(UPSTREAM_TOKEN, webhookUrl(server, flowSid), form));
      assert.equal(refused.status, 403, await refused.text());
      assert.equal((await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 10 })).items.length, 0);
      const accepted = await sendSigned((form) => twilio.getExpectedTwilioSignature(UPSTREAM_TOKEN, webhookUrl(server, flowSid), form));
      assert.equal(accepted.status, 200, await accepted.text());
      await onlyExecution(server, flowSid);
    });
  });
});
