// A graceful drain. Fastify's close() stops listening and drops idle keep-alive connections at once:
// a client reusing one lost its request without an answer, and a new connection was refused while the
// node still finished its work. Here the port and open connections stay up until the requests admitted
// and the runtime's sprints are done: whatever arrives meanwhile is answered 503/20503 with Connection:
// close (server.ts), and so are the admitted requests' answers (Connection: close), so their clients do
// not reuse a connection about to go. Then the port closes, and each idle connection once it has been
// idle for a last call, counted from its own last request or answer: long enough for a client to send the
// request it already meant to, and for this process to read it (a 503, not a reset), however busy it is.
import type { IncomingMessage, ServerResponse } from 'node:http';
import net, { type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** Kept free of Fastify's preClose budget (pluginTimeout) for the rest of its close. */
const HOOK_MARGIN_MS = 500;
/**
 * The last call, once the work is done and the port closed: a connection is closed once it has been idle
 * (no request, no answer) for this many turns of the event loop, each at least LAST_CALL_TURN_MS long and
 * reading the sockets, so at least 100 ms. Counted in turns, not wall time: while the loop is busy (a long
 * synchronous job, a starved CPU) a request already on the wire stays unread, and the connection only looks
 * idle; a wall-clock wait would reset it.
 */
const LAST_CALL_TURNS = 10;
const LAST_CALL_TURN_MS = 10;
/** However slow the turns, the last call ends this long after the port closed (and within the preClose budget). */
const LAST_CALL_MAX_MS = 1_000;

/** An open connection, as the drain sees it. */
interface Connection {
  /** Requests being answered on it: more than one when the client pipelines. */
  answering: number;
  /** A request came or an answer ended since the last turn of the last call. */
  active: boolean;
  /** Whole turns of the last call it has been idle through. */
  idleTurns: number;
}

/**
 * On close: waits for the requests already admitted, then `finishWork` (the runtime's sprints), while
 * still listening. A failure of finishWork is left to the caller, which awaits the same work again.
 */
export function drainBeforeClosing(app: FastifyInstance, finishWork: () => Promise<void>): void {
  const inFlight = new Set<ServerResponse>();
  const connections = new Map<Socket, Connection>();
  const connectionOf = (socket: Socket): Connection => {
    let connection = connections.get(socket);
    if (!connection) {
      connection = { answering: 0, active: false, idleTurns: 0 };
      if (!socket.destroyed) {
        connections.set(socket, connection);
        socket.once('close', () => connections.delete(socket));
      }
    }
    return connection;
  };
  let draining = false;
  app.server.on('connection', (socket: Socket) => connectionOf(socket));
  app.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const connection = connectionOf(request.socket);
    inFlight.add(response);
    connection.answering += 1;
    connection.active = true;
    response.once('close', () => {
      inFlight.delete(response);
      connection.answering -= 1;
      connection.active = true;
    });
  });
  // A request pipelined behind this one is answered (503) on the same connection; otherwise it ends here.
  app.addHook('onSend', async (request, reply) => {
    if (draining && (connections.get(request.raw.socket)?.answering ?? 0) <= 1) reply.header('Connection', 'close');
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
    // Stop accepting first, and close the idle connections after the last call: a client reconnecting now
    // is refused (nothing sent: safe to retry elsewhere) rather than accepted and reset, and one reusing its
    // open connection still gets its 503. Closed just after the loop accepted what was waiting: a connection
    // the kernel holds unaccepted when the port closes is reset. net.Server's close leaves connections open
    // (http.Server's closes the idle ones at once); Fastify's close, which follows, waits for those still busy.
    await nextTurn();
    if (!app.server.listening) return;
    net.Server.prototype.close.call(app.server);
    await lastCall(connections, Math.min(Date.now() + LAST_CALL_MAX_MS, deadline));
    // Closed here, in the turn that found them idle: a request read between this check and Fastify's close
    // would be lost with its connection. Node's own idea of idle spares one whose request is half read.
    app.server.closeIdleConnections();
  });
}

/** Turns of the event loop until every open connection has been idle for LAST_CALL_TURNS of them, or `end`. */
async function lastCall(connections: Map<Socket, Connection>, end: number): Promise<void> {
  for (const connection of connections.values()) {
    connection.active = false;
    connection.idleTurns = 0;
  }
  while (connections.size > 0 && Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(LAST_CALL_TURN_MS, Math.max(0, end - Date.now()))));
    await nextTurn();
    let idle = true;
    for (const connection of connections.values()) {
      connection.idleTurns = connection.answering > 0 || connection.active ? 0 : connection.idleTurns + 1;
      connection.active = false;
      if (connection.idleTurns < LAST_CALL_TURNS) idle = false;
    }
    if (idle) return;
  }
}

/** Resolves after the event loop has next polled for I/O: what was waiting on the sockets has been read. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
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
