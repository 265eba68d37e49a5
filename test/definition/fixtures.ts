// Small hand-written flows for the definition tests (never copies of third-party exports).

export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- fixtures are mutated freely

export const SUBFLOW_SID = 'FW' + '0123456789abcdef'.repeat(2);

/** A valid flow that produces no warnings; state indexes are used in expected JSON pointers. */
export function baseFlow(): Json {
  return {
    description: 'definition test flow',
    states: [
      {
        name: 'Trigger', // 0
        type: 'trigger',
        transitions: [
          { event: 'incomingMessage', next: 'send_1' },
          { event: 'incomingCall', next: 'gather_1' },
          { event: 'incomingConversationMessage' },
          { event: 'incomingRequest', next: 'split_1' },
          { event: 'incomingParent' },
        ],
        properties: { offset: { x: 0, y: 0 } },
      },
      {
        name: 'send_1', // 1
        type: 'send-message',
        transitions: [{ event: 'sent', next: 'wait_1' }, { event: 'failed' }],
        properties: {
          offset: { x: 0, y: 200 },
          from: '{{flow.channel.address}}',
          to: '{{contact.channel.address}}',
          body: 'Hello {{contact.channel.address}}',
        },
      },
      {
        name: 'gather_1', // 2
        type: 'gather-input-on-call',
        transitions: [{ event: 'keypress', next: 'say_1' }, { event: 'speech' }, { event: 'timeout' }],
        properties: { say: 'Press 1', timeout: 5, loop: 1, stop_gather: true, speech_timeout: 'auto', profanity_filter: 'true' },
      },
      {
        name: 'split_1', // 3
        type: 'split-based-on',
        transitions: [
          { event: 'noMatch', next: 'vars_1' },
          {
            event: 'match',
            next: 'subflow_1',
            conditions: [
              { friendly_name: 'If value equal_to yes', arguments: ['{{flow.data.answer}}'], type: 'equal_to', value: 'yes' },
            ],
          },
        ],
        properties: { input: '{{flow.data.answer}}' },
      },
      {
        name: 'wait_1', // 4
        type: 'send-and-wait-for-reply',
        transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
        properties: { from: '{{flow.channel.address}}', body: 'Reply please', timeout: '3600' },
      },
      {
        name: 'say_1', // 5
        type: 'say-play',
        transitions: [{ event: 'audioComplete' }],
        properties: { say: 'Thanks', loop: 1, voice: 'alice', language: 'en-US' },
      },
      {
        name: 'vars_1', // 6
        type: 'set-variables',
        transitions: [{ event: 'next', next: 'http_1' }],
        properties: { variables: [{ key: 'count', value: '{{flow.variables.count | plus: 1}}' }] },
      },
      {
        name: 'http_1', // 7
        type: 'make-http-request',
        transitions: [{ event: 'success' }, { event: 'failed' }],
        properties: {
          method: 'POST',
          url: 'https://example.com/hook',
          content_type: 'application/json',
          body: '{"n": "{{flow.variables.count}}"}',
          add_twilio_auth: false,
        },
      },
      {
        name: 'subflow_1', // 8
        type: 'run-subflow',
        transitions: [{ event: 'completed' }, { event: 'failed' }],
        properties: {
          flow_sid: SUBFLOW_SID,
          flow_revision: 'LatestPublished',
          parameters: [{ key: 'who', value: '{{contact.channel.address}}' }],
        },
      },
    ],
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
  };
}

/** baseFlow() changed by `fn` (which may also return a replacement). */
export function variant(fn: (f: Json) => Json | void): Json {
  const f = baseFlow();
  const out = fn(f);
  return out === undefined ? f : out;
}

/** State index of a base-flow widget by name. */
export function idx(name: string): number {
  const i = baseFlow().states.findIndex((s: Json) => s.name === name);
  if (i < 0) throw new Error(`no state ${name}`);
  return i;
}

export function state(f: Json, name: string): Json {
  return f.states.find((s: Json) => s.name === name);
}
