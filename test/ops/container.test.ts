// The Dockerfile and docker-compose.yml cannot be built here (no image registry), so this checks
// everything that can be checked without Docker: the image's build steps are the README's, what
// it copies exists and holds everything the sources load, it runs as non-root, its environment
// is a valid configuration, its command serves and its HEALTHCHECK passes; the compose nodes'
// environments are valid and point at the compose database, and (with PostgreSQL available)
// two nodes configured like them share one database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import pg from 'pg';
import { loadConfig } from '../../src/config.ts';
import { freePort } from '../support/ports.ts';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const run = promisify(execFile);

interface Instruction {
  stage: number;
  name: string;
  args: string;
}

/** Dockerfile instructions with continuation lines joined and comments dropped; stage = index of its FROM. */
function dockerfile(): { instructions: Instruction[]; args: Record<string, string> } {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, ' ');
  const instructions: Instruction[] = [];
  const args: Record<string, string> = {};
  let stage = -1;
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const [, name = '', rest = ''] = /^(\w+)\s+(.*)$/.exec(trimmed) ?? [];
    const upper = name.toUpperCase();
    if (upper === 'FROM') stage += 1;
    if (upper === 'ARG' && stage === -1) {
      const [key, value = ''] = rest.split('=');
      args[key!] = value;
    }
    instructions.push({ stage, name: upper, args: rest });
  }
  return { instructions, args };
}

function envOf(instructions: Instruction[], stage: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of instructions.filter((i) => i.stage === stage && i.name === 'ENV')) {
    for (const [, key, value] of i.args.matchAll(/(\w+)=(\S+)/g)) env[key!] = value!;
  }
  return env;
}

function readmeInstallSteps(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /<!-- install-steps[^>]*-->\s*```sh\n([\s\S]*?)```\s*<!-- \/install-steps -->/.exec(readme);
  assert.ok(block, 'README has the install-steps block');
  return block[1]!.trim().split('\n').map((l) => l.trim());
}

function lastStage(instructions: Instruction[]): number {
  return Math.max(...instructions.map((i) => i.stage));
}

function cmdOf(instructions: Instruction[]): string[] {
  const cmd = instructions.filter((i) => i.name === 'CMD').at(-1);
  assert.ok(cmd, 'the image has a CMD');
  return JSON.parse(cmd.args) as string[];
}

test("the Dockerfile's build steps and command are the README's install steps", () => {
  const { instructions, args } = dockerfile();
  const froms = instructions.filter((i) => i.name === 'FROM');
  assert.equal(froms.length, 2, 'multi-stage: build and runtime');
  assert.match(args.NODE_IMAGE ?? '', /^node:24(\.\d+)*-[a-z]+-slim$/, 'a Node 24 slim base');
  for (const from of froms) assert.match(from.args, /^\$\{NODE_IMAGE\} AS \w+$/);
  const buildRuns = instructions.filter((i) => i.stage === 0 && i.name === 'RUN').map((i) => i.args);
  const command = cmdOf(instructions).join(' ');
  assert.deepEqual([...buildRuns, command], readmeInstallSteps());
});

test('the runtime stage runs as a non-root user, with its data in a volume it owns', () => {
  const { instructions } = dockerfile();
  const runtime = lastStage(instructions);
  const user = instructions.filter((i) => i.stage === runtime && i.name === 'USER').at(-1);
  assert.ok(user && !['root', '0'].includes(user.args.split(':')[0]!), `USER is not root (${user?.args})`);
  const env = envOf(instructions, runtime);
  const volume = instructions.find((i) => i.stage === runtime && i.name === 'VOLUME');
  assert.deepEqual(JSON.parse(volume!.args), [env.SWITCHBOARD_DATA_DIR]);
  assert.ok(
    instructions.some((i) => i.stage === runtime && i.name === 'RUN' && i.args.includes(`chown ${user.args}:${user.args} ${env.SWITCHBOARD_DATA_DIR}`)),
    'the data directory belongs to the runtime user',
  );
  const expose = instructions.find((i) => i.stage === runtime && i.name === 'EXPOSE');
  assert.equal(expose?.args, env.PORT);
});

/** Top-level repository entries the sources read at run time (imports and `new URL(…, import.meta.url)`). */
function runtimeDependencies(): Set<string> {
  const needed = new Set<string>();
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) visit(path);
      else if (path.endsWith('.ts')) {
        const text = readFileSync(path, 'utf8');
        for (const [, target] of text.matchAll(/(?:from\s+|import\(|new URL\()\s*'(\.{1,2}\/[^']+)'/g)) {
          const top = relative(ROOT, resolve(dirname(path), target!)).split('/')[0]!;
          needed.add(top);
        }
      }
    }
  };
  visit(join(ROOT, 'src'));
  return needed;
}

test('the image copies everything the sources load, and every copied path exists or is built', () => {
  const { instructions } = dockerfile();
  const runtime = lastStage(instructions);
  const copied = instructions
    .filter((i) => i.stage === runtime && i.name === 'COPY' && i.args.startsWith('--from=build'))
    .flatMap((i) => i.args.replace('--from=build', '').trim().split(/\s+/).slice(0, -1))
    .map((source) => relative('/app', source));
  const built = new Set(['node_modules', 'web/dist']);
  for (const path of copied) assert.ok(built.has(path) || existsSync(join(ROOT, path)), `${path} exists`);
  const copiedTop = new Set(copied.map((p) => p.split('/')[0]!));
  for (const top of runtimeDependencies()) assert.ok(copiedTop.has(top), `the sources load ${top}/, which the image copies`);
  const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
  for (const heavy of ['node_modules', 'data', '.git']) assert.ok(ignored.includes(heavy), `.dockerignore leaves out ${heavy}`);
  for (const path of copied.filter((p) => !built.has(p))) assert.ok(!ignored.includes(path), `${path} is not ignored`);
});

async function waitForOutput(child: ChildProcess, pattern: RegExp, ms: number): Promise<string> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${ms} ms; output:\n${output}`)), ms);
    const onData = (chunk: Buffer) => {
      output += String(chunk);
      if (pattern.test(output)) {
        clearTimeout(timer);
        resolve(output);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ${pattern}; output:\n${output}`));
    });
  });
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

test("the image's environment and command serve, and its HEALTHCHECK passes", { timeout: 60_000 }, async (t) => {
  const { instructions } = dockerfile();
  const runtime = lastStage(instructions);
  const imageEnv = envOf(instructions, runtime);
  const config = loadConfig({}, imageEnv, { cwd: tmpdir() });
  assert.equal(config.host, '0.0.0.0');
  assert.equal(config.dataDir, '/data');
  assert.equal(config.logFormat, 'json');

  const data = mkdtempSync(join(tmpdir(), 'switchboard-image-'));
  t.after(() => rmSync(data, { recursive: true, force: true }));
  const port = await freePort();
  // The image's environment, with this machine's port and a temporary data directory.
  const env = { PATH: process.env.PATH ?? '', HOME: data, ...imageEnv, PORT: String(port), SWITCHBOARD_DATA_DIR: data };
  const [program, ...args] = cmdOf(instructions);
  assert.equal(program, 'node');
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => void stop(child));
  // Both the banner (console) and pino's JSON line (its own stream): either may come first.
  const output = await waitForOutput(child, /^(?=[\s\S]*Switchboard listening on)(?=[\s\S]*"msg":"Server listening at)/, 30_000);
  assert.match(output, /"msg":"Server listening at http:\/\/[\d.]+:\d+"/, 'JSON log lines');

  assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
  const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
  assert.equal(ready.status, 200);
  assert.equal(((await ready.json()) as { status: string }).status, 'ready');

  const healthcheck = instructions.find((i) => i.stage === runtime && i.name === 'HEALTHCHECK');
  const [, healthArgs = ''] = /CMD (\[.*\])$/.exec(healthcheck!.args) ?? [];
  const [healthProgram, ...healthRest] = JSON.parse(healthArgs) as string[];
  assert.equal(healthProgram, 'node');
  await run(process.execPath, healthRest, { env }); // rejects on a non-zero exit
  assert.equal(await stop(child), 0, 'SIGTERM stops it cleanly');
  await assert.rejects(run(process.execPath, healthRest, { env }), 'the HEALTHCHECK fails once the server is gone');
});

/** docker compose's `${VAR:-default}` with the variables unset: the defaults. */
function composeDefaults(value: string): string {
  return value.replace(/\$\{(\w+)(?::-([^}]*))?\}/g, (_m, _name, fallback: string | undefined) => fallback ?? '');
}

function composeFile() {
  type Service = { build?: string; image?: string; environment?: Record<string, string>; ports?: string[]; depends_on?: Record<string, { condition: string }>; healthcheck?: unknown };
  return parseYaml(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
}

test('docker-compose.yml: PostgreSQL and two nodes whose configuration is valid and points at it', () => {
  const { services } = composeFile();
  const { instructions } = dockerfile();
  const imageEnv = envOf(instructions, lastStage(instructions));
  const postgres = services.postgres;
  assert.ok(postgres?.image?.startsWith('postgres:'));
  assert.ok(postgres.healthcheck, 'PostgreSQL has a health check the nodes wait for');
  const nodes = Object.entries(services).filter(([, s]) => s.build === '.');
  assert.equal(nodes.length, 2);
  const ids = new Set<string>();
  const hostPorts = new Set<string>();
  for (const [name, node] of nodes) {
    assert.equal(node.depends_on?.postgres?.condition, 'service_healthy', `${name} waits for PostgreSQL`);
    const env = Object.fromEntries(Object.entries(node.environment ?? {}).map(([k, v]) => [k, composeDefaults(String(v))]));
    const config = loadConfig({}, { ...imageEnv, ...env }, { cwd: tmpdir() });
    const url = new URL(config.databaseUrl!);
    assert.equal(url.hostname, 'postgres');
    assert.equal(url.username, postgres.environment?.POSTGRES_USER);
    assert.equal(url.password, postgres.environment?.POSTGRES_PASSWORD);
    assert.equal(url.pathname, `/${postgres.environment?.POSTGRES_DB}`);
    assert.ok(config.nodeId && !ids.has(config.nodeId), `${name} has its own node id`);
    ids.add(config.nodeId);
    const [hostPort, containerPort] = (node.ports?.[0] ?? '').split(':');
    assert.equal(containerPort, String(config.port), `${name} publishes the port it listens on`);
    assert.ok(!hostPorts.has(hostPort!), `${name} has its own host port`);
    hostPorts.add(hostPort!);
  }
});

const databaseUrl = process.env.DATABASE_URL;

test('two nodes configured like the compose services share one PostgreSQL database', { skip: databaseUrl ? false : 'DATABASE_URL is not set (PostgreSQL not available)', timeout: 90_000 }, async (t) => {
  const { services } = composeFile();
  const { instructions } = dockerfile();
  const imageEnv = envOf(instructions, lastStage(instructions));
  const schema = `compose_${process.pid}_${Date.now()}`;
  t.after(async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });
  const data = mkdtempSync(join(tmpdir(), 'switchboard-compose-'));
  t.after(() => rmSync(data, { recursive: true, force: true }));
  const nodes = Object.entries(services).filter(([, s]) => s.build === '.');
  const started: { port: number; output: string }[] = [];
  for (const [, node] of nodes) {
    const port = await freePort();
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: data,
      ...imageEnv,
      ...Object.fromEntries(Object.entries(node.environment ?? {}).map(([k, v]) => [k, composeDefaults(String(v))])),
      // This machine's database (a schema of its own) and ports instead of the compose network's.
      DATABASE_URL: databaseUrl!,
      SWITCHBOARD_DATABASE_SCHEMA: schema,
      PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      SWITCHBOARD_DATA_DIR: data,
    };
    const child = spawn(process.execPath, cmdOf(instructions).slice(1), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    t.after(() => void stop(child));
    started.push({ port, output: await waitForOutput(child, /Auth token: \w+/, 45_000) });
  }
  const accounts = started.map((s) => /Account: (AC[0-9a-f]{32})/i.exec(s.output)?.[1]);
  assert.ok(accounts[0], started[0]!.output);
  assert.equal(accounts[0], accounts[1], 'both nodes use the one startup account');
  // The image logs JSON, where the generated dev token is not written (logs get shipped): the record says how to
  // get one, and this is what a compose user runs (`docker compose exec … accounts rotate-token AC…`).
  assert.match(started[0]!.output, /Auth token: not written to JSON logs; 'switchboard accounts rotate-token AC/);
  const rotated = spawnSync(process.execPath, [join(ROOT, 'src/cli/main.ts'), 'accounts', 'rotate-token', accounts[0]!], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: data, DATABASE_URL: databaseUrl!, SWITCHBOARD_DATABASE_SCHEMA: schema },
    timeout: 45_000,
  });
  assert.equal(rotated.status, 0, rotated.stdout + rotated.stderr);
  const token = /Auth token:\s+(\w+)/.exec(rotated.stdout)![1]!;
  const auth = 'Basic ' + Buffer.from(`${accounts[0]}:${token}`).toString('base64');
  for (const { port } of started) assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
  // Each node takes the new token within its read-cache time.
  for (const { port } of started) {
    for (let i = 0; i < 50 && (await fetch(`http://127.0.0.1:${port}/v2/Flows`, { headers: { authorization: auth } })).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
  }
  const definition = readFileSync(join(ROOT, 'test/fixtures/flows/ask-and-wait.json'), 'utf8');
  const created = await fetch(`http://127.0.0.1:${started[0]!.port}/v2/Flows`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ FriendlyName: 'compose', Status: 'published', Definition: definition }),
  });
  assert.equal(created.status, 201, await created.clone().text());
  const flowSid = ((await created.json()) as { sid: string }).sid;
  const fetched = await fetch(`http://127.0.0.1:${started[1]!.port}/v2/Flows/${flowSid}`, { headers: { authorization: auth } });
  assert.equal(fetched.status, 200, 'the flow created on one node is served by the other');
});
