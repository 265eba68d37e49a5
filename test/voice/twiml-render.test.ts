// Text that reaches TwiML from outside (a caller's name, an SMS body, an HTTP response rendered into
// a Say) may hold characters XML 1.0 cannot: the document must still be valid TwiML, never a 500.
// Nor can such a value break a Say's SSML markup: the caller never hears the tags read out.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hangupTwiml, renderTwiml } from '../../src/api/twiml/render.ts';
import { MAX_SSML_DEPTH } from '../../src/api/twiml/ssml.ts';
import { serverWithFlow, verbs } from './support.ts';
import { flowWebhookUrl, twilioPost } from './twilio-webhook.ts';

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

  it('tags Twilio does not take, and characters that begin no tag or reference, are text (escaped); tags that do not nest are repaired, never said', () => {
    assert.equal(say('<script>x</script>'), '<Say voice="Polly.Joanna">&lt;script&gt;x&lt;/script&gt;</Say>');
    assert.equal(say('<break time="1s">'), '<Say voice="Polly.Joanna"><break time="1s"/></Say>');
    assert.equal(say('<p>a <b>bold</b></p>'), '<Say voice="Polly.Joanna"><p>a &lt;b&gt;bold&lt;/b&gt;</p></Say>');
    assert.equal(say('1 < 2'), '<Say voice="Polly.Joanna">1 &lt; 2</Say>');
    // An end tag with no open element is dropped; one closing an outer element closes the inner ones.
    assert.equal(say('<speak>Hi</prosody> <emphasis>there <s>you</emphasis> all</speak>'), '<Say voice="Polly.Joanna">Hi <emphasis>there <s>you</s></emphasis> all</Say>');
  });
});

describe('SSML in a Say: rendered values cannot break the markup', () => {
  const say = (text: string) => renderTwiml([{ verb: 'Say', attributes: {}, text }], null).replace(/^.*<Response>|<\/Response>$/g, '');

  it('a value with a < inside the markup stays text; the tags stay tags', () => {
    assert.equal(say('<speak><prosody rate="slow">Hello A<B</prosody></speak>'), '<Say><prosody rate="slow">Hello A&lt;B</prosody></Say>');
    assert.equal(say('<speak>Dear <<name>>,<break time="300ms"/> hi</speak>'), '<Say>Dear &lt;&lt;name&gt;&gt;,<break time="300ms"/> hi</Say>');
    // A value that holds markup that does not nest (an end tag of its own) is repaired, never read out.
    assert.equal(say('<speak><prosody rate="slow">Hello </prosody>x</speak></prosody></speak>'), '<Say><prosody rate="slow">Hello </prosody>x</Say>');
  });

  it('a value that opens thousands of elements still renders: nesting stops at MAX_SSML_DEPTH, the text is kept', () => {
    const xml = say('<p>'.repeat(5000) + 'deep');
    assert.equal(xml.match(/<p>/g)?.length, MAX_SSML_DEPTH);
    assert.match(xml, /<p>deep<\/p>/);
  });

  it('a & that begins no XML reference is text, in SSML and in plain text alike (no HTML entities)', () => {
    assert.equal(say('x &nbsp; y'), '<Say>x &amp;nbsp; y</Say>');
    assert.equal(say('<speak>x &nbsp; y</speak>'), '<Say>x &amp;nbsp; y</Say>');
    assert.equal(say('<speak><sub alias="AT&T">ATT</sub> & co</speak>'), '<Say><sub alias="AT&amp;T">ATT</sub> &amp; co</Say>');
  });

  it("XML's character references are read as XML in SSML and in plain text alike: AT&amp;T is said AT&T", () => {
    assert.equal(say('AT&amp;T'), '<Say>AT&amp;T</Say>');
    assert.equal(say('<speak>AT&amp;T</speak>'), '<Say>AT&amp;T</Say>');
    assert.equal(say('&lt;3 &#65;&#x42; &quot;q&quot; &apos;a&apos;'), '<Say>&lt;3 AB "q" \'a\'</Say>');
    // A reference to a character XML cannot hold is no reference: it is said as written.
    assert.equal(say('a &#0; &#xFFFE; b'), '<Say>a &amp;#0; &amp;#xFFFE; b</Say>');
  });

  it('comments are dropped and CDATA is text; an opener with no end is text, and what follows it is read as usual', () => {
    assert.equal(say('a<!-- note <break/> -->b<![CDATA[<p>&amp;</p>]]>c'), '<Say>ab&lt;p&gt;&amp;amp;&lt;/p&gt;c</Say>');
    assert.equal(say('<!-- a <!-- b -->c'), '<Say>c</Say>', 'a comment ends at the first -->');
    assert.equal(say('<!-->x<!--->y-->z'), '<Say>y--&gt;z</Say>', 'no --> inside the opener');
    assert.equal(say('<!--<!--hi<break/>'), '<Say>&lt;!--&lt;!--hi<break/></Say>');
    assert.equal(say('<![CDATA[ x <p>y</p>'), '<Say>&lt;![CDATA[ x <p>y</p></Say>');
    // One kind's missing end says nothing about the other's, nor about the same kind's earlier sections.
    assert.equal(say('<![CDATA[a]]><![CDATA[ b <!-- c --> d'), '<Say>a&lt;![CDATA[ b  d</Say>');
    assert.equal(say('<!-- a --><!-- b <![CDATA[<c>]]> d'), '<Say>&lt;!-- b &lt;c&gt; d</Say>');
    assert.equal(say('<!-- a <![CDATA[ --> ]]>'), '<Say> ]]&gt;</Say>');
    assert.equal(say('<![CDATA[ a <!-- ]]> b -->'), '<Say> a &lt;!--  b --&gt;</Say>');
  });

  it('unterminated openers cost linear work: each section end is looked for once, no pattern scans the rest of the text', () => {
    // Instrumented rather than timed: `<!--[\s\S]*?-->` in the token pattern scanned from every unterminated
    // opener to the end of the text (quadratic: 4 s for '<!--' x 50,000; 24 ms per render at the 16 KB
    // Liquid output cap). Records the patterns the render runs and how far indexOf looks for an end.
    const text = '<!-- x -->'.repeat(1_000) + '<![CDATA[y]]>'.repeat(1_000) + '<!--'.repeat(2_000) + '<![CDATA['.repeat(2_000) + '<break/>';
    const patterns = new Set<string>();
    let scanned = 0;
    const proto = RegExp.prototype as unknown as Record<PropertyKey, (...args: unknown[]) => unknown>;
    const saved = { exec: proto.exec!, matchAll: proto[Symbol.matchAll]!, replace: proto[Symbol.replace]!, indexOf: String.prototype.indexOf };
    proto.exec = function (this: RegExp, ...args) {
      patterns.add(this.source);
      return saved.exec.apply(this, args);
    };
    proto[Symbol.matchAll] = function (this: RegExp, ...args) {
      patterns.add(this.source);
      return saved.matchAll.apply(this, args);
    };
    proto[Symbol.replace] = function (this: RegExp, ...args) {
      patterns.add(this.source);
      return saved.replace.apply(this, args);
    };
    String.prototype.indexOf = function (this: string, search: string, from = 0) {
      const found = saved.indexOf.call(this, search, from);
      if (this.length === text.length) scanned += (found === -1 ? this.length : found + search.length) - from;
      return found;
    };
    let xml: string;
    try {
      xml = say(text);
    } finally {
      Object.assign(proto, { exec: saved.exec, [Symbol.matchAll]: saved.matchAll, [Symbol.replace]: saved.replace });
      String.prototype.indexOf = saved.indexOf;
    }
    assert.ok(patterns.size > 0, 'the render was observed');
    for (const source of patterns) assert.doesNotMatch(source, /\[\\s\\S\]\*\??/, `no unbounded span: ${source.slice(0, 120)}`);
    assert.ok(scanned <= 2 * text.length, `section ends looked for over ${scanned} characters of ${text.length}`);
    assert.equal(xml, `<Say>${'y'.repeat(1_000)}${'&lt;!--'.repeat(2_000)}${'&lt;![CDATA['.repeat(2_000)}<break/></Say>`);
  });

  it('through the flow webhook: a caller name with a < inside a Say\'s SSML', async () => {
    const flow = {
      description: 'ssml greeting',
      initial_state: 'Trigger',
      flags: { allow_concurrent_calls: true },
      states: [
        { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'hello' }], properties: { offset: { x: 0, y: 0 } } },
        { name: 'hello', type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { offset: { x: 0, y: 100 }, say: '<speak><prosody rate="slow">Hello {{trigger.call.CallerName}}</prosody></speak>' } },
      ],
    };
    const { server, flowSid } = await serverWithFlow(flow);
    try {
      const params = { AccountSid: server.account.sid, ApiVersion: '2010-04-01', CallSid: 'CA' + 'e'.repeat(32), CallStatus: 'ringing', Called: '+15005550006', Caller: '+15551230001', CallerName: 'A<B', Direction: 'inbound', From: '+15551230001', To: '+15005550006' };
      const res = await twilioPost(server, flowWebhookUrl(server, flowSid), params);
      assert.equal(res.statusCode, 200, res.body);
      const [greeting] = verbs(res.body);
      assert.deepEqual(greeting, { verb: 'Say', attributes: {}, children: [{ verb: 'prosody', attributes: { rate: 'slow' }, text: 'Hello A<B' }] });
    } finally {
      await server.close();
    }
  });
});
