import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sameAddress, sameBody } from '../../src/channels/twilio/upstream-match.ts';

describe('matching a send with what Twilio lists upstream', () => {
  it('addresses: E.164 equivalents match, channels must agree, short codes compare exactly', () => {
    assert.equal(sameAddress('+15551230001', '+15551230001'), true);
    assert.equal(sameAddress('+1 (555) 123-0001', '+15551230001'), true);
    assert.equal(sameAddress('whatsapp:+44 20 7946 0958', 'whatsapp:+442079460958'), true);
    assert.equal(sameAddress('whatsapp:+15551230001', '+15551230001'), false);
    assert.equal(sameAddress('+15551230001', '+15551230002'), false);
    assert.equal(sameAddress('55512', '55512'), true);
    assert.equal(sameAddress('55512', '+55512'), false);
    assert.equal(sameAddress('+15551230001', null), false);
  });

  it('bodies: trial prefix, Smart Encoding and CRLF are allowed for, nothing else', () => {
    assert.equal(sameBody('Hi', 'Hi'), true);
    assert.equal(sameBody('Hi', 'Sent from your Twilio trial account - Hi'), true);
    assert.equal(sameBody('It\u2019s \u201Cok\u201D \u2014 bye\u2026', 'It\'s "ok" - bye...'), true);
    assert.equal(sameBody('a\nb', 'a\r\nb'), true);
    assert.equal(sameBody('Hi', 'Hi!'), false);
    assert.equal(sameBody('Hi', 'hi'), false);
    assert.equal(sameBody('', undefined), true);
    assert.equal(sameBody('Hi', undefined), false);
  });
});

describe('the lookup filter', () => {
  it('asks for addresses as Twilio stores them (E.164, channel kept); others unchanged', async () => {
    const { asStored } = await import('../../src/channels/twilio/upstream-match.ts');
    assert.equal(asStored('+1 (555) 123-0001'), '+15551230001');
    assert.equal(asStored('whatsapp:+44 20 7946 0958'), 'whatsapp:+442079460958');
    assert.equal(asStored('55512'), '55512');
    assert.equal(asStored('client:alice'), 'client:alice');
  });
});
