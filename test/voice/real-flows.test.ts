// Every real exported flow in ../shared/flows that answers calls (incomingCall wired) is called
// through the simulator phone: the phone posts the signed call webhooks Twilio would, carries out
// the TwiML, presses 1 (or says "yes") at menus, leaves a 4 s message at Record, completes Dial,
// Enqueue, Pay and virtual-agent turns, then hangs up. HTTP from make-http-request / run-function
// and TwiML Redirect targets go to a REAL local node:http server (never the Internet); that server
// answers a redirected call with TwiML that hands it back with FlowEvent=return.
//
// Per flow: at least one step, the execution ended once the call ended, and no error other than
// the ones this sandbox causes on purpose (ENVIRONMENT_ERRORS, each with its reason). 81003
// (unsupported widget) is NOT allowed for voice widgets any more. REAL_VOICE_REPORT=<file> writes
// every outcome as JSON.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { FetchHttp } from '../../src/channels/http/fetch-http.ts';
import { OutboundPolicy } from '../../src/channels/http/outbound-policy.ts';
import type { HttpLimits, OutboundHttp } from '../../src/runtime/ports/channel.ts';
import type { ExecutionState, HttpRequestSpec, JsonObject } from '../../src/engine/types.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import { validateDefinition } from '../../src/definition/validate.ts';
import { phoneFor, SIMULATOR_BASE } from '../../src/api/routes/simulator-calls.ts';
import type { Account } from '../../src/runtime/ports/store.ts';
import { basicAuth, form, FORM } from '../support/server.ts';
import type { CallView } from './support.ts';

const dir = new URL('../../../shared/flows/', import.meta.url);
const MAX_TURNS = 16;

const ENVIRONMENT_ERRORS: { reason: string; allows(file: string, error: { code: number; message: string }): boolean }[] = [
  {
    reason: 'URL is an unsubstituted deployment placeholder (${…} / <<INSERT …>>)',
    allows: (_f, e) => (e.code === 81014 || e.code === 81010) && /\$\{|<<INSERT|%24%7B/.test(e.message),
  },
  { reason: 'run-subflow names a flow that does not exist in this fresh store', allows: (_f, e) => e.code === 81024 && /was not found/.test(e.message) },
  { reason: 'send-to-auto-pilot: Autopilot is retired, the engine does not run it', allows: (_f, e) => e.code === 81003 && /send-to-auto-pilot/.test(e.message) },
  { reason: 'Connect Virtual Agent on the Conversations channel is not carried out', allows: (_f, e) => e.code === 81003 && /Connect Virtual Agent on the/.test(e.message) },
];

function environmentReason(file: string, error: { code: number; message: string }): string | undefined {
  return ENVIRONMENT_ERRORS.find((allowed) => allowed.allows(file, error))?.reason;
}

/** The local server: JSON for HTTP widgets, TwiML that returns the call for TwiML Redirect targets. */
class LocalEndpoint {
  flowUrl = '';
  hits = 0;
  redirects = 0;
  base = '';
  server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      this.hits++;
      const params = new URLSearchParams(req.url?.split('?')[1] ?? '');
      const form = new URLSearchParams(body);
      if (form.get('CallSid') || params.get('CallSid')) {
        this.redirects++;
        const twiml = new VoiceResponse();
        twiml.say('This is the external application.');
        twiml.redirect({ method: 'POST' }, `${this.flowUrl}?FlowEvent=return&from_app=yes`);
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(twiml.toString());
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

class RewritingHttp implements OutboundHttp {
  readonly inner = new FetchHttp({ policy: new OutboundPolicy({ allow: ['127.0.0.1'] }) });
  readonly endpoint: LocalEndpoint;
  constructor(endpoint: LocalEndpoint) {
    this.endpoint = endpoint;
  }
  async request(spec: HttpRequestSpec, limits: HttpLimits) {
    let url: URL;
    try {
      url = new URL(spec.url);
    } catch (error) {
      return { kind: 'http-failed' as const, reason: 'network' as const, message: `Invalid URL: ${(error as Error).message}` };
    }
    return this.inner.request({ ...spec, url: new URL(url.pathname + url.search, this.endpoint.base).toString() }, limits);
  }
}

interface Outcome {
  file: string;
  status: string;
  steps: number;
  heard: number;
  actions: string[];
  path: string[];
  errors: { code: number; message: string; widgetType?: string }[];
  rejected?: string;
}

const outcomes: Outcome[] = [];

function wiredCall(definition: FlowDefinition): boolean {
  const trigger = definition.states?.find((s) => s.name === definition.initial_state) ?? definition.states?.find((s) => s.type === 'trigger');
  return !!trigger?.transitions.some((t) => t.event === 'incomingCall' && t.next);
}

async function api(app: App, account: Account, method: 'GET' | 'POST', url: string, fields: Record<string, string> = {}): Promise<CallView> {
  const res = await app.server.inject({ method, url, headers: { authorization: basicAuth(account.sid, account.authToken), ...(method === 'POST' ? FORM : {}) }, ...(method === 'POST' ? { payload: form(fields) } : {}) });
  assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as CallView;
}

describe('real voice flows answer calls in the simulator', () => {
  if (!existsSync(dir)) {
    it('shared flows folder', (t) => t.skip('shared flows folder not found: nothing to run'));
    return;
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const voice = files.filter((f) => {
    try {
      return wiredCall(JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as FlowDefinition);
    } catch {
      return false;
    }
  });
  const endpoint = new LocalEndpoint();
  before(() => endpoint.start());
  after(() => endpoint.close());

  it('finds voice flows', () => assert.ok(voice.length >= 30, `${voice.length} voice flows`));

  voice.forEach((file, index) => {
    it(file, async (t) => {
      const raw = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as unknown;
      let clock = Date.parse('2026-02-02T10:00:00Z');
      const config = { ...loadConfig({}, {}), dataDir: ':memory:', invalidDefinitions: 'save-as-draft' as const };
      const app = await createApp(config, { store: new SqliteStore({ path: ':memory:' }), now: () => clock, http: new RewritingHttp(endpoint) });
      const { account } = await app.accounts.ensureStartupAccount();
      await app.server.ready();
      phoneFor(app.server)!.transport.externalBase = endpoint.base;
      try {
        const contact = `+1555${String(8000000 + index).padStart(7, '0')}`;
        let rejected: string | undefined;
        let flow;
        try {
          flow = await app.flows.create(account.sid, { friendlyName: file.slice(0, 64), status: 'published', definition: raw });
        } catch (error) {
          rejected = JSON.stringify((error as { details?: unknown }).details ?? (error as Error).message).slice(0, 300);
          flow = await app.flows.create(account.sid, { friendlyName: file.slice(0, 64), status: 'draft', definition: raw });
          await app.store.setTestUsers(account.sid, flow.sid, [contact]);
        }
        endpoint.flowUrl = `${SIMULATOR_BASE}/v1/Accounts/${account.sid}/Flows/${flow.sid}`;
        let view = await api(app, account, 'POST', '/simulator/calls', { FlowSid: flow.sid, From: contact });
        const actions: string[] = [];
        for (let turn = 0; turn < MAX_TURNS && !['completed', 'failed', 'busy', 'no-answer', 'canceled'].includes(view.status); turn++) {
          const path = `/simulator/calls/${view.sid}`;
          const kind = view.waiting_for?.kind;
          actions.push(kind ?? 'none');
          if (kind === 'input') view = await api(app, account, 'POST', `${path}/${turn % 3 === 2 ? 'Speech' : 'Digits'}`, turn % 3 === 2 ? { SpeechResult: 'Yes.' } : { Digits: '1' });
          else if (kind === 'record') view = await api(app, account, 'POST', `${path}/Recording`, { Duration: '4' });
          else if (kind === 'dial') view = await api(app, account, 'POST', `${path}/Dial`, { Status: 'completed', Duration: '20' });
          else if (kind === 'queue') view = await api(app, account, 'POST', `${path}/Queue`, { QueueResult: 'bridged' });
          else if (kind === 'payment') view = await api(app, account, 'POST', `${path}/Payment`, { Result: 'success', PaymentConfirmationCode: 'ch_1' });
          else if (kind === 'virtual-agent') view = await api(app, account, 'POST', `${path}/VirtualAgent`, { VirtualAgentStatus: 'completed' });
          else if (kind === 'hold') {
            clock += 25 * 3600 * 1000;
            await app.executions.fireDueTimers();
            await app.executions.idle();
            view = await api(app, account, 'GET', path);
          } else break;
        }
        if (!['completed', 'failed', 'busy', 'no-answer', 'canceled'].includes(view.status)) view = await api(app, account, 'POST', `/simulator/calls/${view.sid}/Hangup`);
        await app.executions.idle();

        assert.ok(view.execution_sid, `an execution ran the call; transcript: ${JSON.stringify(view.transcript.slice(-3))}`);
        const record = (await app.store.getExecutionBySid(view.execution_sid))!;
        const state = record.state as ExecutionState;
        const steps = (await app.store.listSteps(account.sid, flow.sid, record.sid, { pageSize: 1000 })).items;
        const errors: Outcome['errors'] = [];
        for (const step of steps) {
          const error = (step.context as JsonObject | null)?.error as { code?: number; message?: string } | undefined;
          if (error && typeof error.code === 'number') errors.push({ code: error.code, message: error.message ?? '', widgetType: step.type });
        }
        const end = state.endReason;
        if (end?.kind === 'error' && !errors.some((e) => e.code === end.code && e.message === end.message)) errors.push({ code: end.code, message: end.message });
        const outcome: Outcome = {
          file,
          status: `${record.status}(${end?.kind === 'error' ? end.code : end?.kind})`,
          steps: steps.length,
          heard: view.transcript.filter((l) => l.who === 'flow').length,
          actions,
          path: steps.map((s) => `${s.transitionedFrom} -${s.name}-> ${s.transitionedTo}`),
          errors,
          ...(rejected ? { rejected } : {}),
        };
        outcomes.push(outcome);
        t.diagnostic(`${outcome.status}, ${outcome.steps} steps, heard ${outcome.heard} lines, caller actions: ${actions.join(' ') || 'none'}${rejected ? '; run as a draft' : ''}`);
        for (const e of errors) t.diagnostic(`error ${e.code} (${e.widgetType ?? 'end'}): ${e.message}${environmentReason(file, e) ? ` [allowed: ${environmentReason(file, e)}]` : ''}`);

        assert.ok(steps.length >= 1, 'at least one step is recorded');
        assert.equal(record.status, 'ended', `the execution ended with the call; path: ${outcome.path.join(' | ')}`);
        const unexpected = errors.filter((e) => !environmentReason(file, e));
        assert.deepEqual(unexpected, [], `unexpected errors; path: ${outcome.path.join(' | ')}`);
      } finally {
        await app.close();
      }
    });
  });

  it('summary', (t) => {
    t.diagnostic(`${voice.length} voice flows called; completed normally: ${outcomes.filter((o) => o.status === 'ended(completed)').length}; local server answered ${endpoint.hits} requests (${endpoint.redirects} redirected calls handed back)`);
    if (process.env.REAL_VOICE_REPORT) writeFileSync(process.env.REAL_VOICE_REPORT, JSON.stringify(outcomes, null, 2));
  });
});
