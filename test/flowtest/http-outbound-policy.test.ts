// Flow tests apply the server's outbound HTTP policy (src/channels/http/outbound-policy.ts, fetch-http.ts): a mocked
// request the server would refuse — a private, loopback or link-local address, a cloud metadata host, a host
// --http-deny names, a scheme other than http(s), on any redirect hop — fails as on the server (the same failure
// and widget outputs), whatever a mock says, and a note says why and how to allow it. `switchboard test` takes
// serve's --dev, --http-allow and --http-deny, so a test runs under the server's policy.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';
import { simulationOptionsFrom, type SimulationOptions } from '../../src/flowtest/simulation.ts';
import { TEST_USAGE, engineRules, testCommand } from '../../src/cli/test.ts';
import type { JsonObject } from '../../src/engine/types.ts';
import { callingFlow } from '../support/flows.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { startTestServer, textThroughSimulator, type TestServer } from '../support/server.ts';

type Kind = 'make-http-request' | 'run-function';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sb-outbound-policy-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function flowCalling(kind: Kind, url: string) {
  return callingFlow(kind, { url, functionUrl: url }, { ok: 'ok {{widgets.call.parsed.n}}', sorry: 'failed' });
}

/** Writes one test of `kind`'s flow calling `url`, its mocks answering every request; returns the test file. */
function testFile(kind: Kind, url: string, mocks: object = { [kind === 'make-http-request' ? 'http' : 'functions']: [{ url: '*', status: 200, body: { n: 1 } }] }): string {
  const name = Math.random().toString(36).slice(2);
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(flowCalling(kind, url)));
  const file = join(dir, `${name}.test.yaml`);
  writeFileSync(file, stringify({ flow: `${name}.json`, tests: [{ name: 'calls', trigger: { message: { body: 'hi' } }, mocks }] }));
  return file;
}

/** Runs the test under `simulation` (default: the runner's, serve's default policy); what the flow did and what the report says. */
function run(kind: Kind, url: string, options: { simulation?: SimulationOptions; mocks?: object } = {}) {
  const summary = runFiles([testFile(kind, url, options.mocks)], options.simulation ? { simulation: options.simulation } : {});
  const result = summary.results[0]!;
  const observation = result.observation;
  assert.ok(observation, textReport(summary));
  return { path: observation.path, messages: observation.messages.map((m) => m.body), context: observation.context, notes: result.notes ?? [], problems: observation.problems, report: textReport(summary) };
}

const under = (flags: Record<string, unknown>) => simulationOptionsFrom(engineRules(flags as never, {}));
const OK = ['Trigger', 'call', 'ok'];
const SORRY = ['Trigger', 'call', 'sorry'];

describe("flow tests refuse the requests the server's outbound policy refuses", () => {
  for (const kind of ['make-http-request', 'run-function'] as const) {
    for (const url of ['http://10.0.0.5/api', 'http://127.0.0.1:8080/x', 'http://localhost/x', 'http://[::1]/x', 'http://192.168.1.20/x', 'http://[::ffff:10.0.0.1]/x']) {
      it(`${kind}: ${url} takes the failure path, whatever the mock says`, () => {
        const ran = run(kind, url);
        assert.deepEqual(ran.path, SORRY, ran.report);
        assert.deepEqual(ran.problems, []);
        assert.equal(ran.notes.filter((n) => n.includes('the server would refuse this request')).length, 1, ran.notes.join('\n'));
      });
    }
    it(`${kind}: a public host is sent as before`, () => {
      assert.deepEqual(run(kind, 'https://api.example.com/x').path, OK);
    });
  }

  it('the report says why and how to allow it, and names the mock meant for the refused request', () => {
    const ran = run('make-http-request', 'http://10.0.0.5/api', { mocks: { http: [{ url: 'http://10.0.0.5/api', body: { n: 1 } }] } });
    assert.deepEqual(ran.path, SORRY);
    assert.deepEqual(ran.notes, [
      "widget 'call': the server would refuse this request (GET http://10.0.0.5/api): 10.0.0.5 is a private, loopback or reserved address (allow it with --http-allow, or run in dev mode); the widget fails as it would there — allow it with --http-allow or --dev on switchboard test, as on serve (a flag, the environment or switchboard.config)",
      "mocks.http[0] (any method http://10.0.0.5/api) matched no request — the server would refuse the request it matches from widget 'call' (see the note on it)",
    ]);
  });

  it('link-local and cloud metadata addresses are refused in dev mode too; --http-allow opens them', () => {
    for (const url of ['http://169.254.169.254/latest/meta-data', 'http://metadata.google.internal/computeMetadata/v1/']) {
      const ran = run('make-http-request', url, { simulation: under({ dev: true }) });
      assert.deepEqual(ran.path, SORRY, url);
      assert.match(ran.notes[0]!, /link-local or cloud metadata address|is a cloud metadata service/);
      assert.match(ran.notes[0]!, /only --http-allow opens it/);
    }
    assert.deepEqual(run('make-http-request', 'http://169.254.169.254/x', { simulation: under({ 'http-allow': ['169.254.169.254'] }) }).path, OK);
  });

  it('--dev and --http-allow open private addresses, as on serve; --http-deny refuses a host', () => {
    assert.deepEqual(run('make-http-request', 'http://10.0.0.5/api', { simulation: under({ dev: true }) }).path, OK);
    assert.deepEqual(run('make-http-request', 'http://10.0.0.5/api', { simulation: under({ 'http-allow': ['10.0.0.0/8'] }) }).path, OK);
    assert.deepEqual(run('make-http-request', 'http://10.0.0.5/api', { simulation: under({ 'http-allow': ['10.0.0.0/8'], 'http-deny': ['10.0.0.5'] }) }).path, SORRY);
    const denied = run('run-function', 'https://fns-1234.twil.io/x', { simulation: under({ 'http-deny': ['*.twil.io'] }) });
    assert.deepEqual(denied.path, SORRY);
    assert.match(denied.notes[0]!, /fns-1234\.twil\.io is denied by --http-deny; .* --http-deny refuses it on switchboard test/);
  });

  it('a redirect to a refused address fails the widget, as every hop is checked on the server', () => {
    const mocks = { http: [{ url: 'https://api.example.com/start', status: 302, headers: { Location: 'http://127.0.0.1/admin' } }, { url: 'http://127.0.0.1/admin', body: { n: 1 } }] };
    const ran = run('make-http-request', 'https://api.example.com/start', { mocks });
    assert.deepEqual(ran.path, SORRY);
    assert.match(ran.notes[0]!, /GET http:\/\/127\.0\.0\.1\/admin, redirected there by a 302 from GET https:\/\/api\.example\.com\/start\): 127\.0\.0\.1 is a private/);
  });

  it('a redirect to a scheme other than http(s) fails as a network failure, and the note says so', () => {
    const ran = run('make-http-request', 'https://api.example.com/start', { mocks: { http: [{ url: 'https://api.example.com/start', status: 302, headers: { Location: 'ftp://files.example.com/x' } }] } });
    assert.deepEqual(ran.path, SORRY);
    assert.match(ran.notes[0]!, /ftp:\/\/files\.example\.com\/x, redirected there by a 302 from GET https:\/\/api\.example\.com\/start\): Unsupported protocol ftp:; the widget fails as it would there$/);
  });
});

describe('switchboard test takes serve\'s --dev, --http-allow and --http-deny', () => {
  it('its help says so', () => {
    assert.match(TEST_USAGE, /outbound HTTP policy \(--dev,\s+--http-allow, --http-deny/);
  });

  it('the flags decide, and the failure is reported', async () => {
    const project = mkdtempSync(join(dir, 'cli-'));
    mkdirSync(join(project, 'tests'));
    writeFileSync(join(project, 'flow.json'), JSON.stringify(flowCalling('make-http-request', 'http://10.0.0.5/api')));
    writeFileSync(
      join(project, 'tests', 'call.test.yaml'),
      stringify({ flow: '../flow.json', tests: [{ name: 'calls', trigger: { message: { body: 'hi' } }, mocks: { http: [{ url: '*', body: { n: 1 } }] }, expect: { path: OK } }] }),
    );
    const refused = await runCliInProcess(testCommand, ['tests', '--no-color'], project);
    assert.equal(refused.code, 1, refused.stdout + refused.stderr);
    assert.match(refused.stdout, /the server would refuse this request \(GET http:\/\/10\.0\.0\.5\/api\)/);
    for (const flags of [['--http-allow', '10.0.0.5'], ['--dev']]) {
      const allowed = await runCliInProcess(testCommand, ['tests', ...flags], project);
      assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
    }
    writeFileSync(join(project, 'switchboard.config.json'), JSON.stringify({ httpAllow: ['10.0.0.0/8'] }));
    const configured = await runCliInProcess(testCommand, ['tests'], project);
    assert.equal(configured.code, 0, configured.stdout + configured.stderr);
  });
});

describe('a refused request ends the widget as it ends on the server', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  /** The context the server's execution of `kind`'s flow ends with (a simulator text starts it). */
  async function onServer(kind: Kind, url: string): Promise<JsonObject> {
    const flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: `refused ${kind}`, status: 'published', definition: flowCalling(kind, url) })).sid;
    await textThroughSimulator(server, flowSid, '+15550001111', 'hi');
    const list = await server.app.server.inject({ url: `/v2/Flows/${flowSid}/Executions`, headers: { authorization: server.auth } });
    const executionSid = JSON.parse(list.body).executions[0].sid as string;
    const context = await server.app.server.inject({ url: `/v2/Flows/${flowSid}/Executions/${executionSid}/Context`, headers: { authorization: server.auth } });
    return JSON.parse(context.body).context as JsonObject;
  }

  for (const kind of ['make-http-request', 'run-function'] as const) {
    for (const url of ['http://10.0.0.5/api', 'http://localhost/x', 'ftp://files.example.com/x']) {
      it(`${kind}: ${url}: the same widget outputs and messages`, async () => {
        const server = await onServer(kind, url);
        const test = run(kind, url);
        assert.deepEqual((test.context.widgets as JsonObject).call, (server.widgets as JsonObject).call);
        assert.deepEqual(Object.keys(test.context.widgets as JsonObject).sort(), Object.keys(server.widgets as JsonObject).sort());
        assert.deepEqual(test.messages, ['failed']);
      });
    }
  }
});
