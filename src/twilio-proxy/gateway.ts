// A CONNECT proxy for twilio-cli. twilio-cli only talks to https://<product>.twilio.com, but it
// honours HTTP_PROXY: it opens a CONNECT tunnel there and speaks TLS to the "Twilio" host through
// it. The gateway accepts tunnels to twilio.com hosts only, ends the TLS itself with its own
// certificate (which the client trusts through NODE_EXTRA_CA_CERTS), and hands the decrypted
// connection to Switchboard's HTTP server, so `twilio api:studio:…` commands reach Switchboard.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

/** Hosts twilio-cli addresses: twilio.com and any *.twilio.com (studio, studio.<edge>.<region>, …). */
const TWILIO_HOST = /^(?:[a-z0-9-]+\.)*twilio\.com$/i;

export function isTwilioHost(host: string): boolean {
  return TWILIO_HOST.test(host);
}

/** The decrypted tunnels handed to Switchboard, so it can tell a request came through the gateway. */
const tunnelled = new WeakSet<object>();

export function throughGateway(socket: object | null | undefined): boolean {
  return socket != null && tunnelled.has(socket);
}

export interface GatewayOptions {
  /** Switchboard's HTTP server; decrypted tunnels become its connections. */
  target: HttpServer;
  cert: Buffer;
  key: Buffer;
}

export interface Gateway {
  port: number;
  close(): Promise<void>;
}

export function createTwilioGateway(options: GatewayOptions): HttpServer {
  const proxy = createServer((_request, response) => {
    response.writeHead(405, { 'content-type': 'text/plain', allow: 'CONNECT' });
    response.end('This is the Switchboard twilio-cli gateway: use it as HTTP_PROXY (CONNECT only).\n');
  });
  const tunnels = new Set<Socket>();
  proxy.on('connect', (request, socket: Socket, head: Buffer) => {
    const [host = '', port = '443'] = (request.url ?? '').split(':');
    if (!TWILIO_HOST.test(host) || port !== '443') {
      socket.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\n\r\nThe Switchboard gateway only tunnels to twilio.com hosts, not ${request.url}\r\n`);
      return;
    }
    tunnels.add(socket);
    socket.once('close', () => tunnels.delete(socket));
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) socket.unshift(head);
    const tls = new TLSSocket(socket, { isServer: true, cert: options.cert, key: options.key, ALPNProtocols: ['http/1.1'] });
    tls.on('error', () => socket.destroy());
    tunnelled.add(tls);
    options.target.emit('connection', tls);
  });
  proxy.on('close', () => {
    for (const socket of tunnels) socket.destroy();
  });
  return proxy;
}

export async function startTwilioGateway(options: GatewayOptions & { port: number; host: string }): Promise<Gateway> {
  const proxy = createTwilioGateway(options);
  await new Promise<void>((resolve, reject) => {
    proxy.once('error', reject);
    proxy.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (proxy.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  };
}
