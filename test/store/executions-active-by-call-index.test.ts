// A call webhook's execution (findActiveExecutionByCall: every new inbound call asks, and finds none;
// a status callback after the end asks too) is read off executions_active_by_call (migration 12) on
// both stores: one index probe, not a read of the flow's active executions or of the ended ones.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIVE_BY_CALL } from '../../src/store/sql-statements.ts';
import { SKIP_REASON } from './postgres-support.ts';
import { postgresPlans, sqlitePlans } from './query-plans.ts';

const PARAMS = ['FW' + '2'.repeat(32), 'CA' + '3'.repeat(32)];

describe("a call's active execution is read off executions_active_by_call", () => {
  it('SQLite', async () => {
    const [plan] = await sqlitePlans([{ sql: ACTIVE_BY_CALL, params: PARAMS }]);
    assert.match(plan!, /^SEARCH executions USING INDEX executions_active_by_call \(flow_sid=\? AND call_sid=\?\)$/, plan);
  });

  it('PostgreSQL', { skip: SKIP_REASON }, async () => {
    const [plan] = await postgresPlans([{ sql: ACTIVE_BY_CALL, params: PARAMS }]);
    assert.match(plan!, /Index Scan Backward using executions_active_by_call on executions/, plan);
    assert.match(plan!, /Index Cond: \(\(flow_sid = .*\) AND \(call_sid = .*\)\)/, plan);
    assert.doesNotMatch(plan!, /->\s*Sort\b/, `newest first in index order, not sorted: ${plan}`);
  });
});
