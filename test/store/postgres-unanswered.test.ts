// A database that stops answering without closing anything (a network partition, a frozen VM): the
// statement timeout is enforced by the server, whose cancellation never arrives, so a query on a pooled
// connection waited as long as TCP kept the connection open (many minutes), and with it the HTTP request
// (seen with a proxy that stops forwarding: a REST create still waiting after 60 s). pg's read timeout,
// a little past the statement timeout, now fails it as an outage (a 503), and the store works again
// once the database answers.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { databaseUnavailableReason } from '../../src/runtime/ports/store-errors.ts';
import { toApiError } from '../../src/api/wire/error-mapping.ts';
import { DATABASE_URL, SKIP_REASON, dropSchema, testSchemaName } from './postgres-support.ts';

/** A TCP proxy to the test database that can stop forwarding (bytes held, connections left open). */
async function freezableProxy(target: URL): Promise<{ url: string; freeze: () => void; thaw: () => void; close: () => Promise<void> }> {
  let frozen = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => (client.destroy(), upstream.destroy()));
    }
    client.on('data', (chunk) => void (frozen || upstream.write(chunk)));
    upstream.on('data', (chunk) => void (frozen || client.write(chunk)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as AddressInfo).port);
  return {
    url: url.toString(),
    freeze: () => void (frozen = true),
    thaw: () => void (frozen = false),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('PostgreSQL that stops answering', { skip: SKIP_REASON }, () => {
  it('a query on an open connection fails as an outage a little after the statement timeout, and the store recovers', async () => {
    const proxy = await freezableProxy(new URL(DATABASE_URL!));
    const store = new PostgresStore({ connectionString: proxy.url, schema: testSchemaName(), poolSize: 2, statementTimeoutMs: 300, connectTimeoutMs: 1_000 });
    after(async () => {
      // The link first: a query still waiting on it (without the read timeout) then fails, and close() returns.
      await proxy.close();
      await store.close().catch(() => undefined);
      await dropSchema(store.schema);
    });
    await store.ready();
    await store.setSetting('k', 'v');
    assert.equal(await store.getSetting('k'), 'v');

    proxy.freeze();
    const started = Date.now();
    const outcome = await Promise.race([
      store.getSetting('k').then(
        () => ({ answered: true as const }),
        (error: unknown) => ({ error }),
      ),
      new Promise<{ hung: true }>((resolve) => setTimeout(() => resolve({ hung: true }), 10_000).unref()),
    ]);
    assert.ok('error' in outcome, `the query ${'hung' in outcome ? 'was still waiting after 10 s' : 'was answered through a frozen link'}`);
    assert.ok(Date.now() - started < 5_000, `failed after ${Date.now() - started} ms`);
    assert.match(databaseUnavailableReason(outcome.error) ?? 'not an outage', /did not answer in time/);
    assert.equal(toApiError(outcome.error, 1024).status, 503);

    proxy.thaw();
    assert.equal(await store.getSetting('k'), 'v');
  });
});
