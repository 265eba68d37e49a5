// The engine's Liquid dates do not depend on the host's time zone (TZ): the same templates rendered in child
// processes under different TZs print the same text, also when the instant or the shown wall clock is within
// hours of a change of the HOST's offset (liquidjs formatted through the local clock, so New York's own DST
// changes shifted UTC, Paris and Honolulu times by an hour). Nothing here relies on src/cli/main.ts pinning TZ.
// Then two outputs of the engine's own strftime (src/engine/liquid/strftime.ts) that differ from liquidjs'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const LIQUID = new URL('../../src/engine/liquid.ts', import.meta.url).href;
const HOSTS = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Europe/Paris', 'Australia/Lord_Howe'];

interface Case {
  template: string;
  context: Record<string, unknown>;
  now: string;
  timezone: string;
}

/** Instants around the hosts' own changes of offset in 2026 (New York, Paris, Lord Howe), either side of them. */
const CHANGES = ['2026-03-08T07:00:00Z', '2026-11-01T06:00:00Z', '2026-03-29T01:00:00Z', '2026-10-25T01:00:00Z', '2026-10-03T15:30:00Z'];
const SHIFTS_MIN = [-600, -330, -90, -30, 30, 90, 330, 600];
const ZONES = ['UTC', 'Europe/Paris', 'Pacific/Honolulu', 'Asia/Tokyo', 'America/New_York', 'Australia/Lord_Howe'];

/** The UTC fields of an instant as zone-less text, "2026-03-08 02:30:00". */
const zoneless = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

function cases(): Case[] {
  const out: Case[] = [];
  for (const change of CHANGES) {
    for (const shift of SHIFTS_MIN) {
      const ms = Date.parse(change) + shift * 60_000;
      const iso = new Date(ms).toISOString();
      const unix = Math.floor(ms / 1000);
      for (const timezone of ZONES) {
        const add = (template: string, context: Record<string, unknown> = {}) => out.push({ template, context, now: iso, timezone });
        add('{{ "now" | date: "%Y-%m-%d %H:%M %Z" }}|{{ "today" | date: "%F %T %z %:z %::z %:::z" }}');
        add('{{ d | date: "%Y-%m-%d %H:%M:%S %Z %z" }}', { d: zoneless(ms) }); // a wall time in the flow's zone
        add('{{ d | date: "%Y-%m-%d %H:%M:%S %Z" }}', { d: new Date(ms).toUTCString().replace(' GMT', '') }); // "Sun, 08 Mar 2026 02:30:00"
        add(`{{ ${unix} | date: "%a %A %b %B %d %e %H %I %j %k %l %m %M %p %P %S %u %U %w %W %y %Y %C %s %L %N %q" }}`);
        add('{{ d | date: "%c|%x|%X|%D|%r|%v|%+|%G-%V" }}', { d: String(unix) });
        add(`{{ "${iso}" | date: "%H:%M %Z %z" }}|{{ "${iso}" | date: "%H:%M %Z", "Asia/Kolkata" }}|{{ "${iso}" | date: "%H:%M %z %Z", -330 }}`);
        add('{{ d | date_to_xmlschema }}|{{ d | date_to_rfc822 }}|{{ d | date_to_string }}|{{ d | date_to_long_string }}', { d: iso });
        add('{{ d | date_to_string: "ordinal" }}|{{ d | date_to_long_string: "ordinal", "US" }}|{{ d | date }}', { d: unix });
        add('{{ "2:30 PM" | date: "%F %H:%M %z" }}|{{ "Mar 8" | date: "%F %z" }}|{{ "17:00 UTC" | date: "%F %H:%M %Z" }}');
      }
    }
  }
  return out;
}

const CHILD = `
  import { renderTemplate } from ${JSON.stringify(LIQUID)};
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const out = JSON.parse(input).map((c) => {
    // Jekyll's date_to_* filters are liquidjs extras (Studio's Liquid lacks them): kept, so they are compared too.
    const r = renderTemplate(c.template, c.context, { now: new Date(c.now), timezone: c.timezone, liquidExtras: true });
    return r.ok ? r.value : 'ERROR ' + r.error.message;
  });
  process.stdout.write(JSON.stringify(out));`;

function renderUnder(TZ: string, all: Case[]): string[] {
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD], {
    input: JSON.stringify(all),
    env: { ...process.env, TZ },
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(run.status, 0, `TZ=${TZ}: ${run.stderr}`);
  return JSON.parse(run.stdout) as string[];
}

/** `ms` in `timezone` as "YYYY-MM-DD HH:MM", from Intl (which takes the zone it is given, never the host's). */
function wallClock(ms: number, timezone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(ms)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

test('Liquid date filters print the same text under any host TZ, around the host\'s own changes of offset', () => {
  const all = cases();
  const byHost = new Map(HOSTS.map((TZ) => [TZ, renderUnder(TZ, all)]));
  const reference = byHost.get('UTC')!;
  assert.equal(reference.length, all.length);
  for (const [TZ, out] of byHost) {
    const differing = all.flatMap((c, i) => (out[i] === reference[i] ? [] : [`${c.timezone} now=${c.now} ${c.template} ${JSON.stringify(c.context)}: ${out[i]} vs ${reference[i]} (TZ=UTC)`]));
    assert.deepEqual(differing.slice(0, 5), [], `TZ=${TZ}: ${differing.length} of ${all.length} renders differ from TZ=UTC`);
  }
  // And that shared text is the flow zone's wall clock (checked against Intl) with no error.
  all.forEach((c, i) => {
    assert.doesNotMatch(reference[i]!, /ERROR/, c.template);
    if (c.template.startsWith('{{ "now"')) assert.equal(reference[i]!.slice(0, 16), wallClock(Date.parse(c.now), c.timezone), `${c.timezone} ${c.now}`);
  });
});

test('the reviewer\'s cases: "now", a zone-less time, a timestamp and a Paris time near New York\'s spring change', () => {
  const now = '2026-03-08T02:30:00Z';
  const all: Case[] = [
    { template: '{{ "now" | date: "%H:%M %Z" }}', context: {}, now, timezone: 'UTC' },
    { template: '{{ "2026-03-08 02:30" | date: "%H:%M" }}', context: {}, now, timezone: 'UTC' },
    { template: '{{ 1772937000 | date: "%H:%M" }}', context: {}, now, timezone: 'UTC' },
    { template: '{{ "2026-03-08T01:30:00Z" | date: "%H:%M %z" }}', context: {}, now, timezone: 'Europe/Paris' },
  ];
  const expected = [`${wallClock(Date.parse(now), 'UTC').slice(11)} UTC`, '02:30', wallClock(1772937000_000, 'UTC').slice(11), `${wallClock(Date.parse('2026-03-08T01:30:00Z'), 'Europe/Paris').slice(11)} +0100`];
  for (const TZ of ['America/New_York', 'Asia/Kolkata', 'UTC']) assert.deepEqual(renderUnder(TZ, all), expected, `TZ=${TZ}`);
});

test('what the engine prints where liquidjs printed nonsense: %z of a local mean time, a nil zone argument', async () => {
  const { renderTemplate } = await import('../../src/engine/liquid.ts');
  const render = (template: string, timezone: string) => {
    const r = renderTemplate(template, {}, { now: new Date('2026-03-10T12:00:00Z'), timezone, liquidExtras: true });
    assert.equal(r.ok, true, JSON.stringify(r));
    return (r as { value: string }).value;
  };
  // New York kept local mean time (-4:56:02) until 1883: Ruby's %z prints the whole minutes, -0456.
  assert.equal(render('{{ "1850-01-01T00:00:00Z" | date: "%z|%:z" }}|{{ "1850-01-01T00:00:00Z" | date_to_xmlschema }}', 'America/New_York'), '-0456|-04:56|1849-12-31T19:03:58-04:56');
  // `nil` (liquidjs passed its NullDrop on as the zone, printing UTC) is the render's zone, as an unset variable is.
  const nilZone = render('{{ "2026-07-04T12:00:00Z" | date: "%H:%M %Z %z", nil }}', 'America/New_York');
  assert.equal(nilZone, render('{{ "2026-07-04T12:00:00Z" | date: "%H:%M %Z %z", unset }}', 'America/New_York'));
  assert.equal(nilZone, render('{{ "2026-07-04T12:00:00Z" | date: "%H:%M %Z %z" }}', 'America/New_York'));
});
