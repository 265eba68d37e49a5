// `switchboard serve --twilio-cli-gateway-port …` prints a `twilio-cli: export …` line to paste into a
// shell. Pasted as is (eval "$(grep '^twilio-cli:' log | cut -d' ' -f2-)"), it must set real values: the
// dev account's actual token (serve prints it anyway), never a placeholder such as "…", and paths with
// spaces quoted. A configured token is never echoed: the line leaves it out and a separate line says so.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { shellQuote, twilioCliLines } from '../../src/cli/serve.ts';
import { noProxy } from '../../src/twilio-proxy/index.ts';
import { withServe } from '../support/serve-process.ts';

const TWILIO_CLI = fileURLToPath(new URL('../../node_modules/twilio-cli/bin/run', import.meta.url));
const hasOpenssl = (process.env.PATH ?? '').split(':').some((dir) => existsSync(join(dir, 'openssl')));
const skip = hasOpenssl ? false : 'openssl is not on PATH: the twilio-cli gateway makes its certificate with it';

/** Runs serve with the gateway until `done(stdout)`, then stops it; the whole stdout. */
function serveOutput(env: Record<string, string>, done: (out: string) => boolean, whileRunning?: (out: string) => Promise<void>): Promise<string> {
  const args = ['--dev', '--port', '0', '--twilio-cli-gateway-port', '0', '--log-level', 'warn'];
  return withServe(args, { TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '', ...env }, done, async ({ out }) => {
    await whileRunning?.(out);
    return out;
  }, 60_000);
}

/** What a shell gets from pasting the printed line, exactly as a user would (eval of everything after "twilio-cli:"). */
function pasted(out: string): Record<string, string> {
  const script = 'eval "$(grep \'^twilio-cli:\' | cut -d\' \' -f2-)"; for v in HTTP_PROXY NO_PROXY NODE_EXTRA_CA_CERTS TWILIO_ACCOUNT_SID TWILIO_AUTH_TOKEN; do printf "%s=%s\\n" "$v" "$(printenv "$v")"; done';
  const result = spawnSync('sh', ['-c', script], { input: out, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  assert.equal(result.status, 0, result.stderr);
  return Object.fromEntries(result.stdout.trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

/** Python with requests (what twilio-python sends through), when this machine has it. */
const hasRequests = spawnSync('python3', ['-c', 'import requests'], { stdio: 'ignore' }).status === 0;

/**
 * The status of GET `url` from a client in the pasted shell that honours HTTP_PROXY and NO_PROXY: Node's fetch
 * with NODE_USE_ENV_PROXY, or Python's requests (twilio-python). Sent to the gateway, it fails (Node) or gets
 * the gateway's 405 (requests).
 */
async function statusInPastedShell(client: 'node' | 'python', url: string, vars: Record<string, string>): Promise<string> {
  const authorization = `Basic ${Buffer.from(`${vars.TWILIO_ACCOUNT_SID}:${vars.TWILIO_AUTH_TOKEN}`).toString('base64')}`;
  const [command, args] =
    client === 'node'
      ? [process.execPath, ['-e', `fetch(${JSON.stringify(url)}, { headers: { authorization: ${JSON.stringify(authorization)} } }).then((r) => console.log(r.status), (e) => console.log('failed: ' + (e.cause?.message ?? e.message)))`]]
      : ['python3', ['-c', `import requests; print(requests.get(${JSON.stringify(url)}, headers={"authorization": ${JSON.stringify(authorization)}}, timeout=20).status_code)`]];
  const { stdout } = await promisify(execFile)(command, args, { env: { PATH: process.env.PATH ?? '', NODE_USE_ENV_PROXY: '1', ...vars }, encoding: 'utf8', timeout: 30_000 });
  return stdout.trim();
}

describe('switchboard serve: the twilio-cli line', () => {
  it('quotes values for the shell only when needed', () => {
    assert.equal(shellQuote('http://127.0.0.1:4001'), 'http://127.0.0.1:4001');
    assert.equal(shellQuote('/data dir/cert.pem'), "'/data dir/cert.pem'");
    assert.equal(shellQuote("it's $HOME"), "'it'\\''s $HOME'");
    assert.equal(noProxy({ host: '127.0.0.1' }), '127.0.0.1,localhost');
    assert.equal(noProxy({ host: '0.0.0.0' }), '127.0.0.1,localhost');
    assert.equal(noProxy({ host: '::' }), '127.0.0.1,localhost');
    assert.equal(noProxy({ host: '::1' }), '127.0.0.1,localhost,::1');
    assert.equal(noProxy({ host: '10.0.0.5', publicBaseUrl: 'https://Switchboard.example.com/base' }), '127.0.0.1,localhost,10.0.0.5,switchboard.example.com');
    const env = { HTTP_PROXY: 'http://127.0.0.1:1', NODE_EXTRA_CA_CERTS: '/c.pem' };
    const account = { sid: `AC${'a'.repeat(32)}`, authToken: 'token123' };
    assert.deepEqual(twilioCliLines(env, account, true), [`twilio-cli: export HTTP_PROXY=http://127.0.0.1:1 NODE_EXTRA_CA_CERTS=/c.pem TWILIO_ACCOUNT_SID=${account.sid} TWILIO_AUTH_TOKEN=token123`]);
    const configured = twilioCliLines(env, account, false);
    assert.equal(configured[0], `twilio-cli: export HTTP_PROXY=http://127.0.0.1:1 NODE_EXTRA_CA_CERTS=/c.pem TWILIO_ACCOUNT_SID=${account.sid}`);
    assert.doesNotMatch(configured.join('\n'), /token123|…/);
    assert.match(configured[1]!, /^twilio-cli also needs TWILIO_AUTH_TOKEN/);
  });

  it('dev account: pasting the line sets the real token, which the API accepts (and twilio-cli too)', { skip, timeout: 300_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb twilio-cli line '));
    try {
      let listed: unknown;
      const out = await serveOutput({ SWITCHBOARD_DATA_DIR: dir }, (o) => /^twilio-cli: .*\n/m.test(o), async (o) => {
        const vars = pasted(o);
        const base = /listening on (http:\/\/\S+)/.exec(o)![1]!;
        const response = await fetch(`${base}/v2/Flows`, { headers: { authorization: `Basic ${Buffer.from(`${vars.TWILIO_ACCOUNT_SID}:${vars.TWILIO_AUTH_TOKEN}`).toString('base64')}` } });
        assert.equal(response.status, 200, 'the pasted credentials authenticate');
        // SDKs in that shell still reach the server itself: NO_PROXY keeps HTTP_PROXY (the gateway) from taking their requests.
        assert.equal(await statusInPastedShell('node', `${base}/v2/Flows`, vars), '200');
        if (hasRequests) assert.equal(await statusInPastedShell('python', `${base}/v2/Flows`, vars), '200');
        // What the user ran: twilio-cli through the gateway, with nothing but the pasted variables.
        if (existsSync(TWILIO_CLI)) {
          const home = mkdtempSync(join(tmpdir(), 'sb-twilio-home-'));
          try {
            const { stdout } = await promisify(execFile)(process.execPath, [TWILIO_CLI, 'api:studio:v2:flows:list', '-o', 'json'], {
              // No detached update check, which writes ~/.twilio-cli/version after the CLI exits (re-creating HOME).
              env: { PATH: process.env.PATH ?? '', HOME: home, TWILIO_SKIP_NEW_VERSION_CHECK: 'true', ...vars },
              encoding: 'utf8',
              timeout: 180_000,
            });
            listed = stdout.trim() === '' ? [] : JSON.parse(stdout);
          } finally {
            rmSync(home, { recursive: true, force: true });
          }
        }
      });
      const line = out.split('\n').find((l) => l.startsWith('twilio-cli:'))!;
      assert.doesNotMatch(line, /…/, 'no placeholder');
      const token = /^Auth token: (\S+)$/m.exec(out)![1]!;
      const sid = /^Dev account: (AC[0-9a-f]{32})$/m.exec(out)![1]!;
      const vars = pasted(out);
      assert.equal(vars.TWILIO_AUTH_TOKEN, token);
      assert.equal(vars.TWILIO_ACCOUNT_SID, sid);
      assert.equal(vars.NODE_EXTRA_CA_CERTS, join(dir, 'twilio-cli-gateway', 'twilio-proxy-cert.pem'), 'a data directory with spaces survives the paste');
      assert.ok(existsSync(vars.NODE_EXTRA_CA_CERTS!));
      assert.match(vars.HTTP_PROXY!, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(vars.NO_PROXY, '127.0.0.1,localhost');
      if (existsSync(TWILIO_CLI)) assert.deepEqual(listed, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('configured account: the token is neither printed nor replaced by a placeholder; a separate line says to set it', { skip, timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-twilio-cli-line-'));
    const sid = `AC${'1'.repeat(32)}`;
    const token = 'configured-secret-token';
    try {
      const out = await serveOutput({ SWITCHBOARD_DATA_DIR: dir, TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: token }, (o) => /^twilio-cli also needs .*\n/m.test(o));
      assert.doesNotMatch(out, new RegExp(token));
      assert.doesNotMatch(out, /TWILIO_AUTH_TOKEN=/);
      assert.equal(out.split('\n').filter((l) => l.startsWith('twilio-cli:')).length, 1, 'one line to paste');
      const vars = pasted(out);
      assert.equal(vars.TWILIO_ACCOUNT_SID, sid);
      assert.equal(vars.TWILIO_AUTH_TOKEN, '', 'left for the user to set');
      assert.match(out, /^twilio-cli also needs TWILIO_AUTH_TOKEN/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
