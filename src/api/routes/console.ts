// The web console: its built assets (web/dist) served without auth at `/`, the single-page app's
// client-side paths answered with index.html (a browser's other pages outside the API too, as 404s),
// and a few console-only endpoints (authenticated like the rest of the API): full validation
// results, how an execution ended, and server-sent event streams of live steps.
// The streams poll the store rather than listen to in-process events, so they work on any node of
// a multi-node deployment, whichever node ran the step.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { ApiContext } from '../context.ts';
import type { Routes } from '../server.ts';
import { publicBase } from '../wire/base-urls.ts';
import { errors } from '../wire/errors.ts';
import { jsonField, requiredQuery } from '../wire/form.ts';
import { single } from '../wire/query.ts';
import { simulatorAddress } from '../wire/addresses.ts';
import { endReasonOf, standingBody } from '../representations/execution-standing.ts';
import { isSid } from '../../runtime/ids.ts';
import { flowSidParam } from '../wire/path-params.ts';
import { ConversationWatch, ExecutionWatch } from './console-watch.ts';
import { ConsoleStreams, DEFAULT_STREAMS, DEFAULT_STREAMS_PER_ACCOUNT } from './console-stream.ts';
import { SIMULATOR_FLOW_ADDRESS, type TranscriptEntry } from '../../channels/simulator/simulator-channel.ts';
import { evictOldest } from '../../lib/evict-oldest.ts';

export const CONSOLE_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/** Client-side paths of the console; each answers with index.html so deep links and reloads work. */
const SPA_PATHS = ['/', '/sign-in', '/flows', '/flows/*'];

/**
 * Where the API lives (Twilio's paths, the extensions, probes, the console's own endpoints and assets):
 * a path under one of these that no route serves is Twilio's JSON 404 whoever asks, a browser too.
 */
const API_ROOTS = ['/v1', '/v2', '/2010-04-01', '/simulator', '/replay', '/console/api', '/healthz', '/readyz', '/metrics', '/assets'];

/** Whether `path` is the API's (case aside: /V2/Flows is no console page either). */
export function isApiPath(path: string): boolean {
  // As a proxy or another router may read it: escapes decoded (/%76%32/… is /v2/…), runs of slashes as one.
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // A malformed escape: the path as sent.
  }
  const lower = decoded.replace(/\/{2,}/g, '/').toLowerCase();
  return API_ROOTS.some((root) => lower === root || lower.startsWith(`${root}/`));
}

/**
 * Whether an Accept header asks for HTML (a browser loading a page), not JSON or anything (API clients, curl):
 * text/html named, and preferred to JSON (application/json or a +json type) when both are named.
 */
export function acceptsHtml(accept: string | string[] | undefined): boolean {
  const value = Array.isArray(accept) ? accept.join(',') : (accept ?? '');
  let html = 0;
  let json = 0;
  for (const range of value.split(',')) {
    const [type, ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const q = params.find((param) => param.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    if (!(weight > 0)) continue;
    if (type === 'text/html') html = Math.max(html, weight);
    else if (type === 'application/json' || type?.endsWith('+json')) json = Math.max(json, weight);
  }
  return html > json;
}

export interface ConsoleOptions {
  /** Folder of the built console (default web/dist). */
  distDir?: string;
  /** How often live streams look at the store, ms. */
  pollMs?: number;
  /** How often a stream sends a comment so proxies keep it open, ms. */
  keepAliveMs?: number;
}

/** Executions one ExecutionSummaries request may name: the console lists 20 a page. */
const MAX_SUMMARIES = 100;

/**
 * The simulator's latest messages (every flow's), which a simulator stream starts from: what the
 * contact's executions sent to other numbers before it opened (a reload, another tab) is in no
 * transcript of the contact's.
 */
const MAX_RECENT_MESSAGES = 5000;

function readIndexHtml(distDir: string): string | null {
  const file = `${distDir}/index.html`;
  return existsSync(file) ? readFileSync(file, 'utf8') : null;
}

/**
 * The console holds an auth token in the page, so its document gets a strict policy: scripts and
 * connections only from this server, no framing (clickjacking), no referrer. Inline styles are
 * allowed because the canvas positions widgets with style attributes.
 */
const PAGE_SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const NOT_BUILT_PAGE = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Switchboard</title>
<body style="font-family:system-ui;margin:3rem"><h1>Switchboard</h1><p>The web console has not been built.
Run <code>npm run build:web</code> (or <code>npm start</code>, which builds it when needed) and reload.</p>
<p>The REST API is available at <code>/v2/Flows</code>.</p></body></html>`;

/** A browser's unknown page while the console is not built (once built, the console says it). */
const NOT_FOUND_PAGE = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Page not found · Switchboard</title>
<body style="font-family:system-ui;margin:3rem"><h1>Page not found</h1><p>Switchboard has no page at this address.</p>
<p><a href="/">Go to the web console</a>. The REST API is available at <code>/v2/Flows</code>.</p></body></html>`;

export async function registerConsole(routes: Routes, ctx: ApiContext, options: ConsoleOptions = {}): Promise<void> {
  const app = routes.app;
  const distDir = options.distDir ?? CONSOLE_DIST;
  const streams = new ConsoleStreams(
    ctx,
    // ctx.config is absent only where a test registers the console alone.
    { perAccount: ctx.config?.consoleStreamsPerAccount ?? DEFAULT_STREAMS_PER_ACCOUNT, total: ctx.config?.consoleStreams ?? DEFAULT_STREAMS },
    { pollMs: options.pollMs ?? 250, keepAliveMs: options.keepAliveMs ?? 15000 },
  );

  // Browsers answer a 401 carrying WWW-Authenticate with their own login prompt, which would hide
  // the console's sign-in form; the console marks its calls, and they get the 401 without it.
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode === 401 && request.headers['x-requested-with'] === 'XMLHttpRequest') reply.removeHeader('www-authenticate');
    return payload;
  });

  app.addHook('preClose', async () => streams.closeAll());

  // Kept by reference, as the simulator's transcripts hold them (their status moves on here too).
  const recent = new Map<string, TranscriptEntry>();
  if (ctx.simulator) {
    const stopRecording = ctx.simulator.onMessage((entry) => {
      recent.set(entry.sid, entry);
      evictOldest(recent, MAX_RECENT_MESSAGES);
    });
    app.addHook('onClose', async () => stopRecording());
  }

  // Static assets need no credentials: routes registered inside this plugin are marked auth: false.
  await app.register(async (instance) => {
    instance.addHook('onRoute', (route) => {
      route.config = { ...(route.config as object), auth: false } as typeof route.config;
    });
    // A path out of the assets directory (`/assets/../../etc/passwd`) is @fastify/static's bare 403:
    // Twilio's code for it is 20403. Other errors go on to the server's handler.
    instance.setErrorHandler((error, request) => {
      if ((error as { statusCode?: number }).statusCode === 403) throw errors.forbidden(request.url.split('?')[0] ?? request.url);
      throw error;
    });
    await instance.register(fastifyStatic, {
      root: `${distDir}/assets`,
      prefix: '/assets/',
      // Vite names assets by content hash, so they never change under one name.
      immutable: true,
      maxAge: '365d',
      // Serve files built after the server started as well.
      wildcard: true,
      decorateReply: false,
      // Not built yet is not a fault of a running server: the index answers the not-built page, and
      // the one line below says so at start (an API-only server, a test, never builds the console).
      suppressWarning: true,
    });
  });
  if (!existsSync(`${distDir}/assets`)) app.log.info({ distDir }, 'web console not built: run `npm run build:web` to serve it at /');

  const index = async (_request: FastifyRequest, reply: FastifyReply) => {
    const html = readIndexHtml(distDir);
    reply.header('cache-control', 'no-cache').headers(PAGE_SECURITY_HEADERS).type('text/html; charset=utf-8');
    if (html === null) return reply.code(503).send(NOT_BUILT_PAGE);
    return reply.send(html);
  };
  for (const path of SPA_PATHS) routes.add('GET', path, index, { auth: false });

  // A browser going to a page that is not there (/console/nonexistent, a mistyped link) gets a page
  // saying so, not the API's JSON: the console, answered 404, which shows its "Page not found" with a
  // way back. API paths, other methods and clients not asking for HTML keep Twilio's JSON 404.
  routes.notFoundPage = (request, reply, path) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || isApiPath(path) || !acceptsHtml(request.headers.accept)) return false;
    reply.code(404).header('cache-control', 'no-cache').headers(PAGE_SECURITY_HEADERS).type('text/html; charset=utf-8');
    reply.send(readIndexHtml(distDir) ?? NOT_FOUND_PAGE);
    return true;
  };

  // Validation with warnings as well as errors, for showing findings on the canvas while editing.
  routes.add('POST', '/console/api/Validate', async (request) => {
    const field = jsonField(request.form, 'Definition');
    if (!field.present) throw errors.missingParameter('Definition');
    if (!field.ok) {
      return { valid: false, errors: [{ property_path: '#', message: `Definition is ${field.error}` }], warnings: [] };
    }
    const result = ctx.flows.validate(field.value);
    return { valid: result.valid, errors: result.errors, warnings: result.warnings };
  });

  // Live steps and status of one execution.
  routes.add('GET', '/console/api/Flows/:FlowSid/Executions/:Sid/Events', async (request, reply) => {
    const flowSid = flowSidParam(request, 'FlowSid');
    const sid = (request.params as Record<string, string>).Sid!;
    if (!isSid('FN', sid)) throw errors.notFound(request.url.split('?')[0]!);
    const accountSid = request.account.sid;
    if (!(await ctx.store.getExecution(accountSid, flowSid, sid))) throw errors.notFound(request.url.split('?')[0]!);
    const base = publicBase(ctx, request);
    streams.open(request, reply, () => {
      const watch = new ExecutionWatch(sid);
      return { poll: () => watch.poll(ctx, accountSid, flowSid, base) };
    });
  });

  // How an ended execution ended, which Twilio's Execution resource does not say (its status is just
  // 'ended'): 'completed' (the flow ran out, or its call ended), 'manual' (the End button or the API),
  // 'expired' (its maximum age) or 'error' (with the code and message). Null while it is active.
  routes.add('GET', '/console/api/Flows/:FlowSid/Executions/:Sid/EndReason', async (request) => {
    const flowSid = flowSidParam(request, 'FlowSid');
    const sid = (request.params as Record<string, string>).Sid!;
    if (!isSid('FN', sid)) throw errors.notFound(request.url.split('?')[0]!);
    const execution = await ctx.store.getExecution(request.account.sid, flowSid, sid);
    if (!execution) throw errors.notFound(request.url.split('?')[0]!);
    return { sid, status: execution.status, end_reason: execution.status === 'ended' ? endReasonOf(execution.state) : null };
  });

  // Where each of a list page's executions stands (how it ended, or the widget it waits at), in one
  // request: the Execution resources a list carries say only 'active' or 'ended'. Sids that are not
  // this flow's executions (deleted since the list was read, malformed) are left out of the answer.
  routes.add('GET', '/console/api/Flows/:FlowSid/ExecutionSummaries', async (request) => {
    const flowSid = flowSidParam(request, 'FlowSid');
    const raw = (request.query as Record<string, unknown>).Sid;
    const sids = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String);
    if (sids.length > MAX_SUMMARIES) throw errors.invalidParameter('Sid', `at most ${MAX_SUMMARIES} executions at a time`);
    const accountSid = request.account.sid;
    if (!(await ctx.store.getFlow(accountSid, flowSid))) throw errors.notFound(request.url.split('?')[0]!);
    // One read of the few fields wanted, never an execution's whole state (up to the context limit, 5 MiB by
    // default): the list asks again with every refresh. Answered in the order asked.
    const wanted = [...new Set(sids)].filter((sid) => isSid('FN', sid));
    const found = wanted.length === 0 ? [] : await ctx.store.listExecutionStandings(accountSid, flowSid, wanted);
    const bySid = new Map(found.map((standing) => [standing.sid, standing]));
    return { summaries: wanted.flatMap((sid) => (bySid.has(sid) ? [standingBody(bySid.get(sid)!)] : [])) };
  });

  // The simulator conversation of one contact with a flow: messages both ways, and the steps and
  // status of every execution those messages belong to.
  routes.add('GET', '/console/api/Flows/:FlowSid/Simulator/Events', async (request, reply) => {
    const flowSid = flowSidParam(request, 'FlowSid');
    const query = request.query as Record<string, unknown>;
    // Checked as the simulator's POST checks From: an unencoded '+' (a space) would stream nobody's messages.
    const contact = simulatorAddress('Contact', requiredQuery(query, 'Contact'));
    // single(): a repeated FlowAddress is an array, which the store cannot bind (an endless error stream).
    const flowAddress = simulatorAddress('FlowAddress', single(query.FlowAddress, 'FlowAddress') || SIMULATOR_FLOW_ADDRESS);
    const accountSid = request.account.sid;
    if (!(await ctx.store.getFlow(accountSid, flowSid))) throw errors.notFound(request.url.split('?')[0]!);
    const base = publicBase(ctx, request);
    streams.open(request, reply, () => new ConversationWatch(ctx, { accountSid, flowSid, contact, flowAddress, base }, recent.values()));
  });
}
