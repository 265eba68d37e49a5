import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateDefinition, validateDefinitionJson } from '../../src/definition/validate.ts';
import { WIDGET_TYPES } from '../../src/definition/types.ts';
import { baseFlow, state, variant, type Json } from './fixtures.ts';

describe('validateDefinition: the base fixture', () => {
  it('is valid with no errors and no warnings', () => {
    const res = validateDefinition(baseFlow());
    assert.deepEqual(res.errors, []);
    assert.deepEqual(res.warnings, []);
    assert.equal(res.valid, true);
  });
});

interface ErrorCase {
  name: string;
  def: Json;
  path: string;
  message: RegExp;
}

const cases: ErrorCase[] = [
  // --- not an object / envelope
  { name: 'array instead of object', def: [], path: '#', message: /array found, object expected/ },
  { name: 'null', def: null, path: '#', message: /null found, object expected/ },
  { name: 'string', def: 'flow', path: '#', message: /string found, object expected/ },
  { name: 'missing initial_state', def: variant((f) => void delete f.initial_state), path: '#/initial_state', message: /^initial_state is missing but it is required$/ },
  { name: 'empty initial_state', def: variant((f) => void (f.initial_state = '')), path: '#/initial_state', message: /at least 1 characters/ },
  { name: 'numeric initial_state', def: variant((f) => void (f.initial_state = 3)), path: '#/initial_state', message: /integer found, string expected/ },
  { name: 'initial_state names no state', def: variant((f) => void (f.initial_state = 'Start')), path: '#/initial_state', message: /"Start" does not name a state/ },
  { name: 'initial_state is not the trigger', def: variant((f) => void (f.initial_state = 'send_1')), path: '#/initial_state', message: /^initial_state "send_1" is a send-message widget; it must name the trigger widget$/ },
  {
    name: 'a transition into the trigger',
    def: variant((f) => void (state(f, 'split_1').transitions[0].next = 'Trigger')),
    path: '#/states/3/transitions/0/next',
    message: /^Widget "split_1" \(split-based-on\): transitions\[0\]\.next "Trigger" leads into the trigger widget; nothing may transition into the trigger$/,
  },
  { name: 'missing states', def: variant((f) => void delete f.states), path: '#/states', message: /^states is missing but it is required$/ },
  { name: 'states not an array', def: variant((f) => void (f.states = {})), path: '#/states', message: /object found, array expected/ },
  { name: 'no states', def: variant((f) => void (f.states = [])), path: '#/states', message: /minimum of 1 items/ },
  {
    name: 'more than 1000 states',
    def: variant((f) => {
      for (let i = 0; i < 1000; i++) f.states.push({ name: `s${i}`, type: 'say-play', transitions: [], properties: {} });
    }),
    path: '#/states',
    message: /maximum of 1000 items/,
  },
  { name: 'flags without allow_concurrent_calls', def: variant((f) => void (f.flags = {})), path: '#/flags/allow_concurrent_calls', message: /^flags\.allow_concurrent_calls is missing but it is required$/ },
  { name: 'flags.allow_concurrent_calls as string', def: variant((f) => void (f.flags.allow_concurrent_calls = 'true')), path: '#/flags/allow_concurrent_calls', message: /string found, boolean expected/ },
  { name: 'flags not an object', def: variant((f) => void (f.flags = true)), path: '#/flags', message: /boolean found, object expected/ },
  { name: 'description not a string', def: variant((f) => void (f.description = 5)), path: '#/description', message: /integer found, string expected/ },

  // --- state shape
  { name: 'state not an object', def: variant((f) => void f.states.push('x')), path: '#/states/9', message: /string found, object expected/ },
  { name: 'state without name', def: variant((f) => void delete state(f, 'say_1').name), path: '#/states/5/name', message: /Widget #5 \(say-play\): name is missing but it is required/ },
  { name: 'state without type', def: variant((f) => void delete state(f, 'say_1').type), path: '#/states/5/type', message: /Widget "say_1" \(unknown type\): type is missing/ },
  { name: 'state without transitions', def: variant((f) => void delete state(f, 'say_1').transitions), path: '#/states/5/transitions', message: /transitions is missing but it is required/ },
  { name: 'state without properties', def: variant((f) => void delete state(f, 'say_1').properties), path: '#/states/5/properties', message: /properties is missing but it is required/ },
  { name: 'name not a string', def: variant((f) => void (state(f, 'say_1').name = 7)), path: '#/states/5/name', message: /integer found, string expected/ },
  { name: 'transitions not an array', def: variant((f) => void (state(f, 'say_1').transitions = {})), path: '#/states/5/transitions', message: /object found, array expected/ },
  { name: 'properties not an object', def: variant((f) => void (state(f, 'say_1').properties = [])), path: '#/states/5/properties', message: /array found, object expected/ },
  {
    name: 'unknown widget type lists the enumeration',
    def: variant((f) => void (state(f, 'say_1').type = 'hangup')),
    path: '#/states/5/type',
    message: new RegExp(`Widget "say_1" \\(hangup\\): type "hangup" does not have a value in the enumeration \\[${WIDGET_TYPES.join(', ')}\\]`),
  },
  {
    name: 'guessed type string gets a hint',
    def: variant((f) => void (state(f, 'http_1').type = 'http-request')),
    path: '#/states/7/type',
    message: /^Widget "http_1" \(http-request\): type "http-request" is not a widget type \(did you mean "make-http-request"\?\)$/,
  },
  {
    name: 'misspelled type gets the closest type, not the whole enumeration',
    def: variant((f) => void (state(f, 'send_1').type = 'sned-message')),
    path: '#/states/1/type',
    message: /^Widget "send_1" \(sned-message\): type "sned-message" is not a widget type \(did you mean "send-message"\?\)$/,
  },
  { name: 'duplicate state names', def: variant((f) => void (state(f, 'say_1').name = 'send_1')), path: '#/states/5/name', message: /Widget "send_1" \(say-play\): name is not unique \(also used by state 1\)/ },

  // --- property types (§1.3)
  { name: 'gather timeout as string', def: variant((f) => void (state(f, 'gather_1').properties.timeout = '5')), path: '#/states/2/properties/timeout', message: /^Widget "gather_1" \(gather-input-on-call\): timeout: string found, integer expected$/ },
  { name: 'gather stop_gather as string', def: variant((f) => void (state(f, 'gather_1').properties.stop_gather = 'true')), path: '#/states/2/properties/stop_gather', message: /string found, boolean expected/ },
  { name: 'gather profanity_filter as boolean', def: variant((f) => void (state(f, 'gather_1').properties.profanity_filter = true)), path: '#/states/2/properties/profanity_filter', message: /boolean found, string expected/ },
  { name: 'say-play loop as string', def: variant((f) => void (state(f, 'say_1').properties.loop = '2')), path: '#/states/5/properties/loop', message: /Widget "say_1" \(say-play\): loop: string found, integer expected/ },
  { name: 'add_twilio_auth as string', def: variant((f) => void (state(f, 'http_1').properties.add_twilio_auth = 'true')), path: '#/states/7/properties/add_twilio_auth', message: /string found, boolean expected/ },
  { name: 'offset.x as string', def: variant((f) => void (state(f, 'send_1').properties.offset = { x: '1', y: 2 })), path: '#/states/1/properties/offset/x', message: /offset\.x: string found, number expected/ },
  {
    name: 'send-to-flex priority as integer (no leniency there)',
    def: variant((f) => {
      f.states.push({ name: 'flex_1', type: 'send-to-flex', transitions: [], properties: { workflow: 'WW1', channel: 'TC1', priority: 0 } });
      state(f, 'say_1').transitions[0].next = 'flex_1';
    }),
    path: '#/states/9/properties/priority',
    message: /Widget "flex_1" \(send-to-flex\): priority: integer found, string expected/,
  },
  { name: 'set-variables value as object', def: variant((f) => void (state(f, 'vars_1').properties.variables[0].value = {})), path: '#/states/6/properties/variables/0/value', message: /object found, string expected/ },

  // --- required properties (§2)
  { name: 'send-message without to', def: variant((f) => void delete state(f, 'send_1').properties.to), path: '#/states/1/properties/to', message: /^Widget "send_1" \(send-message\): to is missing but it is required$/ },
  { name: 'send-message without body (custom message)', def: variant((f) => void delete state(f, 'send_1').properties.body), path: '#/states/1/properties/body', message: /body is missing but it is required \(unless message_type is "content_template"\)/ },
  { name: 'split without input', def: variant((f) => void delete state(f, 'split_1').properties.input), path: '#/states/3/properties/input', message: /Widget "split_1" \(split-based-on\): input is missing/ },
  { name: 'required property null', def: variant((f) => void (state(f, 'split_1').properties.input = null)), path: '#/states/3/properties/input', message: /input: must not be null/ },
  { name: 'http without url', def: variant((f) => void delete state(f, 'http_1').properties.url), path: '#/states/7/properties/url', message: /url is missing but it is required/ },
  { name: 'subflow without flow_revision', def: variant((f) => void delete state(f, 'subflow_1').properties.flow_revision), path: '#/states/8/properties/flow_revision', message: /flow_revision is missing/ },
  { name: 'set-variables item without key', def: variant((f) => void delete state(f, 'vars_1').properties.variables[0].key), path: '#/states/6/properties/variables/0/key', message: /variables\.0\.key is missing but it is required/ },

  // --- transitions
  {
    name: 'misspelled next gets the closest state name',
    def: variant((f) => void (state(f, 'send_1').transitions[1].next = 'sya_1')),
    path: '#/states/1/transitions/1/next',
    message: /^Widget "send_1" \(send-message\): transitions\[1\]\.next "sya_1" does not name a state in the flow \(did you mean "say_1"\?\)$/,
  },
  {
    name: 'misspelled initial_state gets the closest state name',
    def: variant((f) => void (f.initial_state = 'trigger')),
    path: '#/initial_state',
    message: /^initial_state "trigger" does not name a state in the flow \(did you mean "Trigger"\?\)$/,
  },
  {
    name: 'misspelled event gets the closest event, not the list',
    def: variant((f) => void (state(f, 'http_1').transitions[0].event = 'sucess')),
    path: '#/states/7/transitions/0/event',
    message: /^Widget "http_1" \(make-http-request\): event "sucess" is not an event of make-http-request \(did you mean "success"\?\)$/,
  },
  { name: 'next names no state (strict default)', def: variant((f) => void (state(f, 'send_1').transitions[1].next = 'gone')), path: '#/states/1/transitions/1/next', message: /Widget "send_1" \(send-message\): transitions\[1\]\.next "gone" does not name a state in the flow$/ },
  { name: 'next is a number', def: variant((f) => void (state(f, 'send_1').transitions[1].next = 4)), path: '#/states/1/transitions/1/next', message: /integer found, string expected/ },
  {
    name: 'invented event',
    def: variant((f) => void (state(f, 'send_1').transitions[1].event = 'delivered')),
    path: '#/states/1/transitions/1/event',
    message: /Widget "send_1" \(send-message\): event "delivered" is not allowed: must be a constant value sent, must be a constant value failed/,
  },
  { name: 'trigger event from another widget', def: variant((f) => void (state(f, 'Trigger').transitions[2].event = 'audioComplete')), path: '#/states/0/transitions/2/event', message: /must be a constant value incomingMessage/ },
  { name: 'incoming* event on a non-trigger widget', def: variant((f) => void (state(f, 'say_1').transitions[0].event = 'incomingCall')), path: '#/states/5/transitions/0/event', message: /must be a constant value audioComplete/ },
  { name: 'transition without event', def: variant((f) => void delete state(f, 'say_1').transitions[0].event), path: '#/states/5/transitions/0/event', message: /event is missing but it is required/ },
  { name: 'transition not an object', def: variant((f) => void (state(f, 'say_1').transitions[0] = 'next')), path: '#/states/5/transitions/0', message: /string found, object expected/ },
  { name: 'conditions not an array', def: variant((f) => void (state(f, 'split_1').transitions[1].conditions = {})), path: '#/states/3/transitions/1/conditions', message: /object found, array expected/ },
  { name: 'misspelled split operator', def: variant((f) => void (state(f, 'split_1').transitions[1].conditions[0].type = 'equals')), path: '#/states/3/transitions/1/conditions/0/type', message: /\.type "equals" is not a split operator \(did you mean "equal_to"\?\)$/ },
  { name: 'unknown split operator lists the operators', def: variant((f) => void (state(f, 'split_1').transitions[1].conditions[0].type = 'between')), path: '#/states/3/transitions/1/conditions/0/type', message: /"between" does not have a value in the enumeration \[equal_to,/ },
  { name: 'condition without value', def: variant((f) => void delete state(f, 'split_1').transitions[1].conditions[0].value), path: '#/states/3/transitions/1/conditions/0/value', message: /value is missing but it is required/ },

  // --- run-subflow (§2.20)
  { name: 'Liquid flow_sid', def: variant((f) => void (state(f, 'subflow_1').properties.flow_sid = '{{flow.data.sid}}')), path: '#/states/8/properties/flow_sid', message: /Widget "subflow_1" \(run-subflow\): flow_sid "\{\{flow\.data\.sid\}\}" must be a valid, non-liquid flow sid/ },
  { name: 'short flow_sid', def: variant((f) => void (state(f, 'subflow_1').properties.flow_sid = 'FW123')), path: '#/states/8/properties/flow_sid', message: /must be a valid, non-liquid flow sid/ },
  { name: 'bad flow_revision', def: variant((f) => void (state(f, 'subflow_1').properties.flow_revision = 'latest')), path: '#/states/8/properties/flow_revision', message: /must be an integer, LatestPublished, LatestRevision or LatestDraft/ },

  // --- values outside a property's options
  { name: 'make-http-request method PUT', def: variant((f) => void (state(f, 'http_1').properties.method = 'PUT')), path: '#/states/7/properties/method', message: /^Widget "http_1" \(make-http-request\): method "PUT" does not have a value in the enumeration \[GET, POST\]$/ },
  {
    name: 'fork-stream stream_action in another case than Studio\'s lowercase start/stop',
    def: variant((f) => void f.states.push({ name: 'stream_1', type: 'fork-stream', transitions: [{ event: 'next' }], properties: { offset: { x: 0, y: 0 }, stream_action: 'START', stream_url: 'wss://media.example/s' } })),
    path: '#/states/9/properties/stream_action',
    message: /^Widget "stream_1" \(fork-stream\): stream_action "START" does not have a value in the enumeration \[start, stop\]$/,
  },
  { name: 'gather profanity_filter neither true nor false', def: variant((f) => void (state(f, 'gather_1').properties.profanity_filter = 'maybe')), path: '#/states/2/properties/profanity_filter', message: /profanity_filter "maybe" does not have a value in the enumeration \[true, false\]/ },
];

describe('validateDefinition: errors', () => {
  for (const c of cases) {
    it(c.name, () => {
      const res = validateDefinition(c.def);
      assert.equal(res.valid, false, 'expected invalid');
      const hit = res.errors.find((e) => e.property_path === c.path && c.message.test(e.message));
      assert.ok(hit, `no error at ${c.path} matching ${c.message}; got ${JSON.stringify(res.errors, null, 1)}`);
    });
  }

  it('fork-stream takes stream_action start and stop as written; other options stay case-insensitive (method "post")', () => {
    for (const action of ['start', 'stop', 'Stop', ' stop ']) {
      const res = validateDefinition(
        variant((f) => {
          f.states.push({ name: 'stream_1', type: 'fork-stream', transitions: [{ event: 'next' }], properties: { offset: { x: 0, y: 0 }, stream_action: action, stream_url: 'wss://media.example/s' } });
          state(f, 'http_1').properties.method = 'post';
        }),
      );
      const errors = res.errors.filter((e) => e.property_path.endsWith('/stream_action') || e.property_path.endsWith('/method'));
      assert.deepEqual(errors.map((e) => e.message), action === 'Stop' ? ['Widget "stream_1" (fork-stream): stream_action "Stop" does not have a value in the enumeration [start, stop]'] : [], action);
    }
  });

  it('every widget-level message names the widget', () => {
    for (const c of cases) {
      for (const e of validateDefinition(c.def).errors) {
        if (e.property_path.startsWith('#/states/') && e.property_path.split('/').length > 3) {
          assert.match(e.message, /^Widget ("[^"]+"|#\d+) \(/, `${c.name}: ${e.message}`);
        }
      }
    }
  });

  it('reports all problems at once, not just the first', () => {
    const res = validateDefinition(
      variant((f) => {
        state(f, 'gather_1').properties.timeout = '5';
        state(f, 'say_1').properties.loop = 'x';
        delete state(f, 'send_1').properties.from;
      }),
    );
    assert.deepEqual(
      res.errors.map((e) => e.property_path).sort(),
      ['#/states/1/properties/from', '#/states/2/properties/timeout', '#/states/5/properties/loop'],
    );
  });

  it('gives valid:false in the result of validateDefinitionJson for bad JSON, at "#"', () => {
    const res = validateDefinitionJson('{"states": [\n  {"name": "a",}\n]}');
    assert.equal(res.valid, false);
    assert.equal(res.errors.length, 1);
    assert.equal(res.errors[0].property_path, '#');
    assert.match(res.errors[0].message, /Invalid JSON at line 2, column \d+/);
  });

  it('validateDefinitionJson validates parsed text like the object', () => {
    const f = variant((f) => void (state(f, 'gather_1').properties.timeout = '5'));
    assert.deepEqual(validateDefinitionJson(JSON.stringify(f)).errors, validateDefinition(f).errors);
  });
});

describe('validateDefinition: things that are valid', () => {
  const valid: Array<[string, Json]> = [
    ['flow without flags', variant((f) => void delete f.flags)],
    ['flags with allow_concurrent_calls false', variant((f) => void (f.flags.allow_concurrent_calls = false))],
    ['$schema set to the official id', variant((f) => void (f.$schema = 'https://schemas.twilio.com/studio/draft/2019-09/flow-definition'))],
    ['send-message with a content template and no body', variant((f) => {
      const p = state(f, 'send_1').properties;
      delete p.body;
      p.message_type = 'content_template';
      p.content_sid = 'HX' + 'a'.repeat(32);
      p.content_variables = [{ key: '1', value: 'x' }, { key: '{{2}}', value: 'y' }];
    })],
    ['empty next ends a branch', variant((f) => void (state(f, 'send_1').transitions[1].next = ''))],
    ['unknown property keys', variant((f) => void (state(f, 'http_1').properties.timeout = 10))],
    ['self loop', variant((f) => void (state(f, 'say_1').transitions[0].next = 'say_1'))],
    ['flow_revision as a number string', variant((f) => void (state(f, 'subflow_1').properties.flow_revision = '3'))],
    ['flow_revision LatestDraft', variant((f) => void (state(f, 'subflow_1').properties.flow_revision = 'LatestDraft'))],
    ['flow_revision LatestRevision', variant((f) => void (state(f, 'subflow_1').properties.flow_revision = 'LatestRevision'))],
    ['an HTTP method in lower case', variant((f) => void (state(f, 'http_1').properties.method = 'post'))],
    ['a content type outside the suggested ones', variant((f) => void (state(f, 'http_1').properties.content_type = 'application/json;charset=utf-8'))],
    ['a speech model newer than the suggested ones', variant((f) => void (state(f, 'gather_1').properties.speech_model = 'deepgram-nova-2'))],
    ['hyphenated widget name', variant((f) => {
      state(f, 'say_1').name = 'say-thanks';
      state(f, 'gather_1').transitions[0].next = 'say-thanks';
    })],
  ];
  for (const [name, def] of valid) {
    it(name, () => {
      const res = validateDefinition(def);
      assert.deepEqual(res.errors, []);
      assert.equal(res.valid, true);
    });
  }
});
