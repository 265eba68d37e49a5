// One execution's alerts (/v1/Alerts?ResourceSid=, the console's execution page) are read off
// alerts_by_execution on both stores, not by walking the account's alerts on alerts_by_account
// (every newer alert of the account, and all of them for an execution without alerts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alertFilterSql } from '../../src/store/sql-statements.ts';
import { SKIP_REASON } from './postgres-support.ts';
import { postgresPlans, sqlitePlans, type PlannedQuery } from './query-plans.ts';

const ACCOUNT = 'AC' + '1'.repeat(32);
const EXECUTION = 'FN' + '2'.repeat(32);

/** The queries a page of one execution's alerts runs: the first page, and by cursor either way. */
function pageQueries(): PlannedQuery[] {
  const { where, params } = alertFilterSql(ACCOUNT, { executionSid: EXECUTION, logLevel: 'error' });
  return [
    { sql: `SELECT * FROM alerts WHERE ${where} ORDER BY seq DESC LIMIT ? OFFSET ?`, params: [...params, 51, 0] },
    { sql: `SELECT * FROM alerts WHERE ${where} AND seq < ? ORDER BY seq DESC LIMIT ?`, params: [...params, 100, 51] },
    { sql: `SELECT * FROM alerts WHERE ${where} AND seq > ? ORDER BY seq ASC LIMIT ?`, params: [...params, 100, 50] },
  ];
}

describe("one execution's alerts are read off alerts_by_execution", () => {
  it('SQLite', async () => {
    for (const plan of await sqlitePlans(pageQueries())) assert.match(plan, /USING INDEX alerts_by_execution \(account_sid=\? AND execution_sid=\?/, plan);
  });

  it('PostgreSQL', { skip: SKIP_REASON }, async () => {
    for (const plan of await postgresPlans(pageQueries())) assert.match(plan, /alerts_by_execution/, plan);
  });
});
