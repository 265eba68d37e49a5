// The URLs in responses that come through the twilio-cli gateway. twilio-cli follows next_page_url
// itself, and it can only reach Switchboard at a *.twilio.com host through the gateway, so url, links
// and meta.*_url name the Twilio Host the request used (even with a public base URL set). webhook_url
// is where Twilio must send traffic: never a Twilio host, but the public base URL or the server's own
// address. Other requests keep the public base URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import { startTestServer, type TestServer } from '../support/server.ts';
import { ensureGatewayCertificate, type GatewayCertificate } from '../../src/twilio-proxy/certificate.ts';
import { startTwilioGateway, type Gateway } from '../../src/twilio-proxy/gateway.ts';

const CLI = new URL('../../node_modules/twilio-cli/bin/run', import.meta.url).pathname;
const definition = JSON.parse(readFileSync(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url), 'utf8')) as unknown;
const hasOpenssl = (process.env.PATH ?? '').split(':').some((dir) => existsSync(join(dir, 'openssl')));
const skip = hasOpenssl ? false : 'openssl is not on PATH: the twilio-cli gateway makes its certificate with it';
const PUBLIC = 'https://switchboard.example.com';

interface Setup {
  server: TestServer;
  gateway: Gateway;
  certificate: GatewayCertificate;
  home: string;
}

async function setUp(t: { after(fn: () => unknown): void }, publicBaseUrl: string | undefined): Promise<Setup> {
  const home = mkdtempSync(join(tmpdir(), 'switchboard-gateway-urls-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const server = await startTestServer({ listen: true, config: { publicBaseUrl } });
  t.after(() => server.close());
  const certificate = ensureGatewayCertificate(join(home, 'gateway'));
  const gateway = await startTwilioGateway({ target: server.app.server.server, cert: certificate.cert, key: certificate.key, port: 0, host: '127.0.0.1' });
  t.after(() => gateway.close());
  return { server, gateway, certificate, home };
}

/** GET https://<host><path> through the gateway, as twilio-cli does it (CONNECT, then TLS trusting the gateway's certificate). */
function getThroughGateway(setup: Setup, host: string, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const connect = httpRequest({ host: '127.0.0.1', port: setup.gateway.port, method: 'CONNECT', path: `${host}:443` });
    connect.once('error', reject);
    connect.once('connect', (response, socket) => {
      if (response.statusCode !== 200) return reject(new Error(`CONNECT answered ${response.statusCode}`));
      const tls = tlsConnect({ socket, servername: host, ca: setup.certificate.cert });
      const get = httpsRequest({ host, port: 443, defaultPort: 443, path, headers: { authorization: setup.server.auth }, createConnection: () => tls }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => {
          socket.destroy();
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> });
        });
      });
      get.once('error', reject);
      get.end();
    });
    connect.end();
  });
}

/** GET straight to the server with the given Host header (fetch does not let a caller set Host). */
function getWithHost(server: TestServer, host: string, path: string): Promise<Record<string, unknown>> {
  const url = new URL(server.baseUrl);
  return new Promise((resolve, reject) => {
    const get = httpRequest({ host: url.hostname, port: url.port, path, headers: { authorization: server.auth, host } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve(JSON.parse(text) as Record<string, unknown>));
    });
    get.once('error', reject);
    get.end();
  });
}

async function createFlows(server: TestServer, count: number): Promise<string[]> {
  const sids: string[] = [];
  for (let i = 0; i < count; i++) {
    const flow = await server.app.flows.create(server.account.sid, { friendlyName: `Flow ${i}`, status: 'published', definition });
    sids.push(flow.sid);
  }
  return sids;
}

test('through the gateway with a public base URL: url, links and meta name the Twilio host; webhook_url the public base', { skip }, async (t) => {
  const setup = await setUp(t, PUBLIC);
  const [sid] = await createFlows(setup.server, 2);

  const list = await getThroughGateway(setup, 'studio.twilio.com', '/v2/Flows?PageSize=1');
  assert.equal(list.status, 200);
  const meta = list.body.meta as Record<string, string | null>;
  assert.match(meta.next_page_url!, /^https:\/\/studio\.twilio\.com\/v2\/Flows\?PageSize=1&Page=1&PageToken=PA/);
  assert.equal(meta.first_page_url, 'https://studio.twilio.com/v2/Flows?PageSize=1&Page=0');
  const next = await getThroughGateway(setup, 'studio.twilio.com', new URL(meta.next_page_url!).pathname + new URL(meta.next_page_url!).search);
  assert.equal(next.status, 200, 'the next page is reachable through the gateway');
  assert.equal((next.body.flows as unknown[]).length, 1);

  const one = await getThroughGateway(setup, 'studio.twilio.com', `/v2/Flows/${sid}`);
  assert.equal(one.body.url, `https://studio.twilio.com/v2/Flows/${sid}`);
  assert.equal((one.body.links as Record<string, string>).executions, `https://studio.twilio.com/v2/Flows/${sid}/Executions`);
  assert.equal(one.body.webhook_url, `${PUBLIC}/v1/Accounts/${setup.server.account.sid}/Flows/${sid}`);

  // Straight to the server (not through the gateway): the public base URL, as before.
  const direct = await fetch(`${setup.server.baseUrl}/v2/Flows?PageSize=1`, { headers: { authorization: setup.server.auth } });
  const directMeta = ((await direct.json()) as { meta: Record<string, string> }).meta;
  assert.match(directMeta.next_page_url!, /^https:\/\/switchboard\.example\.com\/v2\/Flows\?/);
  const directFlow = (await (await fetch(`${setup.server.baseUrl}/v2/Flows/${sid}`, { headers: { authorization: setup.server.auth } })).json()) as Record<string, unknown>;
  assert.equal(directFlow.url, `${PUBLIC}/v2/Flows/${sid}`);

  // A *.twilio.com Host (a TLS proxy in front, /etc/hosts) is answered like the gateway.
  const hosted = await getWithHost(setup.server, 'studio.twilio.com', `/v2/Flows/${sid}`);
  assert.equal(hosted.url, `https://studio.twilio.com/v2/Flows/${sid}`);
  assert.equal(hosted.webhook_url, `${PUBLIC}/v1/Accounts/${setup.server.account.sid}/Flows/${sid}`);
});

test("through the gateway without a public base URL: webhook_url is the server's own address, not a Twilio host", { skip }, async (t) => {
  const setup = await setUp(t, undefined);
  const [sid] = await createFlows(setup.server, 1);
  const one = await getThroughGateway(setup, 'studio.twilio.com', `/v2/Flows/${sid}`);
  assert.equal(one.body.url, `https://studio.twilio.com/v2/Flows/${sid}`);
  assert.equal(one.body.webhook_url, `${setup.server.baseUrl}/v1/Accounts/${setup.server.account.sid}/Flows/${sid}`);

  const list = await getThroughGateway(setup, 'studio.twilio.com', '/v2/Flows');
  const [listed] = list.body.flows as Record<string, unknown>[];
  assert.equal(listed!.webhook_url, `${setup.server.baseUrl}/v1/Accounts/${setup.server.account.sid}/Flows/${sid}`);

  // Straight to the server: the Host it was reached at, for both.
  const direct = (await (await fetch(`${setup.server.baseUrl}/v2/Flows/${sid}`, { headers: { authorization: setup.server.auth } })).json()) as Record<string, unknown>;
  assert.equal(direct.url, `${setup.server.baseUrl}/v2/Flows/${sid}`);
  assert.equal(direct.webhook_url, `${setup.server.baseUrl}/v1/Accounts/${setup.server.account.sid}/Flows/${sid}`);
});

test('twilio-cli pages through the gateway with a public base URL set', { skip: existsSync(CLI) ? skip : 'twilio-cli is not installed', timeout: 300_000 }, async (t) => {
  const setup = await setUp(t, PUBLIC);
  const sids = await createFlows(setup.server, 3);
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: setup.home,
    TWILIO_SKIP_NEW_VERSION_CHECK: 'true', // no detached update check writing into HOME after the test removed it
    TWILIO_ACCOUNT_SID: setup.server.account.sid,
    TWILIO_AUTH_TOKEN: setup.server.account.authToken,
    HTTP_PROXY: `http://127.0.0.1:${setup.gateway.port}`,
    NODE_EXTRA_CA_CERTS: setup.certificate.certPath,
  };
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'api:studio:v2:flows:list', '--page-size', '1', '--limit', '3', '-o', 'json'], {
    env,
    encoding: 'utf8',
    timeout: 240_000,
  });
  const listed = JSON.parse(stdout) as { sid: string }[];
  assert.deepEqual(listed.map((f) => f.sid).sort(), [...sids].sort());
});
