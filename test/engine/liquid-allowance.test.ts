// A Liquid allowance shared by many sprints (a replay's budget): every render counts against it besides its
// own and its sprint's budgets, and once it is spent every further render fails at its first node.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderTemplate } from '../../src/engine/liquid.ts';
import { LiquidAllowance, LiquidBudget } from '../../src/engine/liquid/limits.ts';

const now = new Date(0);

describe('LiquidAllowance', () => {
  it('counts the nodes of renders in different sprints together, and refuses renders once spent', () => {
    const allowance = new LiquidAllowance(1_000, 1_000_000);
    const loop = '{% for i in (1..15) %}{% assign z = i %}{% endfor %}';
    let ok = 0;
    let failure = '';
    for (let sprint = 0; sprint < 100 && !failure; sprint++) {
      const r = renderTemplate(loop, {}, { now, budget: new LiquidBudget(allowance) });
      if (r.ok) ok++;
      else failure = r.error.message;
    }
    assert.ok(ok > 5, `${ok} renders passed first`);
    assert.match(failure, /more than 1000 nodes rendered in all/);
    assert.match(allowance.spent ?? '', /more than 1000 nodes rendered in all/);
    // Spent: a further render in a fresh sprint fails at once (one more node counted).
    const before = allowance.nodes;
    const again = renderTemplate(loop, {}, { now, budget: new LiquidBudget(allowance) });
    assert.equal(again.ok, false);
    assert.equal(allowance.nodes, before + 1);
  });

  it('counts memory units together too', () => {
    const allowance = new LiquidAllowance(1_000_000, 5_000);
    let failure = '';
    for (let sprint = 0; sprint < 100 && !failure; sprint++) {
      const r = renderTemplate('{% assign r = (1..1000) | join: "," %}{{ r | size }}', {}, { now, budget: new LiquidBudget(allowance) });
      if (!r.ok) failure = r.error.message;
    }
    assert.match(failure, /more than 5000 memory units in all/);
    assert.match(allowance.spent ?? '', /memory units in all/);
  });

  it('a sprint without an allowance counts only its own budget', () => {
    const budget = new LiquidBudget();
    assert.equal(budget.allowance, undefined);
    assert.deepEqual(renderTemplate('{{ 1 | plus: 1 }}', {}, { now, budget }), { ok: true, value: '2' });
  });
});
