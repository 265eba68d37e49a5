import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateDefinition } from '../../src/definition/validate.ts';
import { SUBFLOW_SID, state, variant, type Json } from './fixtures.ts';

interface WarningCase {
  name: string;
  def: Json;
  path: string;
  message: RegExp;
}

const orphan = { name: 'orphan', type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { say: 'never' } };
const flex = (props: Json) => ({ name: 'flex_1', type: 'send-to-flex', transitions: [{ event: 'callComplete' }], properties: { workflow: 'WW1', channel: 'TC1', ...props } });
/** Adds a widget at index 9, reachable from say_1. */
const withWidget = (w: Json) => variant((f) => {
  f.states.push(w);
  state(f, 'say_1').transitions[0].next = w.name;
});

const cases: WarningCase[] = [
  { name: 'unreachable widget', def: variant((f) => void f.states.push(orphan)), path: '#/states/9', message: /^Widget "orphan" \(say-play\) is not reachable from the initial state: no chain of transitions leads to it, so it never runs$/ },
  { name: 'set-variables value written as a number', def: variant((f) => void (state(f, 'vars_1').properties.variables[0].value = 5)), path: '#/states/6/properties/variables/0/value', message: /integer found, string expected; accepted/ },
  { name: 'run-subflow parameter value written as boolean', def: variant((f) => void (state(f, 'subflow_1').properties.parameters[0].value = true)), path: '#/states/8/properties/parameters/0/value', message: /boolean found, string expected/ },
  { name: 'flow_revision written as a number', def: variant((f) => void (state(f, 'subflow_1').properties.flow_revision = 2)), path: '#/states/8/properties/flow_revision', message: /integer found, string expected; accepted/ },
  { name: 'split condition value written as a number', def: variant((f) => void (state(f, 'split_1').transitions[1].conditions[0].value = 3)), path: '#/states/3/transitions/1/conditions/0/value', message: /integer found, string expected; compared as text/ },
  {
    name: 'malformed transition {event, name}',
    def: variant((f) => void (state(f, 'send_1').transitions[1] = { event: 'failed', name: 'say_1' })),
    path: '#/states/1/transitions/1/name',
    message: /Widget "send_1" \(send-message\): transitions\[1\] has "name": "say_1" instead of "next" \(a state of that name exists\); treated as unconnected/,
  },
  { name: 'Liquid in make-http-request method', def: variant((f) => void (state(f, 'http_1').properties.method = '{{flow.variables.m}}')), path: '#/states/7/properties/method', message: /Widget "http_1" \(make-http-request\): method does not accept Liquid/ },
  { name: 'Liquid in a set-variables key', def: variant((f) => void (state(f, 'vars_1').properties.variables[0].key = '{{flow.data.k}}')), path: '#/states/6/properties/variables/0/key', message: /variables\[0\]\.key does not accept Liquid/ },
  { name: 'set-variables key Liquid cannot address', def: variant((f) => void (state(f, 'vars_1').properties.variables[0].key = 'my var')), path: '#/states/6/properties/variables/0/key', message: /key "my var" is not a plain identifier/ },
  { name: 'Terraform placeholder in send-to-flex workflow', def: withWidget(flex({ workflow: '${workflow_sids.master}' })), path: '#/states/9/properties/workflow', message: /Widget "flex_1" \(send-to-flex\): workflow contains a deploy-time template placeholder \$\{workflow_sids\.master\}/ },
  { name: 'Terraform placeholder as run-subflow flow_sid', def: variant((f) => void (state(f, 'subflow_1').properties.flow_sid = '${system_down_subflow_sid}')), path: '#/states/8/properties/flow_sid', message: /flow_sid contains a deploy-time template placeholder/ },
  { name: 'Terraform placeholder in an integer field', def: variant((f) => void (state(f, 'gather_1').properties.timeout = '${gather_timeout}')), path: '#/states/2/properties/timeout', message: /timeout contains a deploy-time template placeholder/ },
  { name: 'Terraform placeholder as a split condition value', def: variant((f) => void (state(f, 'split_1').transitions[1].conditions[0].value = '${allowed_locations}')), path: '#/states/3/transitions/1/conditions/0/value', message: /transitions\[1\]\.conditions\[0\]\.value contains a deploy-time template placeholder \$\{allowed_locations\}/ },
  { name: 'Terraform placeholder inside a parameter', def: variant((f) => void (state(f, 'subflow_1').properties.parameters[0].value = 'x-${env}')), path: '#/states/8/properties/parameters/0/value', message: /parameters\[0\]\.value contains a deploy-time template placeholder \$\{env\}/ },
  {
    name: 'split arguments disagree with input',
    def: variant((f) => void (state(f, 'split_1').transitions[1].conditions[0].arguments = ['{{widgets.gather_1.Digits}}'])),
    path: '#/states/3/transitions/1/conditions/0/arguments',
    message: /^Widget "split_1" \(split-based-on\): transitions\[1\]\.conditions\[0\]\.arguments \["\{\{widgets\.gather_1\.Digits\}\}"\] differ from the split input "\{\{flow\.data\.answer\}\}"; this engine tests arguments\[0\] "\{\{widgets\.gather_1\.Digits\}\}" \(which one Studio tests is unconfirmed\): make them the same$/,
  },
  {
    name: 'split arguments empty while the input is set',
    def: variant((f) => void (state(f, 'split_1').transitions[1].conditions[0].arguments = [])),
    path: '#/states/3/transitions/1/conditions/0/arguments',
    message: /arguments \[\] differ from the split input "\{\{flow\.data\.answer\}\}"; this engine tests the input, as arguments is empty/,
  },
  {
    name: 'regex condition that can never match (unsafe)',
    def: variant((f) => void Object.assign(state(f, 'split_1').transitions[1].conditions[0], { type: 'regex', value: '(?=a)(a+)+' })),
    path: '#/states/3/transitions/1/conditions/0/value',
    message: /conditions\[0\]\.value: this regex never matches \(nested quantifier or repeated alternation/,
  },
  {
    name: 'regex condition that is not a valid pattern',
    def: variant((f) => void Object.assign(state(f, 'split_1').transitions[1].conditions[0], { type: 'regex', value: '[0-9' })),
    path: '#/states/3/transitions/1/conditions/0/value',
    message: /this regex never matches \(invalid regex: /,
  },
  {
    name: 'regex condition with Java syntax that cannot be translated',
    def: variant((f) => void Object.assign(state(f, 'split_1').transitions[1].conditions[0], { type: 'regex', value: '\\p{InGreek}+' })),
    path: '#/states/3/transitions/1/conditions/0/value',
    message: /this regex never matches \(Java regex syntax not supported: \\p\{InGreek\} \(Unicode blocks are not supported\)\)/,
  },
  {
    name: 'regex condition with [[:alpha:]] (not POSIX in Java)',
    def: variant((f) => void Object.assign(state(f, 'split_1').transitions[1].conditions[0], { type: 'regex', value: '[[:alpha:]]+' })),
    path: '#/states/3/transitions/1/conditions/0/value',
    message: /conditions\[0\]\.value: \[:alpha:\] in a class is not a POSIX class in Java but the characters in it; for letters use \\p\{Alpha\}/,
  },
  {
    name: 'form-encoded POST with parameters and a body (the body is not sent)',
    def: variant((f) => void Object.assign(state(f, 'http_1').properties, { content_type: 'application/x-www-form-urlencoded;charset=utf-8', parameters: [{ key: 'a', value: '1' }] })),
    path: '#/states/7/properties/body',
    message: /Widget "http_1" \(make-http-request\): body is not sent: a form-encoded POST sends its parameters as the body/,
  },
  { name: 'duplicate event on one widget', def: variant((f) => void state(f, 'send_1').transitions.push({ event: 'sent', next: 'say_1' })), path: '#/states/1/transitions/2/event', message: /event "sent" appears more than once \(also transitions\[0\]\)/ },
  { name: 'split without noMatch', def: variant((f) => void state(f, 'split_1').transitions.shift()), path: '#/states/3/transitions', message: /has no noMatch transition/ },
  { name: 'match transition with empty conditions', def: variant((f) => void (state(f, 'split_1').transitions[1].conditions = [])), path: '#/states/3/transitions/1/conditions', message: /empty conditions list/ },
  { name: 'null optional property', def: variant((f) => void (state(f, 'say_1').properties.play = null)), path: '#/states/5/properties/play', message: /play is null; treated as unset/ },
  { name: 'null next', def: variant((f) => void (state(f, 'send_1').transitions[1].next = null)), path: '#/states/1/transitions/1/next', message: /next is null; treated as unconnected/ },
  { name: 'unknown state key', def: variant((f) => void (state(f, 'say_1').sid = 'FX1')), path: '#/states/5/sid', message: /unknown key "sid" is ignored/ },
  { name: 'unknown top-level key', def: variant((f) => void (f.friendly_name = 'x')), path: '#/friendly_name', message: /Unknown top-level key "friendly_name"/ },
  { name: 'widget name with a space', def: variant((f) => {
    state(f, 'say_1').name = 'say 1';
    state(f, 'gather_1').transitions[0].next = 'say 1';
  }), path: '#/states/5/name', message: /should start with a letter and contain no spaces/ },
  { name: 'unknown $schema', def: variant((f) => void (f.$schema = 'http://example.com/x')), path: '#/$schema', message: /does not have a value in the enumeration/ },
  ...(['0', '-5', 'one hour', '90.5', '315360001'] as const).map((timeout) => ({
    name: `send-and-wait timeout "${timeout}" is replaced by the default`,
    def: variant((f) => void (state(f, 'wait_1').properties.timeout = timeout)),
    path: '#/states/4/properties/timeout',
    message: new RegExp(`^Widget "wait_1" \\(send-and-wait-for-reply\\): timeout "${timeout.replace('.', '\\.')}" is not a whole number of seconds from 1 to 315360000; the default 3600 seconds \\(or --default-reply-timeout\\) is used instead$`),
  })),
  { name: 'a Liquid tag never closed', def: variant((f) => void (state(f, 'send_1').properties.body = 'Hi {% if flow.data.vip %}friend')), path: '#/states/1/properties/body', message: /Widget "send_1" \(send-message\): body is not valid Liquid \(tag \{% if flow\.data\.vip %\} not closed\); rendering it fails with 84003/ },
  { name: 'a file-reading Liquid tag (the engine refuses it)', def: variant((f) => void (state(f, 'send_1').properties.body = "Hello {% include 'footer' %}")), path: '#/states/1/properties/body', message: /body is not valid Liquid \(tag "include" is not supported \(no template files\)\); rendering it fails with 84003/ },
  { name: 'an unknown Liquid tag', def: variant((f) => void (state(f, 'send_1').properties.body = '{% hello %}')), path: '#/states/1/properties/body', message: /body is not valid Liquid \(tag "hello" not found\)/ },
  { name: 'a Liquid output never closed', def: variant((f) => void (state(f, 'vars_1').properties.variables[0].value = '{{ flow.data.x ')), path: '#/states/6/properties/variables/0/value', message: /is not valid Liquid \(output "\{\{ flow\.data\.x " not closed\)/ },
  { name: 'Liquid that does not parse in a split condition value', def: variant((f) => void (state(f, 'split_1').transitions[1].conditions[0].value = '{{flow.variables.limit}')), path: '#/states/3/transitions/1/conditions/0/value', message: /^Widget "split_1" \(split-based-on\): transitions\[1\]\.conditions\[0\]\.value is not valid Liquid \(output "\{\{flow\.variables\.limit\}" not closed\); rendering it fails with 84003$/ },
  {
    name: 'Liquid that does not parse in a split condition argument that differs from the input',
    def: variant((f) => void (state(f, 'split_1').transitions[1].conditions[0].arguments = ['{% if x %}'])),
    path: '#/states/3/transitions/1/conditions/0/arguments/0',
    message: /conditions\[0\]\.arguments\[0\] is not valid Liquid \(tag \{% if x %\} not closed\)/,
  },
  { name: "a where_exp expression that does not parse (liquidjs reads it only when it renders)", def: variant((f) => void (state(f, 'send_1').properties.body = '{{ flow.data.list | where_exp: "x", "x = 1" | size }}')), path: '#/states/1/properties/body', message: /body is not valid Liquid \(where_exp expression "x = 1": expected "\|" before filter\); with --liquid-extras rendering it fails with 84003 \(Studio's Liquid has no such filter: it returns its input\)/ },
  { name: "a liquidjs filter Studio's Liquid lacks (push)", def: variant((f) => void (state(f, 'send_1').properties.body = '{{ flow.data.list | push: 1 | join: "," }}')), path: '#/states/1/properties/body', message: /^Widget "send_1" \(send-message\): body: filter 'push' is not in Studio's Liquid: Twilio returns its input unchanged$/ },
  { name: "a liquidjs filter Studio's Liquid lacks in a Set Variables value", def: variant((f) => void (state(f, 'vars_1').properties.variables[0].value = '{% assign l = flow.data.list | where_exp: "x", "x > 1" %}{{ l | size }}')), path: '#/states/6/properties/variables/0/value', message: /^Widget "vars_1" \(set-variables\): variables\[0\]\.value: filter 'where_exp' is not in Studio's Liquid: Twilio returns its input unchanged$/ },
  { name: "a liquidjs filter Studio's Liquid lacks in a split condition value", def: variant((f) => void (state(f, 'split_1').transitions[1].conditions[0].value = '{{ flow.data.name | slugify }}')), path: '#/states/3/transitions/1/conditions/0/value', message: /^Widget "split_1" \(split-based-on\): transitions\[1\]\.conditions\[0\]\.value: filter 'slugify' is not in Studio's Liquid: Twilio returns its input unchanged$/ },
  { name: "a liquidjs filter Studio's Liquid lacks inside {% liquid %} lines", def: variant((f) => void (state(f, 'send_1').properties.body = '{% liquid\nassign n = flow.data.n | to_integer\necho n %}')), path: '#/states/1/properties/body', message: /body: filter 'to_integer' is not in Studio's Liquid/ },
  { name: "a Shopify filter newer than the release taken as Studio's (sum)", def: variant((f) => void (state(f, 'send_1').properties.body = '{{ flow.data.list | sum }}')), path: '#/states/1/properties/body', message: /^Widget "send_1" \(send-message\): body: filter 'sum' is not in Studio's Liquid: Twilio returns its input unchanged \(Shopify's Liquid has it since 5\.5\.0; Studio's is taken to be 5\.4\.0, see --liquid-version\)$/ },
  { name: "a liquidjs tag Studio's Liquid lacks (block)", def: variant((f) => void (state(f, 'send_1').properties.body = 'Hi {% block name %}there{% endblock %}')), path: '#/states/1/properties/body', message: /^Widget "send_1" \(send-message\): body: tag 'block' is not in Studio's Liquid: Twilio fails to render the template \(84003\)$/ },
  { name: "a Shopify tag newer than the release taken as Studio's (doc, 5.8.0)", def: variant((f) => void (state(f, 'send_1').properties.body = '{% doc %}The greeting{% enddoc %}Hi')), path: '#/states/1/properties/body', message: /^Widget "send_1" \(send-message\): body: tag 'doc' is not in Studio's Liquid: Twilio fails to render the template \(84003\) \(Shopify's Liquid has it since 5\.8\.0; Studio's is taken to be 5\.4\.0, see --liquid-version\)$/ },
  { name: 'a required property present but empty', def: variant((f) => void (state(f, 'send_1').properties.body = '  ')), path: '#/states/1/properties/body', message: /^Widget "send_1" \(send-message\): body is required and is empty$/ },
  { name: 'send-and-wait timeout written as integer 0', def: variant((f) => void (state(f, 'wait_1').properties.timeout = 0)), path: '#/states/4/properties/timeout', message: /timeout 0 is not a whole number of seconds from 1 to 315360000; the default 3600 seconds \(or --default-reply-timeout\) is used instead/ },
];

/** A Run Subflow widget reachable from say_1's chain, running `sid` at `revision`. */
const subflowCopy = (n: number, sid: string, revision: string) => ({
  name: `sub_${n}`,
  type: 'run-subflow',
  transitions: [{ event: 'completed' }, { event: 'failed' }],
  properties: { flow_sid: sid, flow_revision: revision, parameters: [] },
});
const sidOf = (n: number) => 'FW' + n.toString(16).padStart(32, '0');
const manySubflows = (count: number, sid: (n: number) => string) =>
  variant((f) => {
    for (let n = 0; n < count; n++) {
      f.states.push(subflowCopy(n, sid(n), 'LatestPublished'));
      (n === 0 ? state(f, 'say_1') : f.states[f.states.length - 2]).transitions[0].next = `sub_${n}`;
    }
  });
cases.push(
  {
    name: 'one subflow run at two revisions',
    def: withWidget(subflowCopy(0, SUBFLOW_SID, '2')),
    path: '#/states/9/properties/flow_revision',
    message: /^Subflow FW[0-9a-f]{32} is run at different revisions \(LatestPublished, 2\); Studio requires every Run Subflow of one subflow to use the same revision$/,
  },
  { name: 'more than 150 Run Subflow widgets', def: manySubflows(151, () => sidOf(1)), path: '#/states', message: /^The flow has 152 Run Subflow widgets; Studio allows at most 150$/ },
  { name: 'more than 50 different subflows', def: manySubflows(51, (n) => sidOf(n + 100)), path: '#/states', message: /^The flow runs 52 different subflows; Studio allows at most 50$/ },
);

describe('validateDefinition: warnings (valid stays true)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const res = validateDefinition(c.def);
      assert.deepEqual(res.errors, [], 'expected no errors');
      assert.equal(res.valid, true);
      const hit = res.warnings.find((w) => w.property_path === c.path && c.message.test(w.message));
      assert.ok(hit, `no warning at ${c.path} matching ${c.message}; got ${JSON.stringify(res.warnings, null, 1)}`);
    });
  }

  it('a regex with nested quantifiers that runs in linear time, or one made with Liquid, gets no warning', () => {
    for (const value of ['[a-z]+(-[a-z]+)*', '(yes|no)+', '{{flow.variables.pattern}}']) {
      const res = validateDefinition(variant((f) => void Object.assign(state(f, 'split_1').transitions[1].conditions[0], { type: 'regex', value })));
      assert.deepEqual(res.warnings.filter((w) => /regex/.test(w.message)), [], value);
    }
  });

  it('an empty body is fine when a content template replaces it; optional properties may be empty', () => {
    const res = validateDefinition(variant((f) => void Object.assign(state(f, 'send_1').properties, { body: '', message_type: 'content_template', content_sid: 'HX' + '1'.repeat(32) })));
    assert.deepEqual(res.warnings.filter((w) => /is required and is empty/.test(w.message)), []);
    const optional = validateDefinition(variant((f) => void (state(f, 'send_1').properties.media_url = '')));
    assert.deepEqual(optional.warnings.filter((w) => /is required and is empty/.test(w.message)), []);
  });

  it('valid Liquid gets no Liquid warning; a filter no Liquid has (a typo) is valid, and named as Studio skips it', () => {
    for (const body of ['Hi {{ contact.channel.address | upcase }}', '{% if a %}x{% else %}y{% endif %}', '{% for i in (1..3) %}{{i}}{% endfor %}', 'no liquid at all {']) {
      const res = validateDefinition(variant((f) => void (state(f, 'send_1').properties.body = body)));
      assert.deepEqual(res.warnings.filter((w) => /Liquid/.test(w.message)), [], body);
    }
    const typo = validateDefinition(variant((f) => void (state(f, 'send_1').properties.body = '{{ x | upcsae }}')));
    assert.deepEqual(typo.warnings.filter((w) => /Liquid/.test(w.message)).map((w) => w.message), [
      `Widget "send_1" (send-message): body: filter 'upcsae' is not in Studio's Liquid: Twilio returns its input unchanged`,
    ]);
  });

  it('a send-and-wait timeout in range, Liquid or a placeholder gets no timeout-range warning', () => {
    for (const timeout of ['1', '3600', ' 60 ', '2592000', 7200, '', '{{flow.variables.t}}', '${reply_timeout}']) {
      const res = validateDefinition(variant((f) => void (state(f, 'wait_1').properties.timeout = timeout)));
      assert.deepEqual(res.warnings.filter((w) => /whole number of seconds/.test(w.message)), [], JSON.stringify(timeout));
    }
  });

  it('a body is fine with JSON, with a form POST without parameters, and on nothing else', () => {
    const bodyWarnings = (props: Record<string, unknown>) =>
      validateDefinition(variant((f) => void Object.assign(state(f, 'http_1').properties, props))).warnings.filter((w) => /body is not sent/.test(w.message));
    assert.deepEqual(bodyWarnings({ parameters: [{ key: 'a', value: '1' }] }), []); // JSON: the body is sent
    assert.deepEqual(bodyWarnings({ content_type: 'application/x-www-form-urlencoded' }), []); // no parameters: the body is sent
  });

  it('a malformed {event, name} transition does not make its target reachable', () => {
    const res = validateDefinition(variant((f) => {
      f.states.push(orphan);
      state(f, 'send_1').transitions[1] = { event: 'failed', name: 'orphan' };
    }));
    assert.ok(res.warnings.some((w) => w.property_path === '#/states/9' && /not reachable/.test(w.message)));
  });
});

describe('real-world oddities from flows/INDEX.md', () => {
  it('a split whose input and arguments[0] are the same broken Liquid is reported once, at the input', () => {
    const res = validateDefinition(variant((f) => {
      state(f, 'split_1').properties.input = '{{flow.data.answer';
      state(f, 'split_1').transitions[1].conditions[0].arguments = ['{{flow.data.answer'];
    }));
    assert.deepEqual(res.warnings.filter((w) => /not valid Liquid/.test(w.message)).map((w) => w.property_path), ['#/states/3/properties/input']);
  });

  it('valid where_exp expressions, and ones given as variables, get no syntax warning (only the filter is named)', () => {
    for (const body of ['{{ l | where_exp: "x", "x.a contains \'b\' and x.n > 1" | size }}', '{{ l | find_exp: "x", e }}', '{{ l | reject_exp: "x", "x" }}']) {
      const res = validateDefinition(variant((f) => void (state(f, 'send_1').properties.body = body)));
      assert.deepEqual(res.warnings.filter((w) => /Liquid/.test(w.message) && !/^Widget "send_1" \(send-message\): body: filter '\w+_exp' is not in Studio's Liquid/.test(w.message)), [], body);
    }
  });

  it("Studio's filters and tags (Twilio's to_json, Shopify's up to 5.4.0) get no dialect warning; a Liquid filter's name in text or a raw block is not one", () => {
    const bodies = [
      '{{ flow.data | to_json }} {{ flow.data.list | where: "a", 1 | map: "b" | join: "," | default: "none" | upcase }}',
      '{{ flow.data.n | at_least: 1 | at_most: 9 | plus: 1 | divided_by: 2 }} {{ "x" | base64_encode | remove_last: "=" | h }}',
      '{% liquid\nassign a = flow.data.a | split: ","\necho a | size %}{% # a comment %}{% increment i %}{% decrement j %}',
      '{% for x in flow.data.list %}{% cycle "a", "b" %}{% tablerow y in x %}{{ y }}{% endtablerow %}{% endfor %}{% capture c %}{% case c %}{% when 1 %}1{% endcase %}{% endcapture %}',
      'push | sum {% raw %}{{ l | push: 1 }}{% endraw %}{% comment %}{{ l | pop }}{% endcomment %}',
    ];
    for (const body of bodies) {
      const res = validateDefinition(variant((f) => void (state(f, 'send_1').properties.body = body)));
      assert.deepEqual(res.warnings.filter((w) => /Liquid/.test(w.message)), [], body);
    }
  });

  it('each filter or tag Studio lacks is named once per value, filters and tags alike', () => {
    const res = validateDefinition(variant((f) => void (state(f, 'send_1').properties.body = '{{ a | push: 1 | pop }}{{ b | push: 2 }}{% block x %}{% block y %}{% endblock %}{% endblock %}')));
    const named = res.warnings.filter((w) => w.property_path === '#/states/1/properties/body').map((w) => /(filter|tag) '([^']+)'/.exec(w.message)?.slice(1).join(' '));
    assert.deepEqual(named, ['tag block', 'filter push', 'filter pop']);
  });

  it("--liquid-version decides which Shopify filters and tags are Studio's", () => {
    const body = '{{ flow.data.list | sum }}{{ flow.data.list | where: "a" | size }}{% echo "x" %}';
    const gaps = (liquidVersion?: string) =>
      validateDefinition(variant((f) => void (state(f, 'send_1').properties.body = body)), liquidVersion === undefined ? {} : { liquidVersion })
        .warnings.filter((w) => /not in Studio's Liquid/.test(w.message))
        .map((w) => /(filter|tag) '([^']+)'/.exec(w.message)?.[2]);
    assert.deepEqual(gaps(), ['sum']);
    assert.deepEqual(gaps('5.5.0'), []);
    assert.deepEqual(gaps('4.0.0'), ['echo', 'sum', 'where']);
  });

  it('Liquid inside split condition values is accepted silently', () => {
    const res = validateDefinition(variant((f) => void (state(f, 'split_1').transitions[1].conditions[0].value = '{{widgets.http_1.parsed.sites.size}}')));
    assert.equal(res.valid, true);
    assert.deepEqual(res.warnings, []);
  });

  it('filters in a split input are accepted silently (arguments copied alongside)', () => {
    const res = validateDefinition(variant((f) => {
      const input = '{{widgets.wait_1.inbound.Body | downcase | strip}}';
      state(f, 'split_1').properties.input = input;
      state(f, 'split_1').transitions[1].conditions[0].arguments = [input];
    }));
    assert.equal(res.valid, true);
    assert.deepEqual(res.warnings, []);
  });

  it('numbers written as strings: string-typed timeouts are canonical, integer-typed ones are errors', () => {
    const ok = validateDefinition(withWidget(flex({ timeout: '3600', priority: '0' })));
    assert.deepEqual(ok.errors, []);
    assert.deepEqual(ok.warnings, []);
    const bad = validateDefinition(variant((f) => void (state(f, 'gather_1').properties.timeout = '5')));
    assert.equal(bad.valid, false);
  });

  it('dangling next: error by default, warning with strictTransitions:false', () => {
    const def = variant((f) => void (state(f, 'send_1').transitions[0].next = 'SaveToAirtable'));
    const strict = validateDefinition(def);
    assert.equal(strict.valid, false);
    assert.equal(strict.errors[0].property_path, '#/states/1/transitions/0/next');
    const lenient = validateDefinition(def, { strictTransitions: false });
    assert.equal(lenient.valid, true);
    assert.ok(lenient.warnings.some((w) => w.property_path === '#/states/1/transitions/0/next' && /branch ends there/.test(w.message)));
  });

  it('strictTransitions:false does not relax anything else', () => {
    const res = validateDefinition(variant((f) => void (state(f, 'send_1').transitions[0].event = 'delivered')), { strictTransitions: false });
    assert.equal(res.valid, false);
  });

  const triggerGenerations: Array<[string, string[]]> = [
    ['first generation', ['incomingMessage', 'incomingCall', 'incomingRequest']],
    ['with incomingParent', ['incomingMessage', 'incomingCall', 'incomingRequest', 'incomingParent']],
    ['with incomingConversationMessage', ['incomingMessage', 'incomingCall', 'incomingConversationMessage', 'incomingRequest', 'incomingParent']],
  ];
  for (const [label, events] of triggerGenerations) {
    it(`trigger events, ${label}`, () => {
      const res = validateDefinition(variant((f) => {
        f.states.splice(1); // trigger only
        state(f, 'Trigger').transitions = events.map((event) => ({ event }));
      }));
      assert.deepEqual(res.errors, []);
      assert.deepEqual(res.warnings, []);
    });
  }
});

describe('legacy definitions passed to validateDefinition', () => {
  it('are migrated, validated and flagged with a warning at "#"', () => {
    const legacy = {
      description: 'old',
      states: [
        { name: 'Trigger', type: 'InitialState', sid: 'FF' + '1'.repeat(32), properties: { offset: { x: 0, y: 0 }, flow_url: 'https://webhooks.twilio.com/v1/x' },
          transitions: [{ event: 'incomingMessage', conditions: [], next: 'FF' + '2'.repeat(32), uuid: 'u1' }] },
        { name: 'hello', type: 'Message', sid: 'FF' + '2'.repeat(32), properties: { body: 'hi', from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', media_url: null },
          transitions: [{ event: 'sent', conditions: [], next: null, uuid: 'u2' }, { event: 'failed', conditions: [], next: null, uuid: 'u3' }] },
      ],
    };
    const res = validateDefinition(legacy);
    assert.deepEqual(res.errors, []);
    assert.equal(res.valid, true);
    assert.equal(res.warnings.length, 1);
    assert.equal(res.warnings[0].property_path, '#');
    assert.match(res.warnings[0].message, /Legacy \(pre-2019\) definition shape migrated/);
    assert.equal(res.definition?.states[1].type, 'send-message');
  });
});
