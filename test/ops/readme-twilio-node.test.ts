// The README's twilio-node example, copied out of the README and run as a user would run it (a
// file of its own, `node` on it) against a listening server: only the base URL is changed. A
// README edit that breaks the copy-paste path (CommonJS `require` next to top-level `await`, a
// renamed option) fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestServer } from '../support/server.ts';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;

function readmeExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const code = /\*\*twilio-node\*\*[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(code, 'README has a ```js block after **twilio-node**');
  return code;
}

test('the README twilio-node example runs as written against Switchboard', { timeout: 60_000 }, async (t) => {
  const server = await startTestServer({ listen: true });
  t.after(() => server.close());
  const code = readmeExample();
  assert.ok(code.includes("'http://127.0.0.1:4000'"), 'the example points at the default address');
  // Inside the checkout (git-ignored .tmp/) so that `twilio` resolves from its node_modules.
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.tmp', 'readme-example-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'hello.mjs');
  writeFileSync(file, code.replaceAll("'http://127.0.0.1:4000'", `'${server.baseUrl}'`));
  const env = { PATH: process.env.PATH ?? '', TWILIO_ACCOUNT_SID: server.account.sid, TWILIO_AUTH_TOKEN: server.account.authToken };
  const { stdout } = await run(process.execPath, [file], { env, cwd: dir, encoding: 'utf8', timeout: 50_000 });
  // It waits for the execution to end, then prints its steps: the trigger, then the sent message.
  assert.match(stdout, /name: 'incomingRequest'/);
  assert.match(stdout, /transitionedTo: 'hello'/);
  assert.match(stdout, /Body: 'Hello Ann'/);
  const flows = await server.app.store.listFlows(server.account.sid, { pageSize: 10 });
  assert.deepEqual(flows.items.map((f) => f.friendlyName), ['Hello']);
  assert.deepEqual(server.app.simulator.transcript('+15005550006', '+15551230001').map((m) => m.body), ['Hello Ann']);
});
