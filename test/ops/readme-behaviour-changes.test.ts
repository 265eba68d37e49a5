// The README and the flow-test schema say what the code does after these changes: a PostgreSQL database
// without Switchboard's tables (recreated empty, or its schema dropped) answers 503 and is no outage that
// the effect runner waits out; the simulator's plain messages have no outbox row; the console's test-user
// checkbox matches a number across phone channels; a flow test's mocked request is under the outbound policy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { databaseSchemaMissing, isTransientStoreError } from '../../src/runtime/ports/store-errors.ts';
import { isTestUser } from '../../src/lib/phone-format.ts';
import { SimulatorChannel } from '../../src/channels/simulator/simulator-channel.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');

function pgError(code: string): Error {
  return Object.assign(new Error('relation "executions" does not exist'), { code });
}

test('the README names the SQLSTATEs that answer "no Switchboard schema" (a dropped schema too)', () => {
  for (const code of ['42P01', '3F000']) {
    assert.ok(databaseSchemaMissing(pgError(code)), code);
    assert.match(readme, new RegExp(`its tables missing, SQLSTATE [^)]*${code}`), `README's Health names ${code}`);
  }
});

test('the README says a write that finds no Switchboard tables is given up, not retried without end', () => {
  assert.equal(isTransientStoreError(pgError('42P01')), false);
  assert.match(readme, /or one that finds no Switchboard tables \(a database recreated empty, see Health\), is given up after 5 tries/);
});

test("the README's guarantees say the simulator's plain messages have no outbox row", () => {
  assert.equal(typeof SimulatorChannel.prototype.sendInline, 'function');
  assert.match(readme, /The simulator's plain messages have no outbox row: the simulator completes them in memory and their results are written with the sprint that sends them/);
});

test("the README says the console's test-user checkbox matches a number on another phone channel", () => {
  assert.ok(isTestUser(['+15551234567'], 'whatsapp:+15551234567'));
  assert.match(readme, /it is ticked too when the same number on another phone channel is a test user/);
});

test("the flow-test schema says a mock's URL is under the server's outbound policy", () => {
  const schema = JSON.parse(readFileSync(new URL('../../schemas/flow-test.schema.json', import.meta.url), 'utf8')) as {
    definitions: { httpMock: { properties: { url: { description: string } } } };
  };
  assert.match(schema.definitions.httpMock.properties.url.description, /outbound policy refuses .* fails the widget as on the server, whatever the mock says/);
});
