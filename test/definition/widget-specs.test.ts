import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import AjvModule from 'ajv';
import { WIDGET_TYPES, type WidgetType } from '../../src/definition/types.ts';
import { NEW_WIDGET_TYPES, WIDGET_SPECS, propSchema, type JsonType } from '../../src/definition/widget-specs.ts';

const Ajv = AjvModule.default;

describe('WIDGET_SPECS', () => {
  it('covers exactly the 29 widget types', () => {
    assert.equal(WIDGET_TYPES.length, 29);
    assert.deepEqual(Object.keys(WIDGET_SPECS).sort(), [...WIDGET_TYPES].sort());
    for (const t of WIDGET_TYPES) assert.equal(WIDGET_SPECS[t].type, t);
  });

  it('offers for new widgets neither the Trigger, nor retired types, nor a version another replaced', () => {
    assert.ok(NEW_WIDGET_TYPES.includes('make-outgoing-call-v2'));
    assert.ok(!NEW_WIDGET_TYPES.includes('make-outgoing-call-v1'), 'v1 is replaced by v2: Studio offers only v2');
    assert.equal(WIDGET_SPECS['make-outgoing-call-v1'].replacedBy, 'make-outgoing-call-v2');
    assert.ok(!NEW_WIDGET_TYPES.includes('trigger'));
    for (const t of ['send-to-auto-pilot', 'connect-virtual-agent'] as const) assert.ok(!NEW_WIDGET_TYPES.includes(t), t);
    // Everything else, unconfirmed widgets included, can be added.
    assert.ok(NEW_WIDGET_TYPES.includes('run-conversation-relay'));
    assert.equal(NEW_WIDGET_TYPES.length, WIDGET_TYPES.length - 4);
  });

  // §9 quick reference (UNCONFIRMED rows: every listed variant is accepted).
  const events: Array<[WidgetType, string[]]> = [
    ['trigger', ['incomingMessage', 'incomingCall', 'incomingConversationMessage', 'incomingRequest', 'incomingParent']],
    ['split-based-on', ['noMatch', 'match']],
    ['set-variables', ['next']],
    ['say-play', ['audioComplete']],
    ['gather-input-on-call', ['keypress', 'speech', 'timeout']],
    ['connect-call-to', ['callCompleted', 'hangup']],
    ['make-outgoing-call-v2', ['answered', 'busy', 'noAnswer', 'failed']],
    ['make-outgoing-call-v1', ['answered', 'answeredByMachine', 'busy', 'noAnswer', 'failed', 'hangup']],
    ['record-voicemail', ['recordingComplete', 'noAudio', 'hangup']],
    ['record-call', ['success', 'failed']],
    ['enqueue-call', ['callComplete', 'failedToEnqueue', 'callFailure']],
    ['send-to-flex', ['callComplete', 'failedToEnqueue', 'callFailure', 'composerStarted']],
    ['capture-payments', ['success', 'maxFailedAttempts', 'providerError', 'payInterrupted', 'hangup', 'validationError']],
    ['fork-stream', ['next']],
    ['connect-virtual-agent', ['return', 'hangup']],
    ['connect-virtual-agent-v2', ['completed', 'live-agent-handoff', 'hangup', 'failed', 'paused', 'timeout']],
    ['send-message', ['sent', 'failed']],
    ['send-and-wait-for-reply', ['incomingMessage', 'timeout', 'deliveryFailure']],
    ['run-function', ['success', 'fail']],
    ['make-http-request', ['success', 'failed']],
    ['add-twiml-redirect', ['return', 'timeout', 'fail']],
    ['run-subflow', ['completed', 'failed']],
    ['send-to-auto-pilot', ['sessionEnded', 'failure', 'timeout']],
    ['start-conversation', ['created', 'failed']],
    ['resume-conversation', ['resumed', 'failed']],
    ['run-conversation-relay', ['success', 'failed']],
  ];
  for (const [type, list] of events) {
    it(`events of ${type}`, () => {
      assert.deepEqual([...WIDGET_SPECS[type].events], list);
      assert.equal(WIDGET_SPECS[type].openEvents, false);
    });
  }
  it('make-outgoing-call-v1 takes the docs’ spellings too: answered-by-machine, no-answer', () => {
    assert.deepEqual(WIDGET_SPECS['make-outgoing-call-v1'].eventSpellings, { 'answered-by-machine': 'answeredByMachine', 'no-answer': 'noAnswer' });
    for (const t of WIDGET_TYPES) if (t !== 'make-outgoing-call-v1') assert.deepEqual(WIDGET_SPECS[t].eventSpellings, {}, t);
  });
  it('widgets with unknown events accept any event', () => {
    for (const t of ['add-member-to-chat-channel', 'create-chat-channel', 'run-model-inference'] as const) {
      assert.equal(WIDGET_SPECS[t].openEvents, true, t);
      assert.equal(WIDGET_SPECS[t].status, 'unconfirmed');
    }
  });

  // §1.3 typing table.
  const types: Array<[WidgetType, string, JsonType, JsonType[]?]> = [
    ['gather-input-on-call', 'timeout', 'integer'],
    ['gather-input-on-call', 'loop', 'integer'],
    ['gather-input-on-call', 'number_of_digits', 'integer'],
    ['gather-input-on-call', 'stop_gather', 'boolean'],
    ['gather-input-on-call', 'profanity_filter', 'string'],
    ['gather-input-on-call', 'speech_timeout', 'string'],
    ['say-play', 'loop', 'integer'],
    ['send-and-wait-for-reply', 'timeout', 'string', ['integer']],
    ['send-to-flex', 'priority', 'string'],
    ['send-to-flex', 'timeout', 'string'],
    ['add-twiml-redirect', 'timeout', 'string'],
    ['connect-call-to', 'timeout', 'integer'],
    ['connect-call-to', 'record', 'boolean'],
    ['connect-call-to', 'time_limit', 'string'],
    ['make-outgoing-call-v2', 'timeout', 'integer'],
    ['make-outgoing-call-v2', 'detect_answering_machine', 'boolean'],
    ['make-outgoing-call-v2', 'machine_detection_timeout', 'string'],
    ['make-outgoing-call-v2', 'trim', 'string'],
    ['record-voicemail', 'timeout', 'integer'],
    ['record-voicemail', 'max_length', 'integer'],
    ['record-voicemail', 'transcribe', 'boolean'],
    ['record-voicemail', 'play_beep', 'string'],
    ['record-call', 'record_call', 'boolean'],
    ['capture-payments', 'timeout', 'integer'],
    ['capture-payments', 'max_attempts', 'integer'],
    ['capture-payments', 'security_code', 'boolean'],
    ['capture-payments', 'postal_code', 'string'],
    ['make-http-request', 'add_twilio_auth', 'boolean'],
    ['send-message', 'shorten_urls', 'boolean'],
    ['send-to-auto-pilot', 'timeout', 'integer'],
  ];
  for (const [type, prop, expected, also] of types) {
    it(`${type}.${prop} is ${expected}${also ? ` (also ${also.join(', ')})` : ''}`, () => {
      const p = WIDGET_SPECS[type].properties[prop];
      assert.ok(p, 'property missing');
      assert.equal(p.type, expected);
      assert.deepEqual(p.alsoAccept ?? [], also ?? []);
      assert.deepEqual((WIDGET_SPECS[type].schema.properties as Record<string, unknown>)[prop], propSchema(p));
    });
  }

  // §2 "required" columns.
  const required: Array<[WidgetType, string[]]> = [
    ['split-based-on', ['input']],
    ['set-variables', ['variables']],
    ['connect-call-to', ['noun', 'caller_id']],
    ['make-outgoing-call-v2', ['to', 'from']],
    ['make-outgoing-call-v1', ['from', 'to']],
    ['run-conversation-relay', ['url']],
    ['resume-conversation', ['conversation_service_sid']],
    ['record-call', ['record_call']],
    ['send-to-flex', ['workflow', 'channel']],
    ['fork-stream', ['stream_action']],
    ['connect-virtual-agent', ['connector']],
    ['send-message', ['from', 'to']],
    ['send-and-wait-for-reply', ['from']],
    ['run-function', ['url']],
    ['make-http-request', ['method', 'url', 'content_type']],
    ['add-twiml-redirect', ['url']],
    ['run-subflow', ['flow_sid', 'flow_revision']],
    ['send-to-auto-pilot', ['autopilot_assistant_sid', 'from', 'body', 'timeout']],
    ['trigger', []],
    ['say-play', []],
  ];
  for (const [type, list] of required) {
    it(`required properties of ${type}`, () => {
      assert.deepEqual(((WIDGET_SPECS[type].schema.required as string[] | undefined) ?? []).sort(), [...list].sort());
    });
  }

  it('every schema compiles as draft-07 and allows unknown keys', () => {
    const ajv = new Ajv({ strict: false });
    for (const t of WIDGET_TYPES) {
      const s = WIDGET_SPECS[t].schema;
      assert.equal(s.$schema, 'http://json-schema.org/draft-07/schema#');
      assert.equal(s.additionalProperties, true);
      const v = ajv.compile(s);
      const props = WIDGET_SPECS[t].properties;
      const needed = Object.keys(props).filter((k) => props[k].required || props[k].requiredUnless);
      const minimal = Object.fromEntries(needed.map((k) => [k, sample(props[k].type)]));
      assert.equal(v(Object.fromEntries(needed.slice(1).map((k) => [k, sample(props[k].type)]))), needed.length === 0, `${t}: one required property left out`);
      assert.equal(v({ ...minimal, some_unknown_key: 1, offset: { x: 1, y: 2.5 } }), true, `${t}: ${JSON.stringify(v.errors)}`);
    }
  });

  it('send-message body is required unless a content template is used', () => {
    const v = new Ajv({ strict: false }).compile(WIDGET_SPECS['send-message'].schema);
    assert.equal(v({ from: 'a', to: 'b' }), false);
    assert.equal(v({ from: 'a', to: 'b', message_type: 'content_template', content_sid: 'HX1' }), true);
    assert.equal(v({ from: 'a', to: 'b', body: 'hi' }), true);
  });

  it('every property carries form metadata (type and description)', () => {
    for (const t of WIDGET_TYPES) {
      for (const [k, p] of Object.entries(WIDGET_SPECS[t].properties)) {
        assert.ok(p.description.length > 0, `${t}.${k}`);
        assert.ok(['string', 'integer', 'number', 'boolean', 'array', 'object', 'any'].includes(p.type), `${t}.${k}`);
        if (p.default !== undefined && p.type !== 'any') {
          assert.equal(typeof p.default === 'number' ? (Number.isInteger(p.default) ? 'integer' : 'number') : typeof p.default, p.type, `${t}.${k} default`);
        }
      }
      assert.ok(WIDGET_SPECS[t].properties.offset, `${t} offset`);
    }
  });
});

function sample(type: JsonType): unknown {
  return { string: 's', integer: 1, number: 1.5, boolean: true, array: [], object: {}, any: 's' }[type];
}
