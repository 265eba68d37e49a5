// The validator's "did you mean": the same hints as the plain edit-distance search it replaced, at a cost
// bounded by the names' lengths and the validation's budget rather than by what a hostile definition holds.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  boundedEditDistance,
  closestName,
  editDistance,
  editDistanceCells,
  hintBudget,
  MAX_HINTED_LENGTH,
} from '../../src/lib/closest-name.ts';

/** The full matrix, as the validator computed it before: the reference. */
function referenceDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

function referenceClosest(name: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = referenceDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.ceil(name.length / 2)) ? best : undefined;
}

/** A deterministic pseudo-random source, so a failure is reproducible. */
function random(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
}
const word = (next: () => number, length: number, letters = 'abAB_c1') =>
  Array.from({ length }, () => letters[Math.floor(next() * letters.length)]).join('');
const cellsOf = (run: () => unknown) => {
  const before = editDistanceCells();
  run();
  return editDistanceCells() - before;
};

describe('closestName', () => {
  it('gives the same distances and hints as the full edit-distance matrix', () => {
    const next = random(7);
    for (let n = 0; n < 20_000; n++) {
      // Mostly short names; some past the reused rows' first size (128).
      const length = () => (n % 500 === 0 ? 100 + Math.floor(next() * 100) : Math.floor(next() * 14));
      const a = word(next, length());
      const b = n % 500 === 0 ? a.slice(0, -3) + word(next, 3) : word(next, length());
      const expected = referenceDistance(a, b);
      assert.equal(editDistance(a, b), expected, `${a} ${b}`);
      const max = Math.floor(next() * 6);
      assert.equal(boundedEditDistance(a, b, max), Math.min(expected, max + 1), `${a} ${b} within ${max}`);
      if (a.length <= MAX_HINTED_LENGTH) {
        const known = Array.from({ length: 1 + Math.floor(next() * 8) }, () => word(next, Math.floor(next() * 14)));
        assert.equal(closestName(a, known), referenceClosest(a, known), `${a} among ${known.join(',')}`);
        assert.equal(closestName(a, known, hintBudget()), referenceClosest(a, known), `${a} among ${known.join(',')}, budgeted`);
      }
    }
  });

  it('typical typos: a swap, a case slip, a missing letter; nothing for another name', () => {
    const names = ['http_1', 'send_message_1', 'gather_input', 'split_1'];
    assert.equal(closestName('htpt_1', names), 'http_1');
    assert.equal(closestName('Send_Message_1', names), 'send_message_1');
    assert.equal(closestName('gather_inpt', names), 'gather_input');
    assert.equal(closestName('lookup_customer', names), undefined);
  });

  it('a name too long to have been typed gets no hint and costs nothing, however many candidates', () => {
    const long = 'w'.repeat(MAX_HINTED_LENGTH + 1);
    const candidates = Array.from({ length: 10_000 }, (_, i) => long.slice(0, -1) + i);
    let hint: string | undefined = 'unset';
    assert.equal(cellsOf(() => (hint = closestName(long, candidates))), 0);
    assert.equal(hint, undefined);
    // Candidates far longer than the name are ruled out by their length alone.
    assert.equal(cellsOf(() => closestName('short_name', ['x'.repeat(1_000_000), 'y'.repeat(500_000)])), 0);
  });

  it('compares only a band of the matrix, and stops once a candidate cannot be near enough', () => {
    const name = 'a'.repeat(MAX_HINTED_LENGTH);
    // Nothing in common: row i's smallest value is i, so it is over after row 33 (of 64), and a far
    // tighter bound (a hint already found at distance 2) makes it over after 3 rows.
    assert.ok(cellsOf(() => boundedEditDistance(name, 'b'.repeat(MAX_HINTED_LENGTH), 32)) <= 33 * 65);
    assert.ok(cellsOf(() => boundedEditDistance(name, 'b'.repeat(MAX_HINTED_LENGTH), 2)) <= 3 * 5);
    // Near: the whole diagonal band (at most 2 × 32 + 1 cells a row), never the full matrix.
    const near = name.slice(0, 40) + 'b'.repeat(24);
    assert.equal(boundedEditDistance(name, near, 32), 24);
    assert.ok(cellsOf(() => boundedEditDistance(name, near, 32)) <= MAX_HINTED_LENGTH * 65);
  });

  it('a shared budget: once spent, no more hints, and the work stops there', () => {
    const names = Array.from({ length: 1000 }, (_, i) => `widget_number_${i}_of_the_flow`);
    const budget = hintBudget(50_000);
    const hints: (string | undefined)[] = [];
    const cells = cellsOf(() => {
      for (let i = 0; i < 1000; i++) hints.push(closestName(`widget_nmuber_${i}_of_the_flow`, names, budget));
    });
    assert.ok(cells <= 50_000 + 2 * MAX_HINTED_LENGTH + 1, `${cells}`);
    assert.equal(hints[0], 'widget_number_0_of_the_flow');
    assert.equal(hints.at(-1), undefined);
    assert.ok(budget.cells <= 0);
  });
});
