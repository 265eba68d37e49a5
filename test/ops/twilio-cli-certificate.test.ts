// The twilio-cli gateway's certificate is a self-signed LEAF, not a CA. Users export
// NODE_EXTRA_CA_CERTS=<it> into their shell (the README's `eval` of the twilio-cli: line), so every
// Node process there trusts it; its key lies unencrypted in the data directory. As a CA, that key could
// mint a certificate for registry.npmjs.org that those processes accept. As a leaf it is trusted for
// twilio.com and *.twilio.com only, and a certificate it signs is refused (invalid CA).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls';
import { promisify } from 'node:util';
import { ensureGatewayCertificate, gatewayCertificateProblem } from '../../src/twilio-proxy/certificate.ts';
import { startConfiguredGateway } from '../../src/twilio-proxy/index.ts';

const run = promisify(execFile);
const hasOpenssl = (process.env.PATH ?? '').split(':').some((dir) => existsSync(join(dir, 'openssl')));
const skip = hasOpenssl ? false : 'openssl is not on PATH: the twilio-cli gateway makes its certificate with it';

function tempDir(t: { after(fn: () => unknown): void }, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function openssl(...args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** What the gateway made before: a CA certificate (CA:TRUE, keyCertSign), written where the gateway keeps its own. */
function writeOldCaCertificate(directory: string, days = 825): void {
  mkdirSync(directory, { recursive: true });
  openssl(
    'req', '-x509', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-keyout', join(directory, 'twilio-proxy-key.pem'), '-out', join(directory, 'twilio-proxy-cert.pem'), '-days', String(days),
    '-subj', '/CN=Switchboard twilio-cli gateway',
    '-addext', 'subjectAltName=DNS:twilio.com,DNS:*.twilio.com',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,digitalSignature,keyCertSign',
    '-addext', 'extendedKeyUsage=serverAuth',
  );
}

/** The reviewer's attack: a leaf for `host` signed with the gateway's key, the gateway certificate as its issuer. */
function mintWithGatewayKey(directory: string, gatewayCertPath: string, gatewayKeyPath: string, host: string): { cert: Buffer; key: Buffer } {
  const work = mkdtempSync(join(directory, 'mint-'));
  const key = join(work, 'key.pem');
  const csr = join(work, 'req.csr');
  const cert = join(work, 'cert.pem');
  const ext = join(work, 'ext.cnf');
  openssl('req', '-new', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-keyout', key, '-out', csr, '-subj', `/CN=${host}`);
  writeFileSync(ext, `subjectAltName=DNS:${host}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`);
  openssl('x509', '-req', '-in', csr, '-CA', gatewayCertPath, '-CAkey', gatewayKeyPath, '-set_serial', '2', '-out', cert, '-days', '30', '-extfile', ext);
  return { cert: readFileSync(cert), key: readFileSync(key) };
}

/** Serves `cert` over TLS on loopback and reports whether a client trusting only `ca` authorizes it for `servername`. */
async function authorizedBy(t: { after(fn: () => unknown): void }, served: { cert: Buffer; key: Buffer }, ca: Buffer, servername: string): Promise<{ authorized: boolean; error: string | null }> {
  const server = createTlsServer({ cert: served.cert, key: served.key }, (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', servername, ca: [ca], rejectUnauthorized: false }, () => {
      resolve({ authorized: socket.authorized, error: socket.authorizationError ? String(socket.authorizationError) : null });
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

test('the gateway certificate is a self-signed leaf for twilio.com and *.twilio.com, not a CA', { skip }, (t) => {
  const dir = join(tempDir(t, 'switchboard-gateway-cert-'), 'gateway');
  const certificate = ensureGatewayCertificate(dir);
  const x509 = new X509Certificate(certificate.cert);
  assert.equal(x509.ca, false);
  assert.equal(x509.checkIssued(x509), false, 'the key may not sign certificates (no keyCertSign)');
  assert.equal(x509.checkPrivateKey(createPrivateKey(certificate.key)), true);
  assert.equal(x509.subject, x509.issuer, 'self-signed');
  assert.equal(x509.subjectAltName, 'DNS:twilio.com, DNS:*.twilio.com');
  assert.equal(x509.checkHost('studio.twilio.com'), '*.twilio.com');
  assert.equal(x509.checkHost('twilio.com'), 'twilio.com');
  assert.equal(x509.checkHost('registry.npmjs.org'), undefined);
  const days = (Date.parse(x509.validTo) - Date.parse(x509.validFrom)) / 86_400_000;
  assert.ok(days > 30 && days <= 398, `valid for ${days} days`);
  const text = openssl('x509', '-in', certificate.certPath, '-noout', '-text');
  assert.match(text, /Basic Constraints: critical\s+CA:FALSE/);
  assert.match(text, /Key Usage: critical\s+Digital Signature\n/, 'digitalSignature only: no Certificate Sign, no CRL Sign');
  assert.match(text, /Extended Key Usage:\s+TLS Web Server Authentication\n/);
  assert.doesNotMatch(text, /Certificate Sign/);
  assert.equal(gatewayCertificateProblem(certificate.cert, certificate.key), null);
  assert.equal(statSync(certificate.keyPath).mode & 0o777, 0o600);
  assert.deepEqual(ensureGatewayCertificate(dir).cert, certificate.cert, 'a good certificate is kept');
});

test("a certificate minted for registry.npmjs.org with the gateway's key is not trusted by a client trusting the gateway certificate", { skip }, async (t) => {
  const dir = tempDir(t, 'switchboard-gateway-mint-');
  const gateway = ensureGatewayCertificate(join(dir, 'gateway'));
  const minted = mintWithGatewayKey(dir, gateway.certPath, gateway.keyPath, 'registry.npmjs.org');
  // The forgery is real: signed by the gateway's key, naming the gateway certificate as its issuer.
  assert.equal(new X509Certificate(minted.cert).verify(new X509Certificate(gateway.cert).publicKey), true);

  // The gateway certificate itself is trusted for the Twilio host…
  assert.deepEqual(await authorizedBy(t, gateway, gateway.cert, 'studio.twilio.com'), { authorized: true, error: null });
  // …but not as the issuer of anything: neither the minted leaf alone nor with the gateway certificate as its chain.
  const alone = await authorizedBy(t, minted, gateway.cert, 'registry.npmjs.org');
  assert.equal(alone.authorized, false, 'the minted certificate is refused');
  const chained = await authorizedBy(t, { cert: Buffer.concat([minted.cert, gateway.cert]), key: minted.key }, gateway.cert, 'registry.npmjs.org');
  assert.equal(chained.authorized, false, 'the minted certificate with the gateway certificate as its chain is refused');
  // The same check against the old CA certificate: the attack the leaf prevents.
  const oldDir = join(dir, 'old');
  writeOldCaCertificate(oldDir);
  const oldCa = readFileSync(join(oldDir, 'twilio-proxy-cert.pem'));
  const mintedByOld = mintWithGatewayKey(dir, join(oldDir, 'twilio-proxy-cert.pem'), join(oldDir, 'twilio-proxy-key.pem'), 'registry.npmjs.org');
  assert.equal((await authorizedBy(t, mintedByOld, oldCa, 'registry.npmjs.org')).authorized, true, 'control: the old CA certificate would have trusted it');
});

test('a process with NODE_EXTRA_CA_CERTS=<gateway certificate> trusts studio.twilio.com through the gateway, and not a minted registry.npmjs.org', { skip, timeout: 60_000 }, async (t) => {
  const dir = tempDir(t, 'switchboard-gateway-extra-');
  const target = createHttpServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end(`switchboard ${request.headers.host}`);
  });
  const started = await startConfiguredGateway(target, { twilioCliGatewayPort: 0, twilioCliGatewayCertDir: join(dir, 'gateway'), dataDir: dir, host: '127.0.0.1' });
  assert.ok(started);
  t.after(() => started.gateway.close());
  const certificate = ensureGatewayCertificate(join(dir, 'gateway'));
  const minted = mintWithGatewayKey(dir, certificate.certPath, certificate.keyPath, 'registry.npmjs.org');
  const forged = createTlsServer({ cert: Buffer.concat([minted.cert, certificate.cert]), key: minted.key }, (socket) => socket.end());
  await new Promise<void>((resolve) => forged.listen(0, '127.0.0.1', resolve));
  t.after(() => forged.close());

  // A separate Node process with the environment the twilio-cli: line exports, and nothing else trusted
  // by hand: https.get through the gateway's CONNECT tunnel, then a TLS connection to the forged server.
  const script = `
    import { request } from 'node:http';
    import { get } from 'node:https';
    import { connect } from 'node:tls';
    const proxy = new URL(process.env.HTTP_PROXY);
    const tunnel = request({ host: proxy.hostname, port: proxy.port, method: 'CONNECT', path: 'studio.twilio.com:443' });
    tunnel.once('connect', (_res, socket) => {
      const tls = connect({ socket, servername: 'studio.twilio.com' });
      get({ host: 'studio.twilio.com', port: 443, defaultPort: 443, path: '/v2/Flows', createConnection: () => tls }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => {
          console.log('twilio', res.statusCode, body);
          const forged = connect({ host: '127.0.0.1', port: Number(process.argv[1]), servername: 'registry.npmjs.org' });
          forged.once('secureConnect', () => { console.log('npm trusted'); forged.destroy(); });
          forged.once('error', (error) => console.log('npm refused', error.code));
        });
      }).on('error', (error) => console.log('twilio refused', error.code));
    });
    tunnel.end();
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, String((forged.address() as AddressInfo).port)], {
    env: { PATH: process.env.PATH ?? '', ...started.env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const lines = stdout.trim().split('\n');
  assert.equal(lines[0], 'twilio 200 switchboard studio.twilio.com');
  assert.match(lines[1] ?? '', /^npm refused /, stdout);
});

test('an old CA certificate in the directory is replaced by a leaf on start, at the same path', { skip }, async (t) => {
  const dataDir = tempDir(t, 'switchboard-gateway-upgrade-');
  const certDir = join(dataDir, 'twilio-cli-gateway'); // the default <data-dir>/twilio-cli-gateway
  writeOldCaCertificate(certDir);
  const oldCert = readFileSync(join(certDir, 'twilio-proxy-cert.pem'));
  const oldKey = readFileSync(join(certDir, 'twilio-proxy-key.pem'));
  assert.equal(new X509Certificate(oldCert).ca, true, 'precondition: the old certificate is a CA');
  assert.equal(gatewayCertificateProblem(oldCert, oldKey), 'the certificate is a CA');

  const target = createHttpServer((_request, response) => response.end('ok'));
  const started = await startConfiguredGateway(target, { twilioCliGatewayPort: 0, twilioCliGatewayCertDir: undefined, dataDir, host: '127.0.0.1' });
  assert.ok(started);
  t.after(() => started.gateway.close());
  assert.equal(started.env.NODE_EXTRA_CA_CERTS, join(certDir, 'twilio-proxy-cert.pem'), 'the path users exported stays the same');

  const now = readFileSync(join(certDir, 'twilio-proxy-cert.pem'));
  const newKey = readFileSync(join(certDir, 'twilio-proxy-key.pem'));
  assert.notDeepEqual(now, oldCert);
  assert.notDeepEqual(newKey, oldKey, 'a new key: the old one was a CA key');
  assert.equal(new X509Certificate(now).ca, false);
  assert.equal(gatewayCertificateProblem(now, newKey), null);
  assert.equal(statSync(join(certDir, 'twilio-proxy-key.pem')).mode & 0o777, 0o600);
  assert.deepEqual(
    readdirSync(certDir).sort(),
    ['twilio-proxy-cert.pem', 'twilio-proxy-key.pem'],
    'no working files left behind',
  );

  // The running gateway serves the new leaf.
  const served = await new Promise<X509Certificate>((resolve, reject) => {
    const tunnel = httpRequest({ host: '127.0.0.1', port: started.gateway.port, method: 'CONNECT', path: 'studio.twilio.com:443' });
    tunnel.once('error', reject);
    tunnel.once('connect', (_res, socket) => {
      const tls = tlsConnect({ socket, servername: 'studio.twilio.com', ca: [now] }, () => {
        resolve(tls.getPeerX509Certificate()!);
        tls.destroy();
      });
      tls.once('error', reject);
    });
    tunnel.end();
  });
  assert.equal(served.ca, false);
  assert.equal(served.fingerprint256, new X509Certificate(now).fingerprint256);
});

test('a certificate that expires soon, or whose key does not match, is replaced', { skip }, (t) => {
  const dir = join(tempDir(t, 'switchboard-gateway-renew-'), 'gateway');
  mkdirSync(dir, { recursive: true });
  openssl(
    'req', '-x509', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-keyout', join(dir, 'twilio-proxy-key.pem'), '-out', join(dir, 'twilio-proxy-cert.pem'), '-days', '5',
    '-subj', '/CN=expiring', '-addext', 'subjectAltName=DNS:*.twilio.com',
    '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'keyUsage=critical,digitalSignature',
  );
  const expiring = readFileSync(join(dir, 'twilio-proxy-cert.pem'));
  assert.equal(gatewayCertificateProblem(expiring, readFileSync(join(dir, 'twilio-proxy-key.pem'))), 'the certificate expires soon');
  const renewed = ensureGatewayCertificate(dir);
  assert.notDeepEqual(renewed.cert, expiring);
  assert.equal(gatewayCertificateProblem(renewed.cert, renewed.key), null);

  const otherKey = execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1'], { encoding: 'utf8' });
  writeFileSync(join(dir, 'twilio-proxy-key.pem'), otherKey, { mode: 0o600 });
  assert.equal(gatewayCertificateProblem(renewed.cert, Buffer.from(otherKey)), "the key is not the certificate's");
  const repaired = ensureGatewayCertificate(dir);
  assert.notDeepEqual(repaired.cert, renewed.cert);
  assert.equal(gatewayCertificateProblem(repaired.cert, repaired.key), null);
});
