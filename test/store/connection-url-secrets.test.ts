// A PostgreSQL URL may carry its password in the query (libpq's ?password=, ?sslpassword=) as well as
// in user:password@. Neither reaches the start error nor `switchboard config`: both are masked there,
// like ?sslkey= (the client's private key), and the rest of the URL is shown as given.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { maskUrlSecrets } from '../../src/lib/url-secrets.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { effectiveConfigRows } from '../../src/cli/config.ts';

describe('connection URLs: secrets in the query are masked', () => {
  it('masks password, sslpassword, any *password* and sslkey parameters; keeps the others as written', () => {
    assert.equal(maskUrlSecrets('postgres://u@127.0.0.1:5432/x?password=hunter2'), 'postgres://u@127.0.0.1:5432/x?password=********');
    assert.equal(
      maskUrlSecrets('postgres://u:pw@db/x?sslmode=require&sslpassword=a%20b&SSLKEY=/k.pem&application_name=a+b&pass%77ord=z'),
      'postgres://u:********@db/x?sslmode=require&sslpassword=********&SSLKEY=********&application_name=a+b&pass%77ord=********',
    );
    assert.equal(maskUrlSecrets('postgres://db/x?sslmode=disable'), 'postgres://db/x?sslmode=disable');
    assert.equal(maskUrlSecrets('not a url'), null);
  });

  it("serve's start error (cannot use PostgreSQL at …) does not print a password given in the query", async () => {
    // Nothing listens on port 1: the first use fails and names the database.
    const store = new PostgresStore({ connectionString: 'postgres://u@127.0.0.1:1/x?password=hunter2&sslpassword=s3cret', connectTimeoutMs: 2000 });
    try {
      await assert.rejects(store.getSetting('x'), (error: Error) => {
        assert.match(error.message, /cannot use PostgreSQL at postgres:\/\/u@127\.0\.0\.1:1\/x\?password=\*{8}&sslpassword=\*{8} /);
        assert.doesNotMatch(error.message, /hunter2|s3cret/);
        return true;
      });
    } finally {
      await store.close();
    }
  });

  it('switchboard config masks them too', () => {
    const { rows } = effectiveConfigRows({}, { DATABASE_URL: 'postgres://u@db/x?password=hunter2' });
    assert.equal(rows.find((r) => r.key === 'databaseUrl')?.value, 'postgres://u@db/x?password=********');
  });
});
