// `switchboard replay FN… --definition FILE` names the file it replayed against ("revision 1 →
// flows/x.json"), not the server's generic 'Definition', in text and in --json.
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

  it('--json: replay.revision is the file', async () => {
    const { code, stdout } = await captured([...args, '--json']);
    assert.equal(code, 0, stdout);
    assert.equal(JSON.parse(stdout)[0].replay.revision, join(dir, 'pizza-v2.json'));
  });
});
