// A flow that loops on replies, and a Liquid value that renders just under a render's node budget: the
// replay budget tests (test/flowtest/replay-budget.test.ts, test/api/replay-budget.test.ts) build long
// executions from the one and costly revisions from the other.
import type { FlowDefinition } from '../../src/definition/types.ts';
import { triggerFlow } from './flows.ts';

const at = (y: number) => ({ offset: { x: 0, y } });

/** Trigger → ask (Send & Wait) → sv (Set Variables `variables` times `value`) → ask …: two steps per reply. */
export function loopFlow(value: string, variables = 1): FlowDefinition {
  return triggerFlow('loop', 'incomingMessage', 'ask', [
    {
      name: 'ask',
      type: 'send-and-wait-for-reply',
      properties: { ...at(200), from: '{{flow.channel.address}}', body: 'Again {{flow.variables.v0}}?', timeout: '3600' },
      transitions: [{ event: 'incomingMessage', next: 'sv' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
    },
    {
      name: 'sv',
      type: 'set-variables',
      properties: { ...at(400), variables: Array.from({ length: variables }, (_, i) => ({ key: `v${i}`, value })) },
      transitions: [{ event: 'next', next: 'ask' }],
    },
  ]);
}

/**
 * Three nested 15-iteration loops of 28 assigns: about 98,000 template nodes, just under a render's 100,000
 * (LIQUID_LIMITS.maxRenderNodes), about a third of a sprint's 300,000.
 */
export const COSTLY_VALUE = (() => {
  let template = '{% assign z = 1 %}'.repeat(28);
  for (let i = 0; i < 3; i++) template = `{% for i${i} in (1..15) %}${template}{% endfor %}`;
  return template;
})();
