// Text that reaches TwiML from outside (a caller's name, an SMS body, an HTTP response rendered into
// a Say) may hold characters XML 1.0 cannot: the document must still be valid TwiML, never a 500.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hangupTwiml, renderTwiml } from '../../src/api/twiml/render.ts';

describe('TwiML rendering of text XML cannot hold', () => {
  it('drops control characters and unpaired surrogates, keeps everything else (emoji included)', () => {
    const xml = renderTwiml([{ verb: 'Say', attributes: { voice: 'alice\u0000' }, text: 'Hello BOB\u0007SMITH \uD83D\uDE00 \uD800 & <you>\t\n' }], null);
    assert.equal(xml, '<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="alice">Hello BOBSMITH \uD83D\uDE00  &amp; &lt;you&gt;\t\n</Say></Response>');
  });

  it('a hangup message too', () => {
    assert.match(hangupTwiml('Goodbye\u001B'), /<Say>Goodbye<\/Say><Hangup\/>/);
  });
});
