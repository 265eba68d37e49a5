// Liquid date filters against Ruby's Time.parse and strftime (Shopify Liquid's): zone-less wall times around a
// change of offset, ISO 8601 forms V8 does not read, Ruby's `%::z`/`%:::z`, and the slashed-date reading.
// Expected values are Ruby 3.1's (TZ=<zone> ruby -rtime -e 'puts Time.parse(s).strftime(f)').
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderTemplate, type RenderOptions } from '../../src/engine/liquid.ts';

const NOW = new Date('2026-03-10T12:00:00Z');

function render(template: string, context: Record<string, unknown>, opts: RenderOptions): string {
  const r = renderTemplate(template, context, opts);
  assert.equal(r.ok, true, `expected ok for ${template}: ${JSON.stringify(r)}`);
  return (r as { ok: true; value: string }).value;
}

/** `d | date: format` in `timezone`. */
function at(timezone: string, d: string, format = '%Y-%m-%d %H:%M:%S %z', now = NOW): string {
  return render(`{{ d | date: "${format}" }}`, { d }, { now, timezone });
}

describe('Liquid dates: a zone-less wall time around a change of offset, as Ruby reads it', () => {
  it('a time the clock skips (spring forward) moves forward by the gap', () => {
    assert.equal(at('America/New_York', '2026-03-08 02:30', '%H:%M %Z %s'), '03:30 EDT 1772955000');
    assert.equal(at('America/New_York', '2026-03-08 02:00'), '2026-03-08 03:00:00 -0400');
    assert.equal(at('America/New_York', '2026-03-08 02:59:59'), '2026-03-08 03:59:59 -0400');
    assert.equal(at('Europe/London', '2026-03-29 01:30'), '2026-03-29 02:30:00 +0100');
    assert.equal(at('Australia/Sydney', '2026-10-04 02:30'), '2026-10-04 03:30:00 +1100', 'southern spring');
    assert.equal(at('Australia/Lord_Howe', '2026-10-04 02:15'), '2026-10-04 02:45:00 +1100', 'a half-hour gap');
    // A time alone takes today's date, and the same rule.
    const onTheDay = new Date('2026-03-08T05:00:00Z');
    assert.equal(at('America/New_York', '2:30 AM', '%Y-%m-%d %H:%M %Z', onTheDay), '2026-03-08 03:30 EDT');
  });

  it('a time the clock shows twice (fall back) is the later one, after the change (Ruby; java.time takes the earlier)', () => {
    assert.equal(at('America/New_York', '2026-11-01 01:30', '%H:%M %Z %s'), '01:30 EST 1793514600');
    assert.equal(at('America/New_York', '2026-11-01 01:00'), '2026-11-01 01:00:00 -0500');
    assert.equal(at('Europe/London', '2026-10-25 01:30'), '2026-10-25 01:30:00 +0000');
    assert.equal(at('Australia/Sydney', '2026-04-05 02:30'), '2026-04-05 02:30:00 +1000', 'southern autumn');
    assert.equal(at('Australia/Lord_Howe', '2026-04-05 01:45'), '2026-04-05 01:45:00 +1030', 'a half-hour overlap');
    assert.equal(at('Europe/Moscow', '2014-10-26 01:30'), '2014-10-26 01:30:00 +0300', 'a standard offset moved back');
  });

  it('times next to a change keep their own offset', () => {
    assert.equal(at('America/New_York', '2026-03-08 01:59:59'), '2026-03-08 01:59:59 -0500');
    assert.equal(at('America/New_York', '2026-03-08 03:00'), '2026-03-08 03:00:00 -0400');
    assert.equal(at('America/New_York', '2026-03-08'), '2026-03-08 00:00:00 -0500');
    assert.equal(at('America/New_York', '2026-11-01 00:59'), '2026-11-01 00:59:00 -0400');
    assert.equal(at('America/New_York', '2026-11-01 02:00'), '2026-11-01 02:00:00 -0500');
    assert.equal(at('America/New_York', '2026-11-01T23:30:00'), '2026-11-01 23:30:00 -0500');
    assert.equal(at('Asia/Kathmandu', '2026-03-10 09:30'), '2026-03-10 09:30:00 +0545', 'a zone without changes');
  });
});

describe('Liquid dates: ISO 8601 forms Ruby reads and V8 does not', () => {
  const instant = (d: string, timezone = 'UTC') => at(timezone, d, '%s');
  it('the basic form, with or without a zone', () => {
    assert.equal(instant('20260310T093000Z'), '1773135000');
    assert.equal(instant('20260310T0930Z'), '1773135000');
    assert.equal(instant('20260310T093000+0100'), '1773131400');
    assert.equal(at('America/New_York', '20260310T093000Z', '%Y-%m-%d %H:%M %Z'), '2026-03-10 05:30 EDT');
    assert.equal(at('America/New_York', '20260310T093000', '%Y-%m-%d %H:%M %Z'), '2026-03-10 09:30 EDT', 'zone-less: wall time');
    assert.equal(instant('20260310'), '20260310', 'digits alone are a Unix timestamp, as in Shopify');
  });
  it('an offset of hours alone, and a zone after a space', () => {
    assert.equal(instant('2026-03-10T09:30:00+05'), '1773117000');
    assert.equal(instant('2026-03-10 09:30:00 -05'), '1773153000');
    assert.equal(instant('2026-03-10T09:30:00.5+05'), '1773117000');
    assert.equal(instant('2026-03-10T09:30:00 Z'), '1773135000');
    assert.equal(instant('2026-03-10 09:30 z'), '1773135000', 'any case: Shopify downcases the text');
    assert.equal(instant('2026-03-10 09:30:00 +05:30'), '1773115200');
    assert.equal(at('America/Los_Angeles', '2026-03-10T09:30:00+05', '%H:%M %Z'), '21:30 PDT');
  });
  it('the forms V8 reads still read the same, fractions without float rounding', () => {
    assert.equal(instant('2026-03-10T09:30:00Z'), '1773135000');
    assert.equal(instant('2026-03-10T09:30:00-0530'), '1773154800');
    assert.equal(at('UTC', '2026-03-10T09:30:00.57Z', '%L'), '570');
    assert.equal(at('UTC', '2026-03-10T09:30:00.999999-02:00', '%H:%M:%S.%L'), '11:30:00.999');
    assert.equal(at('UTC', '2026-03-10T24:00:00Z', '%F %T'), '2026-03-11 00:00:00', '24:00 is the next midnight');
  });
  it('24:00 is the next midnight, and nothing past it is a time (Ruby: "min/sec out of range", the input back)', () => {
    assert.equal(at('UTC', '2026-03-10T24:00', '%F %T'), '2026-03-11 00:00:00');
    assert.equal(at('UTC', '2026-12-31 24:00', '%F %T'), '2027-01-01 00:00:00', 'into the next year');
    assert.equal(at('UTC', '20260310T2400', '%F %T'), '2026-03-11 00:00:00', 'basic form');
    assert.equal(at('UTC', '2026-03-10T24:00:00.5Z', '%F %T.%L'), '2026-03-11 00:00:00.500', "a fraction at 24:00:00 Ruby takes");
    assert.equal(at('America/New_York', '2026-03-10T24:00:00+05', '%F %T %z'), '2026-03-10 15:00:00 -0400');
    // (With a non-zero offset Ruby moves the fields by it before checking them, so "24:30+05" passes there as
    // 19:30Z, as "25:00+05" does; that arithmetic is not followed: past 24:00 is no time, whatever the zone.)
    for (const text of ['2026-03-10T24:30', '2026-03-10T24:00:01', '2026-03-10T24:00:60Z', '2026-03-10T24:30+00:00', '2026-03-10T24:30 UTC', '20260310T2401', '20260310T240030Z', '2026-03-10T24:01:00.000']) {
      assert.equal(at('UTC', text, '%F %T'), text, text);
      assert.equal(at('America/New_York', text, '%F %T'), text, `${text} in a zone`);
    }
    assert.equal(at('UTC', '2026-03-10T09:30:00+24', '%F'), '2026-03-10T09:30:00+24', 'an offset out of range is no date');
  });
});

describe("Liquid dates: Ruby's colon forms of %z", () => {
  const offset = (timezone: string, format: string) => at(timezone, '2026-03-10T09:30:00Z', format);
  it('%::z is +hh:mm:ss and %:::z as precise as needed', () => {
    assert.equal(offset('America/New_York', '%::z'), '-04:00:00');
    assert.equal(offset('America/New_York', '%:::z'), '-04');
    assert.equal(offset('Asia/Kathmandu', '%::z|%:::z'), '+05:45:00|+05:45');
    assert.equal(offset('UTC', '%::z|%:::z'), '+00:00:00|+00');
    assert.equal(offset('America/St_Johns', '%::z|%:::z'), '-02:30:00|-02:30');
    assert.equal(at('America/New_York', '2026-01-10 09:30', '%::z'), '-05:00:00', 'the offset of the date');
    assert.equal(render('{{ "2026-03-10T09:30:00Z" | date: "%::z", 330 }}', {}, { now: NOW }), '-05:30:00', "the filter's own zone");
  });
  it("flags and widths as Ruby's strftime applies them; %z and %:z unchanged", () => {
    assert.equal(offset('America/New_York', '%_::z|%10::z|%_10::z|%-::z'), ' -4:00:00|-004:00:00|  -4:00:00|-04:00:00');
    assert.equal(offset('America/New_York', '%_z|%_10z|%10z|%10:z'), ' -400|      -400|-000000400|-000004:00');
    assert.equal(offset('Pacific/Kiritimati', '%_::z|%_z'), '+14:00:00|+1400');
    assert.equal(offset('America/New_York', '%z|%:z|%-z|%^:z'), '-0400|-04:00|-0400|-04:00');
    assert.equal(offset('America/New_York', '%::::z|%%::z|%::z%%'), '%::::z|%::z|-04:00:00%', 'as written, as Ruby prints them');
    assert.equal(render('{{ "x" | date: "%::z" }}', {}, { now: NOW }), 'x', 'not a date');
    const r = renderTemplate('{{ "now" | date: "%999999999::z" }}', {}, { now: NOW });
    assert.equal(r.ok, false, 'a huge width is charged before it is allocated');
  });
});

describe('Liquid dates: slashed dates (month first by default, unlike Ruby; --liquid-slash-dates day-first reads them as Ruby)', () => {
  it('mm/dd/yyyy is read month first, as US users write it (Ruby reads dd/mm/yyyy: 3 October)', () => {
    assert.equal(at('UTC', '03/10/2026', '%Y-%m-%d'), '2026-03-10');
  });
  it('mm/dd without a year is month first in both', () => {
    assert.equal(at('UTC', '3/10', '%Y-%m-%d'), '2026-03-10');
    assert.equal(at('America/New_York', '03/10 09:30', '%Y-%m-%d %H:%M'), '2026-03-10 09:30');
  });
});

describe('Liquid dates: a date beyond what a JS Date holds (±275,760 years) is no date, in any zone', () => {
  // An epoch in microseconds (a 16-digit number, some APIs' timestamps) is past Date's range once read as seconds.
  // The filter returns its input, as it does for any text that is no date, whatever the render's zone and format;
  // it used to fail the render (84003) outside UTC, and on a day or month name even in UTC.
  for (const timezone of ['UTC', 'America/New_York', 'Asia/Kathmandu']) {
    it(`in ${timezone}`, () => {
      for (const d of ['1773144000000000', '-1773144000000000', '99999999999999']) {
        assert.equal(at(timezone, d), d);
        assert.equal(at(timezone, d, '%A %B %G %::z'), d);
        assert.equal(render('{{ d | date_to_xmlschema }}|{{ d | date_to_string }}', { d }, { now: NOW, timezone, liquidExtras: true }), `${d}|${d}`);
      }
      assert.equal(render('{{ 1773144000000000 | date: "%F" }}', {}, { now: NOW, timezone }), '1773144000000000');
      // The last days Date holds, written without a zone: read in the zone when it can be, else no date.
      assert.equal(at(timezone, '275760-09-12', '%Y %A'), '275760 Friday');
      assert.equal(at(timezone, '275760-09-13 23:00', '%Y'), '275760-09-13 23:00');
      assert.equal(at(timezone, '+275760-09-14T00:00:00Z', '%Y'), '+275760-09-14T00:00:00Z');
    });
  }
});

describe("Liquid dates: %Z prints tzdata's abbreviation (Ruby's) in Europe too", () => {
  // Expected values are tzdata's (TZ=<zone> date -d @<s> +%Z), which Ruby's %Z prints.
  const winter = new Date('2026-01-15T12:00:00Z');
  const summer = new Date('2026-07-15T12:00:00Z');
  const abbreviation = (timezone: string, now: Date) => render('{{ "now" | date: "%Z" }}', {}, { now, timezone });
  it('names en-US does not abbreviate: BST, CET/CEST, EET/EEST, WET/WEST', () => {
    assert.equal(abbreviation('Europe/London', winter), 'GMT');
    assert.equal(abbreviation('Europe/London', summer), 'BST');
    assert.equal(abbreviation('Europe/Paris', winter), 'CET');
    assert.equal(abbreviation('Europe/Berlin', summer), 'CEST');
    assert.equal(abbreviation('Europe/Athens', summer), 'EEST');
    assert.equal(abbreviation('Europe/Lisbon', winter), 'WET');
    assert.equal(abbreviation('Africa/Cairo', winter), 'EET');
  });
  it('zones tzdata names by their offset keep it; American zones keep their names', () => {
    assert.equal(abbreviation('Asia/Dubai', summer), '+04'); // not "GST"
    assert.equal(abbreviation('Europe/Istanbul', summer), '+03');
    assert.equal(abbreviation('Asia/Kathmandu', summer), '+0545');
    assert.equal(abbreviation('America/Sao_Paulo', summer), '-03');
    assert.equal(abbreviation('America/Chicago', winter), 'CST');
    assert.equal(abbreviation('Pacific/Honolulu', summer), 'HST');
  });
});

describe("Liquid dates: %Z prints tzdata's abbreviation (Ruby's) beyond Europe and the Americas", () => {
  // Expected values are tzdata's (TZ=<zone> date -d @<s> +%Z), which Ruby's %Z prints.
  const winter = new Date('2026-01-15T12:00:00Z');
  const summer = new Date('2026-07-15T12:00:00Z');
  const abbreviation = (timezone: string, now: Date) => render('{{ "now" | date: "%Z" }}', {}, { now, timezone });
  it('names Intl gives in a local locale only: JST, IST, SAST, AEST/AEDT, NZST/NZDT, HKT, WIB', () => {
    assert.equal(abbreviation('Asia/Tokyo', winter), 'JST');
    assert.equal(abbreviation('Asia/Kolkata', summer), 'IST');
    assert.equal(abbreviation('Africa/Johannesburg', winter), 'SAST');
    assert.equal(abbreviation('Africa/Nairobi', winter), 'EAT');
    assert.equal(abbreviation('Africa/Lagos', winter), 'WAT');
    assert.equal(abbreviation('Australia/Sydney', winter), 'AEDT');
    assert.equal(abbreviation('Australia/Sydney', summer), 'AEST');
    assert.equal(abbreviation('Australia/Adelaide', summer), 'ACST');
    assert.equal(abbreviation('Australia/Perth', summer), 'AWST');
    assert.equal(abbreviation('Pacific/Auckland', winter), 'NZDT');
    assert.equal(abbreviation('Pacific/Auckland', summer), 'NZST');
    assert.equal(abbreviation('Asia/Hong_Kong', summer), 'HKT');
    assert.equal(abbreviation('Asia/Jakarta', summer), 'WIB');
    assert.equal(abbreviation('Europe/Dublin', summer), 'IST');
    assert.equal(abbreviation('America/St_Johns', winter), 'NST');
  });
  it('names no locale of Intl gives, from the table: KST, PKT, CST (China), IST/IDT (Israel), MSK', () => {
    assert.equal(abbreviation('Asia/Seoul', winter), 'KST');
    assert.equal(abbreviation('Asia/Karachi', winter), 'PKT');
    assert.equal(abbreviation('Asia/Shanghai', summer), 'CST');
    assert.equal(abbreviation('Asia/Jerusalem', winter), 'IST');
    assert.equal(abbreviation('Asia/Jerusalem', summer), 'IDT');
    assert.equal(abbreviation('Europe/Moscow', summer), 'MSK');
    assert.equal(abbreviation('Asia/Manila', summer), 'PST');
  });
  it('zones tzdata numbers keep their offset though a locale names them', () => {
    assert.equal(abbreviation('Asia/Colombo', summer), '+0530'); // en-IN: "IST"
    assert.equal(abbreviation('Asia/Singapore', summer), '+08'); // en-SG: "SGT"
    assert.equal(abbreviation('Australia/Eucla', summer), '+0845'); // en-AU: "ACWST"
    assert.equal(abbreviation('Australia/Lord_Howe', summer), '+1030'); // en-AU: "LHST"
    assert.equal(abbreviation('Asia/Dubai', summer), '+04');
  });
});
