// A mocked 301/302/303/307/308 answer with a Location is followed in a flow test as the server's HTTP client
// follows it (fetch-http.ts follow, test/hostile/outbound-http.test.ts): to the mock matching the new URL,
// 303 (and 301/302 after a POST) as a GET, 307/308 keeping the method, up to MAX_REDIRECTS hops, after which the
// widget fails; the hops' delays share the one timeout. A Location no mock answers is an unmocked request. Any
// other status, or one without a Location, is the final answer, as on the server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runFiles } from '../../src/flowtest/runner.ts';
import { play } from '../../src/flowtest/run-test.ts';
import { testFileYaml, testFromRecording } from '../../src/flowtest/record.ts';
import { textReport } from '../../src/flowtest/reporters.ts';
import { MAX_REDIRECTS } from '../../src/channels/http/fetch-http.ts';
import { callingFlow } from '../support/flows.ts';

function flowCalling(kind: 'make-http-request' | 'run-function', method: string) {
  return callingFlow(
    kind,
    {
      url: 'https://api.example.com/start',
      functionUrl: 'https://example-1234.twil.io/start',
      properties: { method, content_type: 'application/x-www-form-urlencoded;charset=utf-8', parameters: [{ key: 'a', value: 'b' }] },
    },
    { ok: '{{widgets.call.status_code}} {{widgets.call.parsed.m}}', sorry: 'failed[{{widgets.call.status_code}}]' },
  );
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sb-redirects-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs one test of the flow with `mocks`; its path, messages, problems and notes. */
function run(kind: 'make-http-request' | 'run-function', method: string, mocks: object) {
  const name = Math.random().toString(36).slice(2);
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(flowCalling(kind, method)));
  const file = join(dir, `${name}.test.yaml`);
  writeFileSync(file, stringify({ flow: `${name}.json`, tests: [{ name: 'calls', trigger: { message: { body: 'hi' } }, mocks }] }));
  const summary = runFiles([file]);
  const result = summary.results[0]!;
  const observation = result.observation;
  assert.ok(observation, textReport(summary));
  return { path: observation.path, messages: observation.messages.map((m) => m.body), problems: observation.problems, notes: result.notes ?? [], report: textReport(summary) };
}

const answer = (m: string, method?: string) => ({ ...(method ? { method } : {}), url: 'https://api.example.com/final', status: 200, body: { m } });
const redirect = (status: number, location: string, url = 'https://api.example.com/start') => ({ url, status, headers: { Location: location } });
const BOTH = [answer('was GET', 'GET'), answer('was POST', 'POST')];

describe('flow tests follow a mocked redirect as the server does', () => {
  for (const [status, method, expected] of [
    [301, 'POST', 'GET'],
    [302, 'POST', 'GET'],
    [303, 'POST', 'GET'],
    [307, 'POST', 'POST'],
    [308, 'POST', 'POST'],
    [301, 'GET', 'GET'],
    [302, 'GET', 'GET'],
    [303, 'GET', 'GET'],
    [307, 'GET', 'GET'],
  ] as const) {
    it(`${status} after a ${method}: followed as a ${expected}`, () => {
      const r = run('make-http-request', method, { http: [redirect(status, '/final'), ...BOTH] });
      assert.deepEqual(r.problems, [], r.report);
      assert.deepEqual({ path: r.path, messages: r.messages }, { path: ['Trigger', 'call', 'ok'], messages: [`200 was ${expected}`] }, r.report);
    });
  }

  it('a Run Function redirect is followed to the Function mock of the new URL', () => {
    const r = run('run-function', 'POST', { functions: [{ name: 'start', status: 302, headers: { location: 'https://example-1234.twil.io/final' } }, { name: 'final', body: { m: 'final' } }] });
    assert.deepEqual(r.problems, [], r.report);
    assert.deepEqual(r.messages, ['200 final'], r.report);
  });

  it(`${MAX_REDIRECTS} redirects are followed; one more fails the widget, as the server's client gives up`, () => {
    const chain = (hops: number) => ({
      http: [
        ...Array.from({ length: hops }, (_, i) => redirect(302, `/h${i + 1}`, i === 0 ? 'https://api.example.com/start' : `https://api.example.com/h${i}`)),
        { url: `https://api.example.com/h${hops}`, body: { m: `after ${hops}` } },
      ],
    });
    const ten = run('make-http-request', 'GET', chain(MAX_REDIRECTS));
    assert.deepEqual({ path: ten.path, messages: ten.messages, problems: ten.problems }, { path: ['Trigger', 'call', 'ok'], messages: [`200 after ${MAX_REDIRECTS}`], problems: [] }, ten.report);
    const eleven = run('make-http-request', 'GET', chain(MAX_REDIRECTS + 1));
    assert.deepEqual({ path: eleven.path, messages: eleven.messages, problems: eleven.problems }, { path: ['Trigger', 'call', 'sorry'], messages: ['failed[]'], problems: [] }, eleven.report);
    // The answer after the 11th redirect was never asked for.
    assert.ok(eleven.notes.some((n) => n.includes(`/h${MAX_REDIRECTS + 1}`) && n.includes('matched no request')), eleven.report);
  });

  it('a redirect loop stops after the hop limit', () => {
    const r = run('make-http-request', 'GET', { http: [redirect(302, '/start')] });
    // No answer at all (an empty status), not the 302.
    assert.deepEqual({ path: r.path, messages: r.messages, problems: r.problems }, { path: ['Trigger', 'call', 'sorry'], messages: ['failed[]'], problems: [] }, r.report);
  });

  it('a Location no mock answers is reported as an unmocked request, naming the redirect', () => {
    const r = run('make-http-request', 'POST', { http: [redirect(302, 'https://other.example.com/next?x=1')] });
    assert.deepEqual(r.path, ['Trigger', 'call', 'sorry'], r.report);
    assert.equal(r.problems.length, 1, r.report);
    assert.match(r.problems[0]!, /^unmocked HTTP request from widget 'call': GET https:\/\/other\.example\.com\/next\?x=1 \(redirected there by a 302 from POST https:\/\/api\.example\.com\/start\) — add an entry under mocks\.http/);
  });

  it('the hops share the one timeout: two 6 s answers time the widget out, as one 10 s signal does on the server', () => {
    const slow = run('make-http-request', 'GET', { http: [{ ...redirect(302, '/final'), delay: '6s' }, { ...answer('late'), delay: '6s' }] });
    assert.deepEqual({ path: slow.path, messages: slow.messages }, { path: ['Trigger', 'call', 'sorry'], messages: ['failed[]'] }, slow.report);
    const quick = run('make-http-request', 'GET', { http: [{ ...redirect(302, '/final'), delay: '4s' }, { ...answer('in time'), delay: '4s' }] });
    assert.deepEqual(quick.messages, ['200 in time'], quick.report);
  });

  for (const [label, mock] of [
    ['a 302 without a Location', { url: 'https://api.example.com/start', status: 302 }],
    ['a 300 with a Location', redirect(300, '/final')],
    ['a 304 with a Location', redirect(304, '/final')],
  ] as const) {
    it(`${label} is the final answer, as on the server`, () => {
      const r = run('make-http-request', 'GET', { http: [mock, answer('followed')] });
      assert.deepEqual(r.problems, [], r.report);
      assert.deepEqual(r.messages, [`failed[${'status' in mock ? mock.status : 0}]`], r.report);
      assert.ok(r.notes.some((n) => n.includes('/final') && n.includes('matched no request')), r.report);
    });
  }

  it('a Location with another scheme fails the widget, as the server refuses to send it', () => {
    const r = run('make-http-request', 'GET', { http: [redirect(302, 'ftp://files.example.com/x')] });
    assert.deepEqual({ path: r.path, messages: r.messages, problems: r.problems }, { path: ['Trigger', 'call', 'sorry'], messages: ['failed[]'], problems: [] }, r.report);
  });
});

describe('--record of a request the server followed through a redirect', () => {
  it('mocks the widget URL with the final answer (no Location), and the recorded test passes', () => {
    const flow = { path: join(dir, 'recorded.json'), definition: flowCalling('make-http-request', 'POST') } as unknown as Parameters<typeof play>[0]['flow'];
    writeFileSync(flow.path, JSON.stringify(flow.definition));
    const { sim } = play({ file: 'x', flow, subflows: new Map(), test: { name: 'live', trigger: { message: { body: 'hi' } }, mocks: { http: [redirect(303, '/final'), ...BOTH] as never } } });
    const file = testFromRecording(
      { executionSid: 'FN' + 'c'.repeat(32), status: sim.active ? 'active' : 'ended', context: sim.observation().context, steps: sim.recordedSteps, definition: flow.definition as never },
      { flowPath: 'recorded.json', name: 'followed' },
    );
    assert.deepEqual(file.tests[0]!.mocks?.http, [{ method: 'POST', url: 'https://api.example.com/start', status: 200, body: '{"m":"was GET"}', contentType: 'application/json' }]);
    writeFileSync(join(dir, 'recorded.test.yaml'), testFileYaml(file, []));
    const summary = runFiles([join(dir, 'recorded.test.yaml')]);
    assert.equal(summary.failed, 0, textReport(summary));
  });
});
