// The gateway's TLS identity: a self-signed LEAF certificate for twilio.com and *.twilio.com, made with
// the openssl command and kept beside the data. Clients trust it explicitly (NODE_EXTRA_CA_CERTS=<cert>,
// which users export into their shell); it is never installed system-wide.
//
// It must not be a CA. A trusted CA certificate whose key sits unencrypted in the data directory would
// let anyone who reads that directory mint certificates for any host (registry.npmjs.org, github.com…)
// that every Node process in the shell then accepts. A self-signed leaf (CA:FALSE, no keyCertSign)
// is trusted for the names it lists and nothing else: OpenSSL refuses it as the issuer of another
// certificate (invalid CA). Certificates made by earlier versions (CA:TRUE, keyCertSign) are replaced on
// start, at the same path, so the NODE_EXTRA_CA_CERTS line users pasted keeps working.
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeDirectories } from '../lib/make-directories.ts';

export interface GatewayCertificate {
  certPath: string;
  keyPath: string;
  cert: Buffer;
  key: Buffer;
}

/** The names the gateway answers TLS for: it tunnels twilio.com and *.twilio.com (gateway.ts). */
export const GATEWAY_NAMES = ['twilio.com', '*.twilio.com'] as const;
/** The host twilio-cli's Studio commands address; the certificate must cover it. */
const STUDIO_HOST = 'studio.twilio.com';
const VALIDITY_DAYS = 397;
/** A certificate this close to its end is renewed on start. */
const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;

// Explicit configuration, not the system openssl.cnf: its v3_ca section (used by `req -x509`) makes a CA.
const OPENSSL_CONFIG = `[req]
prompt = no
distinguished_name = dn
x509_extensions = leaf

[dn]
CN = Switchboard twilio-cli gateway

[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = ${GATEWAY_NAMES.map((name) => `DNS:${name}`).join(',')}
subjectKeyIdentifier = hash
`;

/**
 * Why the certificate and key at these paths cannot be served as they are (null when they can): not a
 * leaf (a CA, or a key allowed to sign certificates), not for studio.twilio.com, expiring, unreadable, or
 * a key that is not the certificate's.
 */
export function gatewayCertificateProblem(cert: Buffer, key: Buffer, now: Date = new Date()): string | null {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    return 'the certificate cannot be read';
  }
  if (x509.ca) return 'the certificate is a CA';
  // A self-issued certificate "issues itself" only when its key may sign certificates (keyCertSign, or no
  // keyUsage at all): such a key could mint certificates that chain to it.
  if (x509.checkIssued(x509)) return 'the certificate may sign certificates';
  if (x509.checkHost(STUDIO_HOST) === undefined) return `the certificate does not cover ${STUDIO_HOST}`;
  if (Date.parse(x509.validTo) - now.getTime() < RENEW_BEFORE_MS) return 'the certificate expires soon';
  if (Date.parse(x509.validFrom) > now.getTime()) return 'the certificate is not valid yet';
  try {
    if (!x509.checkPrivateKey(createPrivateKey(key))) return 'the key is not the certificate\'s';
  } catch {
    return 'the key cannot be read';
  }
  return null;
}

/**
 * The gateway's certificate and key in `directory` (twilio-proxy-cert.pem, twilio-proxy-key.pem), made
 * (or remade, see gatewayCertificateProblem) with openssl when needed. The paths never change.
 */
export function ensureGatewayCertificate(directory: string): GatewayCertificate {
  const certPath = join(directory, 'twilio-proxy-cert.pem');
  const keyPath = join(directory, 'twilio-proxy-key.pem');
  const usable =
    existsSync(certPath) && existsSync(keyPath) && gatewayCertificateProblem(readFileSync(certPath), readFileSync(keyPath)) === null;
  if (!usable) createCertificate(directory, certPath, keyPath);
  return { certPath, keyPath, cert: readFileSync(certPath), key: readFileSync(keyPath) };
}

function createCertificate(directory: string, certPath: string, keyPath: string): void {
  makeDirectories(directory, 0o700);
  // Made in a private directory beside the final files, then renamed over them: a failed run leaves the
  // old pair (or none), never a half-written one.
  const work = mkdtempSync(join(directory, '.new-certificate-'));
  try {
    const config = join(work, 'openssl.cnf');
    const newKey = join(work, 'key.pem');
    const newCert = join(work, 'cert.pem');
    writeFileSync(config, OPENSSL_CONFIG);
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-config', config, '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
        '-keyout', newKey, '-out', newCert, '-days', String(VALIDITY_DAYS),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    chmodSync(newKey, 0o600); // only the server reads the private key
    const problem = gatewayCertificateProblem(readFileSync(newCert), readFileSync(newKey));
    if (problem) throw new Error(`openssl made an unusable certificate: ${problem}`);
    renameSync(newKey, keyPath);
    renameSync(newCert, certPath);
  } catch (error) {
    throw new Error(`cannot create the twilio-cli gateway certificate with openssl in ${directory}: ${(error as Error).message}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
