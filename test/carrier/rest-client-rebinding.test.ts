// The Twilio REST client under an outbound policy decides on the address each connection really
// uses, not only on the guard's earlier lookup: an ApiBaseUrl whose name resolved to an allowed
// address at check time and to a refused one at connect time (DNS rebinding) must not be reached.
// Connections are still reused between sends (no TLS handshake per message).
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TwilioRestClient, type RestClientOptions } from '../../src/channels/twilio/rest-client.ts';
import { policyGuard } from '../../src/channels/twilio/outbound-guard.ts';
import { OutboundPolicy } from '../../src/channels/http/outbound-policy.ts';
import type { TwilioUpstream } from '../../src/channels/twilio/carrier-config.ts';

const ACCOUNT_SID = 'AC' + '1'.repeat(32);

function upstream(base: string): TwilioUpstream {
  return { accountSid: ACCOUNT_SID, authToken: 'token', apiBaseUrl: base, conversationsBaseUrl: base } as TwilioUpstream;
}

describe('Twilio REST client: the policy applies to the connection', () => {
  let server: http.Server;
  let port: number;
  let hits: string[];
  let connections: number;

  beforeEach(async () => {
    hits = [];
    connections = 0;
    server = http.createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      const body = req.method === 'GET' ? { messages: [] } : { sid: 'SM' + '2'.repeat(32), status: 'queued', secret_internal_data: 'leak' };
      res.writeHead(req.method === 'GET' ? 200 : 201, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const options = (guard: RestClientOptions['guard']): Partial<RestClientOptions> => ({ guard, timeoutMs: 2_000, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });

  it('a name the pre-check let through is refused when the connection resolves it to a refused address', async () => {
    // A guard whose lookup said yes stands for DNS answering differently a moment later (rebinding).
    const guard = Object.assign(async () => null, { policy: new OutboundPolicy() });
    const client = new TwilioRestClient(upstream(`http://localhost:${port}`), options(guard));
    const outcome = await client.createMessage([['To', '+15550001'], ['Body', 'hi']]);
    assert.equal(outcome.kind, 'rejected');
    assert.equal(outcome.kind === 'rejected' && outcome.code, 30008);
    assert.equal(outcome.kind === 'rejected' && outcome.httpStatus, 0);
    assert.match(outcome.kind === 'rejected' ? outcome.message : '', /Outbound request blocked: .*loopback/);
    assert.equal(await client.listMessages({ To: '+15550001' }), null);
    assert.equal(await client.getJsonAt(`http://localhost:${port}/v1/Services`), null);
    assert.deepEqual(hits, [], 'nothing reached the refused address');
  });

  it('an allowed address is reached, and sends reuse one connection', async () => {
    const guard = policyGuard(new OutboundPolicy({ allowPrivate: true }));
    const client = () => new TwilioRestClient(upstream(`http://localhost:${port}`), options(guard));
    for (let i = 0; i < 3; i++) {
      const outcome = await client().createMessage([['To', '+15550001'], ['Body', `hi ${i}`]]);
      assert.equal(outcome.kind, 'created');
    }
    assert.deepEqual(await client().listMessages({ To: '+15550001' }), []);
    assert.equal(hits.length, 4);
    assert.equal(connections, 1, 'one keep-alive connection for every send');
  });
});
