// The execution page's pure parts: which /v1/Alerts page to read for an execution and the reading of
// the ones that are its own (the API filters alerts by level and date, not by execution); the steps
// as a tree, a subflow's under the step that started it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alertsOf, alertsUrl } from '../../web/src/executions/alerts.ts';
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
  it('asks for alerts from the start of an execution, and up to a minute after an ended one ended', () => {
    const active = alertsUrl({ date_created: '2026-03-01T10:00:00Z', date_updated: null, status: 'active' });
    assert.equal(active, '/v1/Alerts?StartDate=2026-03-01T10%3A00%3A00Z&PageSize=200');
    const ended = new URL(alertsUrl({ date_created: '2026-03-01T10:00:00Z', date_updated: '2026-03-01T10:05:30Z', status: 'ended' }), 'http://x');
    assert.equal(ended.searchParams.get('StartDate'), '2026-03-01T10:00:00Z');
    assert.equal(ended.searchParams.get('EndDate'), '2026-03-01T10:06:30Z');
    // An ended execution without date_updated (stored before the server set it) is not cut short.
    assert.equal(new URL(alertsUrl({ date_created: '2026-03-01T10:00:00Z', date_updated: null, status: 'ended' }), 'http://x').searchParams.get('EndDate'), null);
  });

  it("keeps this execution's alerts, oldest first, with the message and widget out of alert_text", () => {
    const mine = 'FN11111111111111111111111111111111';
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
