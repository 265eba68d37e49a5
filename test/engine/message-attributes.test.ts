// Send Message and Send & Wait for Reply `attributes` (JSON text with Liquid): in a conversation they go with
// the message as its Conversations Attributes; text that is not JSON after Liquid takes the widget's failure
// path (81011, as a send it cannot make). Outside a conversation `attributes` (with `service` and `channel`,
// retired Programmable Chat's) is ignored: not rendered, not checked, not sent.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Effect, JsonObject, SprintResult } from '../../src/engine/types.ts';
import { triggerFlow } from '../support/flows.ts';
import { startFlow, stepPath } from './helpers.ts';

const CONVERSATION = 'CH' + 'a'.repeat(32);
const AUTHOR = 'web-visitor';

function sendFlow(type: 'send-message' | 'send-and-wait-for-reply', attributes: string, from = 'Bot') {
  const failure = type === 'send-message' ? 'failed' : 'deliveryFailure';
  const events = type === 'send-message' ? [{ event: 'sent' }] : [{ event: 'incomingMessage' }, { event: 'timeout' }];
  return triggerFlow('attributes', 'incomingConversationMessage', 'say', [
    { name: 'say', type, properties: { from, to: '{{contact.channel.address}}', body: 'Hello', attributes, service: '{{trigger.message.InstanceSid}}', channel: '{{trigger.message.ChannelSid}}' }, transitions: [...events, { event: failure, next: 'sorry' }] },
    { name: 'sorry', type: 'set-variables', properties: { variables: [{ key: 'why', value: '{{widgets.say.error.message}}' }] }, transitions: [{ event: 'next' }] },
  ]);
}

function sent(result: SprintResult): Extract<Effect, { type: 'send-message' }> | undefined {
  return result.effects.find((e): e is Extract<Effect, { type: 'send-message' }> => e.type === 'send-message');
}

const conversation = { conversation: { ConversationSid: CONVERSATION, Author: AUTHOR, Body: 'hi', Source: 'SDK' } };
const inConversation = { flow: CONVERSATION, contact: AUTHOR };

describe('messaging widgets: attributes', () => {
  for (const type of ['send-message', 'send-and-wait-for-reply'] as const) {
    it(`${type} in a conversation sends the rendered attributes as the message's`, () => {
      const { result } = startFlow(sendFlow(type, ' {"from": "{{trigger.conversation.Author}}", "n": 1} '), 'incomingConversationMessage', conversation, {}, inConversation);
      assert.equal(sent(result)?.message.attributes, `{"from": "${AUTHOR}", "n": 1}`);
    });

    it(`${type}: attributes that are not JSON after Liquid take the failure path with 81011, nothing sent`, () => {
      const { result } = startFlow(sendFlow(type, '{"from": {{trigger.conversation.Author}}}'), 'incomingConversationMessage', conversation, {}, inConversation);
      assert.equal(sent(result), undefined);
      const failure = type === 'send-message' ? 'failed' : 'deliveryFailure';
      assert.deepEqual(stepPath(result), ['Trigger -incomingConversationMessage-> say', `say -${failure}-> sorry`, 'sorry -next-> Ended']);
      const error = result.diagnostics.find((d) => d.widget === 'say');
      assert.equal(error?.code, 81011);
      assert.match(error!.message, /attributes must be JSON after Liquid .*'\{"from": web-visitor\}'/);
      const variables = (result.state.frames[0]!.widgets.sorry as JsonObject).why;
      assert.equal(variables, error!.message, 'the error is in the widget\'s outputs');
    });
  }

  it('attributes that render empty send none', () => {
    const { result } = startFlow(sendFlow('send-message', '{{flow.variables.none}}'), 'incomingConversationMessage', conversation, {}, inConversation);
    const effect = sent(result);
    assert.ok(effect);
    assert.equal('attributes' in effect.message, false);
  });

  it('a `from` naming a conversation sends into it: attributes go too', () => {
    const flow = triggerFlow('attributes', 'incomingRequest', 'say', [
      { name: 'say', type: 'send-message', properties: { from: CONVERSATION, to: '{{contact.channel.address}}', body: 'Hello', attributes: '{"a": true}' }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
    ]);
    const { result } = startFlow(flow, 'incomingRequest', { request: { from: '+15005550006', to: '+15551230001', parameters: {} } });
    assert.equal(sent(result)?.message.attributes, '{"a": true}');
  });

  it('outside a conversation attributes are ignored: neither rendered nor checked nor sent', () => {
    for (const attributes of ['not json', '{{ broken', '{"a": 1}']) {
      const flow = triggerFlow('attributes', 'incomingMessage', 'say', [
        { name: 'say', type: 'send-message', properties: { from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Hello', attributes }, transitions: [{ event: 'sent' }, { event: 'failed', next: 'say' }] },
      ]);
      const { result } = startFlow(flow, 'incomingMessage', { message: { Body: 'hi', From: '+15551230001', To: '+15005550006' } });
      const effect = sent(result);
      assert.ok(effect, attributes);
      assert.equal('attributes' in effect.message, false, attributes);
      assert.deepEqual(result.diagnostics, [], attributes);
    }
  });
});
