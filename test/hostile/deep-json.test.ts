// JSON nested absurdly deep, from a client (Definition, Parameters, a JSON body) or from a remote
// server (an HTTP widget's response). JSON.parse copes with any depth but everything after it
// recursed — the validator, the engine's copies, JSON.stringify in the store — so 5,000 levels
// were a 500 and 2,000 were stored for Python clients to choke on. Now anything nested deeper than
// MAX_JSON_DEPTH is refused where it is parsed: a 400 with Twilio's error body and nothing written,
// or, for a remote response, no `parsed` (like any unparsable body). Exactly the limit still works.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FORM, form, startTestServer, type TestServer } from '../support/server.ts';
import { flowsCommand } from '../../src/cli/flows.ts';
import { MAX_JSON_DEPTH } from '../../src/lib/json-depth.ts';

const LIMIT = MAX_JSON_DEPTH;
const TOO_DEEP = /nested more than 100 levels deep \(the limit is 100\)/;

/** JSON text nested `depth` levels: objects ({"a":{"a":…1}}) or, to fit 100,000 levels in a request, arrays ([[…]]). */
function nested(depth: number, kind: 'object' | 'array' = 'object'): string {
  return kind === 'object' ? '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) : '['.repeat(depth) + ']'.repeat(depth);
}

/** A valid flow whose trigger carries `properties.deep`; the whole definition nests `deep` + 4 levels (envelope, states, state, properties). */
function definitionText(deep: string): string {
  const trigger = {
    name: 'Trigger',
    type: 'trigger',
    transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall' }, { event: 'incomingConversationMessage' }, { event: 'incomingRequest' }, { event: 'incomingParent' }],
    properties: { offset: { x: 0, y: 0 }, deep: '@DEEP@' },
  };
  const definition = { description: 'deep', states: [trigger], initial_state: 'Trigger', flags: { allow_concurrent_calls: true } };
  return JSON.stringify(definition).replace('"@DEEP@"', deep);
}

/** A definition nested exactly `depth` levels in all. */
const definitionOfDepth = (depth: number, kind: 'object' | 'array' = 'object') => definitionText(nested(depth - 4, kind));
/** Parameters (a JSON object) nested exactly `depth` levels. */
const parametersOfDepth = (depth: number, kind: 'object' | 'array' = 'object') => (kind === 'object' ? nested(depth) : `{"a":${nested(depth - 1, 'array')}}`);

const HOSTILE: { depth: number; kind: 'object' | 'array' }[] = [
  { depth: 5_000, kind: 'object' },
  { depth: 100_000, kind: 'array' }, // 600 KB form-encoded: under the 1 MB body limit, so it reaches the parser
];

function assertTwilioError(response: { statusCode: number; body: string }, status: number, code: number): Record<string, unknown> {
  assert.equal(response.statusCode, status, response.body.slice(0, 300));
  const body = JSON.parse(response.body) as Record<string, unknown>;
  assert.equal(body.code, code);
  assert.equal(body.status, status);
  assert.equal(typeof body.message, 'string');
  assert.equal(body.more_info, `https://www.twilio.com/docs/errors/${code}`);
  return body;
}

describe('JSON nested too deep from a client', () => {
  let server: TestServer;
  let flowSid = '';
  const headers = () => ({ authorization: server.auth, ...FORM });
  const post = (url: string, fields: Record<string, string>) => server.app.server.inject({ method: 'POST', url, headers: headers(), payload: form(fields) });
  const postJson = (url: string, body: string) => server.app.server.inject({ method: 'POST', url, headers: { authorization: server.auth, 'content-type': 'application/json' }, payload: body });

  /** Every flow with its revisions and executions: what a refused request must leave as it was. */
  async function snapshot(): Promise<string> {
    const store = server.app.store;
    const account = server.account.sid;
    const flows = (await store.listFlows(account, { pageSize: 1000 })).items;
    const out = [];
    for (const listed of flows) {
      // Whole records: lists leave out definitions and validation reports.
      const flow = await store.getFlow(account, listed.sid);
      const revisions = [];
      for (const { revision } of (await store.listRevisions(account, listed.sid, { pageSize: 1000 })).items) revisions.push(await store.getRevision(account, listed.sid, revision));
      const executions = (await store.listExecutions(account, listed.sid, {}, { pageSize: 1000 })).items;
      out.push({ flow, revisions, executions });
    }
    return JSON.stringify(out);
  }

  before(async () => {
    server = await startTestServer();
    const created = await post('/v2/Flows', { FriendlyName: 'deep', Status: 'published', Definition: definitionOfDepth(6) });
    assert.equal(created.statusCode, 201, created.body);
    flowSid = created.json().sid;
    const execution = await post(`/v2/Flows/${flowSid}/Executions`, { To: '+15550001000', From: '+15550002000', Parameters: '{"x":1}' });
    assert.equal(execution.statusCode, 201, execution.body);
  });
  after(() => server.close());

  for (const { depth, kind } of HOSTILE) {
    it(`a Definition nested ${depth.toLocaleString('en')} deep is a 400 (81022) on create, update and Validate, and nothing is written`, async () => {
      const before = await snapshot();
      const definition = definitionOfDepth(depth, kind);
      for (const [url, fields] of [
        ['/v2/Flows', { FriendlyName: 'deep', Status: 'published' }],
        ['/v2/Flows', { FriendlyName: 'deep', Status: 'draft' }], // drafts may be invalid, but not this
        [`/v2/Flows/${flowSid}`, { Status: 'draft' }],
        ['/v2/Flows/Validate', { FriendlyName: 'deep', Status: 'published' }],
      ] as const) {
        const response = await post(url, { ...fields, Definition: definition });
        const body = assertTwilioError(response, 400, 81022);
        const issues = (body.details as { errors: { property_path: string; message: string }[] }).errors;
        assert.equal(issues[0]?.property_path, '#');
        assert.match(issues[0]!.message, TOO_DEEP, `${url}: ${issues[0]?.message}`);
      }
      assert.equal(await snapshot(), before);
    });

    it(`the console's Validate reports a Definition nested ${depth.toLocaleString('en')} deep as invalid, as it does broken JSON`, async () => {
      const response = await post('/console/api/Validate', { Definition: definitionOfDepth(depth, kind) });
      assert.equal(response.statusCode, 200, response.body.slice(0, 300));
      const body = response.json();
      assert.equal(body.valid, false);
      assert.equal(body.errors[0].property_path, '#');
      assert.match(body.errors[0].message, TOO_DEEP);
    });

    it(`Parameters nested ${depth.toLocaleString('en')} deep are a 400 (20001) and start no execution`, async () => {
      const before = await snapshot();
      const response = await post(`/v2/Flows/${flowSid}/Executions`, { To: '+15550001001', From: '+15550002000', Parameters: parametersOfDepth(depth, kind) });
      const body = assertTwilioError(response, 400, 20001);
      assert.match(String(body.message), /^Invalid parameter Parameters: /);
      assert.match(String(body.message), TOO_DEEP);
      // The v1 Engagements alias and a JSON request body go the same way.
      const v1 = await post(`/v1/Flows/${flowSid}/Engagements`, { To: '+15550001001', From: '+15550002000', Parameters: parametersOfDepth(depth, kind) });
      assert.match(String(assertTwilioError(v1, 400, 20001).message), TOO_DEEP);
      const json = await postJson(`/v2/Flows/${flowSid}/Executions`, `{"To":"+15550001001","From":"+15550002000","Parameters":${parametersOfDepth(depth, kind)}}`);
      assert.match(String(assertTwilioError(json, 400, 20001).message), /^Invalid parameter Parameters: nested more than 100 levels deep/);
      await server.app.executions.idle();
      assert.equal(await snapshot(), before);
    });

    it(`a JSON request body with a Definition object nested ${depth.toLocaleString('en')} deep is a 400 naming the field`, async () => {
      const before = await snapshot();
      const response = await postJson('/v2/Flows', `{"FriendlyName":"deep","Status":"draft","Definition":${definitionOfDepth(depth, kind)}}`);
      assert.match(String(assertTwilioError(response, 400, 20001).message), /^Invalid parameter Definition: nested more than 100 levels deep/);
      assert.equal(await snapshot(), before);
    });

    it(`replay with a Definition nested ${depth.toLocaleString('en')} deep is a 400`, async () => {
      const executions = await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 1 });
      const response = await post(`/replay/Flows/${flowSid}/Executions/${executions.items[0]!.sid}`, { Definition: definitionOfDepth(depth, kind) });
      assert.match(String(assertTwilioError(response, 400, 20001).message), /^Invalid parameter Definition: nested more than 100 levels deep/);
    });
  }

  it('a Definition nested exactly to the limit is accepted and read back whole; one level more is refused', async () => {
    const definition = definitionOfDepth(LIMIT);
    const validate = await post('/v2/Flows/Validate', { FriendlyName: 'limit', Status: 'published', Definition: definition });
    assert.deepEqual(validate.json(), { valid: true });
    const console = await post('/console/api/Validate', { Definition: definition });
    assert.equal(console.json().valid, true, console.body);
    const created = await post('/v2/Flows', { FriendlyName: 'limit', Status: 'published', Definition: definition });
    assert.equal(created.statusCode, 201, created.body);
    const read = await server.app.server.inject({ method: 'GET', url: `/v2/Flows/${created.json().sid}`, headers: { authorization: server.auth } });
    assert.deepEqual(read.json().definition, JSON.parse(definition));
    const updated = await post(`/v2/Flows/${created.json().sid}`, { Status: 'published', Definition: definition });
    assert.equal(updated.statusCode, 200, updated.body);

    const before = await snapshot();
    const over = await post('/v2/Flows', { FriendlyName: 'limit', Status: 'published', Definition: definitionOfDepth(LIMIT + 1) });
    assertTwilioError(over, 400, 81022);
    assert.equal(await snapshot(), before);
  });

  it('Parameters nested exactly to the limit start an execution whose context reads back whole; one level more is refused', async () => {
    const parameters = parametersOfDepth(LIMIT);
    const created = await post(`/v2/Flows/${flowSid}/Executions`, { To: '+15550001002', From: '+15550002000', Parameters: parameters });
    assert.equal(created.statusCode, 201, created.body);
    await server.app.executions.idle();
    const context = await server.app.server.inject({ method: 'GET', url: `/v2/Flows/${flowSid}/Executions/${created.json().sid}/Context`, headers: { authorization: server.auth } });
    assert.equal(context.statusCode, 200, context.body);
    assert.deepEqual(context.json().context.flow.data, JSON.parse(parameters));

    const before = await snapshot();
    const over = await post(`/v2/Flows/${flowSid}/Executions`, { To: '+15550001003', From: '+15550002000', Parameters: parametersOfDepth(LIMIT + 1) });
    assert.match(String(assertTwilioError(over, 400, 20001).message), TOO_DEEP);
    assert.equal(await snapshot(), before);
  });
});

describe("an HTTP widget's response nested too deep", () => {
  let server: TestServer;
  let remote: Server;
  let remoteBase = '';

  before(async () => {
    remote = createServer((req, res) => {
      const depth = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('depth'));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(responseOfDepth(depth));
    });
    await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', resolve));
    remoteBase = `http://127.0.0.1:${(remote.address() as AddressInfo).port}`;
    server = await startTestServer({ config: { httpAllow: ['127.0.0.1'] } });
  });
  after(async () => {
    await server.close();
    await new Promise<void>((resolve) => remote.close(() => resolve()));
  });

  /** A JSON object nested `depth` levels, in arrays to stay small (Set Variables keeps at most 16 KB). */
  const responseOfDepth = (depth: number) => parametersOfDepth(depth, 'array');

  async function runAgainst(depth: number) {
    const states = [
      { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall' }, { event: 'incomingConversationMessage' }, { event: 'incomingRequest', next: 'call' }, { event: 'incomingParent' }], properties: { offset: { x: 0, y: 0 } } },
      {
        name: 'call',
        type: 'make-http-request',
        transitions: [{ event: 'success', next: 'keep' }, { event: 'failed' }],
        properties: { method: 'GET', content_type: 'application/json;charset=utf-8', url: `${remoteBase}/deep?depth=${depth}`, offset: { x: 0, y: 0 } },
      },
      // The body "parsed as JSON" again by Set Variables: the same limit applies, the text is kept.
      { name: 'keep', type: 'set-variables', transitions: [{ event: 'next' }], properties: { variables: [{ key: 'again', value: '{{widgets.call.body}}', type: 'json' }], parse_as_json: true, offset: { x: 0, y: 0 } } },
    ];
    const definition = { description: 'deep response', states, initial_state: 'Trigger', flags: { allow_concurrent_calls: true } };
    const headers = { authorization: server.auth, ...FORM };
    const flow = await server.app.server.inject({ method: 'POST', url: '/v2/Flows', headers, payload: form({ FriendlyName: `deep ${depth}`, Status: 'published', Definition: JSON.stringify(definition) }) });
    assert.equal(flow.statusCode, 201, flow.body);
    const flowSid = flow.json().sid as string;
    const created = await server.app.server.inject({ method: 'POST', url: `/v2/Flows/${flowSid}/Executions`, headers, payload: form({ To: '+15550003000', From: '+15550004000' }) });
    assert.equal(created.statusCode, 201, created.body);
    const sid = created.json().sid as string;
    await server.app.executions.idle();
    const get = (path: string) => server.app.server.inject({ method: 'GET', url: `/v2/Flows/${flowSid}/Executions/${sid}${path}`, headers: { authorization: server.auth } });
    const execution = await get('');
    const context = await get('/Context');
    const steps = await get('/Steps?PageSize=50');
    for (const r of [execution, context, steps]) assert.equal(r.statusCode, 200, r.body.slice(0, 300));
    return { status: execution.json().status as string, context: context.json().context, steps: steps.json().steps as { transitioned_from: string; name: string }[], contextText: context.body };
  }

  async function assertKeptAsText(depth: number) {
    const { status, context, steps, contextText } = await runAgainst(depth);
    assert.equal(status, 'ended');
    assert.deepEqual(steps.map((s) => `${s.transitioned_from}:${s.name}`), ['Trigger:incomingRequest', 'call:success', 'keep:next']);
    assert.equal(context.widgets.call.status_code, 200);
    assert.equal(context.widgets.call.body, responseOfDepth(depth));
    assert.equal('parsed' in context.widgets.call, false);
    assert.equal(context.flow.variables.again, responseOfDepth(depth), 'Set Variables keeps the text it could not parse');
    assert.ok(contextText.length < 200_000);
  }

  it('a response nested 5,000 deep is kept as text without `parsed`, and the flow goes on', () => assertKeptAsText(5_000));

  it('a response nested exactly to the limit is parsed; one level more is kept as text', async () => {
    const { status, context } = await runAgainst(LIMIT);
    assert.equal(status, 'ended');
    assert.deepEqual(context.widgets.call.parsed, JSON.parse(responseOfDepth(LIMIT)));
    assert.deepEqual(context.flow.variables.again, JSON.parse(responseOfDepth(LIMIT)));
    await assertKeptAsText(LIMIT + 1);
  });
});

describe('switchboard flows validate / diff on a file nested too deep', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'deep-json-'));
    writeFileSync(join(dir, 'deep.json'), definitionOfDepth(5_000));
    writeFileSync(join(dir, 'deeper.json'), definitionOfDepth(100_000, 'array'));
    writeFileSync(join(dir, 'limit.json'), definitionOfDepth(LIMIT));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const saved = { log: console.log, error: console.error };
    console.log = (...parts: unknown[]) => void out.push(parts.map(String).join(' ') + '\n');
    console.error = (...parts: unknown[]) => void err.push(parts.map(String).join(' ') + '\n');
    try {
      const code = await flowsCommand(args);
      return { code, stdout: out.join(''), stderr: err.join('') };
    } catch (error) {
      // main.ts prints an escaping error as "switchboard: <message>".
      return { code: 1, stdout: out.join(''), stderr: err.join('') + `switchboard: ${(error as Error).message}\n` };
    } finally {
      console.log = saved.log;
      console.error = saved.error;
    }
  }

  it('validate names the limit for each file that exceeds it and passes one exactly at it', async () => {
    const run = await cli(['validate', join(dir, 'deep.json'), join(dir, 'deeper.json'), join(dir, 'limit.json')]);
    assert.equal(run.code, 1);
    const lines = run.stdout.split('\n');
    for (const name of ['deep.json', 'deeper.json']) {
      const at = lines.findIndex((l) => l.startsWith('✗') && l.endsWith(name));
      assert.ok(at >= 0, run.stdout);
      assert.equal(lines[at + 1]?.trim(), '#: Flow definition is nested more than 100 levels deep (the limit is 100)');
    }
    assert.ok(lines.some((l) => l.startsWith('✓') && l.includes('limit.json')), run.stdout);
    assert.doesNotMatch(run.stdout + run.stderr, /call stack/);
  });

  it('diff says why it cannot read the file instead of overflowing the stack', async () => {
    const run = await cli(['diff', join(dir, 'deep.json'), join(dir, 'limit.json')]);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /deep\.json: not compared, not a flow definition: Flow definition is nested more than 100 levels deep \(the limit is 100\)/);
    assert.doesNotMatch(run.stdout + run.stderr, /call stack/);
  });

  it('the real binary prints the same', async () => {
    const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
    const run = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(process.execPath, [main, 'flows', 'validate', join(dir, 'deep.json')], { env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 }, (error, stdout) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout });
      });
    });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /#: Flow definition is nested more than 100 levels deep \(the limit is 100\)/);
  });
});
