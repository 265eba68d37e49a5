// Raw HTTP for tests of what a client library would never send: writes `request` on a fresh connection
// and returns everything the server wrote until it closed the connection.
import net from 'node:net';
import type { TestServer } from './server.ts';

export function rawExchange(server: TestServer, request: string, timeoutMs = 5_000): Promise<string> {
  const { port } = new URL(server.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(request));
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString()));
    socket.on('close', () => resolve(data));
    socket.on('error', reject);
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close after ${timeoutMs} ms; got ${JSON.stringify(data)}`));
    }, timeoutMs).unref();
  });
}
