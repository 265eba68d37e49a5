// The reviewer's case end to end: a flow's Make HTTP Request got a 200; its URL and body are edited;
// `switchboard replay --definition … --fail-on-divergence` reported "same path, same messages and
// outputs" and exited 0 (the recorded answer is found by widget name), and so did the console's
// Replay panel (GET /replay…?Revision=). Now the server replays the execution's own revision on the
// same answers as the baseline and reports the request's differences, text and --json.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, FORM, form, type TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';
import { replayCommand } from '../../src/cli/replay.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';

/** `switchboard replay …` in this process; stderr with stdout, as a terminal shows them. */
async function captured(argv: string[]): Promise<{ code: number; stdout: string }> {
  const run = await runCliInProcess(replayCommand, argv, process.cwd());
  return { code: run.code, stdout: run.stdout + run.stderr };
}

function scoreFlow(url: string, body = '{"score": "{{flow.data.score}}"}') {
  return triggerFlow('score', 'incomingRequest', 'send_results_to_server', [
    {
      name: 'send_results_to_server',
      type: 'make-http-request',
      transitions: [{ event: 'success', next: 'thanks' }, { event: 'failed' }],
      properties: { offset: { x: 0, y: 100 }, method: 'POST', content_type: 'application/json;charset=utf-8', url, body },
    },
    { name: 'thanks', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Saved {{widgets.send_results_to_server.parsed.id}}' } },
  ]);
}

describe('replay reports a changed HTTP request (CLI and the console API)', () => {
  let t: TestServer;
  let receiver: Server;
  let dir = '';
  let url = '';
  let flowSid = '';
  let executionSid = '';
  const received: string[] = [];
  before(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"R-1"}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/results`;
    t = await startTestServer({ listen: true, config: { dev: true } });
    dir = mkdtempSync(join(tmpdir(), 'sb-replay-effects-'));
    flowSid = (await t.app.flows.create(t.account.sid, { friendlyName: 'Score', status: 'published', definition: scoreFlow(url) })).sid;
    const res = await t.app.server.inject({ method: 'POST', url: `/v2/Flows/${flowSid}/Executions`, headers: { authorization: t.auth, ...FORM }, payload: form({ To: '+15551230001', From: '+15005550006', Parameters: '{"score":"42"}' }) });
    assert.equal(res.statusCode, 201, res.body);
    executionSid = res.json().sid;
    await t.app.executions.idle();
    assert.deepEqual(received, ['{"score": "42"}']);
  });
  after(async () => {
    await t?.close();
    await new Promise((resolve) => receiver?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const connection = () => ['--base-url', t.baseUrl, '--account-sid', t.account.sid, '--auth-token', t.account.authToken];
  const edited = () => scoreFlow('https://wrong.example.com/other', '{"score": "{{widgets.nosuch.inbound.Body}}"}');

  it('--definition with another URL and body: diverges, exit 1 with --fail-on-divergence', async () => {
    const file = join(dir, 'new.json');
    writeFileSync(file, JSON.stringify(edited()));
    const { code, stdout } = await captured([executionSid, '--flow', flowSid, '--definition', file, '--fail-on-divergence', ...connection()]);
    assert.equal(code, 1, stdout);
    assert.doesNotMatch(stdout, /same messages and outputs/);
    assert.match(stdout, /same path\n/);
    assert.match(stdout, /the HTTP request of 'send_results_to_server' differs/);
    assert.ok(stdout.includes(`- url: ${JSON.stringify(url)}\n    + url: "https://wrong.example.com/other"`), stdout);
    assert.ok(stdout.includes(`- body: "{\\"score\\": \\"42\\"}"\n    + body: "{\\"score\\": \\"\\"}"`), stdout);

    const json = await captured([executionSid, '--flow', flowSid, '--definition', file, '--json', ...connection()]);
    assert.equal(json.code, 0, json.stdout);
    const [report] = JSON.parse(json.stdout);
    assert.equal(report.diverged, true);
    assert.equal(report.effectsCompared, true);
    assert.deepEqual(report.effectDifferences.map((d: { widget: string; kind: string; fields: { path: string }[] }) => [d.widget, d.kind, d.fields.map((f) => f.path)]), [['send_results_to_server', 'request', ['body', 'url']]]);
  });

  it('the console (GET with Revision): the saved revision with the new URL diverges; the original does not', async () => {
    const get = (revision: string) => t.app.server.inject({ method: 'GET', url: `/replay/Flows/${flowSid}/Executions/${executionSid}?Revision=${revision}`, headers: { authorization: t.auth } });
    const same = (await get('1')).json();
    assert.equal(same.diverged, false, JSON.stringify(same));
    assert.equal(same.effects_compared, true);
    assert.deepEqual(same.effect_differences, []);

    await t.app.flows.update(t.account.sid, flowSid, { status: 'draft', definition: edited() });
    const r = await get('LatestRevision');
    assert.equal(r.statusCode, 200, r.body);
    const body = r.json();
    assert.equal(body.replay.revision, 2);
    assert.equal(body.divergence, null);
    assert.equal(body.diverged, true);
    assert.deepEqual(body.effect_differences[0].fields, [
      { path: 'body', original: '{"score": "42"}', replay: '{"score": ""}' },
      { path: 'url', original: url, replay: 'https://wrong.example.com/other' },
    ]);
  });
});
