// `media_url` of Send Message and Send & Wait For Reply (studio-flow-language §2.15, §2.16) is one URL:
// rendered, trimmed, never split (commas are legal in URLs); empty means no media.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Effect, JsonObject, SprintResult } from '../../src/engine/types.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import { startFlow } from './helpers.ts';

const CLOUDINARY = 'https://res.cloudinary.com/x/image/upload/w_100,h_100/cat.jpg';

function flow(type: 'send-message' | 'send-and-wait-for-reply', properties: JsonObject): FlowDefinition {
  const transitions = type === 'send-message' ? [{ event: 'sent' }, { event: 'failed' }] : [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure' }];
  return {
    description: 'media',
    initial_state: 'Trigger',
    states: [
      { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'msg' }], properties: {} },
      { name: 'msg', type, transitions, properties },
    ],
  } as FlowDefinition;
}

function run(type: 'send-message' | 'send-and-wait-for-reply', properties: JsonObject, data: JsonObject = {}): SprintResult {
  return startFlow(flow(type, properties), 'incomingMessage', { message: { Body: 'hi' } }, data).result;
}

function sent(result: SprintResult): Extract<Effect, { type: 'send-message' }>['message'] {
  const effect = result.effects.find((e): e is Extract<Effect, { type: 'send-message' }> => e.type === 'send-message');
  assert.ok(effect, `a message is sent; diagnostics ${JSON.stringify(result.diagnostics)}`);
  return effect.message;
}

describe('media_url is a single URL', () => {
  for (const type of ['send-message', 'send-and-wait-for-reply'] as const) {
    it(`${type}: a URL with commas (Cloudinary transformations) is sent whole`, () => {
      assert.deepEqual(sent(run(type, { body: 'A cat', media_url: CLOUDINARY })).mediaUrl, [CLOUDINARY]);
    });
  }

  it('is trimmed, and Liquid in it is rendered first', () => {
    assert.deepEqual(sent(run('send-message', { body: 'x', media_url: `  ${CLOUDINARY}\n` })).mediaUrl, [CLOUDINARY]);
    assert.deepEqual(sent(run('send-message', { body: 'x', media_url: ' {{flow.data.pic}} ' }, { pic: CLOUDINARY })).mediaUrl, [CLOUDINARY]);
  });

  it('empty, blank or rendering empty means no media', () => {
    for (const media_url of ['', '   ', '{{flow.data.none}}']) {
      const message = sent(run('send-message', { body: 'text only', media_url }));
      assert.equal('mediaUrl' in message, false, JSON.stringify(media_url));
      assert.equal(message.body, 'text only');
    }
  });

  it('a blank media_url does not count as content: no body and no media is 81011', () => {
    const result = run('send-message', { body: '', media_url: '  ' });
    assert.equal(result.effects.some((e) => e.type === 'send-message'), false);
    assert.ok(result.diagnostics.some((d) => d.code === 81011), JSON.stringify(result.diagnostics));
  });

  it('media without a body is sent', () => {
    const message = sent(run('send-message', { media_url: CLOUDINARY }));
    assert.deepEqual(message.mediaUrl, [CLOUDINARY]);
    assert.equal(message.body, '');
  });
});
