// "Did you mean …?" for a name that is not among the known ones: the closest by edit distance
// (letter case aside), when it is close enough to be a likely typo rather than another name.
// A hint is a courtesy: a definition (up to a megabyte) can hold thousands of unknown names, each compared
// with thousands of candidates, so the work is bounded three ways: a name longer than a typed one gets no
// hint, each comparison stops once it cannot beat the best so far (lengths too far apart are not compared;
// otherwise only a band of the matrix, three rows kept), and a validation shares one budget of matrix
// cells; past it, names get no hint.

/** Longer names are not typed by hand: a hint for them would cost much and help little. */
export const MAX_HINTED_LENGTH = 64;

/** Matrix cells one validation may spend on hints: some milliseconds, hundreds of typical hints. */
export const HINT_CELLS = 4_000_000;

/** What is left to spend on hints; shared by the calls of one validation. */
export interface HintBudget {
  cells: number;
}

export function hintBudget(cells: number = HINT_CELLS): HintBudget {
  return { cells };
}

let cellsComputed = 0;
/** Reused by every comparison: most are over within a row or two, and a hint compares hundreds of names. */
let rows: [Int32Array, Int32Array, Int32Array] = [new Int32Array(128), new Int32Array(128), new Int32Array(128)];

const KEPT_ROW_LENGTH = 4096;

/** Rows `width` long: the shared ones, grown up to a bound (a long text's are its own, not kept). */
function rowsFor(width: number): [Int32Array, Int32Array, Int32Array] {
  if (rows[0].length >= width) return rows;
  const fresh: [Int32Array, Int32Array, Int32Array] = [new Int32Array(width), new Int32Array(width), new Int32Array(width)];
  if (width <= KEPT_ROW_LENGTH) rows = fresh;
  return fresh;
}

/** Matrix cells computed since the process started: lets a test measure the work without a clock. */
export function editDistanceCells(): number {
  return cellsComputed;
}

/** Levenshtein distance, a swap of two neighbouring letters counting once (Damerau, restricted). */
export function editDistance(a: string, b: string): number {
  return boundedEditDistance(a, b, Math.max(a.length, b.length));
}

/**
 * The edit distance of `a` and `b` when it is at most `max`, else max + 1 (also when `budget` runs out:
 * then budget.cells ends below zero). Only cells within `max` of the diagonal are computed; the rest
 * count as max + 1, which no path through them can get back under.
 */
export function boundedEditDistance(a: string, b: string, max: number, budget?: HintBudget): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (a === b) return 0;
  const far = max + 1;
  const width = b.length + 1;
  // Rows i - 2, i - 1 and i, rotated: the swap looks two rows back. Each row is read only where this
  // call wrote it (its band and one cell either side), so what earlier calls left there does not matter.
  let [before, prev, cur] = rowsFor(width);
  for (let j = 0; j < width; j++) prev[j] = Math.min(j, far);
  for (let i = 1; i <= a.length; i++) {
    const lo = Math.max(1, i - max);
    const hi = Math.min(b.length, i + max);
    cur[lo - 1] = lo === 1 ? Math.min(i, far) : far;
    if (hi < b.length) cur[hi + 1] = far;
    const ai = a.charCodeAt(i - 1);
    let rowMin = cur[lo - 1]!;
    for (let j = lo; j <= hi; j++) {
      const bj = b.charCodeAt(j - 1);
      let best = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (ai === bj ? 0 : 1));
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) best = Math.min(best, before[j - 2]! + 1);
      cur[j] = best;
      if (best < rowMin) rowMin = best;
    }
    const cells = hi - lo + 1;
    cellsComputed += cells;
    if (budget !== undefined && (budget.cells -= cells) < 0) return far;
    // A row's smallest value never shrinks further down: past max here, past max at the end.
    if (rowMin > max) return far;
    [before, prev, cur] = [prev, cur, before];
  }
  return Math.min(prev[b.length]!, far);
}

/**
 * The known name closest to `name`, or undefined when none is near (at most about half its letters
 * differ), when `name` is too long to be a typo, or when `budget` runs out before the answer is sure.
 * The first of equally close names wins.
 */
export function closestName(name: string, known: Iterable<string>, budget?: HintBudget): string | undefined {
  if (name.length > MAX_HINTED_LENGTH || (budget !== undefined && budget.cells <= 0)) return undefined;
  const wanted = name.toLowerCase();
  const threshold = Math.max(2, Math.ceil(name.length / 2));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    // Only a name closer than the best so far (and near enough) matters: the bound narrows as it goes.
    const bound = Math.min(threshold, bestDistance - 1);
    // The lengths alone can rule a candidate out (before lower-casing a long one).
    if (Math.abs(candidate.length - name.length) > bound) continue;
    const distance = boundedEditDistance(wanted, candidate.toLowerCase(), bound, budget);
    if (budget !== undefined && budget.cells < 0) return undefined;
    if (distance <= bound) {
      best = candidate;
      bestDistance = distance;
      if (distance === 0) break;
    }
  }
  return best;
}

/**
 * The known names a typed command word most likely meant, for a "did you mean" that may name more than
 * one: every name it begins (letter case aside; `rotate` → rotate-token and rotate-callback-secret, in
 * `known`'s order), since a word cut short is no typo and edit distance would rather pick a short name
 * (create); else a name with the same letters in another order (`tets` → test); else the closest one
 * (closestName); else none. A name it equals (case aside) is the one answer.
 */
export function closestNames(name: string, known: Iterable<string>): string[] {
  const names = [...known];
  const wanted = name.toLowerCase();
  if (wanted === '' || name.length > MAX_HINTED_LENGTH) return [];
  const same = names.find((candidate) => candidate.toLowerCase() === wanted);
  if (same !== undefined) return [same];
  const begun = names.filter((candidate) => candidate.toLowerCase().startsWith(wanted));
  if (begun.length > 0) return begun;
  const sorted = (word: string) => [...word.toLowerCase()].sort().join('');
  const anagram = names.find((candidate) => sorted(candidate) === sorted(name));
  if (anagram !== undefined) return [anagram];
  const near = closestName(name, names);
  return near === undefined ? [] : [near];
}
