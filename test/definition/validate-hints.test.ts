// Warnings for mistakes that save fine and then fail quietly at run time: Liquid reading a widget that does
// not exist, a literal URL that is not one, a misspelled property key; deploy-time placeholders grouped per
// flow; no warning for a send-and-wait timeout written as an integer. All are warnings: valid stays true.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateDefinition } from '../../src/definition/validate.ts';
import { referencedWidgetNames } from '../../src/definition/widget-references.ts';
import { state, variant, type Json } from './fixtures.ts';

/** The warnings of a base-flow variant, asserting it stays valid. */
function warningsOf(def: Json): { property_path: string; message: string }[] {
  const res = validateDefinition(def);
  assert.deepEqual(res.errors, []);
  assert.equal(res.valid, true);
  return res.warnings;
}
const matching = (def: Json, pattern: RegExp) => warningsOf(def).filter((w) => pattern.test(w.message));

describe('Liquid references to widgets that do not exist', () => {
  it('a name differing only in case: case-sensitive hint, at the property', () => {
    const hits = matching(variant((f) => void (state(f, 'say_1').properties.say = 'Closed: {{widgets.Http_1.parsed.closedReason}}')), /reads widgets/);
    assert.deepEqual(hits, [{
      property_path: '#/states/5/properties/say',
      message: 'Widget "say_1" (say-play): say reads widgets.Http_1, but the flow has no widget named "Http_1" ' +
        '(widget names are case-sensitive: did you mean "http_1"?); the reference renders as empty text when the flow runs',
    }]);
  });

  it('a longer name: the closest name as a hint; a split input copied into arguments[0] is reported once', () => {
    const hits = matching(variant((f) => {
      const input = '{{widgets.http_1_v2.parsed.variation}}';
      state(f, 'split_1').properties.input = input;
      state(f, 'split_1').transitions[1].conditions[0].arguments = [input];
    }), /reads widgets/);
    assert.deepEqual(hits.map((w) => w.property_path), ['#/states/3/properties/input']);
    assert.match(hits[0]!.message, /^Widget "split_1" \(split-based-on\): input reads widgets\.http_1_v2, but the flow has no widget named "http_1_v2" \(did you mean "http_1"\?\)/);
  });

  it('nothing close: no hint; nested values and condition values are checked too', () => {
    const hits = matching(variant((f) => {
      state(f, 'subflow_1').properties.parameters[0].value = '{{widgets.ChatBot.memory | to_json}}';
      state(f, 'split_1').transitions[1].conditions[0].value = '{% if widgets.lookup.found %}yes{% endif %}';
    }), /reads widgets/);
    assert.deepEqual(hits.map((w) => w.property_path), ['#/states/3/transitions/1/conditions/0/value', '#/states/8/properties/parameters/0/value']);
    assert.match(hits[0]!.message, /transitions\[1\]\.conditions\[0\]\.value reads widgets\.lookup/);
    assert.match(hits[1]!.message, /parameters\[0\]\.value reads widgets\.ChatBot, but the flow has no widget named "ChatBot"; the reference/);
  });

  it('no false alarms: existing and hyphenated names, comments, raw blocks, text, dynamic access, local variables', () => {
    const hits = matching(variant((f) => {
      state(f, 'say_1').name = 'say-thanks';
      state(f, 'gather_1').transitions[0].next = 'say-thanks';
      state(f, 'send_1').properties.body = [
        '{{widgets.say-thanks.x}} {{widgets["http_1"].parsed.a}} {{widgets.gather_1.Digits}}',
        '{% comment %}{{widgets.old_widget.x}}{% endcomment %}{% raw %}{{widgets.raw_one}}{% endraw %}',
        'widgets.not_liquid in text, {{ "widgets.quoted" }}, {{widgets[flow.variables.which].x}}, {{widgets | to_json}}',
        '{% assign w = widgets.http_1 %}{{ w.parsed }}{% for widget in widgets.http_1.parsed.list %}{{widget.name}}{% endfor %}',
      ].join('\n');
    }), /reads widgets/);
    assert.deepEqual(hits, []);
  });

  it('a template that does not parse gets its Liquid warning, not a reference warning', () => {
    assert.deepEqual(referencedWidgetNames('{{widgets.gone.x'), []);
    assert.deepEqual(referencedWidgetNames('{{ widgets.a.x }}{% if widgets.b %}{{widgets.a.y}}{% endif %}'), ['a', 'b']);
  });
});

describe('literal URLs that are not URLs', () => {
  const http = (url: string) => variant((f) => void (state(f, 'http_1').properties.url = url));

  it('make-http-request: 81014 on every run; a fill-in marker is named', () => {
    assert.deepEqual(matching(http('<<INSERT YOUR TWILIO FUNCTION URL>>'), /absolute/), [{
      property_path: '#/states/7/properties/url',
      message: 'Widget "http_1" (make-http-request): url "<<INSERT YOUR TWILIO FUNCTION URL>>" is not an absolute http(s) URL; ' +
        'every run fails with 81014 and leaves by "failed" without sending a request. Write the full address (https://…) in place of <<INSERT YOUR TWILIO FUNCTION URL>>',
    }]);
    assert.match(matching(http('example.com/hook'), /absolute/)[0]!.message, /url "example\.com\/hook" is not an absolute http\(s\) URL; .*\(https:\/\/…\)$/);
  });

  it('run-function (81010), TwiML redirect, media_url and a stream URL are checked too', () => {
    const hits = matching(variant((f) => {
      f.states.push(
        { name: 'fn_1', type: 'run-function', transitions: [{ event: 'success' }, { event: 'fail' }], properties: { url: 'http://<URL_PREFIX>/get-record' } },
        { name: 'redirect_1', type: 'add-twiml-redirect', transitions: [{ event: 'return' }, { event: 'timeout' }, { event: 'fail' }], properties: { url: '/twiml/hold' } },
        { name: 'stream_1', type: 'fork-stream', transitions: [{ event: 'next' }], properties: { stream_action: 'start', stream_url: 'wss://<<ngrok url>>' } },
      );
      state(f, 'send_1').properties.media_url = 'example.org/report';
      state(f, 'say_1').transitions[0].next = 'fn_1';
      f.states[9].transitions[0].next = 'redirect_1';
      f.states[10].transitions[0].next = 'stream_1';
    }), /absolute/);
    assert.deepEqual(hits.map((w) => w.property_path), ['#/states/1/properties/media_url', '#/states/9/properties/url', '#/states/10/properties/url', '#/states/11/properties/stream_url']);
    assert.match(hits[0]!.message, /media_url "example\.org\/report" is not an absolute http\(s\) URL; Twilio refuses/);
    assert.match(hits[1]!.message, /^Widget "fn_1" \(run-function\): url .* every run fails with 81010 and leaves by "fail".* in place of <URL_PREFIX>$/);
    assert.match(hits[2]!.message, /^Widget "redirect_1" \(add-twiml-redirect\): url "\/twiml\/hold" is not an absolute http\(s\) URL; every run leaves by "fail"/);
    assert.match(hits[3]!.message, /stream_url "wss:\/\/<<ngrok url>>" is not an absolute ws\(s\) URL/);
  });

  it('a URL, Liquid, a placeholder or an empty value is not flagged here', () => {
    for (const url of ['https://example.com/x', 'HTTP://example.com', ' https://example.com ', '{{flow.variables.url}}', 'https://{{flow.data.host}}/x', '${function_url}', '']) {
      assert.deepEqual(warningsOf(http(url)).filter((w) => /absolute/.test(w.message)), [], url);
    }
  });

  it('one fill-in marker repeated across widgets is one warning with the count', () => {
    const hits = matching(variant((f) => {
      for (let n = 0; n < 3; n++) {
        f.states.push({ name: `fn_${n}`, type: 'run-function', transitions: [{ event: 'success', next: n < 2 ? `fn_${n + 1}` : '' }, { event: 'fail' }], properties: { url: `http://<URL_PREFIX>/f${n}` } });
      }
      state(f, 'say_1').transitions[0].next = 'fn_0';
    }), /absolute/);
    assert.equal(hits.length, 1);
    assert.equal(hits[0]!.property_path, '#/states/9/properties/url');
    assert.match(hits[0]!.message, /in place of <URL_PREFIX> \(used 3 times in this flow; this is the first\)$/);
  });
});

describe('property keys a widget does not have', () => {
  for (const [widget, wrong, right, path] of [
    ['send_1', 'media_urls', 'media_url', '#/states/1/properties/media_urls'],
    ['send_1', 'shorten_url', 'shorten_urls', '#/states/1/properties/shorten_url'],
    ['gather_1', 'finish_on_keys', 'finish_on_key', '#/states/2/properties/finish_on_keys'],
    ['http_1', 'Content_Type', 'content_type', '#/states/7/properties/Content_Type'],
  ] as const) {
    it(`${wrong}: did you mean ${right}`, () => {
      const hits = matching(variant((f) => void (state(f, widget).properties[wrong] = 'x')), /has no property/);
      assert.equal(hits.length, 1);
      assert.equal(hits[0]!.property_path, path);
      assert.match(hits[0]!.message, new RegExp(`has no property "${wrong}"; it is ignored \\(did you mean "${right}"\\?\\)$`));
    });
  }

  it("a key named like an Object member (toString, constructor) is unknown too, not one of Object's", () => {
    for (const key of ['toString', 'constructor', 'hasOwnProperty']) {
      const hits = matching(variant((f) => void (state(f, 'send_1').properties[key] = 'x')), /has no property/);
      assert.equal(hits.length, 1, key);
      assert.equal(hits[0]!.property_path, `#/states/1/properties/${key}`);
    }
  });

  it('nothing close: the widget\'s properties are listed (make-http-request has no timeout)', () => {
    const hits = matching(variant((f) => void (state(f, 'http_1').properties.timeout = 3600)), /has no property/);
    assert.deepEqual(hits, [{
      property_path: '#/states/7/properties/timeout',
      message: 'Widget "http_1" (make-http-request): make-http-request has no property "timeout"; it is ignored. ' +
        'Its properties are: method, url, content_type, body, parameters, add_twilio_auth',
    }]);
  });

  it('offset, documented keys and widgets whose property list is unconfirmed are not flagged', () => {
    const hits = matching(variant((f) => {
      f.states.push({ name: 'chat_1', type: 'create-chat-channel', transitions: [{ event: 'success' }], properties: { anything: 'x', offset: { x: 1, y: 2 } } });
      state(f, 'say_1').transitions[0].next = 'chat_1';
      state(f, 'send_1').properties.media_url = 'https://example.com/a.png';
    }), /has no property/);
    assert.deepEqual(hits, []);
  });
});

describe('deploy-time placeholders, grouped per flow', () => {
  it('one warning per distinct placeholder, at its first use, with the count', () => {
    const warnings = warningsOf(variant((f) => {
      state(f, 'send_1').properties.body = 'Call ${support_number} or ${support_number}';
      state(f, 'wait_1').properties.body = 'Reply to ${support_number}; ${region}';
      state(f, 'say_1').properties.say = 'Dial ${support_number}';
    })).filter((w) => /deploy-time/.test(w.message));
    assert.deepEqual(warnings, [
      {
        property_path: '#/states/1/properties/body',
        message: 'Widget "send_1" (send-message): body contains a deploy-time template placeholder ${support_number}; ' +
          'it must be substituted before the flow can run (used 4 times in this flow; this is the first)',
      },
      {
        property_path: '#/states/4/properties/body',
        message: 'Widget "wait_1" (send-and-wait-for-reply): body contains a deploy-time template placeholder ${region}; it must be substituted before the flow can run',
      },
    ]);
  });

  it('each flow counts its own: a second validation starts from zero', () => {
    const def = variant((f) => void (state(f, 'send_1').properties.body = '${x}'));
    assert.deepEqual(validateDefinition(def).warnings, validateDefinition(def).warnings);
    assert.doesNotMatch(validateDefinition(def).warnings[0]!.message, /used/);
  });
});

describe('types the Console itself writes', () => {
  it('a send-and-wait timeout written as an integer gets no warning (the engine converts it)', () => {
    assert.deepEqual(warningsOf(variant((f) => void (state(f, 'wait_1').properties.timeout = 3600))), []);
  });

  it('other integers where a string is documented still get theirs', () => {
    assert.equal(matching(variant((f) => void (state(f, 'vars_1').properties.variables[0].value = 5)), /integer found, string expected; accepted/).length, 1);
  });
});

describe("names that are members of every JS object (constructor, toString) are names like any other", () => {
  it('a property key "constructor" or "toString" is unknown, and no URL property', () => {
    const hits = warningsOf(variant((f) => {
      state(f, 'send_1').properties.constructor = 'x';
      state(f, 'send_1').properties.toString = 'y';
    })).filter((w) => w.property_path.startsWith('#/states/1/'));
    assert.deepEqual(hits.map((w) => w.property_path), ['#/states/1/properties/constructor', '#/states/1/properties/toString']);
    for (const w of hits) assert.match(w.message, /^Widget "send_1" \(send-message\): send-message has no property "(constructor|toString)"; it is ignored/);
  });

  it('a type "constructor" is not a widget type, with no hint made of Object\'s source', () => {
    const res = validateDefinition(variant((f) => void (state(f, 'say_1').type = 'constructor')));
    const error = res.errors.find((e) => e.property_path === '#/states/5/type');
    assert.ok(error, JSON.stringify(res.errors));
    assert.match(error.message, /^Widget "say_1" \(constructor\): type "constructor" does not have a value in the enumeration \[/);
  });
});
