// The Replay panel's verdict and output diffs (web/src/executions/replay-summary.ts): when only the
// outputs differ it names the widgets and shows the differing fields (it said "messages or outputs
// differ" with two identical diffs and no outputs at all).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplayReport } from '../../web/src/api/types.ts';
import { effectDifferenceTitle, outputDifferenceLines, replayVerdict } from '../../web/src/executions/replay-summary.ts';

const steps = [{ from: 'Trigger', event: 'incomingConversationMessage', to: 'ask' }];

function report(over: Partial<ReplayReport> = {}): ReplayReport {
  return {
    execution_sid: 'FN1',
    flow_sid: 'FW1',
    original: { revision: 2, path: ['Trigger', 'ask'], steps, messages: ['Name?'] },
    replay: { revision: 3, path: ['Trigger', 'ask'], steps, messages: ['Name?'], end: 'waiting' },
    diverged: false,
    divergence: null,
    step_diff: ['  Trigger -incomingConversationMessage-> ask'],
    message_diff: ['  "Name?"'],
    output_differences: [],
    notes: [],
    ...over,
  };
}

const author = { widget: 'ask', original: { outbound: { Author: 'Bot' } }, replay: { outbound: { Author: 'Agent' } }, fields: [{ path: 'outbound.Author', original: 'Bot', replay: 'Agent' }] };

describe('Replay panel wording', () => {
  it('same, and a path that diverges', () => {
    assert.equal(replayVerdict(report()), 'Same path, messages and outputs on revision 3 as on revision 2.');
    assert.equal(replayVerdict(report({ diverged: true, divergence: { index: 1, original: null, replay: steps[0]! } })), 'The path diverges at step 2 on revision 3.');
  });

  it('same path: says what differs', () => {
    assert.equal(replayVerdict(report({ diverged: true, output_differences: [author] })), 'Same path on revision 3; the outputs of ask differ.');
    const variables = { widget: 'flow.variables', original: { a: '1' }, replay: { a: '2' }, fields: [{ path: 'a', original: '1', replay: '2' }] };
    assert.equal(
      replayVerdict(report({ diverged: true, message_diff: ['- "Name?"', '+ "Who?"'], output_differences: [author, { ...author, widget: 'bye' }, variables] })),
      'Same path on revision 3; the messages, the outputs of ask and bye and the flow variables differ.',
    );
  });

  it("a widget's differing fields as diff lines; a field on one side only has that side's line", () => {
    assert.deepEqual(outputDifferenceLines(author), ['- outbound.Author: "Bot"', '+ outbound.Author: "Agent"']);
    assert.deepEqual(outputDifferenceLines({ ...author, fields: [{ path: 'parsed.items[2]', replay: { id: 3 } }, { path: 'status_code', original: 200 }] }), ['+ parsed.items[2]: {"id":3}', '- status_code: 200']);
  });
});

describe('Replay panel: requests and what the caller heard', () => {
  const url = { widget: 'send', kind: 'request' as const, occurrence: 1, original: { url: 'https://a' }, replay: { url: 'https://b' }, fields: [{ path: 'url', original: 'https://a', replay: 'https://b' }] };
  const say = { widget: 'menu', kind: 'voice' as const, occurrence: 2, original: {}, replay: {}, fields: [{ path: 'twiml[0].text', original: 'Hi', replay: 'Hello' }] };

  it('names the widgets whose requests or TwiML differ', () => {
    assert.equal(replayVerdict(report({ diverged: true, effects_compared: true, effect_differences: [url, say] })), 'Same path on revision 3; the requests of send and what the caller heard from menu differ.');
  });

  it('a difference has a heading (the time a loop ran it) and diff lines', () => {
    assert.equal(effectDifferenceTitle(url), 'The HTTP request of send');
    assert.equal(effectDifferenceTitle(say), 'What the caller heard from menu (time 2)');
    assert.deepEqual(outputDifferenceLines(url), ['- url: "https://a"', '+ url: "https://b"']);
  });
});
