// twilio-cli against Switchboard, for real: the installed `twilio-cli` package runs as a child
// process with HTTP_PROXY pointing at the twilio-cli gateway and NODE_EXTRA_CA_CERTS trusting
// its certificate — exactly what the README tells users to do. No network: "studio.twilio.com"
// never resolves; the CONNECT tunnel ends in this process.
// Each twilio-cli start loads every Twilio API description (seconds on a busy machine), hence the timeouts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestServer } from '../support/server.ts';
import { ensureGatewayCertificate } from '../../src/twilio-proxy/certificate.ts';
import { startTwilioGateway } from '../../src/twilio-proxy/gateway.ts';

const run = promisify(execFile);
const CLI = new URL('../../node_modules/twilio-cli/bin/run', import.meta.url).pathname;
const definition = readFileSync(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url), 'utf8');

function opensslAvailable(): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => existsSync(join(dir, 'openssl')));
}

const skip = !existsSync(CLI)
  ? 'twilio-cli is not installed (npm install installs it as a devDependency)'
  : !opensslAvailable()
    ? 'openssl is not on PATH: the twilio-cli gateway makes its certificate with it'
    : false;

test('twilio-cli creates and lists flows and creates, lists, ends and removes executions', { skip, timeout: 400_000 }, async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'switchboard-twilio-cli-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const server = await startTestServer();
  t.after(() => server.close());
  const certificate = ensureGatewayCertificate(join(home, 'gateway'));
  const gateway = await startTwilioGateway({ target: server.app.server.server, cert: certificate.cert, key: certificate.key, port: 0, host: '127.0.0.1' });
  t.after(() => gateway.close());

  const env = {
    PATH: process.env.PATH ?? '',
    HOME: home, // a fresh ~/.twilio-cli: credentials come from the environment only
    // No detached update check: it writes ~/.twilio-cli/version after the CLI exits, re-creating the removed home.
    TWILIO_SKIP_NEW_VERSION_CHECK: 'true',
    TWILIO_ACCOUNT_SID: server.account.sid,
    TWILIO_AUTH_TOKEN: server.account.authToken,
    HTTP_PROXY: `http://127.0.0.1:${gateway.port}`,
    NODE_EXTRA_CA_CERTS: certificate.certPath,
  };
  // execFile, not execFileSync: the server answering the CLI runs in this process.
  const twilio = async (...args: string[]): Promise<Record<string, unknown>[]> => {
    const { stdout } = await run(process.execPath, [CLI, ...args, '-o', 'json'], { env, encoding: 'utf8', timeout: 120_000 });
    return stdout.trim() === '' ? [] : (JSON.parse(stdout) as Record<string, unknown>[]);
  };

  const [flow] = await twilio('api:studio:v2:flows:create', '--friendly-name', 'From twilio-cli', '--status', 'published', '--definition', definition);
  assert.match(String(flow?.sid), /^FW[0-9a-f]{32}$/);
  assert.equal(flow?.friendlyName, 'From twilio-cli');
  assert.equal(flow?.status, 'published');
  const flowSid = String(flow!.sid);
  assert.equal((await server.app.store.getFlow(server.account.sid, flowSid))?.friendlyName, 'From twilio-cli');

  const flows = await twilio('api:studio:v2:flows:list');
  assert.deepEqual(flows.map((f) => f.sid), [flowSid]);

  const [execution] = await twilio(
    'api:studio:v2:flows:executions:create', '--flow-sid', flowSid, '--to', '+15551230001', '--from', '+15005550006', '--parameters', '{"name":"Ada"}',
  );
  assert.match(String(execution?.sid), /^FN[0-9a-f]{32}$/);
  assert.equal(execution?.status, 'active');
  const executionSid = String(execution!.sid);
  await server.app.executions.idle();
  assert.deepEqual(
    server.app.simulator.transcript('+15005550006', '+15551230001').map((m) => m.body),
    ['Hi Ada, how are you?'],
    'the execution ran: the question went out through the simulator',
  );

  const listed = await twilio('api:studio:v2:flows:executions:list', '--flow-sid', flowSid);
  assert.deepEqual(listed.map((e) => e.sid), [executionSid]);

  const [ended] = await twilio('api:studio:v2:flows:executions:update', '--flow-sid', flowSid, '--sid', executionSid, '--status', 'ended');
  assert.equal(ended?.status, 'ended');

  await twilio('api:studio:v2:flows:executions:remove', '--flow-sid', flowSid, '--sid', executionSid);
  assert.equal(await server.app.store.getExecution(server.account.sid, flowSid, executionSid), null);
  assert.deepEqual(await twilio('api:studio:v2:flows:executions:list', '--flow-sid', flowSid), []);

  // Errors come back in Twilio's format, so the CLI names the code.
  await assert.rejects(
    twilio('api:studio:v2:flows:executions:fetch', '--flow-sid', flowSid, '--sid', executionSid),
    (error: { stdout?: string }) => {
      // With -o json the CLI prints the Twilio error body and exits non-zero.
      const [body] = JSON.parse(String(error.stdout)) as { code: number; status: number }[];
      return body?.code === 20404 && body.status === 404;
    },
  );
});

test('the gateway tunnels only to twilio.com hosts on 443 and answers plain requests with 405', { skip: opensslAvailable() ? false : 'openssl is not on PATH' }, async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'switchboard-gateway-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const server = await startTestServer();
  t.after(() => server.close());
  const certificate = ensureGatewayCertificate(home);
  const again = ensureGatewayCertificate(home);
  assert.equal(again.cert.toString(), certificate.cert.toString(), 'the certificate is made once and kept');
  const gateway = await startTwilioGateway({ target: server.app.server.server, cert: certificate.cert, key: certificate.key, port: 0, host: '127.0.0.1' });
  t.after(() => gateway.close());

  const plain = await fetch(`http://127.0.0.1:${gateway.port}/v2/Flows`);
  assert.equal(plain.status, 405);
  assert.match(await plain.text(), /HTTP_PROXY/);

  const { connect } = await import('node:net');
  const connectTo = (target: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(gateway.port, '127.0.0.1', () => socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`));
      socket.once('data', (chunk) => {
        resolve(String(chunk).split('\r\n')[0]!);
        socket.destroy();
      });
      socket.once('error', reject);
    });
  assert.equal(await connectTo('example.com:443'), 'HTTP/1.1 403 Forbidden');
  assert.equal(await connectTo('studio.twilio.com.evil.example:443'), 'HTTP/1.1 403 Forbidden');
  assert.equal(await connectTo('studio.twilio.com:80'), 'HTTP/1.1 403 Forbidden');
  assert.equal(await connectTo('studio.twilio.com:443'), 'HTTP/1.1 200 Connection Established');
});

test("the gateway's private key is readable by its owner only", { skip: opensslAvailable() ? false : 'openssl is not on PATH' }, (t) => {
  const home = mkdtempSync(join(tmpdir(), 'switchboard-gateway-key-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const { keyPath } = ensureGatewayCertificate(join(home, 'tls'));
  assert.equal(statSync(keyPath).mode & 0o777, 0o600);
});
