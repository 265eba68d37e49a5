// Resume Conversation in flow tests: the simulation joins the conversation the widget names (resumed, the
// execution moved into it), a `conversations: { fail }` mock makes the Conversations API refuse (failed),
// and a replay answers the recorded outcome back (recorded-answers.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';
import { recordedAnswers } from '../../src/flowtest/recorded-answers.ts';

const CH = 'CH' + 'c'.repeat(32);
const SERVICE = 'IS' + 'a'.repeat(32);

describe('resume-conversation in flow tests', () => {
  it('resumed by default, into the conversation; failed with the mocked Conversations API error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-resume-'));
    try {
      const flow = {
        description: 'resume',
        initial_state: 'Trigger',
        flags: { allow_concurrent_calls: true },
        states: [
          { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingRequest', next: 'resume' }], properties: { offset: { x: 0, y: 0 } } },
          { name: 'resume', type: 'resume-conversation', transitions: [{ event: 'resumed', next: 'note' }, { event: 'failed' }], properties: { offset: { x: 0, y: 100 }, conversation_service_sid: SERVICE, conversation_sid: CH } },
          { name: 'note', type: 'set-variables', transitions: [{ event: 'next' }], properties: { offset: { x: 0, y: 200 }, variables: [{ key: 'in', value: '{{flow.channel.address}}' }] } },
        ],
      };
      writeFileSync(join(dir, 'resume.json'), JSON.stringify(flow));
      writeFileSync(
        join(dir, 'resume.test.yaml'),
        [
          'flow: resume.json',
          'tests:',
          '  - name: resumed',
          '    trigger: { request: {} }',
          '    expect:',
          '      steps: ["Trigger -incomingRequest-> resume", "resume -resumed-> note", "note -next-> Ended"]',
          `      variables: { in: ${CH} }`,
          `      widgets: { resume: { conversation: { sid: ${CH}, chat_service_sid: ${SERVICE} } } }`,
          '  - name: refused',
          '    trigger: { request: {} }',
          '    mocks: { conversations: { fail: 20404 } }',
          '    expect:',
          '      steps: ["Trigger -incomingRequest-> resume", "resume -failed-> Ended"]',
          '      widgets: { resume: { error: { code: 20404 } } }',
          '      end: { error: 20404 }',
          '',
        ].join('\n'),
      );
      const summary = runFiles([join(dir, 'resume.test.yaml')]);
      assert.equal(summary.failed, 0, textReport(summary));
      assert.equal(summary.passed, 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a replay answers the recorded resumed conversation, or the recorded refusal', () => {
    const conversation = { sid: CH, chat_service_sid: SERVICE };
    const answers = recordedAnswers([
      { from: 'resume', event: 'resumed', to: 'ask', type: 'resume-conversation', context: { conversation, webhook_sid: 'WH1' } },
      { from: 'again', event: 'failed', to: 'Ended', type: 'resume-conversation', context: { error: { code: 20404, message: 'not found' } } },
    ]);
    assert.deepEqual(answers.effects.get('resume'), [{ kind: 'conversation-started', conversation, webhookSid: 'WH1' }]);
    assert.deepEqual(answers.effects.get('again'), [{ kind: 'conversation-failed', code: 20404, message: 'not found' }]);
  });
});
