// --record's test-file builder: a run's steps and context become a test (trigger, replies, HTTP and
// Function mocks keyed by the widgets' URLs, expectations) that passes against the same flow.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { play } from '../../src/flowtest/run-test.ts';
import { loadFlowFile } from '../../src/flowtest/load.ts';
import { pullSubflows, recordSubflows, testFileYaml, testFromRecording, type RevisionSource } from '../../src/flowtest/record.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import type { RemoteFlow } from '../../src/flowtest/studio-client.ts';
import { ApiFailure } from '../../src/flowtest/studio-client.ts';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';
import type { TestCase } from '../../src/flowtest/types.ts';

const flowPath = fileURLToPath(new URL('../../examples/flows/pizza-order.json', import.meta.url));
const flow = loadFlowFile(flowPath);

function recording(test: TestCase) {
  const { sim } = play({ file: 'x', flow, test, subflows: new Map() });
  return { executionSid: 'FN' + 'c'.repeat(32), status: sim.active ? ('active' as const) : ('ended' as const), context: sim.observation().context, steps: sim.recordedSteps, definition: flow.definition };
}

describe('test --record', () => {
  it('turns an ordering conversation into a test with Function and HTTP mocks that passes', () => {
    const file = testFromRecording(
      recording({
        name: 'live',
        trigger: { message: { body: 'pizza', from: '+15550009999' } },
        mocks: { functions: [{ name: 'price', body: { price: 11 } }], http: [{ url: 'https://api.pizza.example/orders', status: 201, body: { id: 'R-1' } }] },
        script: [{ send: 'S' }],
      }),
      { flowPath: 'pizza.json', name: 'small pizza' },
    );
    const test = file.tests[0]!;
    assert.deepEqual(test.trigger, { message: { body: 'pizza', from: '+15550009999', to: '+15005550006' } });
    assert.deepEqual(test.script, [{ send: 'S' }]);
    assert.deepEqual(test.mocks?.functions, [{ name: 'price', status: 200, body: '{"price":11}', contentType: 'application/json' }]);
    assert.deepEqual(test.mocks?.http, [{ method: 'POST', url: 'https://api.pizza.example/orders', status: 201, body: '{"id":"R-1"}', contentType: 'application/json' }]);
    assert.deepEqual(test.expect?.messages, ['Hi! What size pizza? Reply S, M or L.', 'Order R-1 confirmed: one S pizza, $11. Ready in 20 minutes.']);
    assert.equal(test.expect?.end, 'completed');

    const dir = mkdtempSync(join(tmpdir(), 'sb-record-'));
    try {
      copyFileSync(flowPath, join(dir, 'pizza.json'));
      const yaml = testFileYaml(file, ['Recorded for a test']);
      assert.match(yaml, /^# Recorded for a test\nflow: pizza\.json\n/);
      assert.deepEqual(parse(yaml), JSON.parse(JSON.stringify(file)));
      writeFileSync(join(dir, 'small.test.yaml'), yaml);
      const summary = runFiles([join(dir, 'small.test.yaml')]);
      assert.equal(summary.failed, 0, textReport(summary));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a conversation left waiting and one that timed out', () => {
    const waiting = testFromRecording(recording({ name: 'w', trigger: { message: { body: 'hi' } } }), { flowPath: 'p.json' });
    assert.equal(waiting.tests[0]!.expect?.end, 'waiting');
    const timedOut = testFromRecording(recording({ name: 't', trigger: { message: { body: 'hi' } }, script: [{ wait: '1h' }] }), { flowPath: 'p.json' });
    assert.deepEqual(timedOut.tests[0]!.script, [{ wait: '3600s' }]);
    assert.deepEqual(timedOut.tests[0]!.expect?.path, ['Trigger', 'ask_size', 'no_answer']);
  });
});

// A parent that runs a subflow, each with an HTTP widget named `lookup` (different URLs), and a reply
// timeout in each (300 s in the subflow, 600 s in the parent).
const CHILD = 'FW' + 'c'.repeat(32);
const fixture = (name: string): FlowDefinition => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const lookup = (url: string, next: string) => ({
  name: 'lookup',
  type: 'make-http-request' as const,
  transitions: [{ event: 'success', next }, { event: 'failed', next }],
  properties: { method: 'GET', content_type: 'application/json;charset=utf-8', url },
});
function subflowPair(): { parent: FlowDefinition; child: FlowDefinition } {
  const child = fixture('record-subflow-child.json');
  child.states[0]!.transitions[0]!.next = 'lookup';
  child.states.push(lookup('https://api.example.com/questions/1', 'ask'));
  child.states.find((s) => s.name === 'ask')!.properties.body = '{{widgets.lookup.parsed.prefix}} {{trigger.parent.parameters.question}}';
  const parent = fixture('record-subflow-parent.json');
  parent.states[0]!.transitions[0]!.next = 'lookup';
  parent.states.push(lookup('https://api.example.com/customers/{{contact.channel.address}}', 'collect'));
  parent.states.find((s) => s.name === 'greet')!.properties.body = 'Hello {{widgets.collect.name}} ({{widgets.lookup.parsed.tier}})! Anything else?';
  return { parent, child };
}

const remote = (sid: string, revision: number, definition: FlowDefinition, status = 'published'): RemoteFlow => ({ sid, friendlyName: 'Ask name', status, revision, dateUpdated: null, definition, commitMessage: null });

/** A server's revisions of one subflow, in memory: number → (definition, status, created at). */
function revisions(sid: string, list: { definition: FlowDefinition; status?: string; at: string }[]): RevisionSource & { fetched: number[] } {
  const fetched: number[] = [];
  return {
    fetched,
    async getRevision(flowSid, revision) {
      if (flowSid !== sid) throw new ApiFailure(404, `The requested resource /v2/Flows/${flowSid} was not found`, 20404);
      const n = revision === 'LatestRevision' ? list.length : revision === 'LatestPublished' ? list.findLastIndex((r) => (r.status ?? 'published') === 'published') + 1 : revision;
      fetched.push(n);
      const r = list[n - 1]!;
      return remote(sid, n, r.definition, r.status ?? 'published');
    },
    async listRevisions(flowSid) {
      if (flowSid !== sid) throw new ApiFailure(404, 'not found', 20404);
      return list.map((r, i) => ({ revision: i + 1, status: r.status ?? 'published', dateCreated: r.at })).reverse();
    },
  };
}

describe('test --record with a subflow', () => {
  it('names the subflow under mocks.subflows, mocks its HTTP widget by its own URL and waits its own reply timeout; the test passes', async () => {
    const { parent, child } = subflowPair();
    const loadedParent = { path: 'parent.json', definition: parent, warnings: [] };
    const { sim } = play({
      file: 'x',
      flow: loadedParent,
      test: {
        name: 'live',
        trigger: { message: { body: 'hi' } },
        mocks: {
          http: [
            { url: 'https://api.example.com/customers/*', body: { tier: 'gold' } },
            { url: 'https://api.example.com/questions/1', body: { prefix: 'Hi!' } },
          ],
        },
        // Silence in the subflow (300 s) sets name to `stranger`; the parent's question waits 600 s.
        script: [{ wait: '5m' }, { send: 'no thanks' }],
      },
      subflows: new Map([[CHILD, { path: 'child.json', definition: child, warnings: [] }]]),
    });
    const steps = sim.recordedSteps;
    assert.ok(steps.some((s) => s.parentStepSid), 'the recording has steps inside the subflow');
    const dir = mkdtempSync(join(tmpdir(), 'sb-record-sub-'));
    try {
      writeFileSync(join(dir, 'parent.json'), JSON.stringify(parent));
      const out = join(dir, 'tests', 'greet.test.yaml');
      const source = revisions(CHILD, [{ definition: child, at: '2030-01-01T00:00:00Z' }]);
      const { subflows, log } = await recordSubflows(source, parent, steps, out);
      assert.deepEqual(subflows.map((s) => [s.flowSid, s.source]), [[CHILD, 'greet.ask-name.subflow.json']]);
      assert.deepEqual(JSON.parse(readFileSync(join(dir, 'tests', 'greet.ask-name.subflow.json'), 'utf8')), child);
      assert.match(log[0]!, /wrote .*greet\.ask-name\.subflow\.json \(subflow FWc+ 'Ask name', revision 1\)/);

      const recording = { executionSid: 'FN' + 'c'.repeat(32), status: 'ended' as const, context: sim.observation().context, steps, definition: parent, subflows };
      const file = testFromRecording(recording, { flowPath: '../parent.json' });
      const test = file.tests[0]!;
      assert.deepEqual(test.mocks?.subflows, { [CHILD]: 'greet.ask-name.subflow.json' });
      assert.deepEqual(test.mocks?.http?.map((m) => m.url), ['https://api.example.com/customers/*', 'https://api.example.com/questions/1']);
      assert.deepEqual(test.script, [{ wait: '300s' }, { send: 'no thanks' }]);
      assert.deepEqual(test.expect?.messages, ['Hi! Your name?', 'Hello stranger (gold)! Anything else?', 'Bye!']);
      writeFileSync(out, testFileYaml(file, ['Recorded with a subflow']));
      const summary = runFiles([out]);
      assert.equal(summary.failed, 0, textReport(summary));
      assert.equal(summary.passed, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes the revision that ran: the newest published by the time the subflow started, with every step it took', async () => {
    const { child } = subflowPair();
    const parent = fixture('record-subflow-parent.json');
    const plain = fixture('record-subflow-child.json');
    const { sim } = play({ file: 'x', flow: { path: 'p', definition: parent, warnings: [] }, test: { name: 'r', trigger: { message: { body: 'hi' } }, script: [{ send: 'Ada' }] }, subflows: new Map([[CHILD, { path: 'c', definition: plain, warnings: [] }]]) });
    const ranAt = Date.parse('2030-01-07T09:00:00.400Z');
    const steps = sim.recordedSteps.map((s) => ({ ...s, at: ranAt }));
    // 1: published before the run; 2: a draft (LatestPublished skips it); 3: published in the same
    // second as the run (dates are to the second, so it counts) but without the `keep` widget the run
    // went through, so it was saved after; 4: published the next day.
    const renamed = structuredClone(plain);
    renamed.states.find((s) => s.name === 'keep')!.name = 'store';
    renamed.states.find((s) => s.name === 'ask')!.transitions[0]!.next = 'store';
    const source = revisions(CHILD, [
      { definition: plain, at: '2030-01-01T00:00:00Z' },
      { definition: child, status: 'draft', at: '2030-01-02T00:00:00Z' },
      { definition: renamed, at: '2030-01-07T09:00:00Z' },
      { definition: child, at: '2030-01-08T00:00:00Z' },
    ]);
    const [pulled] = await pullSubflows(source, parent, steps);
    assert.equal(pulled!.flow!.revision, 1);
    assert.deepEqual(source.fetched, [3, 1]);
    assert.deepEqual(pulled!.notes, []);
    // A numbered flow_revision names the revision outright.
    const pinned = structuredClone(parent);
    pinned.states.find((s) => s.name === 'collect')!.properties.flow_revision = '2';
    assert.equal((await pullSubflows(source, pinned, steps))[0]!.flow!.revision, 2);
  });

  it('a subflow that was not found when it ran is declared missing, and the test passes', async () => {
    const parent = fixture('record-subflow-parent.json');
    const { sim } = play({ file: 'x', flow: { path: 'p', definition: parent, warnings: [] }, test: { name: 'r', trigger: { message: { body: 'hi' } }, mocks: { subflows: { [CHILD]: null } } }, subflows: new Map([[CHILD, null]]) });
    const dir = mkdtempSync(join(tmpdir(), 'sb-record-sub-'));
    try {
      writeFileSync(join(dir, 'parent.json'), JSON.stringify(parent));
      const out = join(dir, 'gone.test.yaml');
      const { subflows } = await recordSubflows(revisions('FW' + 'd'.repeat(32), []), parent, sim.recordedSteps, out);
      assert.deepEqual(subflows, [{ flowSid: CHILD, source: 'missing' }]);
      const file = testFromRecording({ executionSid: 'FN' + 'c'.repeat(32), status: 'ended', context: sim.observation().context, steps: sim.recordedSteps, definition: parent, subflows }, { flowPath: 'parent.json' });
      assert.deepEqual(file.tests[0]!.expect?.path, ['Trigger', 'collect', 'oops']);
      writeFileSync(out, testFileYaml(file, []));
      assert.match(readFileSync(out, 'utf8'), /subflows:\n\s+FWc+: missing\n/);
      const summary = runFiles([out]);
      assert.equal(summary.failed, 0, textReport(summary));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
