// A proxy in front of a test server that answers some paths as a server without them would (Twilio's Studio
// host, an older Switchboard): 404 with Twilio's error body. Everything else goes through as it came.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export async function proxyWithout(target: string, missing: (path: string) => boolean): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  const server = http.createServer(async (request, response) => {
    const path = request.url ?? '/';
    if (missing(path)) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ code: 20404, message: `The requested resource ${path.split('?')[0]} was not found`, more_info: 'https://www.twilio.com/docs/errors/20404', status: 404 }));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => name !== 'host' && name !== 'content-length').map(([k, v]) => [k, String(v)]));
    const answer = await fetch(target + path, { method: request.method!, headers, ...(chunks.length ? { body: Buffer.concat(chunks) } : {}) });
    response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    response.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
