// A node started together with its database (containers brought up at once) finds PostgreSQL not listening yet.
// With --db-startup-wait it tries again until the database answers, saying each time why it waits; without it
// (the default) the first failure is final, as before. Refused credentials never wait: waiting cannot fix them.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { DATABASE_URL, SKIP_REASON, dropSchema, testSchemaName } from './postgres-support.ts';
import { freePort } from '../support/ports.ts';

/** From now on, `port` forwards to the database DATABASE_URL names: PostgreSQL "coming up" there. */
async function forward(port: number): Promise<Server> {
  const target = new URL(DATABASE_URL!);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined).on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  server.on('close', () => sockets.forEach((socket) => socket.destroy()));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

const throughPort = (port: number) => {
  const url = new URL(DATABASE_URL!);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.toString();
};

describe('PostgreSQL not reachable yet at start', { skip: SKIP_REASON }, () => {
  const schemas: string[] = [];
  after(async () => {
    for (const schema of schemas) await dropSchema(schema);
  });

  it('with a startup wait: tries again, says why, and opens once the database listens', async () => {
    const port = await freePort();
    const waits: string[] = [];
    const schema = testSchemaName();
    schemas.push(schema);
    const store = new PostgresStore({ connectionString: throughPort(port), schema, startupWaitMs: 20_000, onStartupWait: (reason) => waits.push(reason) });
    // PostgreSQL comes up a second after the node.
    const proxy = new Promise<Server>((resolve) => setTimeout(() => resolve(forward(port)), 1_000));
    try {
      await store.ready();
      await store.setSetting('started', 'yes');
      assert.equal(await store.getSetting('started'), 'yes');
      assert.ok(waits.length >= 1, 'it said it was waiting');
      assert.match(waits[0]!, /cannot connect to the database: ECONNREFUSED/);
    } finally {
      await store.close();
      const server = await proxy;
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('without one (the default): the first refused connection is final', async () => {
    const port = await freePort();
    const waits: string[] = [];
    const store = new PostgresStore({ connectionString: throughPort(port), schema: testSchemaName(), onStartupWait: (reason) => waits.push(reason) });
    try {
      await assert.rejects(store.ready(), /cannot use PostgreSQL at .*ECONNREFUSED/);
      assert.deepEqual(waits, []);
    } finally {
      await store.close();
    }
  });

  it('refused credentials do not wait, whatever the startup wait', async () => {
    const url = new URL(DATABASE_URL!);
    url.username = 'no_such_role_sb';
    const waits: string[] = [];
    const started = Date.now();
    const store = new PostgresStore({ connectionString: url.toString(), schema: testSchemaName(), startupWaitMs: 20_000, onStartupWait: (reason) => waits.push(reason) });
    try {
      await assert.rejects(store.ready(), /cannot use PostgreSQL/);
      assert.deepEqual(waits, []);
      assert.ok(Date.now() - started < 10_000, 'gave up without waiting out the 20 s');
    } finally {
      await store.close();
    }
  });
});
