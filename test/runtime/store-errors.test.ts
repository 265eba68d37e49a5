// The store-error classifier: which PostgreSQL failures are an outage of the database (503 to API
// clients, an effect tried again later) rather than a fault of the request or the effect. Operators'
// work on the database (a standby promoted, a restore that drops the database, a rotated password)
// fails every request alike until it is done, then the node recovers without a restart.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { databaseUnavailableReason, isTransientStoreError } from '../../src/runtime/ports/store-errors.ts';
import { toApiError } from '../../src/api/wire/error-mapping.ts';

const coded = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('databaseUnavailableReason', () => {
  const outages: [string, Error, RegExp][] = [
    ['55000 in recovery', coded('recovery is in progress', '55000'), /recovery/],
    ['55000 closed to connections', coded('database "switchboard" is not currently accepting connections', '55000'), /not accepting connections/],
    ['3D000 database dropped during a restore', coded('database "switchboard" does not exist', '3D000'), /does not exist/],
    ['57P04 database dropped under the connection', coded('terminating connection because database was dropped', '57P04'), /does not exist/],
    ['28000 invalid authorization', coded('no pg_hba.conf entry for host', '28000'), /credentials/],
    ['28P01 password rotated', coded('password authentication failed for user "switchboard"', '28P01'), /credentials/],
    ['57P05 idle session timeout', coded('terminating connection due to idle-session timeout', '57P05'), /connection was lost/],
  ];
  for (const [what, error, reason] of outages) {
    it(`${what}: an outage, retried, answered 503`, () => {
      assert.match(databaseUnavailableReason(error) ?? 'not classified', reason);
      assert.equal(isTransientStoreError(error), true);
      const api = toApiError(error, 1024);
      assert.equal(api.status, 503);
      assert.equal(api.code, 20503);
      // The reason is ours: the database's own message (names, users, hosts) does not reach the client.
      assert.doesNotMatch(api.message, /switchboard|pg_hba|"/);
    });
  }

  it('errors of the request or of the code stay unclassified', () => {
    for (const code of ['23505', '42601', '22021', '40001', '42P01']) {
      const error = coded('some failure', code);
      assert.equal(databaseUnavailableReason(error), null, code);
      assert.equal(isTransientStoreError(error), false, code);
    }
  });
});
