// Flow definitions for tests that build their own: the trigger and its one wired event around the
// widgets under test.
import type { FlowDefinition, State } from '../../src/definition/types.ts';
import type { TriggerEvent } from '../../src/engine/types.ts';

/** A flow whose Trigger (at the origin) sends `event` to `first`, followed by `states`. */
export function triggerFlow(description: string, event: TriggerEvent, first: string, states: object[]): FlowDefinition {
  return {
    description,
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [{ name: 'Trigger', type: 'trigger', properties: { offset: { x: 0, y: 0 } }, transitions: [{ event, next: first }] }, ...(states as State[])],
  } as FlowDefinition;
}

/**
 * A Send & Wait For Reply from the flow's address at height `y`: a reply goes to `onReply`, a silence of
 * `timeout` seconds to `onTimeout` (each unwired when not given).
 */
export function askWidget(name: string, y: number, body: string, timeout: string, next: { onReply?: string; onTimeout?: string } = {}): object {
  return {
    name,
    type: 'send-and-wait-for-reply',
    properties: { offset: { x: 0, y }, from: '{{flow.channel.address}}', body, timeout },
    transitions: [
      next.onReply ? { event: 'incomingMessage', next: next.onReply } : { event: 'incomingMessage' },
      next.onTimeout ? { event: 'timeout', next: next.onTimeout } : { event: 'timeout' },
      { event: 'deliveryFailure' },
    ],
  };
}

const TRIGGER_EVENTS: TriggerEvent[] = ['incomingMessage', 'incomingCall', 'incomingConversationMessage', 'incomingRequest', 'incomingParent'];

/**
 * A flow whose Trigger lists every trigger event, as the Console exports it, with those of `wiring` going
 * to their widget (the others unwired), followed by `states`.
 */
export function wiredTriggerFlow(description: string, wiring: Partial<Record<TriggerEvent, string>>, states: object[]): FlowDefinition {
  const transitions = TRIGGER_EVENTS.map((event) => (wiring[event] ? { event, next: wiring[event] } : { event }));
  return {
    description,
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [{ name: 'Trigger', type: 'trigger', properties: { offset: { x: 0, y: 0 } }, transitions }, ...(states as State[])],
  } as FlowDefinition;
}

/**
 * A Conversations flow: the contact's message starts `ask` (a Send & Wait from `askFrom`, saying `askBody`),
 * and the reply goes to `bye` (a Send Message from "Bot").
 */
export function conversationAskFlow(askFrom: string, askBody = 'Name?'): FlowDefinition {
  const at = (y: number) => ({ offset: { x: 0, y } });
  return wiredTriggerFlow('conversation', { incomingConversationMessage: 'ask' }, [
    { name: 'ask', type: 'send-and-wait-for-reply', properties: { ...at(200), from: askFrom, body: askBody, timeout: '3600' }, transitions: [{ event: 'incomingMessage', next: 'bye' }, { event: 'timeout' }, { event: 'deliveryFailure' }] },
    { name: 'bye', type: 'send-message', properties: { ...at(400), from: 'Bot', to: '{{contact.channel.address}}', body: 'Bye {{widgets.ask.inbound.Body}}' }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
  ]);
}

/**
 * A flow a REST execution starts to call the contact from the flow's address (Make Outgoing Call `dial`,
 * `timeout` seconds when given): answered, the widget named `widgets.answered` says Hello; busy, no answer
 * and failed each go to a Send Message to the contact, named by `widgets`, saying `body(name)`.
 */
export function callThenTextFlow(
  description: string,
  options: { widgets: { answered: string; busy: string; noAnswer: string; failed: string }; timeout?: number; body: (name: string) => string },
): FlowDefinition {
  const { answered, busy, noAnswer, failed } = options.widgets;
  return triggerFlow(description, 'incomingRequest', 'dial', [
    {
      name: 'dial',
      type: 'make-outgoing-call-v2',
      transitions: [
        { event: 'answered', next: answered },
        { event: 'busy', next: busy },
        { event: 'noAnswer', next: noAnswer },
        { event: 'failed', next: failed },
      ],
      properties: { offset: { x: 0, y: 100 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', ...(options.timeout !== undefined ? { timeout: options.timeout } : {}) },
    },
    { name: answered, type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { offset: { x: 0, y: 200 }, say: 'Hello' } },
    ...[busy, noAnswer, failed].map((name) => ({
      name,
      type: 'send-message',
      transitions: [{ event: 'sent' }, { event: 'failed' }],
      properties: { offset: { x: 0, y: 300 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: options.body(name) },
    })),
  ]);
}

/** A Send Message from the flow's address to the contact, at height `y`. */
export function sayWidget(name: string, body: string, y = 300): object {
  return {
    name,
    type: 'send-message',
    transitions: [{ event: 'sent' }, { event: 'failed' }],
    properties: { offset: { x: 0, y }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body },
  };
}

/**
 * Trigger (incoming message) → `call`, a Make HTTP Request to `url` (with `properties`, e.g. method or
 * parameters) or a Run Function at `functionUrl` → `ok` saying `ok`, or `sorry` saying `sorry` when it fails.
 */
export function callingFlow(
  kind: 'make-http-request' | 'run-function',
  target: { url: string; functionUrl: string; properties?: object },
  says: { ok: string; sorry: string },
): FlowDefinition {
  const call =
    kind === 'make-http-request'
      ? {
          name: 'call',
          type: 'make-http-request',
          transitions: [{ event: 'success', next: 'ok' }, { event: 'failed', next: 'sorry' }],
          properties: { offset: { x: 0, y: 100 }, method: 'GET', url: target.url, content_type: 'application/json;charset=utf-8', ...target.properties },
        }
      : {
          name: 'call',
          type: 'run-function',
          transitions: [{ event: 'success', next: 'ok' }, { event: 'fail', next: 'sorry' }],
          properties: {
            offset: { x: 0, y: 100 },
            service_sid: 'ZS00000000000000000000000000000001',
            environment_sid: 'ZE00000000000000000000000000000001',
            function_sid: 'ZH00000000000000000000000000000001',
            url: target.functionUrl,
          },
        };
  return wiredTriggerFlow(`calls ${kind}`, { incomingMessage: 'call' }, [call, sayWidget('ok', says.ok, 200), sayWidget('sorry', says.sorry, 300)]);
}

/**
 * A flow kept as a Terraform template: a Make HTTP Request to `url`, then a Send Message of `body` from `from`
 * (either may hold deploy-time `${…}` placeholders).
 */
export function templatedFlow(url: string, body = 'hi', from = '${flow_vars.from}'): FlowDefinition {
  return {
    description: 'templated',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'fn' }], properties: { offset: { x: 0, y: 0 } } },
      { name: 'fn', type: 'make-http-request', transitions: [{ event: 'success', next: 'say' }, { event: 'failed' }], properties: { offset: { x: 0, y: 100 }, method: 'GET', url, content_type: 'application/json' } },
      { name: 'say', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { offset: { x: 0, y: 200 }, from, to: '{{contact.channel.address}}', body } },
    ],
  } as FlowDefinition;
}
