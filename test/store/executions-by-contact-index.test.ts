// A flow's executions by contact (?ContactAddress=, the console's Contact search) are read off
// executions_by_contact (migration 11) on both stores, in list order: on executions_by_flow a page
// read past every newer execution of the flow, and a contact without executions past all of them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { executionFilterSql } from '../../src/store/sql-statements.ts';
import { SKIP_REASON } from './postgres-support.ts';
import { postgresPlans, sqlitePlans, type PlannedQuery } from './query-plans.ts';

const ACCOUNT = 'AC' + '1'.repeat(32);
const FLOW = 'FW' + '2'.repeat(32);

/** The queries a page of one contact's executions runs (with the other filters too): the first page, and by cursor either way. */
function pageQueries(): PlannedQuery[] {
  const { where, params } = executionFilterSql(ACCOUNT, FLOW, { contactAddress: '+15550100', status: 'ended', dateCreatedFrom: 1, dateCreatedTo: 2 });
  return [
    { sql: `SELECT * FROM executions WHERE ${where} ORDER BY seq DESC LIMIT ? OFFSET ?`, params: [...params, 51, 0] },
    { sql: `SELECT * FROM executions WHERE ${where} AND seq < ? ORDER BY seq DESC LIMIT ?`, params: [...params, 100, 51] },
    { sql: `SELECT * FROM executions WHERE ${where} AND seq > ? ORDER BY seq ASC LIMIT ?`, params: [...params, 100, 50] },
  ];
}

describe("one contact's executions are read off executions_by_contact", () => {
  it('SQLite', async () => {
    for (const plan of await sqlitePlans(pageQueries())) {
      assert.match(plan, /USING INDEX executions_by_contact \(account_sid=\? AND flow_sid=\? AND contact_channel_address=\?/, plan);
      assert.doesNotMatch(plan, /TEMP B-TREE/, `read in list order, no sort: ${plan}`);
    }
  });

  it('PostgreSQL', { skip: SKIP_REASON }, async () => {
    for (const plan of await postgresPlans(pageQueries())) assert.match(plan, /executions_by_contact/, plan);
  });
});
