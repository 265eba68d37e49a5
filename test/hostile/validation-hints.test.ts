// "Did you mean …?" hints on a hostile definition. Each name that matches nothing (a `{{widgets.X}}`, a
// dangling `next`, ...) was compared by full edit distance with every candidate, so a valid 61 KB flow held
// POST /v2/Flows for 24 s and 101 KB for minutes, the event loop blocked. The work is now bounded per
// validation (see src/lib/closest-name.ts); it is measured here in edit-distance cells, not wall time.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateDefinition } from '../../src/definition/validate.ts';
import { editDistanceCells, HINT_CELLS, MAX_HINTED_LENGTH } from '../../src/lib/closest-name.ts';
import { FORM, form, startTestServer, type TestServer } from '../support/server.ts';

const BODY_LIMIT = 1024 * 1024;
/** A budget is checked after each matrix row: one call may overrun it by one row at most. */
const MAX_CELLS = HINT_CELLS + 2 * MAX_HINTED_LENGTH + 1;

const pad = (prefix: string, i: number, length: number) => (prefix + i).padEnd(length, 'x');
/** 999 widget names (with the trigger, the most a flow has), all 40 to 60 letters: every unknown name is near in length. */
const WIDGETS = Array.from({ length: 999 }, (_, i) => pad(`w${i}_`, i, 40 + (i % 21)));

/**
 * A flow of set-variables widgets whose values read `refs` unknown widgets (unique names, near the
 * widgets' length, plus some far too long to be typed) and whose first value reads a typo of a widget.
 * `danglingNext`: every widget's `next` names no state either (an error, so the flow is invalid).
 */
function hostileDefinition(refs: number, danglingNext = false): { definition: unknown; unknownNames: number } {
  const references = Array.from({ length: refs }, (_, i) => (i % 100 === 0 ? pad(`long${i}_`, i, 300) : pad(`q${i}_`, i, 40 + (i % 21))));
  const perWidget = Math.ceil(refs / WIDGETS.length);
  const states: unknown[] = [{ name: 'Trigger', type: 'trigger', properties: {}, transitions: [{ event: 'incomingRequest', next: WIDGETS[0] }] }];
  WIDGETS.forEach((name, i) => {
    const mine = references.slice(i * perWidget, (i + 1) * perWidget);
    const variables = mine.map((ref, k) => ({ key: `k${k}`, value: `{{widgets.${ref}.x}}` }));
    if (i === 0) variables.unshift({ key: 'typo', value: `{{widgets.${WIDGETS[1]!.replace('w1_', 'W1-')}.x}}` });
    const next = danglingNext ? pad(`n${i}_`, i, 45) : WIDGETS[i + 1];
    states.push({ name, type: 'set-variables', properties: { variables }, transitions: [{ event: 'next', ...(next ? { next } : {}) }] });
  });
  return {
    definition: { description: 'hints', initial_state: 'Trigger', flags: { allow_concurrent_calls: true }, states },
    unknownNames: refs + 1,
  };
}

describe('did-you-mean hints on a definition of the largest accepted size', () => {
  it('every unknown widget reference is still reported; the hints stop at a fixed amount of work', { timeout: 60_000 }, () => {
    const { definition, unknownNames } = hostileDefinition(8_500);
    const bytes = JSON.stringify(definition).length;
    assert.ok(bytes > 0.9 * BODY_LIMIT && bytes < BODY_LIMIT, `${bytes} bytes`);
    const cellsBefore = editDistanceCells();
    const res = validateDefinition(definition);
    const cells = editDistanceCells() - cellsBefore;
    // Comparing each of the 8,500 names with 1,000 widgets in full was billions of cells (hours).
    assert.ok(cells <= MAX_CELLS, `${cells} cells`);
    assert.equal(res.valid, true);
    const reads = res.warnings.filter((w) => /reads widgets\./.test(w.message));
    assert.equal(reads.length, unknownNames);
    // The typo comes first and gets its hint; the work ran out before the last name.
    assert.match(reads[0]!.message, new RegExp(`no widget named "W1-[^"]*" \\(did you mean "${WIDGETS[1]}"\\?\\)`));
    assert.doesNotMatch(reads.at(-1)!.message, /did you mean/);
    // Names too long to be typed are not compared at all.
    for (const w of reads.filter((w) => /widgets\.long/.test(w.message))) assert.doesNotMatch(w.message, /did you mean/);
  });

  it('dangling next targets: an error each, within the same budget', { timeout: 60_000 }, () => {
    const { definition } = hostileDefinition(8_000, true);
    const cellsBefore = editDistanceCells();
    const res = validateDefinition(definition);
    const cells = editDistanceCells() - cellsBefore;
    assert.ok(cells <= MAX_CELLS, `${cells} cells`);
    assert.equal(res.valid, false);
    assert.equal(res.errors.filter((e) => /does not name a state in the flow/.test(e.message)).length, WIDGETS.length);
  });
});

describe('POST /v2/Flows with such a definition', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('is created (valid: its problems are warnings) without a validation that blocks the server', { timeout: 60_000 }, async () => {
    // Form encoding grows the JSON ({{ is %7B%7B): fewer references fit in the largest body.
    const { definition } = hostileDefinition(5_400);
    const payload = form({ FriendlyName: 'hostile hints', Status: 'published', Definition: JSON.stringify(definition) });
    assert.ok(payload.length > 0.9 * BODY_LIMIT && payload.length < BODY_LIMIT, `${payload.length} bytes`);
    const cellsBefore = editDistanceCells();
    const res = await server.app.server.inject({ method: 'POST', url: '/v2/Flows', headers: { authorization: server.auth, ...FORM }, payload });
    const cells = editDistanceCells() - cellsBefore;
    assert.equal(res.statusCode, 201, res.body.slice(0, 300));
    assert.equal(res.json().valid, true);
    assert.ok(cells <= MAX_CELLS, `${cells} cells`);
  });
});
