// Retention finds the ended executions past it on executions_ended_by_age (migration 10) on both
// stores: on any other index a batch would read every execution, the active and the young ones too.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PRUNE_EXECUTIONS } from '../../src/store/postgres/postgres-store.ts';
import { ENDED_BEFORE } from '../../src/store/sql-statements.ts';
import { SKIP_REASON } from './postgres-support.ts';
import { postgresPlans, sqlitePlans } from './query-plans.ts';

describe('ended executions past their retention are found on executions_ended_by_age', () => {
  it('SQLite', async () => {
    const [plan] = await sqlitePlans([{ sql: ENDED_BEFORE, params: [1, 1000] }]);
    // A range of the index in its own order: no sort, no table row read.
    assert.match(plan!, /^SEARCH executions USING COVERING INDEX executions_ended_by_age \(date_created<\?\)$/, plan);
  });

  it('PostgreSQL', { skip: SKIP_REASON }, async () => {
    const [plan] = await postgresPlans([{ sql: PRUNE_EXECUTIONS, params: [1, 1000] }]);
    assert.match(plan!, /Index Scan using executions_ended_by_age on executions .*\n\s*Index Cond: \(date_created < /, plan);
    assert.doesNotMatch(plan!, /->\s*Sort\b/, `read in index order, not sorted: ${plan}`);
    // The delete finds each picked row by its SID, not by reading the ended ones again.
    assert.match(plan!, /Index Cond: \(sid = picked\.sid\)/, plan);
  });
});
