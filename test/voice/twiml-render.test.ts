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

describe('SSML in a Say', () => {
  const say = (text: string) => renderTwiml([{ verb: 'Say', attributes: { voice: 'Polly.Joanna' }, text }], null).replace(/^.*<Response>|<\/Response>$/g, '');

  it('goes out as elements under <Say>, the <speak> wrapper dropped', () => {
    assert.equal(
      say('<speak><p>Routing you to</p><say-as interpret-as="digits">4321</say-as><break time="1s"/></speak>'),
      '<Say voice="Polly.Joanna"><p>Routing you to</p><say-as interpret-as="digits">4321</say-as><break time="1s"/></Say>',
    );
    assert.equal(say('<amazon:effect name="whispered">psst</amazon:effect>'), '<Say voice="Polly.Joanna"><amazon:effect name="whispered">psst</amazon:effect></Say>');
  });

  it('keeps a rendered value with a bare & inside the markup', () => {
    assert.equal(say('Hello Tom & Jerry<break time="500ms"/>bye'), '<Say voice="Polly.Joanna">Hello Tom &amp; Jerry<break time="500ms"/>bye</Say>');
  });

  it('text that is not SSML Twilio takes (other tags, not well-formed) is said as text, escaped', () => {
    assert.equal(say('<script>x</script>'), '<Say voice="Polly.Joanna">&lt;script&gt;x&lt;/script&gt;</Say>');
    assert.equal(say('<break time="1s">'), '<Say voice="Polly.Joanna">&lt;break time="1s"&gt;</Say>');
    assert.equal(say('<p>a <b>bold</b></p>'), '<Say voice="Polly.Joanna">&lt;p&gt;a &lt;b&gt;bold&lt;/b&gt;&lt;/p&gt;</Say>');
    assert.equal(say('1 < 2'), '<Say voice="Polly.Joanna">1 &lt; 2</Say>');
  });
});
