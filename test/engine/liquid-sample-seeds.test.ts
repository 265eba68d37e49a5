// `sample` draws from a seed, never Math.random: a run, its replay and its flow test must render the same
// items. A one-item draw over a short list repeats by chance too often to show that, so these draw whole
// permutations of 26 letters: two renders agree only if the seed decides the shuffle, and seeds that
// differ (the render clock without a seed; the execution, step or render with one) shuffle differently.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderTemplate, type RenderOptions } from '../../src/engine/liquid.ts';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const SHUFFLE = `{{ "${LETTERS}" | split: "" | sample: 26 | join: "" }}`;

/** `sample` is a liquidjs extra (Studio's Liquid has none: it returns its input there): kept for these renders. */
function render(template: string, opts: RenderOptions): string {
  const r = renderTemplate(template, {}, { ...opts, liquidExtras: true });
  assert.equal(r.ok, true, JSON.stringify(r));
  return (r as { ok: true; value: string }).value;
}

function assertPermutation(s: string): void {
  assert.equal([...s].sort().join(''), LETTERS);
}

describe('sample seeding', () => {
  it('without a seed, the render clock decides the draw', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const now = new Date(Date.UTC(2024, 2, 10, 12, 0, 0) + i * 1009);
      const first = render(SHUFFLE, { now });
      assertPermutation(first);
      assert.equal(render(SHUFFLE, { now: new Date(now.getTime()) }), first, `two renders at ${now.toISOString()} drew differently`);
      seen.add(first);
    }
    assert.ok(seen.size >= 28, `30 clocks gave only ${seen.size} different shuffles`);
  });

  it('with a seed, the seed, step and render each decide the draw', () => {
    const now = new Date('2024-03-10T12:34:56Z');
    const seen = new Set<string>();
    for (const seed of ['FN1', 'FN2']) {
      for (let step = 0; step < 5; step++) {
        for (let r = 0; r < 3; r++) {
          const first = render(SHUFFLE, { now, seed, seedStep: step, seedRender: r });
          assertPermutation(first);
          // The clock does not matter once a seed is given: a replay runs at another time.
          assert.equal(render(SHUFFLE, { now: new Date(now.getTime() + 86_400_000), seed, seedStep: step, seedRender: r }), first);
          seen.add(first);
        }
      }
    }
    assert.ok(seen.size >= 28, `30 seeds gave only ${seen.size} different shuffles`);
  });

  it('the samples of one render draw apart, and the same render repeats them', () => {
    const opts = { now: new Date('2024-03-10T12:34:56Z'), seed: 'FNx', seedStep: 3, seedRender: 1 };
    const twice = `${SHUFFLE}|${SHUFFLE}`;
    const value = render(twice, opts);
    const [a, b] = value.split('|');
    assertPermutation(a!);
    assertPermutation(b!);
    assert.notEqual(a, b);
    assert.equal(render(twice, opts), value);
  });
});
