// The ceiling of our own stack: a Fastify hello-world route, started fresh in every run.
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { announce, serveChild } from '../lib/child.ts';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
await app.listen({ port: 0, host: '127.0.0.1' });
announce({ port: (app.server.address() as AddressInfo).port });
serveChild({}, () => app.close());
