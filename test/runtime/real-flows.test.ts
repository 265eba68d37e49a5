// Runs every real exported flow in ../shared/flows (third-party Studio exports, read in place and
// never copied) through the whole runtime with the simulator channel: the flow is created through
// FlowService, started from its trigger (a message, or the REST API for incomingRequest), replies
// "1" to every question and lets simulated time pass until the execution ends or a bounded number
// of turns is used. make-http-request / run-function calls go to a REAL local node:http server
// (FetchHttp with the URL's host rewritten to 127.0.0.1), never to the Internet.
//
// Per flow: at least one step, the execution ended or is waiting, and no error other than 81003
// (widget type not supported yet) and the errors this sandbox causes on purpose (listed in
// ENVIRONMENT_ERRORS). Errors come from the steps' context `error` entries and the end reason (the
// runtime keeps no diagnostics list). Flows wired only for incomingCall are skipped (voice);
// conversation-only flows are texted as they are (the simulator takes the text into a conversation,
// incomingConversationMessage); subflow-only flows run under a generated
// parent flow. REAL_FLOWS_REPORT=<file> writes every outcome as JSON.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { App } from '../../src/app.ts';
import type { OutboundHttp } from '../../src/runtime/ports/channel.ts';
import type { ExecutionState } from '../../src/engine/types.ts';
import type { FlowDefinition, State } from '../../src/definition/types.ts';
import { validateDefinition } from '../../src/definition/validate.ts';
import { SIMULATOR_FLOW_ADDRESS } from '../../src/channels/simulator/simulator-channel.ts';
import type { Account } from '../../src/runtime/ports/store.ts';
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

const MAX_TURNS = 12;
const MAX_REPLIES = 6;

/**
 * Errors this sandbox causes on purpose, each allowed only with its reason: deployment placeholders
 * that were never substituted (Terraform `${…}`, `<<INSERT …>>`), subflows that do not exist in a
 * fresh store, and flows whose next step is built from an API answer our stub server cannot give.
 */
const ENVIRONMENT_ERRORS: EnvironmentError[] = [
  {
    reason: 'URL is an unsubstituted deployment placeholder (${…} / <<INSERT …>>)',
    allows: (_f, e) => (e.code === 81014 || e.code === 81010) && /\$\{|<<INSERT/.test(e.message),
  },
  {
    reason: 'start-conversation names an unsubstituted deployment placeholder (${…}) as its Conversations service',
    allows: (_f, e) => e.code === 50050 && /\$\{/.test(e.message),
  },
  {
    reason: 'send-to-flex names a placeholder (${…} or WWXXX…) as its TaskRouter workflow; TaskRouter, and so the simulator, refuse it',
    allows: (_f, e) => e.code === 20001 && /^Workflow (\$\{|WWX+ )/.test(e.message),
  },
  { reason: 'run-subflow names a flow that does not exist in this fresh store', allows: (_f, e) => e.code === 81024 && /was not found/.test(e.message) },
  {
    reason: 'the message body comes from a Dialogflow answer; the local stub answers {"ok":true}, so it is empty',
    allows: (f, e) => f.startsWith('JasonLearmouth__') && e.code === 81011,
  },
  {
    reason: "the URL is a Function's response body; the local stub answers {\"ok\":true}",
    allows: (f, e) => f.startsWith('ankur-twilio__candybot') && e.code === 81014 && e.message.includes('{"ok":true}'),
  },
];

/** The real local server every outbound HTTP request is sent to. */
class LocalEndpoint extends LocalServer {
  hits = 0;
  protected override handle(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    req.on('end', () => {
      this.hits++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  }
}

class Clock {
  ms = Date.parse('2026-02-02T10:00:00Z');
  now = () => this.ms;
}

interface Harness {
  app: App;
  account: Account;
  clock: Clock;
}

async function startApp(http: OutboundHttp): Promise<Harness> {
  const clock = new Clock();
  const { app, account } = await startRealFlowsApp(http, clock.now);
  return { app, account, clock };
}

type Start = 'incomingMessage' | 'incomingConversationMessage' | 'incomingRequest' | 'incomingParent';

function wiredEvents(definition: FlowDefinition): Set<string> {
  return new Set((triggerOf(definition)?.transitions ?? []).filter((t) => t.next).map((t) => t.event));
}

function pickStart(definition: FlowDefinition): Start | null {
  const wired = wiredEvents(definition);
  for (const event of ['incomingMessage', 'incomingConversationMessage', 'incomingRequest', 'incomingParent'] as const) {
    if (wired.has(event)) return event;
  }
  return null;
}

/** A parent flow that runs `flowSid` as a subflow, for flows wired only for incomingParent. */
function parentOf(flowSid: string): FlowDefinition {
  return {
    description: 'real-flows test parent',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'sub' }], properties: { offset: { x: 0, y: 0 } } },
      {
        name: 'sub',
        type: 'run-subflow',
        transitions: [{ event: 'completed' }, { event: 'failed' }],
        properties: { offset: { x: 0, y: 100 }, flow_sid: flowSid, flow_revision: '1', parameters: [] },
      } as State,
    ],
  };
}

async function text(h: Harness, flowSid: string, from: string, body: string): Promise<string | null> {
  const res = await h.app.server.inject({
    method: 'POST',
    url: `/simulator/Flows/${flowSid}/Messages`,
    headers: { authorization: 'Basic ' + Buffer.from(`${h.account.sid}:${h.account.authToken}`).toString('base64'), 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ From: from, Body: body }).toString(),
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().execution_sid ?? null;
}

interface Outcome {
  file: string;
  start: string;
  status: string;
  steps: number;
  path: string[];
  errors: FlowError[];
  unsupported: string[];
  rejected?: string;
}

const outcomes: Outcome[] = [];
const skipped: { file: string; why: string }[] = [];

describe('real exported flows run in the simulator', () => {
  if (!existsSync(dir)) {
    it('shared flows folder', (t) => {
      t.skip(`shared flows folder not found at ${fileURLToPath(dir)}: nothing to run`);
    });
    return;
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const endpoint = new LocalEndpoint();
  const http = new RewritingHttp(endpoint);
  before(() => endpoint.start());
  after(() => endpoint.close());

  it('finds flows', () => assert.ok(files.length > 0, 'no *.json in shared/flows'));

  files.forEach((file, index) => {
    it(file, async (t) => {
      const raw = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as unknown;
      const checked = validateDefinition(raw);
      const definition = (checked.definition ?? raw) as FlowDefinition;
      const start = pickStart(definition);
      if (!start) {
        const wired = [...wiredEvents(definition)];
        const why = wired.includes('incomingCall') ? 'voice flow (only incomingCall is wired): called through the simulator phone in test/voice/real-flows.test.ts' : `no supported trigger event is wired (${wired.join(', ') || 'none'})`;
        skipped.push({ file, why });
        t.skip(why);
        return;
      }
      const h = await startApp(http);
      try {
        const contact = `+1555${String(7000000 + index).padStart(7, '0')}`;
        // A conversation-only flow runs as it is: the simulator takes the text into a conversation.
        const { flow, rejected } = await createPublishedOrDraft(h.app, h.account, file, raw, contact);
        let runFlowSid = flow.sid;
        if (start === 'incomingParent') {
          const parent = await h.app.flows.create(h.account.sid, { friendlyName: 'parent', status: 'published', definition: parentOf(flow.sid) });
          runFlowSid = parent.sid;
        }

        let executionSid: string | null;
        if (start === 'incomingRequest') {
          const created = await h.app.executions.create(h.account.sid, runFlowSid, { to: contact, from: SIMULATOR_FLOW_ADDRESS, parameters: { name: 'Ada', test: 'true' } }, 'error');
          executionSid = created.execution.sid;
        } else {
          executionSid = await text(h, runFlowSid, contact, 'hi');
        }
        assert.ok(executionSid, 'an execution was started');

        let replies = 0;
        for (let turn = 0; turn < MAX_TURNS; turn++) {
          await h.app.executions.idle();
          const record = await h.app.store.getExecutionBySid(executionSid);
          if (!record || record.status === 'ended') break;
          const state = record.state as ExecutionState;
          if (state.frames.at(-1)?.wait?.kind === 'reply' && replies < MAX_REPLIES) {
            replies++;
            await text(h, runFlowSid, contact, '1');
          } else {
            h.clock.ms += 25 * 3600 * 1000;
            await h.app.executions.fireDueTimers();
          }
        }
        await h.app.executions.idle();

        const record = (await h.app.store.getExecutionBySid(executionSid))!;
        const state = record.state as ExecutionState;
        const steps = (await h.app.store.listSteps(h.account.sid, runFlowSid, executionSid, { pageSize: 1000 })).items;
        const errors = runErrors(steps, state);
        const end = state.endReason;
        const unsupported = [...new Set(errors.filter((e) => e.code === 81003).map((e) => e.widgetType ?? '?'))];
        const outcome: Outcome = {
          file,
          start,
          status: record.status === 'ended' ? `ended(${end?.kind === 'error' ? end.code : end?.kind})` : `waiting(${state.frames.at(-1)?.wait?.kind ?? 'none'} at ${state.frames.at(-1)?.current})`,
          steps: steps.length,
          path: stepPath(steps),
          errors,
          unsupported,
          ...(rejected ? { rejected } : {}),
        };
        outcomes.push(outcome);
        t.diagnostic(`${start}: ${outcome.status}, ${outcome.steps} steps, replies ${replies}${rejected ? `; REJECTED by FlowService, run as a draft: ${rejected}` : ''}`);
        if (unsupported.length) t.diagnostic(`unsupported widget types: ${unsupported.join(', ')}`);
        for (const e of errors.filter((e) => e.code !== 81003)) t.diagnostic(`error ${e.code} (${e.widgetType ?? 'end'}): ${e.message}`);

        assert.ok(steps.length >= 1, 'at least one step is recorded');
        assert.ok(record.status === 'ended' || state.frames.at(-1)?.wait, `ended or waiting, got ${outcome.status}`);
        const unexpected = errors.filter((e) => e.code !== 81003 && !environmentReason(ENVIRONMENT_ERRORS, file, e));
        assert.deepEqual(unexpected, [], `unexpected errors; path: ${outcome.path.join(' | ')}`);
      } finally {
        await h.app.close();
      }
    });
  });

  // The run's summary: a report, not a test (each flow's test asserts its own run).
  after((t) => {
    const unsupported = new Map<string, number>();
    for (const o of outcomes) for (const type of o.unsupported) unsupported.set(type, (unsupported.get(type) ?? 0) + 1);
    const envCounts = new Map<string, number>();
    for (const o of outcomes) {
      const reasons = new Set(o.errors.map((e) => environmentReason(ENVIRONMENT_ERRORS, o.file, e)).filter((r): r is string => r !== undefined));
      for (const r of reasons) envCounts.set(r, (envCounts.get(r) ?? 0) + 1);
    }
    t.diagnostic(`${files.length} flows: ${outcomes.length} ran, ${skipped.length} skipped, local HTTP server answered ${endpoint.hits} requests`);
    t.diagnostic(`ran to the end: ${outcomes.filter((o) => o.status.startsWith('ended(completed')).length}; ended by 81003: ${outcomes.filter((o) => o.status === 'ended(81003)').length}; still waiting: ${outcomes.filter((o) => o.status.startsWith('waiting')).length}`);
    t.diagnostic(`unsupported widget types (flows): ${[...unsupported].map(([k, v]) => `${k}×${v}`).join(', ') || 'none'}`);
    t.diagnostic(`rejected by FlowService (run as drafts): ${outcomes.filter((o) => o.rejected).map((o) => o.file).join(', ') || 'none'}`);
    t.diagnostic(`allowed environment errors (flows): ${[...envCounts].map(([r, n]) => `${n}× ${r}`).join('; ') || 'none'}`);
    if (process.env.REAL_FLOWS_REPORT) writeFileSync(process.env.REAL_FLOWS_REPORT, JSON.stringify({ outcomes, skipped }, null, 2));
    t.diagnostic(`skipped: ${skipped.map((s) => `${s.file} (${s.why})`).join('; ') || 'none'}`);
  });
});
