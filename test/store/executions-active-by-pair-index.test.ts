// A contact pair's active executions (listActiveExecutionsOfPair: an inbound call looking for the
// caller's ongoing call, a call webhook looking for its CallSid among a caller's concurrent calls; their
// SIDs alone, listActiveExecutionSidsOfPair: every inbound message) are read off
// executions_active_by_pair on both stores (so are the pair's active call SIDs a call to a flow with
// allow_concurrent_calls off checks in its write), newest first in index order: not by reading the flow's
// executions, nor the pair's ended ones.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIVE_CALL_SIDS_OF_PAIR, ACTIVE_OF_PAIR, ACTIVE_SIDS_OF_PAIR } from '../../src/store/sql-statements.ts';
import { SKIP_REASON } from './postgres-support.ts';
import { postgresPlans, sqlitePlans } from './query-plans.ts';

const PARAMS = ['FW' + '2'.repeat(32), '+15550100', '+15005550006', 100];

describe("a contact pair's active executions are read off executions_active_by_pair", () => {
  it('SQLite', async () => {
    for (const plan of await sqlitePlans([ACTIVE_OF_PAIR, ACTIVE_SIDS_OF_PAIR, ACTIVE_CALL_SIDS_OF_PAIR].map((sql) => ({ sql, params: PARAMS })))) {
      assert.match(plan, /USING INDEX executions_active_by_pair \(flow_sid=\? AND contact_channel_address=\? AND channel_address=\?\)/, plan);
      assert.doesNotMatch(plan, /TEMP B-TREE/, `newest first in index order, no sort: ${plan}`);
    }
  });

  it('PostgreSQL', { skip: SKIP_REASON }, async () => {
    for (const plan of await postgresPlans([ACTIVE_OF_PAIR, ACTIVE_SIDS_OF_PAIR, ACTIVE_CALL_SIDS_OF_PAIR].map((sql) => ({ sql, params: PARAMS })))) {
      assert.match(plan, /Index Scan Backward using executions_active_by_pair on executions/, plan);
      assert.doesNotMatch(plan, /->\s*Sort\b/, `newest first in index order, not sorted: ${plan}`);
    }
  });
});
