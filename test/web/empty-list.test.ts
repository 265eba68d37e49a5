// The executions list's empty state: "no executions, here is how to run the flow" only for the
// unfiltered first page; filters that leave nothing say that none match, a range that ends before it
// starts says so (it said "No executions match"), and so does a page past the last.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { emptyExecutions } from '../../web/src/executions/empty-list.ts';

const NONE = { status: '', from: '', to: '', contact: '' };

describe('executions list: why it is empty', () => {
  it('says the flow has none when nothing filters the first page', () => {
    assert.equal(emptyExecutions(NONE, 0), 'none');
  });

  it('says none match under any filter', () => {
    assert.equal(emptyExecutions({ ...NONE, status: 'ended' }, 0), 'none-match');
    assert.equal(emptyExecutions({ ...NONE, from: '2026-01-01T00:00' }, 0), 'none-match');
    assert.equal(emptyExecutions({ ...NONE, to: '2026-01-01T00:00' }, 0), 'none-match');
    assert.equal(emptyExecutions({ ...NONE, contact: '+15551230001' }, 0), 'none-match');
  });

  it('counts a contact of spaces as no filter, as the query does', () => {
    assert.equal(emptyExecutions({ ...NONE, contact: '   ' }, 0), 'none');
  });

  it('says an unfiltered empty later page is past the end, a filtered one that none match', () => {
    assert.equal(emptyExecutions(NONE, 2), 'past-end');
    assert.equal(emptyExecutions({ ...NONE, status: 'ended' }, 2), 'none-match');
  });

  it('says a date range that ends before it starts is backwards', () => {
    assert.equal(emptyExecutions({ ...NONE, from: '2026-12-01T10:00', to: '2026-11-01T10:00' }, 0), 'backwards');
    assert.equal(emptyExecutions({ ...NONE, from: '2026-11-01T10:00', to: '2026-12-01T10:00' }, 0), 'none-match');
    assert.equal(emptyExecutions({ ...NONE, from: '2026-11-01T10:00', to: '2026-11-01T10:00' }, 0), 'none-match');
  });
});
