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
