// Golden whole-call tests. Each cases/<name>.json names a flow (a real export in ../shared/flows,
// read in place, or one of our fixtures), a caller and a script of caller actions; the call runs
// through the simulator phone, which posts the signed webhooks Twilio posts and carries out the
// TwiML it gets. The outcome (what the caller heard and did, the steps, how the call and the
// execution ended, the widgets' outputs) is compared with the reviewed <name>.golden.json next to it.
// UPDATE_GOLDEN=1 rewrites the golden files. SIDs and dates are normalised.
//
// Script steps:
//   { "digits": "1" } | { "speech": "yes" } | { "silence": true } | { "recording": 6 }
//   { "dial": "completed" | "busy" | "no-answer" } | { "queue": "bridged" | "queue-full" }
//   { "payment": "success" } | { "agent": "completed" } | { "hangup": true }
//   { "app": [{ "key": "value" }, …] }  the next requests the external app of a TwiML Redirect gets
//                                   hand the call back with FlowEvent=return and these query
//                                   parameters, one set per request; once they run out it hangs up
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import { phoneFor } from '../../../src/api/routes/simulator-calls.ts';
import { SIMULATOR_BASE } from '../../../src/channels/simulator/phone-transport.ts';
import type { ExecutionState, Json } from '../../../src/engine/types.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { phone, type CallView } from '../support.ts';
import { contextOf } from '../../../src/runtime/execution-context.ts';

const CASES = new URL('./cases/', import.meta.url);
const SHARED = new URL('../../../../shared/flows/', import.meta.url);
const FIXTURES = new URL('../fixtures/', import.meta.url);
const UPDATE = process.env.UPDATE_GOLDEN === '1';

type Step =
  | { digits: string }
  | { speech: string }
  | { silence: true }
  | { recording: number }
  | { dial: string }
  | { queue: string }
  | { payment: string }
  | { agent: string }
  | { hangup: true }
  | { app: Record<string, string>[] };

interface Case {
  description: string;
  flow: string;
  from: string;
  script: Step[];
}

/** The external app of TwiML Redirect: hands the call back with the parameters the script set. */
class ExternalApp {
  server: Server;
  base = '';
  flowUrl = '';
  next: Record<string, string>[] = [];
  constructor() {
    this.server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const twiml = new VoiceResponse();
        twiml.say('You reached the external application.');
        const back = this.next.shift();
        if (back) twiml.redirect({ method: 'POST' }, `${this.flowUrl}?${new URLSearchParams({ FlowEvent: 'return', ...back }).toString()}`);
        else twiml.hangup();
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(twiml.toString());
      });
    });
  }
  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function flowUrlOf(spec: string): URL | null {
  const [where, name] = spec.split(':') as [string, string];
  const url = new URL(name, where === 'shared' ? SHARED : FIXTURES);
  return existsSync(url) ? url : null;
}

const SID = /\b(CA|RE|QU|FN|FT|EF|WT|AC|FW)[0-9a-f]{32}\b/g;

function normalise(value: unknown): Json {
  return JSON.parse(
    JSON.stringify(value, (key, v) => (key === 'Timestamp' || key === 'at' ? undefined : v))
      .replace(SID, (_m, prefix: string) => `${prefix}…`)
      .replace(/sb=[^"&<\s]+/g, 'sb=…'),
  ) as Json;
}

async function runCase(server: TestServer, app: ExternalApp, c: Case, flowUrl: URL): Promise<Json> {
  const definition = JSON.parse(readFileSync(flowUrl, 'utf8')) as unknown;
  const flow = await server.app.flows.create(server.account.sid, { friendlyName: c.description.slice(0, 60), status: 'published', definition });
  app.flowUrl = `${SIMULATOR_BASE}/v1/Accounts/${server.account.sid}/Flows/${flow.sid}`;
  let view: CallView = await phone(server, '/simulator/calls', { FlowSid: flow.sid, From: c.from });
  const path = `/simulator/calls/${view.sid}`;
  for (const [i, step] of c.script.entries()) {
    const where = `script[${i}] ${JSON.stringify(step)}`;
    if ('app' in step) {
      app.next = [...step.app];
      continue;
    }
    assert.ok(!['completed', 'failed'].includes(view.status), `${where}: the call already ended: ${JSON.stringify(view.transcript.slice(-4))}`);
    if ('digits' in step) view = await phone(server, `${path}/Digits`, { Digits: step.digits });
    else if ('speech' in step) view = await phone(server, `${path}/Speech`, { SpeechResult: step.speech, Confidence: '0.9' });
    else if ('silence' in step) view = await phone(server, `${path}/Silence`);
    else if ('recording' in step) view = await phone(server, `${path}/Recording`, { Duration: String(step.recording) });
    else if ('dial' in step) view = await phone(server, `${path}/Dial`, { Status: step.dial, Duration: '30' });
    else if ('queue' in step) view = await phone(server, `${path}/Queue`, { QueueResult: step.queue, QueueTime: '15' });
    else if ('payment' in step) view = await phone(server, `${path}/Payment`, { Result: step.payment });
    else if ('agent' in step) view = await phone(server, `${path}/VirtualAgent`, { VirtualAgentStatus: step.agent });
    else if ('hangup' in step) view = await phone(server, `${path}/Hangup`);
  }
  await server.app.executions.idle();
  const execution = (await server.app.store.getExecutionBySid(view.execution_sid!))!;
  const steps = (await server.app.store.listSteps(server.account.sid, flow.sid, execution.sid, { pageSize: 1000 })).items;
  return normalise({
    call: view.status,
    waitingFor: view.waiting_for?.kind ?? null,
    execution: execution.status,
    endReason: (execution.state as ExecutionState).endReason,
    transcript: view.transcript.map((l) => `${l.who} ${l.kind}: ${l.text}`),
    steps: steps.map((s) => `${s.transitionedFrom} -${s.name}-> ${s.transitionedTo}`),
    widgets: (contextOf(execution) as { widgets: Json }).widgets,
  });
}

describe('golden whole-call cases', () => {
  const files = readdirSync(CASES).filter((f) => f.endsWith('.json') && !f.endsWith('.golden.json')).sort();
  const app = new ExternalApp();
  let server: TestServer;
  before(async () => {
    await app.start();
    // The external app listens on loopback, which the outbound policy refuses outside dev mode.
    server = await startTestServer({ config: { httpAllow: ['127.0.0.1'] } });
    phoneFor(server.app.server)!.transport.externalBase = app.base;
  });
  after(async () => {
    await server.close();
    await app.close();
  });
  it('has cases', () => assert.ok(files.length >= 6, `${files.length} cases`));
  for (const file of files) {
    it(file.replace(/\.json$/, ''), async (t) => {
      const c = JSON.parse(readFileSync(new URL(file, CASES), 'utf8')) as Case;
      const flowUrl = flowUrlOf(c.flow);
      if (!flowUrl) {
        t.skip(`${c.flow} is not available (shared flows folder missing?)`);
        return;
      }
      const actual = await runCase(server, app, c, flowUrl);
      const goldenUrl = new URL(file.replace(/\.json$/, '.golden.json'), CASES);
      if (UPDATE) {
        writeFileSync(goldenUrl, JSON.stringify(actual, null, 2) + '\n');
        return;
      }
      assert.ok(existsSync(goldenUrl), `${file}: no golden file yet; run with UPDATE_GOLDEN=1 and review it`);
      assert.deepEqual(actual, JSON.parse(readFileSync(goldenUrl, 'utf8')), `${file} differs from its golden file (UPDATE_GOLDEN=1 rewrites it after review)`);
    });
  }
});
