// `switchboard test --record` saves the flow next to the test in the flows-as-code layout: the file
// flows.manifest.json already maps to the flow (after `flows pull`), else flows/<name>.json added to
// the manifest. So a later `flows push` updates the recorded flow instead of creating a second flow
// named after a FW… file name (what the old default flows/<FlowSid>.json led to).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../support/server.ts';
import { freePort } from '../support/ports.ts';
import { flowsCommand } from '../../src/cli/flows.ts';
import { syncedHash } from '../../src/cli/flows/manifest.ts';
import { testCommand } from '../../src/cli/test.ts';

const pizza = JSON.parse(readFileSync(new URL('../../examples/flows/pizza-order.json', import.meta.url), 'utf8'));
const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = { flows: flowsCommand, test: testCommand };

/** Runs a command in this process with its working directory and console captured. */
async function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { log: console.log, error: console.error, cwd: process.cwd() };
  console.log = (...parts: unknown[]) => void out.push(parts.map(String).join(' ') + '\n');
  console.error = (...parts: unknown[]) => void err.push(parts.map(String).join(' ') + '\n');
  process.chdir(cwd);
  try {
    return { code: await COMMANDS[args[0]!]!(args.slice(1)), stdout: out.join(''), stderr: err.join('') };
  } finally {
    console.log = saved.log;
    console.error = saved.error;
    process.chdir(saved.cwd);
  }
}

describe('test --record: where the flow file goes', () => {
  let server: TestServer;
  let flowSid = '';
  let creds: string[] = [];
  const dirs: string[] = [];
  const workdir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-record-file-'));
    dirs.push(dir);
    return dir;
  };

  before(async () => {
    server = await startTestServer({ listen: true });
    creds = ['--base-url', server.baseUrl, '--account-sid', server.account.sid, '--auth-token', server.account.authToken];
    flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Pizza order', status: 'published', definition: pizza })).sid;
    const res = await fetch(`${server.baseUrl}/v2/Flows/${flowSid}/Executions`, {
      method: 'POST',
      headers: { authorization: server.auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ To: '+15551230001', From: '+15005550006' }),
    });
    assert.equal(res.status, 201);
    await server.app.executions.idle();
  });
  after(async () => {
    await server.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('after flows pull: the pulled file, and push then finds nothing to create', async () => {
    const dir = workdir();
    assert.equal((await cli(['flows', 'pull', ...creds], dir)).code, 0);
    const record = await cli(['test', '--record', '--flow', flowSid, '--out', 'tests/order.test.yaml', ...creds], dir);
    assert.equal(record.code, 0, record.stderr);
    assert.deepEqual(readdirSync(join(dir, 'flows')).sort(), ['flows.manifest.json', 'pizza-order.json']);
    assert.match(readFileSync(join(dir, 'tests/order.test.yaml'), 'utf8'), /^flow: \.\.\/flows\/pizza-order\.json$/m);
    const push = await cli(['flows', 'push', '--dry-run', ...creds], dir);
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stdout, /would be unchanged: Pizza order/);
    assert.doesNotMatch(push.stdout, /created/);
  });

  it('without a manifest: flows/<name>.json, recorded in a new manifest; the test passes; push updates, never creates', async () => {
    const dir = workdir();
    const record = await cli(['test', '--record', '--flow', flowSid, '--out', 'tests/order.test.yaml', ...creds], dir);
    assert.equal(record.code, 0, record.stderr);
    assert.ok(existsSync(join(dir, 'flows/pizza-order.json')));
    assert.ok(!existsSync(join(dir, `flows/${flowSid}.json`)));
    const manifest = JSON.parse(readFileSync(join(dir, 'flows/flows.manifest.json'), 'utf8'));
    // `synced` is the JSON written, as after a pull: a later pull does not take the file for a local edit.
    assert.deepEqual(manifest, { flows: { 'pizza-order.json': { friendlyName: 'Pizza order', sid: flowSid, synced: syncedHash(pizza) } } });
    const run = await cli(['test', 'tests/order.test.yaml'], dir);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const push = await cli(['flows', 'push', '--dry-run', ...creds], dir);
    assert.match(push.stdout, /would be unchanged: Pizza order \(/);
    const flows = await server.app.store.listFlows(server.account.sid, { pageSize: 50 });
    assert.deepEqual(flows.items.map((f) => f.friendlyName), ['Pizza order']);
  });

  /** The server's flow is edited; a plain `flows pull` in `dir` brings the edit into flows/pizza-order.json. */
  async function pullsServerEdit(dir: string) {
    const moved = structuredClone(pizza);
    moved.description = 'edited on the server';
    await server.app.flows.update(server.account.sid, flowSid, { definition: moved, status: 'published' });
    try {
      const pull = await cli(['flows', 'pull', ...creds], dir);
      assert.equal(pull.code, 0, pull.stdout + pull.stderr);
      assert.equal(JSON.parse(readFileSync(join(dir, 'flows/pizza-order.json'), 'utf8')).description, 'edited on the server');
      return pull;
    } finally {
      await server.app.flows.update(server.account.sid, flowSid, { definition: pizza, status: 'published' });
    }
  }

  it('a flow file it wrote is updated by a later pull once the server has moved on (no --force)', async () => {
    const dir = workdir();
    const record = await cli(['test', '--record', '--flow', flowSid, '--out', 'tests/order.test.yaml', ...creds], dir);
    assert.equal(record.code, 0, record.stderr);
    await pullsServerEdit(dir);
  });

  it('a missing file it writes from the server is no template: an entry last pushed with --vars loses "vars", and a later pull updates the file', async () => {
    const dir = workdir();
    mkdirSync(join(dir, 'flows'));
    // The file was pushed as a Terraform template with --vars, then deleted (or never checked out).
    const entry = { friendlyName: 'Pizza order', sid: flowSid, synced: syncedHash({ ...pizza, description: 'filled in' }), server: 'f'.repeat(64), vars: true };
    writeFileSync(join(dir, 'flows/flows.manifest.json'), JSON.stringify({ flows: { 'pizza-order.json': entry } }, null, 2) + '\n');
    const record = await cli(['test', '--record', '--flow', flowSid, '--out', 'tests/order.test.yaml', ...creds], dir);
    assert.equal(record.code, 0, record.stderr);
    assert.match(record.stdout, /^wrote flows\/pizza-order\.json /m);
    const manifest = JSON.parse(readFileSync(join(dir, 'flows/flows.manifest.json'), 'utf8'));
    assert.deepEqual(manifest, { flows: { 'pizza-order.json': { friendlyName: 'Pizza order', sid: flowSid, synced: syncedHash(pizza) } } });
    const pull = await pullsServerEdit(dir);
    assert.doesNotMatch(pull.stdout, /template/);
  });

  it('a project that keeps its flows without a manifest (as examples/ does): the flows/<name>.json holding the flow is the test\'s, not a new <name>-2.json', async () => {
    const dir = workdir();
    mkdirSync(join(dir, 'flows'));
    // As copied from examples/: the same flow, written by hand (other formatting), no manifest.
    const text = JSON.stringify(pizza, null, 4);
    writeFileSync(join(dir, 'flows/pizza-order.json'), text);
    const record = await cli(['test', '--record', '--flow', flowSid, '--out', 'tests/order.test.yaml', ...creds], dir);
    assert.equal(record.code, 0, record.stderr);
    assert.equal(record.stderr, '');
    assert.deepEqual(readdirSync(join(dir, 'flows')).sort(), ['flows.manifest.json', 'pizza-order.json']);
    assert.equal(readFileSync(join(dir, 'flows/pizza-order.json'), 'utf8'), text, 'left as it was');
    assert.match(readFileSync(join(dir, 'tests/order.test.yaml'), 'utf8'), /^flow: \.\.\/flows\/pizza-order\.json$/m);
    const manifest = JSON.parse(readFileSync(join(dir, 'flows/flows.manifest.json'), 'utf8'));
    assert.deepEqual(manifest.flows['pizza-order.json'], { friendlyName: 'Pizza order', sid: flowSid });
    assert.equal((await cli(['test', 'tests/order.test.yaml'], dir)).code, 0);

    // One that holds another flow is kept out of it: the next free name.
    const other = workdir();
    mkdirSync(join(other, 'flows'));
    const edited = structuredClone(pizza);
    edited.states.find((s: { name: string }) => s.name === 'confirm').properties.body = 'Another flow';
    writeFileSync(join(other, 'flows/pizza-order.json'), JSON.stringify(edited));
    assert.equal((await cli(['test', '--record', '--flow', flowSid, '--out', 'tests/order.test.yaml', ...creds], other)).code, 0);
    assert.deepEqual(readdirSync(join(other, 'flows')).sort(), ['flows.manifest.json', 'pizza-order-2.json', 'pizza-order.json']);
  });

  it('never writes through a symbolic link (a committed, dangling flows/<name>.json pointing out of the folder)', async () => {
    const dir = workdir();
    const outside = join(workdir(), 'outside.json');
    mkdirSync(join(dir, 'flows'));
    symlinkSync(outside, join(dir, 'flows/pizza-order.json'));
    const record = await cli(['test', '--record', '--flow', flowSid, '--out', 'tests/order.test.yaml', ...creds], dir);
    assert.equal(record.code, 0, record.stderr);
    assert.equal(existsSync(outside), false, 'nothing written out of the folder');
    assert.ok(existsSync(join(dir, 'flows/pizza-order-2.json')), 'the next free name instead');
  });

  it('a kept flow file that differs from the revision that ran is warned about; one that matches is not', async () => {
    const dir = workdir();
    assert.equal((await cli(['flows', 'pull', ...creds], dir)).code, 0);
    const file = join(dir, 'flows/pizza-order.json');
    const edited = JSON.parse(readFileSync(file, 'utf8'));
    edited.states.find((s: { name: string }) => s.name === 'confirm').properties.body = 'Edited locally';
    writeFileSync(file, JSON.stringify(edited, null, 2));
    const record = await cli(['test', '--record', '--flow', flowSid, '--out', 'tests/order.test.yaml', ...creds], dir);
    assert.equal(record.code, 0, record.stderr);
    assert.match(record.stderr, /^warning: flows\/pizza-order\.json differs from revision 1, the one the execution ran, and is kept as it is: the test may not match what ran \(switchboard flows export FW[0-9a-f]{32} --revision 1 --out flows\/pizza-order\.json writes that revision\)\n$/);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).states.find((s: { name: string }) => s.name === 'confirm').properties.body, 'Edited locally');

    // Only the canvas layout moved: the same flow, no warning.
    const moved = JSON.parse(readFileSync(file, 'utf8'));
    moved.states = pizza.states.map((s: { properties: object }) => ({ ...s, properties: { ...s.properties, offset: { x: 1, y: 2 } } }));
    writeFileSync(file, JSON.stringify(moved, null, 2));
    const same = await cli(['test', '--record', '--flow', flowSid, '--out', 'tests/order.test.yaml', ...creds], dir);
    assert.equal(same.code, 0, same.stderr);
    assert.equal(same.stderr, '');
  });

  it('--flow-file still wins, and leaves the manifest alone', async () => {
    const dir = workdir();
    const record = await cli(['test', '--record', '--flow', flowSid, '--out', 'tests/order.test.yaml', '--flow-file', 'elsewhere/pizza.json', ...creds], dir);
    assert.equal(record.code, 0, record.stderr);
    assert.ok(existsSync(join(dir, 'elsewhere/pizza.json')));
    assert.ok(!existsSync(join(dir, 'flows')));
  });

  it('--flow-file into the flows folder beside the flow\'s tracked file is refused, nothing written: push would create it as a second flow', async () => {
    const dir = workdir();
    assert.equal((await cli(['flows', 'pull', ...creds], dir)).code, 0);
    const manifest = readFileSync(join(dir, 'flows/flows.manifest.json'), 'utf8');
    const record = await cli(['test', '--record', '--flow', flowSid, '--out', 'tests/order.test.yaml', '--flow-file', 'flows/pizza-r1.json', ...creds], dir);
    assert.equal(record.code, 2);
    assert.match(
      record.stderr,
      /flows\/pizza-r1\.json is in a flows folder, and flows\/flows\.manifest\.json tracks flows\/pizza-order\.json for Pizza order \(FW[0-9a-f]{32}\): flows push would create flows\/pizza-r1\.json as a second flow\. Leave --flow-file out to use flows\/pizza-order\.json, or keep the revision the execution ran outside the flows folder \(--flow-file tests\/pizza-r1\.json, beside the test\); nothing was written/,
    );
    assert.deepEqual(readdirSync(join(dir, 'flows')).sort(), ['flows.manifest.json', 'pizza-order.json']);
    assert.ok(!existsSync(join(dir, 'tests')));
    assert.equal(readFileSync(join(dir, 'flows/flows.manifest.json'), 'utf8'), manifest);
    // Beside the test, as the refusal says: written, and push has nothing to create.
    const beside = await cli(['test', '--record', '--flow', flowSid, '--out', 'tests/order.test.yaml', '--flow-file', 'tests/pizza-r1.json', ...creds], dir);
    assert.equal(beside.code, 0, beside.stderr);
    const push = await cli(['flows', 'push', '--dry-run', ...creds], dir);
    assert.doesNotMatch(push.stdout, /created/);
  });

  it('--flow-file naming the file the manifest tracks for another flow is refused: push would overwrite that flow', async () => {
    const dir = workdir();
    mkdirSync(join(dir, 'flows'));
    const other = `FW${'0'.repeat(32)}`;
    writeFileSync(join(dir, 'flows/flows.manifest.json'), JSON.stringify({ flows: { 'other.json': { friendlyName: 'Other', sid: other } } }));
    const record = await cli(['test', '--record', '--flow', flowSid, '--out', 'tests/order.test.yaml', '--flow-file', 'flows/other.json', ...creds], dir);
    assert.equal(record.code, 2);
    assert.match(record.stderr, new RegExp(`flows/other\\.json is the file flows/flows\\.manifest\\.json tracks for Other \\(${other}\\): flows push would overwrite that flow with Pizza order`));
    assert.ok(!existsSync(join(dir, 'flows/other.json')));
  });

  it('--flow-file into the flows folder of a flow it does not track yet becomes its tracked file: push updates the flow', async () => {
    const dir = workdir();
    const record = await cli(['test', '--record', '--flow', flowSid, '--out', 'tests/order.test.yaml', '--flow-file', 'flows/orders.json', ...creds], dir);
    assert.equal(record.code, 0, record.stderr);
    const manifest = JSON.parse(readFileSync(join(dir, 'flows/flows.manifest.json'), 'utf8'));
    assert.deepEqual(manifest.flows, { 'orders.json': { friendlyName: 'Pizza order', sid: flowSid, synced: syncedHash(pizza) } });
    const push = await cli(['flows', 'push', '--dry-run', ...creds], dir);
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stdout, /would be unchanged: Pizza order/);
    assert.doesNotMatch(push.stdout, /created/);
  });
});

describe('test --record: the revision that ran is gone', () => {
  let server: TestServer;
  let dir = '';
  before(async () => {
    server = await startTestServer({ listen: true });
    dir = mkdtempSync(join(tmpdir(), 'sb-record-gone-'));
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records against the flow as it is now and says so, instead of aborting', async () => {
    const flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Pizza order', status: 'published', definition: pizza })).sid;
    const res = await fetch(`${server.baseUrl}/v2/Flows/${flowSid}/Executions`, {
      method: 'POST',
      headers: { authorization: server.auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ To: '+15551230002', From: '+15005550006' }),
    });
    assert.equal(res.status, 201);
    await server.app.executions.idle();
    await server.app.flows.update(server.account.sid, flowSid, { status: 'published', definition: { ...pizza, description: 'second revision' }, commitMessage: 'second' });
    // In front of the server, a proxy that no longer has revision 1 (404 for it, the rest passed on).
    const proxy = createServer(async (req, res) => {
      if (req.url?.includes(`/v2/Flows/${flowSid}/Revisions/1`)) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 20404, message: 'The requested resource was not found', more_info: 'https://www.twilio.com/docs/errors/20404', status: 404 }));
        return;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const upstream = await fetch(server.baseUrl + req.url, {
        method: req.method,
        headers: { authorization: String(req.headers.authorization ?? ''), 'content-type': String(req.headers['content-type'] ?? 'application/x-www-form-urlencoded') },
        ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body: Buffer.concat(chunks) }),
      });
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    });
    await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const creds = ['--base-url', proxyUrl, '--account-sid', server.account.sid, '--auth-token', server.account.authToken];
      const record = await cli(['test', '--record', '--flow', flowSid, '--out', 'tests/order.test.yaml', ...creds], dir);
      assert.equal(record.code, 0, record.stderr);
      assert.match(record.stdout, /revision 1, the one the execution ran, is no longer on the server; recorded against revision 2/);
      assert.ok(existsSync(join(dir, 'tests/order.test.yaml')));
    } finally {
      proxy.close();
    }
  });
});

describe('test --record: configuration flags', () => {
  it('are accepted like every command accepts them (the missing --flow is what it complains about)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-record-flags-'));
    try {
      const result = await cli(['test', '--record', '--timezone', 'America/New_York', '--max-steps', '50'], dir);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /--flow and --out are required/);
      assert.doesNotMatch(result.stderr, /unknown option/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('test --record: exit codes like the other remote commands', () => {
  let server: TestServer;
  let creds: string[] = [];
  let dir = '';
  before(async () => {
    server = await startTestServer({ listen: true });
    creds = ['--account-sid', server.account.sid, '--auth-token', server.account.authToken];
    dir = mkdtempSync(join(tmpdir(), 'sb-record-exit-'));
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('2 for a request the server refused (no such flow, wrong token, no execution), 3 when it cannot be reached', async () => {
    const missing = await cli(['test', '--record', '--flow', 'FW' + '0'.repeat(32), '--out', 't.yaml', '--base-url', server.baseUrl, ...creds], dir);
    assert.equal(missing.code, 2, missing.stderr);
    const wrongToken = await cli(['test', '--record', '--flow', 'FW' + '0'.repeat(32), '--out', 't.yaml', '--base-url', server.baseUrl, '--account-sid', server.account.sid, '--auth-token', 'nope'], dir);
    assert.equal(wrongToken.code, 2, wrongToken.stderr);
    const flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Idle', status: 'published', definition: pizza })).sid;
    const none = await cli(['test', '--record', '--flow', flowSid, '--out', 't.yaml', '--base-url', server.baseUrl, ...creds], dir);
    assert.equal(none.code, 2, none.stderr);
    assert.match(none.stderr, /has no execution/);
    // A port nothing listens on: the server cannot be reached.
    // (Below the ephemeral range: a port listen(0) handed out and we closed may go to a test alongside.)
    const port = await freePort();
    const unreachable = await cli(['test', '--record', '--flow', flowSid, '--out', 't.yaml', '--base-url', `http://127.0.0.1:${port}`, ...creds], dir);
    assert.equal(unreachable.code, 3, unreachable.stderr);
  });
});

describe('test --record --contact: the contact is found however many executions came after theirs', () => {
  let server: TestServer;
  const dirs: string[] = [];
  after(async () => {
    await server?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('records the contact of an execution with 200 newer executions of others', async () => {
    server = await startTestServer({ listen: true });
    const creds = ['--base-url', server.baseUrl, '--account-sid', server.account.sid, '--auth-token', server.account.authToken];
    const flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Pizza order', status: 'published', definition: pizza })).sid;
    const start = async (to: string) => {
      const res = await fetch(`${server.baseUrl}/v2/Flows/${flowSid}/Executions`, {
        method: 'POST',
        headers: { authorization: server.auth, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ To: to, From: '+15005550006' }),
      });
      assert.equal(res.status, 201);
    };
    await start('+15551239999');
    for (let i = 0; i < 200; i++) await start(`+1555200${String(i).padStart(4, '0')}`);
    await server.app.executions.idle();
    const dir = mkdtempSync(join(tmpdir(), 'sb-record-contact-'));
    dirs.push(dir);
    const record = await cli(['test', '--record', '--flow', flowSid, '--contact', '+15551239999', '--out', 'tests/old.test.yaml', ...creds], dir);
    assert.equal(record.code, 0, record.stderr);
    assert.match(readFileSync(join(dir, 'tests/old.test.yaml'), 'utf8'), /\+15551239999/);
  });
});
