// A free TCP port on 127.0.0.1, for servers that must be told their port before they start
// (a child `switchboard serve`, a public base URL naming the port, a database that "comes up" later).
//
// The port is taken below Linux's ephemeral range (32768–60999): a port the kernel handed out for
// listen(0) and then closed is the next one it may hand to a test running alongside, between our check
// and our listen (CI saw EADDRINUSE that way). Ports below the range are only ever taken by name.
import { createServer } from 'node:net';

const LOWEST = 20_000;
const SPAN = 12_000;

function listensFreely(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * SPAN);
    if (await listensFreely(port)) return port;
  }
  throw new Error(`no free port between ${LOWEST} and ${LOWEST + SPAN} after 100 tries`);
}
