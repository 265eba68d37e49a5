// The execution page's pure parts: which /v1/Alerts pages to read for an execution (ResourceSid, a
// bounded number of pages, a re-read of the recent ones only) and the merging and reading of them;
// the steps as a tree, a subflow's under the step that started it; which steps failed; which steps say
// their date.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alertsOf, alertsUrl, mergeAlerts, readAlerts, rereadSince, type AlertPage, type ExecutionAlert } from '../../web/src/executions/alerts.ts';
import { failureText, stepFailures } from '../../web/src/executions/step-failure.ts';
import { formatTime, showsDay } from '../../web/src/ui/dates.ts';
import type { Alert } from '../../web/src/api/types.ts';
import { ownSteps, stepTree, type StepNode, type TreeStep } from '../../web/src/executions/step-tree.ts';

function alert(sid: string, resource: string, level: Alert['log_level'], code: string, text: string, date: string): Alert {
  return {
    sid,
    account_sid: 'AC00000000000000000000000000000000',
    alert_text: text,
    error_code: code,
    log_level: level,
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    resource_sid: resource,
    service_sid: 'FW00000000000000000000000000000000',
    date_created: date,
  };
}

describe('execution alerts', () => {
  const mine = 'FN11111111111111111111111111111111';

  it("asks for this execution's alerts only (ResourceSid), and for a re-read from shortly before the newest known", () => {
    const first = new URL(alertsUrl(mine), 'http://x');
    assert.equal(first.pathname, '/v1/Alerts');
    assert.equal(first.searchParams.get('ResourceSid'), mine);
    assert.equal(first.searchParams.get('StartDate'), null);
    assert.equal(first.searchParams.get('PageSize'), '200');
    assert.equal(rereadSince(null), null);
    assert.equal(rereadSince({ alerts: [], truncated: false }), null, 'none known: read them all');
    const known = mergeAlerts(null, { alerts: [alert('NO1', mine, 'error', '81010', 'Msg=x', '2026-03-01T10:05:30Z'), alert('NO0', mine, 'error', '81010', 'Msg=x', '2026-03-01T10:00:00Z')], complete: true }, mine);
    const since = rereadSince(known);
    assert.equal(since, '2026-03-01T10:04:30Z');
    assert.equal(new URL(alertsUrl(mine, since), 'http://x').searchParams.get('StartDate'), '2026-03-01T10:04:30Z');
  });

  it('reads pages by next_page_url up to a bound, and says when older ones were left', async () => {
    const urls: string[] = [];
    const pages = (count: number, size: number) => async (url: string): Promise<AlertPage> => {
      urls.push(url);
      const n = urls.length;
      const alerts = Array.from({ length: size }, (_, i) => alert(`NO${n}_${i}`, mine, 'warning', '81002', 'Msg=x', '2026-03-01T10:00:00Z'));
      return { alerts, meta: { next_page_url: n < count ? `${url.split('&Page')[0]}&Page=${n}` : null } };
    };
    const all = await readAlerts(pages(3, 200), alertsUrl(mine), 1000);
    assert.equal(all.alerts.length, 600);
    assert.equal(all.complete, true);
    assert.equal(urls.length, 3);
    assert.ok(urls.every((url) => new URL(url, 'http://x').searchParams.get('ResourceSid') === mine));
    urls.length = 0;
    const bounded = await readAlerts(pages(100, 200), alertsUrl(mine), 1000);
    assert.equal(urls.length, 5, 'stops at the bound');
    assert.equal(bounded.alerts.length, 1000);
    assert.equal(bounded.complete, false);
    assert.equal(mergeAlerts(null, bounded, mine).truncated, true);
  });

  it('merges a re-read into what is known: each alert once, oldest first, the newest within the bound', () => {
    const a = (sid: string, second: number) => alert(sid, mine, 'warning', '81002', 'Msg=x', `2026-03-01T10:00:${String(second).padStart(2, '0')}Z`);
    const known = mergeAlerts(null, { alerts: [a('NO2', 2), a('NO1', 1)], complete: true }, mine);
    const merged = mergeAlerts(known, { alerts: [a('NO3', 3), a('NO2', 2)], complete: true }, mine);
    assert.deepEqual(merged.alerts.map((x) => x.sid), ['NO1', 'NO2', 'NO3']);
    assert.equal(merged.truncated, false);
    const capped = mergeAlerts(merged, { alerts: [a('NO4', 4)], complete: true }, mine, 3);
    assert.deepEqual(capped.alerts.map((x) => x.sid), ['NO2', 'NO3', 'NO4']);
    assert.equal(capped.truncated, true);
  });

  it('lists the alerts of one second in the order they were raised (the API lists them newest first), not by SID', () => {
    const a = (sid: string, second: number) => alert(sid, mine, 'warning', '81002', `Msg=${sid}`, `2026-03-01T10:00:${String(second).padStart(2, '0')}Z`);
    // Raised in the order NOf, NO0, NO8 (the same second), then NO1: SIDs are random, and ordered them NO0, NO8, NOf.
    const first = mergeAlerts(null, { alerts: [a('NO8', 1), a('NO0', 1), a('NOf', 1)], complete: true }, mine);
    assert.deepEqual(first.alerts.map((x) => x.sid), ['NOf', 'NO0', 'NO8']);
    // A re-read brings the newest known again with a later one of the same second.
    const again = mergeAlerts(first, { alerts: [a('NO1', 1), a('NO8', 1), a('NO0', 1), a('NOf', 1)], complete: true }, mine);
    assert.deepEqual(again.alerts.map((x) => x.sid), ['NOf', 'NO0', 'NO8', 'NO1']);
  });

  it("keeps this execution's alerts, oldest first, with the message and widget out of alert_text", () => {
    const text = (msg: string, code: string, widget?: string) =>
      new URLSearchParams({ Msg: msg, ErrorCode: code, LogLevel: 'WARN', ...(widget ? { widget } : {}), executionSid: mine }).toString();
    const alerts = [
      alert('NO3', mine, 'warning', '81001', text("Widget 'again' ran more than 10 times in a row", '81001', 'again'), '2026-03-01T10:00:02Z'),
      alert('NO2', 'FN22222222222222222222222222222222', 'error', '81010', text('other', '81010'), '2026-03-01T10:00:01Z'),
      alert('NO1', mine, 'error', '81010', text('Function failed', '81010'), '2026-03-01T10:00:01Z'),
      alert('NO4', mine, 'error', '82002', 'not form encoded at all', '2026-03-01T10:00:03Z'),
    ];
    assert.deepEqual(
      alertsOf(alerts, mine).map((a) => [a.sid, a.level, a.code, a.message, a.widget]),
      [
        ['NO1', 'error', '81010', 'Function failed', null],
        ['NO3', 'warning', '81001', "Widget 'again' ran more than 10 times in a row", 'again'],
        ['NO4', 'error', '82002', 'not form encoded at all', null],
      ],
    );
  });
});

describe('execution steps as a tree', () => {
  const step = (sid: string, to: string, parent: string | null = null): TreeStep => ({ sid, transitioned_to: to, parent_step_sid: parent });
  const shape = (nodes: StepNode<TreeStep>[]): unknown[] => nodes.map((n) => (n.subflow.length ? [n.number, n.step.sid, shape(n.subflow)] : [n.number, n.step.sid]));

  it("puts a subflow's steps under the step that entered its Run Subflow widget, nested subflows under theirs", () => {
    const steps = [
      step('FT1', 'sub'),
      step('FT2', 'say', 'FT1'),
      step('FT3', 'inner', 'FT1'),
      step('FT4', 'x', 'FT3'),
      step('FT5', 'Ended', 'FT1'),
      step('FT6', 'done'),
      step('FT7', 'Ended'),
    ];
    assert.deepEqual(shape(stepTree(steps)), [
      [1, 'FT1', [[2, 'FT2'], [3, 'FT3', [[4, 'FT4']]], [5, 'FT5']]],
      [6, 'FT6'],
      [7, 'FT7'],
    ]);
    assert.deepEqual(ownSteps(steps).map((s) => s.sid), ['FT1', 'FT6', 'FT7']);
  });

  it('keeps a step whose parent it has not got at the top', () => {
    assert.deepEqual(shape(stepTree([step('FT9', 'a', 'FT0'), step('FT10', 'b')])), [[1, 'FT9'], [2, 'FT10']]);
  });
});

describe('failed steps', () => {
  const step = (sid: string, from: string, name: string, second: number) => ({
    sid,
    name,
    transitioned_from: from,
    date_created: `2026-03-01T10:00:${String(second).padStart(2, '0')}Z`,
  });
  const alertOn = (sid: string, widget: string | null, level: 'error' | 'warning', code: string, second: number): ExecutionAlert => ({
    sid,
    level,
    code,
    message: `${code} happened`,
    widget,
    moreInfo: `https://www.twilio.com/docs/errors/${code}`,
    date: `2026-03-01T10:00:${String(second).padStart(2, '0')}Z`,
  });

  it('marks a step left by a failure event, and not one left by success, a timeout or a reply', () => {
    const steps = [
      step('FT1', 'Trigger', 'incomingMessage', 1),
      step('FT2', 'ask', 'timeout', 2),
      step('FT3', 'send', 'failed', 3),
      step('FT4', 'price', 'fail', 4),
      step('FT5', 'call', 'callFailure', 5),
      step('FT6', 'http', 'success', 6),
    ];
    const failures = stepFailures(steps, []);
    assert.deepEqual([...failures.keys()].sort(), ['FT3', 'FT4', 'FT5']);
    assert.deepEqual(failures.get('FT4'), { byEvent: true, alerts: [] });
    assert.equal(failureText(failures.get('FT4')!), null);
  });

  it("marks the step an error alert names the widget of, the one nearest in time when the widget ran more than once; warnings and alerts of no widget do not", () => {
    const steps = [step('FT1', 'price', 'success', 1), step('FT2', 'loop', 'next', 2), step('FT3', 'price', 'fail', 9), step('FT4', 'ask', 'timeout', 20)];
    const alerts = [
      alertOn('NO1', 'price', 'error', '81010', 9),
      alertOn('NO2', 'ask', 'error', '81010', 20),
      alertOn('NO3', 'loop', 'warning', '81002', 2),
      alertOn('NO4', null, 'error', '82002', 1),
      alertOn('NO5', 'nowhere', 'error', '81010', 1),
    ];
    const failures = stepFailures(steps, alerts);
    assert.deepEqual([...failures.keys()].sort(), ['FT3', 'FT4']);
    assert.deepEqual(failures.get('FT3'), { byEvent: true, alerts: [{ code: '81010', message: '81010 happened' }] });
    // A timeout is no failure by itself; with an error alert on it, it is.
    assert.deepEqual(failures.get('FT4'), { byEvent: false, alerts: [{ code: '81010', message: '81010 happened' }] });
    assert.equal(failureText(failures.get('FT3')!), 'error 81010');
  });
});

describe('step dates', () => {
  const utcDay = (value: string) => value.slice(0, 10);

  it('shows the day on the first step and on each step on another day than the one before, the time alone on the rest', () => {
    const dates = ['2026-03-01T23:59:58Z', '2026-03-01T23:59:59Z', '2026-03-02T00:00:01Z', '2026-03-02T08:00:00Z', '2026-03-05T08:00:00Z'];
    assert.deepEqual(showsDay(dates, utcDay), [true, false, true, false, true]);
    assert.deepEqual(showsDay([], utcDay), []);
  });

  it("tells days apart by the browser's local calendar by default, and gives the time without the date", () => {
    const noon = new Date(2026, 2, 1, 12, 0, 0).toISOString();
    const later = new Date(2026, 2, 1, 12, 0, 5).toISOString();
    const nextDay = new Date(2026, 2, 2, 0, 0, 1).toISOString();
    assert.deepEqual(showsDay([noon, later, nextDay]), [true, false, true]);
    assert.equal(formatTime(later), new Date(later).toLocaleTimeString());
    assert.ok(!formatTime(later).includes('2026'));
  });
});
