// The gateway's TLS identity: a self-signed certificate for twilio.com and *.twilio.com, made once
// with the openssl command and kept beside the data. Clients trust it explicitly
// (NODE_EXTRA_CA_CERTS=<cert>); it is never installed system-wide.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface GatewayCertificate {
  certPath: string;
  keyPath: string;
  cert: Buffer;
  key: Buffer;
}

export function ensureGatewayCertificate(directory: string): GatewayCertificate {
  const certPath = join(directory, 'twilio-proxy-cert.pem');
  const keyPath = join(directory, 'twilio-proxy-key.pem');
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    try {
      execFileSync(
        'openssl',
        [
          'req', '-x509', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
          '-keyout', keyPath, '-out', certPath, '-days', '825',
          '-subj', '/CN=Switchboard twilio-cli gateway',
          '-addext', 'subjectAltName=DNS:twilio.com,DNS:*.twilio.com',
          '-addext', 'basicConstraints=critical,CA:TRUE',
          '-addext', 'keyUsage=critical,digitalSignature,keyCertSign',
          '-addext', 'extendedKeyUsage=serverAuth',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      chmodSync(keyPath, 0o600); // only the server reads the private key
    } catch (error) {
      throw new Error(`cannot create the twilio-cli gateway certificate with openssl in ${directory}: ${(error as Error).message}`);
    }
  }
  return { certPath, keyPath, cert: readFileSync(certPath), key: readFileSync(keyPath) };
}
