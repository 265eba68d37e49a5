// The HTTP edge: Fastify with Twilio's wire conventions (form bodies, Basic auth, error bodies,
// request ids) applied to every route; routes live in ./routes and stay thin.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, type RouteHandlerMethod } from 'fastify';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Account } from '../runtime/ports/store.ts';
import { newSid } from '../runtime/ids.ts';
import type { ApiContext } from './context.ts';
import { ApiError, errors } from './wire/errors.ts';
import { toApiError } from './wire/error-mapping.ts';
import { formFromJson, parseFormBody, type Form } from './wire/form.ts';
import { overflowingNumber, overflowReason } from '../lib/json-overflow.ts';
import { exactLargeIntegers, mayHoldLargeIntegers } from '../lib/json-depth.ts';
import { parseBasicAuth } from './wire/basic-auth.ts';
import { publicBase } from './wire/base-urls.ts';
import { registerV2Flows } from './routes/v2-flows.ts';
import { registerV1Flows } from './routes/v1-flows.ts';
import { registerV2Executions } from './routes/v2-executions.ts';
import { registerV1Executions } from './routes/v1-executions.ts';
import { registerWebhooks } from './routes/webhooks.ts';
import { registerSimulator } from './routes/simulator.ts';
import { registerSimulatorCalls } from './routes/simulator-calls.ts';
import { registerReplay } from './routes/replay.ts';
import { registerHealth } from './routes/health.ts';
import { registerCarrier } from './routes/carrier.ts';
import { registerConsole } from './routes/console.ts';
import { registerMonitorAlerts } from './routes/monitor-alerts.ts';

declare module 'fastify' {
  interface FastifyRequest {
    account: Account;
    form: Form;
  }
  interface FastifyContextConfig {
    /** false for routes that authenticate another way (health, signed webhooks). */
    auth?: boolean;
    /** Orchestrator probes and metric scrapes: not work (an idle node stays idle while they come). */
    probe?: boolean;
    /** A GET that acts (the flow webhook configured as HTTP GET starts executions): checked for CSRF like a POST. */
    actsOnGet?: boolean;
  }
}

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/** Registers routes and remembers their patterns, so a known path with the wrong method is a 405, not a 404. */
export class Routes {
  readonly app: FastifyInstance;
  readonly #patterns: { method: HttpMethod; regex: RegExp; literal: boolean }[] = [];
  /**
   * Answers a request for a path no route serves with a page instead of the API's JSON 404 (the console
   * does, for a browser asking for a page outside the API), and says whether it did.
   */
  notFoundPage: ((request: FastifyRequest, reply: FastifyReply, path: string) => boolean) | null = null;

  constructor(app: FastifyInstance) {
    this.app = app;
  }

  add(method: HttpMethod, url: string, handler: RouteHandlerMethod, options: { auth?: boolean; actsOnGet?: boolean } = {}): void {
    this.app.route({ method, url, handler, config: { auth: options.auth ?? true, ...(options.actsOnGet ? { actsOnGet: true } : {}) } });
    const regex = new RegExp('^' + url.replace(/:[A-Za-z]+/g, '[^/]+') + '/?$');
    this.#patterns.push({ method, regex, literal: !url.includes(':') });
  }

  /** A path a route names literally (/v2/Flows/Validate) takes that route's methods, not those of a `:Sid` route matching it too. */
  allowedMethods(path: string): HttpMethod[] {
    const matching = this.#patterns.filter((p) => p.regex.test(path));
    const literal = matching.filter((p) => p.literal);
    return (literal.length > 0 ? literal : matching).map((p) => p.method);
  }
}

/** An error written straight to the socket, in Twilio's format, for requests Fastify never routes (the caller closes it). */
function answerRaw(socket: Duplex, apiError: ApiError, extraHeaders = '', requestId = newSid('RQ')): void {
  const body = JSON.stringify(apiError.toBody());
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${apiError.status} ${STATUS_CODES[apiError.status] ?? ''}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
        `Twilio-Request-Id: ${requestId}\r\n${extraHeaders}` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
}

/**
 * The response being written on `socket` to a request received whole, if any. Node's own clientError
 * handling writes its 400 only when no response is in flight (`_httpMessage`), then destroys the socket,
 * losing that response; a request still being received (a stalled or malformed body) has no other
 * answer coming, so it gets the error.
 */
function responseInFlight(socket: Duplex): ServerResponse | null {
  const response = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  return response && !response.writableFinished && response.req?.complete ? response : null;
}

const closing = new WeakSet<ServerResponse>();

/** Lets `response` finish, then ends the connection: nothing after the malformed bytes is read as a request. */
function closeAfter(response: ServerResponse, socket: Duplex): void {
  if (closing.has(response)) return; // the parser reports each later chunk again
  closing.add(response);
  // Before its headers are written, the response says `Connection: close` (and Node closes after it).
  if (!response.headersSent) response.shouldKeepAlive = false;
  response.once('finish', () => socket.end());
  response.once('close', () => {
    if (!response.writableFinished) socket.destroy();
  });
}

function isLoggerInstance(logger: unknown): logger is FastifyBaseLogger {
  return typeof logger === 'object' && logger !== null && typeof (logger as { child?: unknown }).child === 'function';
}

const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;

/** Methods a browser page on any origin may send with the user's credentials without acting for them. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** An origin as browsers write it (default port dropped, host lower-cased); null for `null` (an opaque origin) or garbage. */
function originOf(text: string): string | null {
  try {
    const origin = new URL(text).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/** The origins this server is reached at: the Host it was asked for, and the public base URL. */
function ownOrigins(ctx: ApiContext, request: FastifyRequest): Set<string> {
  const bases = [`${request.protocol}://${request.host}`, publicBase(ctx, request), ctx.config.publicBaseUrl];
  return new Set(bases.map((base) => (base === undefined ? null : originOf(base))).filter((origin) => origin !== null));
}

/**
 * The origin of the page that sent this request, when that is another site's: browsers send a login
 * they cached for this server (Basic credentials) with a cross-site form post, so acting on it would be
 * CSRF. Fetch Metadata says so where the browser sends it; otherwise an Origin other than ours does.
 * Null for a same-origin or allowed page, and for clients that are no browser page (neither header).
 */
function crossSiteOrigin(ctx: ApiContext, request: FastifyRequest, allowed: ReadonlySet<string>): string | null {
  const originHeader = header(request, 'origin');
  const origin = originHeader === undefined ? null : originOf(originHeader);
  if (origin !== null && allowed.has(origin)) return null;
  const site = header(request, 'sec-fetch-site');
  if (site === 'same-origin' || site === 'none') return null;
  if (site === 'cross-site' || site === 'same-site') return originHeader ?? 'another site';
  if (originHeader === undefined || (origin !== null && ownOrigins(ctx, request).has(origin))) return null;
  return originHeader;
}

/** The first content coding of a request body other than identity, or null (no body, no coding, or identity only). */
function unsupportedContentCoding(request: FastifyRequest): string | null {
  const codings = header(request, 'content-encoding');
  if (codings === undefined) return null;
  const hasBody = request.headers['transfer-encoding'] !== undefined || (request.headers['content-length'] ?? '0') !== '0';
  if (!hasBody) return null;
  for (const coding of codings.split(',')) {
    const name = coding.trim();
    if (name !== '' && name.toLowerCase() !== 'identity') return name;
  }
  return null;
}

export async function buildServer(ctx: ApiContext): Promise<FastifyInstance> {
  const bodyLimit = ctx.config.bodyLimit;
  const requestTimeout = ctx.config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const allowedOrigins = new Set((ctx.config.allowedOrigins ?? []).map(originOf).filter((origin) => origin !== null));
  // Requests Fastify has routed, by their Node request: a 408 written on the socket (Node's request
  // timeout, below) answers and logs with the request's own id, as every other answer does.
  const routed = new WeakMap<IncomingMessage, FastifyRequest>();
  // Those answered 408 so: the abort of their unread body that follows is expected, not news.
  const timedOut = new WeakSet<FastifyRequest>();
  const receiving = (socket: Duplex): FastifyRequest | undefined => {
    const request = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage?.req;
    return request ? routed.get(request) : undefined;
  };

  /** The request id and CORS headers every answer carries, a route's or the router's own error. */
  function setCommonHeaders(request: FastifyRequest, reply: FastifyReply): void {
    reply.header('Twilio-Request-Id', request.id);
    // Any page may read what its own explicit credentials fetch ('*' is never credentialed); an allowed
    // origin is named, with credentials, as the cross-site check below trusts it to act with them.
    const requestOrigin = header(request, 'origin');
    const allowedOrigin = requestOrigin === undefined ? null : originOf(requestOrigin);
    if (allowedOrigin !== null && allowedOrigins.has(allowedOrigin)) {
      reply.header('Access-Control-Allow-Origin', allowedOrigin);
      reply.header('Access-Control-Allow-Credentials', 'true');
    } else {
      reply.header('Access-Control-Allow-Origin', '*');
    }
    if (allowedOrigins.size > 0) reply.header('Vary', 'Origin');
    reply.header('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS');
    // As Twilio's spec declares: without it a browser's preflight for an authenticated POST fails.
    // If-Match and ETag: the flow update's revision check (a Switchboard extension) for browser apps too.
    reply.header('Access-Control-Allow-Headers', 'Content-Type, Authorization, If-Match');
    reply.header('Access-Control-Expose-Headers', 'ETag, Twilio-Request-Id');
  }

  const app = Fastify({
    // A ready pino instance (the app's logger) or Fastify logger options.
    ...(isLoggerInstance(ctx.config.logger) ? { loggerInstance: ctx.config.logger } : { logger: ctx.config.logger ?? false }),
    bodyLimit,
    // Fastify turns Node's request timeout off. The default (20 s) is below the 25 s shutdown deadline,
    // so a stalled upload cannot outlive a graceful stop; a longer --request-timeout trades that away.
    requestTimeout,
    // Node reads the request timeout when the server is constructed (setting the property afterwards, as
    // Fastify does, does not arm it), and checks for expired requests every 30 s unless told otherwise.
    // Node's check for a missing Host answers a bare 400 of its own; the onRequest hook answers it instead.
    http: { requestTimeout, connectionsCheckingInterval: 1000, requireHostHeader: false },
    // Errors Node raises before a request reaches a route (a stalled body, oversized or garbled headers)
    // answer in Twilio's error format too.
    clientErrorHandler: (error: NodeJS.ErrnoException, socket) => {
      if (error.code === 'ECONNRESET' || socket.destroyed) return;
      // The error is in what follows a request that arrived whole (a stray `0\r\n\r\n` after a POST):
      // that request's answer is not replaced by the 400; the connection closes once it is written.
      const inFlight = responseInFlight(socket);
      if (inFlight) return closeAfter(inFlight, socket);
      if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
        // Headers in, body stalled: the request has an id and an "incoming request" line; its 408 matches
        // them. A request whose headers never arrived gets an id of its own.
        const request = receiving(socket);
        const requestId = request ? String(request.id) : newSid('RQ');
        if (request) timedOut.add(request);
        (request?.log ?? app.log.child({ requestId })).info({ statusCode: 408 }, 'request not received in full in time: answered 408');
        answerRaw(socket, errors.requestTimeout(Math.round(requestTimeout / 1000)), '', requestId);
        socket.destroy(error);
        return;
      }
      answerRaw(socket, error.code === 'HPE_HEADER_OVERFLOW' ? errors.headersTooLarge() : errors.badRequest('Malformed HTTP request'));
      socket.destroy(error);
    },
    genReqId: () => newSid('RQ'),
    // Fastify's own request lines (incoming request, request completed) use the label every other line does.
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // During a graceful drain the onRequest hook below refuses requests in Twilio's error format
    // (Fastify's own 503 body is not), with Connection: close.
    return503OnClosing: false,
    // Router-level failures (over-long or malformed URLs) never reach setErrorHandler.
    frameworkErrors: (error, request, rawReply) => {
      const reply = rawReply as FastifyReply;
      const path = request.url.split('?')[0] ?? request.url;
      const apiError = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? errors.notFound(path) : toApiError(error, bodyLimit, request.headers['content-type']);
      // The onRequest hook has not run: the headers every answer carries are set here.
      setCommonHeaders(request, reply);
      reply.code(apiError.status).headers(apiError.headers).type('application/json').send(apiError.toBody());
    },
  });

  // First of all hooks: a request refused by a later onRequest hook (401, a drain's 503) is still timed
  // and traced, and authentication's time is part of the latency measured.
  ctx.config.observe?.(app);

  // CONNECT never reaches Fastify: without a listener Node closes the socket without a word.
  // (The twilio-cli gateway, which does take CONNECT, is a server of its own: src/twilio-proxy.)
  app.server.on('connect', (request: { url?: string }, socket: Socket) => {
    socket.on('error', () => {}); // a client gone before the answer is not an error of ours
    answerRaw(socket, errors.methodNotAllowed('CONNECT', request.url ?? ''), 'Allow: GET, POST, DELETE, OPTIONS\r\n');
    socket.destroySoon();
  });

  // An Expect other than 100-continue never reaches Fastify either: without a listener Node answers
  // a bare 417 with no body.
  app.server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    const apiError = errors.expectationFailed(request.headers.expect ?? '');
    const body = JSON.stringify(apiError.toBody());
    response.writeHead(apiError.status, {
      'Twilio-Request-Id': newSid('RQ'),
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      // The body the client held back may follow anyway: closing spares reading it.
      Connection: 'close',
    });
    response.end(body);
  });

  app.decorateRequest('account', null as unknown as Account);
  app.decorateRequest('form', null as unknown as Form);

  // Bodies: forms (the Twilio way) and, for convenience, JSON objects; both become `request.form`.
  app.removeAllContentTypeParsers();
  // A DELETE takes no parameters (Twilio's spec gives none): its body is ignored as a GET's is, so a stray
  // Content-Type (text/plain from a fetch with an empty string body) or an unparsable body is no 415 or 400.
  app.addHttpMethod('DELETE', { hasBody: false, overrideExisting: true });
  // As bytes: percent-escapes are decoded in the charset the Content-Type declares (parseFormBody).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer', bodyLimit }, (req, body, done) => {
    // parseFormBody's 400 (too many parameters) or 415 (charset): Fastify hands what a parser throws to the error handler.
    done(null, parseFormBody(body as Buffer, header(req, 'content-type')));
  });
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (_req, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, Object.create(null));
    let parsed: unknown;
    try {
      // Integers beyond ±2^53 kept as their digits, as in a form's JSON fields (parseClientJson).
      parsed = JSON.parse(text, mayHoldLargeIntegers(text) ? exactLargeIntegers : undefined);
    } catch {
      // A reviver recurses: a body nested past the stack is refused here too.
      return done(errors.badRequest('Request body is not valid JSON'), undefined);
    }
    const overflow = overflowingNumber(text, parsed);
    if (overflow !== null) return done(errors.badRequest(`Request body is not valid JSON: ${overflowReason(overflow)}`), undefined);
    try {
      done(null, formFromJson(parsed));
    } catch (error) {
      done(error instanceof ApiError ? error : errors.badRequest('Request body is not valid JSON'), undefined);
    }
  });

  // Compressed bodies are not taken (RFC 9110 §8.4.1, §15.5.16: a 415 for a coding the server does not take):
  // no Twilio client compresses a request, and a parser fed gzip would report the wrong fault. Checked
  // before the body is read, after authentication.
  app.addHook('preParsing', async (request, _reply, payload) => {
    if (request.is404) return payload; // a 404 or 405 says more
    if (request.method === 'DELETE') return payload; // its body is never read (addHttpMethod above)
    const coding = unsupportedContentCoding(request);
    if (coding !== null) throw errors.unsupportedContentEncoding(coding);
    return payload;
  });

  // Set as close() starts (Fastify stops routing new work at the same point): what still arrives on an
  // open connection is refused, so the load balancer retries it elsewhere.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });

  // Answered before its body has arrived (a 401, 413 or 415 decided on the headers): the rest of that
  // body would be read as the next request, and Node's request timeout would later write a second,
  // stray 408 on the connection. Close it after this answer instead.
  app.addHook('onSend', async (request, reply, payload) => {
    if (!request.raw.complete) reply.header('Connection', 'close');
    return payload;
  });

  app.addHook('onRequest', async (request, reply) => {
    routed.set(request.raw, request);
    setCommonHeaders(request, reply);
    // RFC 9112: an HTTP/1.1 request without Host is a 400 (HTTP/1.0 may omit it: see base-urls.ts).
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      const apiError = errors.badRequest('Malformed HTTP request: an HTTP/1.1 request needs a Host header');
      return reply.code(apiError.status).header('Connection', 'close').type('application/json').send(apiError.toBody());
    }
    if (closing) {
      const apiError = errors.unavailable('Service Unavailable: the server is shutting down');
      return reply.code(apiError.status).headers(apiError.headers).header('Connection', 'close').type('application/json').send(apiError.toBody());
    }
    // Still starting (waiting for the store): probes answer, anything else would wait on the store.
    if (ctx.startup && !ctx.startup.open && !request.routeOptions.config?.probe) {
      const apiError = errors.unavailable('Service Unavailable: the server is starting (waiting for the database); try again shortly');
      return reply.code(apiError.status).headers(apiError.headers).type('application/json').send(apiError.toBody());
    }
    if (request.is404) return;
    const authenticated = request.routeOptions.config?.auth !== false;
    // A route that authenticates otherwise (a flow webhook) also takes Basic auth, which a browser may have cached.
    const acts = !SAFE_METHODS.has(request.method) || request.routeOptions.config?.actsOnGet === true;
    if (acts && (authenticated || request.headers.authorization !== undefined)) {
      const foreign = crossSiteOrigin(ctx, request, allowedOrigins);
      if (foreign !== null) throw errors.crossSite(request.method, foreign);
    }
    if (!authenticated) return;
    const credentials = parseBasicAuth(request.headers.authorization);
    const account = credentials ? await ctx.accounts.authenticate(credentials.username, credentials.password) : null;
    if (!account) throw errors.authenticate();
    request.account = account;
  });

  app.addHook('preHandler', async (request) => {
    const body = request.body;
    request.form = body && typeof body === 'object' ? (body as Form) : Object.create(null);
  });

  app.setErrorHandler((error, request, reply) => {
    // The client closed its connection before its body arrived in full (an aborted upload, or after a
    // 408): the request stream's ECONNRESET is the client's doing, not the database's (whose socket
    // errors share the code), and no answer reaches anyone.
    if (request.raw.destroyed && request.raw.complete === false) {
      if (timedOut.has(request)) request.log.debug('request body abandoned after its 408');
      else request.log.info({ reason: error instanceof Error ? error.message : String(error) }, 'client aborted the request before sending it in full');
      return reply.code(400).type('application/json').send(errors.badRequest('The client aborted the request').toBody());
    }
    const apiError = toApiError(error, bodyLimit, request.headers['content-type']);
    // A 503 is the store or the node saying "not now" (a database out of connections, a drain), answered as
    // such and retried by clients: a warning. Only other 5xx are errors worth paging someone for.
    if (apiError.status === 503) request.log.warn({ err: error }, 'service unavailable');
    else if (apiError.status >= 500) request.log.error({ err: error }, 'unhandled error');
    reply.code(apiError.status).headers(apiError.headers).type('application/json').send(apiError.toBody());
  });

  const routes = new Routes(app);

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    const allowed = routes.allowedMethods(path);
    if (allowed.length === 0 && routes.notFoundPage?.(request, reply, path)) return reply;
    const apiError =
      allowed.length > 0 && request.method !== 'OPTIONS' ? errors.methodNotAllowed(request.method, path) : errors.notFound(path);
    if (allowed.length > 0) reply.header('Allow', allowed.join(', '));
    if (request.method === 'OPTIONS' && allowed.length > 0) return reply.code(204).send();
    reply.code(apiError.status).type('application/json').send(apiError.toBody());
  });

  registerHealth(routes, ctx);
  registerV2Flows(routes, ctx);
  registerV1Flows(routes, ctx);
  registerV2Executions(routes, ctx);
  registerV1Executions(routes, ctx);
  registerWebhooks(routes, ctx);
  registerSimulator(routes, ctx);
  registerSimulatorCalls(routes, ctx);
  registerReplay(routes, ctx);
  registerCarrier(routes, ctx);
  registerMonitorAlerts(routes, ctx);
  await registerConsole(routes, ctx);

  return app;
}
