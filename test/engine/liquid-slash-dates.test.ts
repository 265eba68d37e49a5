// How Liquid's date filters read a slashed date with a year, "03/10/2026": month first (10 March, the default,
// as US users write it) or day first (3 October, as Ruby's Time.parse reads it, so Shopify Liquid). Studio's
// reading is unconfirmed, so it is an option of the render (and of the engine, --liquid-slash-dates). Day-first
// expectations are Ruby 3.1's (TZ=<zone> ruby -rtime -e 'puts Time.parse(s).strftime(f)').
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderTemplate, type SlashDateOrder } from '../../src/engine/liquid.ts';
import { slashedDateMonthFirst } from '../../src/engine/liquid/date-text.ts';
import { startExecution } from '../../src/engine/interpreter.ts';
import { DEFAULT_LIMITS, type EngineInput, type EngineLimits } from '../../src/engine/types.ts';
import { triggerFlow } from '../support/flows.ts';

const NOW = new Date('2026-06-01T12:00:00Z');

/** `d | date: format` in `timezone`, slashed dates read in `order` (the render's default when undefined). */
function at(order: SlashDateOrder | undefined, d: string, format = '%Y-%m-%d', timezone = 'UTC'): string {
  const r = renderTemplate(`{{ d | date: "${format}" }}`, { d }, { now: NOW, timezone, ...(order ? { slashDates: order } : {}) });
  assert.equal(r.ok, true, JSON.stringify(r));
  return (r as { value: string }).value;
}

describe('Liquid slashed dates with a year', () => {
  it('month first by default and with month-first: 03/10/2026 is 10 March', () => {
    assert.equal(at(undefined, '03/10/2026'), '2026-03-10');
    assert.equal(at('month-first', '03/10/2026'), '2026-03-10');
    assert.equal(at('month-first', '03/10/2026 9:30 PM', '%Y-%m-%d %H:%M'), '2026-03-10 21:30');
    assert.equal(at('month-first', '31/03/2026'), '31/03/2026', 'no month 31: the input as it is');
  });

  it('day first with day-first: 03/10/2026 is 3 October, as Ruby reads it', () => {
    assert.equal(at('day-first', '03/10/2026'), '2026-10-03');
    assert.equal(at('day-first', '3/10/2026'), '2026-10-03');
    assert.equal(at('day-first', '31/03/2026'), '2026-03-31');
    assert.equal(at('day-first', ' 03/10/2026'), '2026-10-03', 'leading space');
  });

  it('day first keeps the time, the render zone and a zone the text names', () => {
    assert.equal(at('day-first', '03/10/2026 9:30 PM', '%Y-%m-%d %H:%M'), '2026-10-03 21:30');
    assert.equal(at('day-first', '03/10/2026 09:30', '%Y-%m-%d %H:%M %z', 'America/New_York'), '2026-10-03 09:30 -0400');
    assert.equal(at('day-first', '03/10/2026 09:30 UTC', '%Y-%m-%d %H:%M %z', 'America/New_York'), '2026-10-03 05:30 -0400');
    assert.equal(at('day-first', '03/10/2026 09:30:00 -0500', '%Y-%m-%d %H:%M %z'), '2026-10-03 14:30 +0000');
    assert.equal(at('day-first', '12/01/2026 10:00', '%Y-%m-%d %H:%M %z', 'Europe/London'), '2026-01-12 10:00 +0000');
  });

  it('day first: a month or day out of range is no date, and the filter returns its input (Ruby: ArgumentError)', () => {
    assert.equal(at('day-first', '03/31/2026'), '03/31/2026');
    assert.equal(at('day-first', '00/03/2026'), '00/03/2026');
    assert.equal(at('day-first', '03/31/2026 09:30 UTC'), '03/31/2026 09:30 UTC');
    assert.equal(at('day-first', '03/10/2026 garbage'), '03/10/2026 garbage', 'not respelled when it does not read');
  });

  it('every date filter reads it the same way (the Jekyll ones are liquidjs extras)', () => {
    const r = renderTemplate('{{ d | date_to_xmlschema }}|{{ d | date_to_string }}|{{ d | date_to_long_string }}|{{ d | date_to_rfc822 }}', { d: '03/10/2026' }, { now: NOW, slashDates: 'day-first', liquidExtras: true });
    assert.deepEqual(r, { ok: true, value: '2026-10-03T00:00:00+00:00|03 Oct 2026|03 October 2026|Sat, 03 Oct 2026 00:00:00 +0000' });
  });

  it('without a four-digit year nothing changes: 3/10 is month first for Ruby too', () => {
    for (const order of ['month-first', 'day-first'] as const) {
      assert.equal(at(order, '3/10'), '2026-03-10', order);
      assert.equal(at(order, '03/10 09:30', '%Y-%m-%d %H:%M'), '2026-03-10 09:30', order);
      assert.equal(at(order, '2026/03/10'), '2026-03-10', order);
      assert.equal(at(order, '2026-03-10'), '2026-03-10', order);
    }
    assert.equal(slashedDateMonthFirst('03/10/26', 'day-first'), '03/10/26', 'two-digit years are left as they are');
    assert.equal(slashedDateMonthFirst('03/10/20261', 'day-first'), '03/10/20261');
    assert.equal(slashedDateMonthFirst('03/10/2026', 'month-first'), '03/10/2026');
    assert.equal(slashedDateMonthFirst('03/10/2026 09:30', 'day-first'), '10/03/2026 09:30');
  });
});

describe('the engine renders slashed dates as its limits say', () => {
  const flow = triggerFlow('slashed', 'incomingRequest', 'set', [
    { name: 'set', type: 'set-variables', properties: { offset: { x: 0, y: 100 }, variables: [{ key: 'd', value: "{{ flow.data.when | date: '%Y-%m-%d' }}" }] }, transitions: [{ event: 'next' }] },
  ]);
  const run = (limits: Partial<EngineLimits>) => {
    let n = 0;
    const input: EngineInput = { definition: flow, now: NOW.getTime(), newId: (prefix) => `${prefix}${String(++n).padStart(32, '0')}`, limits };
    const init = { executionSid: 'FN' + '0'.repeat(32), accountSid: 'AC' + '0'.repeat(32), flowSid: 'FW' + '0'.repeat(32), revision: 1, channelAddress: '+15005550006', contactAddress: '+15551230001' };
    const result = startExecution(input, init, 'incomingRequest', {}, { when: '03/10/2026' });
    return result.state.frames[0]!.variables.d;
  };
  it('month-first by default, day-first when the limits say so', () => {
    assert.equal(DEFAULT_LIMITS.slashDates, 'month-first');
    assert.equal(run({}), '2026-03-10');
    assert.equal(run({ slashDates: 'day-first' }), '2026-10-03');
  });
});
