// A graceful drain. Fastify's close() stops listening and drops idle keep-alive connections at once:
// a client reusing one lost its request without an answer, and a new connection was refused while the
// node still finished its work. Here the port and open connections stay up until the requests admitted
// and the runtime's sprints are done: whatever arrives meanwhile is answered 503/20503 with Connection:
// close (server.ts), and so are the admitted requests' answers (Connection: close), so their clients do
// not reuse a connection about to go. Then the port closes, and a moment later the idle connections.
import type { IncomingMessage, ServerResponse } from 'node:http';
import net, { type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** Kept free of Fastify's preClose budget (pluginTimeout) for the rest of its close. */
const HOOK_MARGIN_MS = 500;
/** Once the work is done and the port closed: how long open connections may still bring a request (answered 503). */
const LAST_CALL_MS = 100;

/**
 * On close: waits for the requests already admitted, then `finishWork` (the runtime's sprints), while
 * still listening. A failure of finishWork is left to the caller, which awaits the same work again.
 */
export function drainBeforeClosing(app: FastifyInstance, finishWork: () => Promise<void>): void {
  const inFlight = new Set<ServerResponse>();
  /** Requests being answered on each connection: more than one when the client pipelines. */
  const perSocket = new WeakMap<Socket, number>();
  let draining = false;
  app.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    inFlight.add(response);
    perSocket.set(socket, (perSocket.get(socket) ?? 0) + 1);
    response.once('close', () => {
      inFlight.delete(response);
      perSocket.set(socket, (perSocket.get(socket) ?? 1) - 1);
    });
  });
  // A request pipelined behind this one is answered (503) on the same connection; otherwise it ends here.
  app.addHook('onSend', async (request, reply) => {
    if (draining && (perSocket.get(request.raw.socket) ?? 0) <= 1) reply.header('Connection', 'close');
  });
  app.addHook('preClose', async () => {
    draining = true;
    // Fastify fails close() once a preClose hook outlasts pluginTimeout (0: no limit). Past that budget the
    // listener closes anyway; the work goes on, and the caller still waits for it.
    const limit = app.initialConfig.pluginTimeout ?? 0;
    const deadline = limit === 0 ? Infinity : Date.now() + limit - HOOK_MARGIN_MS;
    const drained = Promise.all([...inFlight].map((response) => new Promise((resolve) => response.once('close', resolve))))
      .then(finishWork)
      .catch(() => undefined);
    if (!(await within(drained, deadline))) return;
    // Stop accepting first, and close the idle connections a moment later: a client reconnecting now is
    // refused (nothing sent: safe to retry elsewhere) rather than accepted and reset, and one reusing its
    // open connection still gets its 503. net.Server's close leaves connections open (http.Server's closes
    // the idle ones at once); Fastify's close, which follows, closes those still idle and waits for the rest.
    if (!app.server.listening) return;
    net.Server.prototype.close.call(app.server);
    const open = await new Promise<number>((resolve) => app.server.getConnections((_error, count) => resolve(count ?? 0)));
    if (open > 0) await within(new Promise((resolve) => setTimeout(resolve, LAST_CALL_MS)), deadline);
  });
}

/** Whether `promise` settled by `deadline` (it goes on regardless). */
async function within(promise: Promise<unknown>, deadline: number): Promise<boolean> {
  if (deadline === Infinity) {
    await promise;
    return true;
  }
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()), false)));
  return Promise.race([promise.then(() => true), late]).finally(() => clearTimeout(timer));
}
