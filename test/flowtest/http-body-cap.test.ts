// A mocked HTTP or Function answer over the runtime's 64 KB body cap fails the widget, as on a server (the HTTP
// client gives up on such a body: fetch-http.ts), rather than handing the flow a body a server never reads. The cap
// counts bytes, not characters.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RUNTIME_OPTIONS } from '../../src/runtime/runtime-context.ts';
import { callingFlow } from '../support/flows.ts';

const MAX = DEFAULT_RUNTIME_OPTIONS.http.maxBodyBytes;

function flowCalling(kind: 'make-http-request' | 'run-function') {
  return callingFlow(kind, { url: 'https://api.example.com/big', functionUrl: 'https://example-1234.twil.io/big' }, { ok: 'ok {{widgets.call.parsed.n}}', sorry: 'failed' });
}

/** One test of `kind`'s flow whose mock answers `body` (JSON text); the path and messages it took. */
function run(kind: 'make-http-request' | 'run-function', body: string) {
  const list = kind === 'make-http-request' ? 'http' : 'functions';
  const dir = mkdtempSync(join(tmpdir(), 'sb-http-cap-'));
  try {
    writeFileSync(join(dir, 'flow.json'), JSON.stringify(flowCalling(kind)));
    const file = join(dir, 'x.test.yaml');
    writeFileSync(file, `flow: flow.json\ntests:\n  - name: big answer\n    trigger: { message: { body: hi } }\n    mocks: { ${list}: [{ status: 200, body: ${JSON.stringify(body)} }] }\n`);
    const summary = runFiles([file]);
    const observation = summary.results[0]!.observation;
    assert.ok(observation, textReport(summary));
    assert.deepEqual(observation.problems, [], textReport(summary));
    return { path: observation.path, messages: observation.messages.map((m) => m.body) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** JSON text of exactly `bytes` UTF-8 bytes: {"n":1,"pad":"…"}, the pad of `char` (1 or 2 bytes each). */
function jsonOf(bytes: number, char = 'x'): string {
  const head = '{"n":1,"pad":"';
  const tail = '"}';
  const width = Buffer.byteLength(char, 'utf8');
  const room = bytes - head.length - tail.length;
  return head + char.repeat(Math.floor(room / width)) + 'x'.repeat(room % width) + tail;
}

describe('a mocked answer over the 64 KB body cap fails the widget, as on a server', () => {
  for (const kind of ['make-http-request', 'run-function'] as const) {
    it(`${kind}: ${MAX} bytes is read, one byte more takes the failure branch`, () => {
      assert.equal(Buffer.byteLength(jsonOf(MAX)), MAX);
      assert.deepEqual(run(kind, jsonOf(MAX)), { path: ['Trigger', 'call', 'ok'], messages: ['ok 1'] });
      assert.deepEqual(run(kind, jsonOf(MAX + 1)), { path: ['Trigger', 'call', 'sorry'], messages: ['failed'] });
    });
  }
  it('the cap counts UTF-8 bytes: fewer characters than the cap, more bytes, fail', () => {
    const body = jsonOf(MAX + 2, 'é');
    assert.ok(body.length < MAX);
    assert.deepEqual(run('make-http-request', body), { path: ['Trigger', 'call', 'sorry'], messages: ['failed'] });
  });
});
