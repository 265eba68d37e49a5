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
import type { IncomingMessage, ServerResponse } from 'node:http';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import type { App } from '../../src/app.ts';
import type { ExecutionState } from '../../src/engine/types.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import { phoneFor } from '../../src/api/routes/simulator-calls.ts';
import { SIMULATOR_BASE } from '../../src/channels/simulator/phone-transport.ts';
import type { Account } from '../../src/runtime/ports/store.ts';
import { basicAuth, form, FORM } from '../support/server.ts';
import {
  LocalServer,
  RewritingHttp,
  SHARED_FLOWS_DIR as dir,
  createPublishedOrDraft,
  environmentReason,
  runErrors,
  startRealFlowsApp,
  stepPath,
  triggerOf,
  type EnvironmentError,
  type FlowError,
} from '../support/real-flows.ts';
import type { CallView } from './support.ts';

const MAX_TURNS = 16;

const ENVIRONMENT_ERRORS: EnvironmentError[] = [
  {
    reason: 'URL is an unsubstituted deployment placeholder (${…} / <<INSERT …>>)',
    allows: (_f, e) => (e.code === 81014 || e.code === 81010) && /\$\{|<<INSERT|%24%7B/.test(e.message),
  },
  { reason: 'run-subflow names a flow that does not exist in this fresh store', allows: (_f, e) => e.code === 81024 && /was not found/.test(e.message) },
  { reason: 'send-to-auto-pilot: Autopilot is retired, the engine does not run it', allows: (_f, e) => e.code === 81003 && /send-to-auto-pilot/.test(e.message) },
  { reason: 'Connect Virtual Agent on the Conversations channel is not carried out', allows: (_f, e) => e.code === 81003 && /Connect Virtual Agent on the/.test(e.message) },
];

/** The local server: JSON for HTTP widgets, TwiML that returns the call for TwiML Redirect targets. */
class LocalEndpoint extends LocalServer {
  flowUrl = '';
  hits = 0;
  redirects = 0;
  protected override handle(req: IncomingMessage, res: ServerResponse): void {
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
  }
}

interface Outcome {
  file: string;
  status: string;
  steps: number;
  heard: number;
  actions: string[];
  path: string[];
  errors: FlowError[];
  rejected?: string;
}

const outcomes: Outcome[] = [];

function wiredCall(definition: FlowDefinition): boolean {
  return !!triggerOf(definition)?.transitions.some((t) => t.event === 'incomingCall' && t.next);
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
      const { app, account } = await startRealFlowsApp(new RewritingHttp(endpoint), () => clock);
      phoneFor(app.server)!.transport.externalBase = endpoint.base;
      try {
        const contact = `+1555${String(8000000 + index).padStart(7, '0')}`;
        const { flow, rejected } = await createPublishedOrDraft(app, account, file, raw, contact);
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
        const errors = runErrors(steps, state);
        const end = state.endReason;
        const outcome: Outcome = {
          file,
          status: `${record.status}(${end?.kind === 'error' ? end.code : end?.kind})`,
          steps: steps.length,
          heard: view.transcript.filter((l) => l.who === 'flow').length,
          actions,
          path: stepPath(steps),
          errors,
          ...(rejected ? { rejected } : {}),
        };
        outcomes.push(outcome);
        t.diagnostic(`${outcome.status}, ${outcome.steps} steps, heard ${outcome.heard} lines, caller actions: ${actions.join(' ') || 'none'}${rejected ? '; run as a draft' : ''}`);
        for (const e of errors) t.diagnostic(`error ${e.code} (${e.widgetType ?? 'end'}): ${e.message}${environmentReason(ENVIRONMENT_ERRORS, file, e) ? ` [allowed: ${environmentReason(ENVIRONMENT_ERRORS, file, e)}]` : ''}`);

        assert.ok(steps.length >= 1, 'at least one step is recorded');
        assert.equal(record.status, 'ended', `the execution ended with the call; path: ${outcome.path.join(' | ')}`);
        const unexpected = errors.filter((e) => !environmentReason(ENVIRONMENT_ERRORS, file, e));
        assert.deepEqual(unexpected, [], `unexpected errors; path: ${outcome.path.join(' | ')}`);
      } finally {
        await app.close();
      }
    });
  });

  // The run's summary: a report, not a test (each flow's test asserts its own call).
  after((t) => {
    t.diagnostic(`${voice.length} voice flows called; completed normally: ${outcomes.filter((o) => o.status === 'ended(completed)').length}; local server answered ${endpoint.hits} requests (${endpoint.redirects} redirected calls handed back)`);
    if (process.env.REAL_VOICE_REPORT) writeFileSync(process.env.REAL_VOICE_REPORT, JSON.stringify(outcomes, null, 2));
  });
});
