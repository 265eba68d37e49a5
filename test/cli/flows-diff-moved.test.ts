// `flows diff` leaves canvas offsets out unless --layout, and said so only when nothing else differed: a diff with
// other changes showed them alone, so a file that took every change shown (bringing a server's change in, as a
// refused push asks) still differed where the diff did not say — and push went on refusing it. A line now says how
// many widgets moved, and that --layout shows them.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { flowsCommand } from '../../src/cli/flows.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';

const survey = (): FlowDefinition => JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/flows/survey.json', import.meta.url)), 'utf8'));

describe('flows diff: widgets moved on the canvas beside other changes', () => {
  const work = mkdtempSync(join(tmpdir(), 'sb-flows-diff-moved-'));
  after(() => rmSync(work, { recursive: true, force: true }));
  const write = (file: string, change: (flow: FlowDefinition) => void) => {
    const flow = survey();
    change(flow);
    writeFileSync(join(work, file), JSON.stringify(flow));
  };
  const move = (flow: FlowDefinition, ...names: string[]) => {
    for (const state of flow.states) if (names.includes(state.name)) (state.properties as { offset: { x: number } }).offset.x += 500;
  };
  write('a.json', () => {});
  write('moved-and-described.json', (flow) => {
    flow.description = 'changed';
    move(flow, 'ask', 'remember');
  });
  write('described.json', (flow) => void (flow.description = 'changed'));
  write('moved-one.json', (flow) => {
    flow.description = 'changed';
    move(flow, 'ask');
  });
  const diff = (...args: string[]) => runCliInProcess(flowsCommand, ['diff', ...args], work);

  it('says how many widgets moved, and that --layout shows them', async () => {
    const run = await diff('a.json', 'moved-and-described.json');
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^~ description: .*\n {2}also 2 widgets moved on the canvas \(--layout shows them\), which flows push would send\n/m);
    assert.match((await diff('a.json', 'moved-one.json')).stdout, /^ {2}also 1 widget moved on the canvas \(--layout shows it\), which flows push would send$/m);
    const layout = await diff('a.json', 'moved-and-described.json', '--layout');
    assert.match(layout.stdout, /^ {4}offset: /m);
    assert.doesNotMatch(layout.stdout, /moved on the canvas/);
  });

  it('says nothing of the canvas when no widget moved', async () => {
    const run = await diff('a.json', 'described.json');
    assert.equal(run.code, 1);
    assert.doesNotMatch(run.stdout, /canvas/);
  });
});
