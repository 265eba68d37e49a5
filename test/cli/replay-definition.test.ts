// `switchboard replay FN… --definition FILE` names the file it replayed against ("revision 1 →
// flows/x.json"), not the server's generic 'Definition', in text and in --json. The file is read as
// simulate and flows import read one: a saved Flow resource is its definition (the server used to
// refuse it, 81022), and a file that cannot be read or parsed is said in words (not Node's
// "ENOENT: no such file or directory, open …" or V8's "Unexpected token"). With --revision too, one of
// them would be ignored: refused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, FORM, type TestServer } from '../support/server.ts';
import { replayCommand } from '../../src/cli/replay.ts';

const pizzaText = readFileSync(new URL('../../examples/flows/pizza-order.json', import.meta.url), 'utf8');

async function captured(argv: string[]): Promise<{ code: number; stdout: string }> {
  const out: string[] = [];
  const saved = { log: console.log, error: console.error };
  console.log = (...parts: unknown[]) => void out.push(parts.map(String).join(' '));
  console.error = (...parts: unknown[]) => void out.push(parts.map(String).join(' '));
  try {
    return { code: await replayCommand(argv), stdout: out.join('\n') };
  } finally {
    console.log = saved.log;
    console.error = saved.error;
  }
}

describe('replay --definition FILE', () => {
  let t: TestServer;
  let dir = '';
  let args: string[] = [];
  before(async () => {
    t = await startTestServer({ listen: true });
    dir = mkdtempSync(join(tmpdir(), 'sb-replay-def-'));
    const flowSid = (await t.app.flows.create(t.account.sid, { friendlyName: 'Pizza', status: 'published', definition: JSON.parse(pizzaText) })).sid;
    const res = await t.app.server.inject({ method: 'POST', url: `/v2/Flows/${flowSid}/Executions`, headers: { authorization: t.auth, ...FORM }, payload: 'To=%2B15551230001&From=%2B15005550006' });
    assert.equal(res.statusCode, 201, res.body);
    await t.app.executions.idle();
    const file = join(dir, 'pizza-v2.json');
    writeFileSync(file, pizzaText.replace('What size pizza?', 'Which size?'));
    args = [res.json().sid, '--flow', flowSid, '--definition', file, '--base-url', t.baseUrl, '--account-sid', t.account.sid, '--auth-token', t.account.authToken];
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('text: revision 1 → the file', async () => {
    const { code, stdout } = await captured(args);
    assert.equal(code, 0, stdout);
    assert.match(stdout, new RegExp(`revision 1 → ${join(dir, 'pizza-v2.json').replace(/[.\\/]/g, '\\$&')}\\n`));
    assert.match(stdout, /\+ .*Which size\?/);
  });

  it('a saved Flow resource replays as its definition', async () => {
    const resource = join(dir, 'pizza-resource.json');
    writeFileSync(resource, JSON.stringify({ sid: 'FW' + '0'.repeat(32), friendly_name: 'Pizza', definition: JSON.parse(pizzaText.replace('What size pizza?', 'Which size?')) }));
    const { code, stdout } = await captured([...args.slice(0, 4), resource, ...args.slice(5)]);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /\+ .*Which size\?/);
  });

  it('a file that cannot be read or is no flow says why in words, exit 2', async () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"states": [],}');
    const cases: [string, RegExp][] = [
      [join(dir, 'missing.json'), /^switchboard replay: .*missing\.json: no such file$/],
      [dir, /^switchboard replay: .*: it is a directory$/],
      [broken, /^switchboard replay: .*broken\.json: not a flow definition: Invalid JSON at line 1, column 14 .*trailing comma/],
    ];
    for (const [file, message] of cases) {
      const { code, stdout } = await captured([...args.slice(0, 4), file, ...args.slice(5)]);
      assert.equal(code, 2, stdout);
      assert.match(stdout, message);
      assert.doesNotMatch(stdout, /ENOENT|EISDIR|Unexpected token|cannot read/);
    }
  });

  it('--revision beside --definition is refused (exit 2), not ignored', async () => {
    const { code, stdout } = await captured([...args, '--revision', '1']);
    assert.equal(code, 2);
    assert.equal(stdout, 'switchboard replay: give --revision or --definition, not both (the replay runs against one of them)');
  });

  it('--json: replay.revision is the file', async () => {
    const { code, stdout } = await captured([...args, '--json']);
    assert.equal(code, 0, stdout);
    assert.equal(JSON.parse(stdout)[0].replay.revision, join(dir, 'pizza-v2.json'));
  });
});
