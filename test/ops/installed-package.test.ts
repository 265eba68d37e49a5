// Switchboard as a team uses it in its own repository: `npm install -D switchboard` (here the tarball
// `npm pack` makes, with its build), then `switchboard test` on the team's flow tests and `switchboard
// serve`. Node strips no types under node_modules, so the package must run compiled JavaScript, and the
// console and the schemas must be found from where it is installed. The package's dependencies are
// linked from this checkout's node_modules (no network); its devDependencies are not there, as in a
// dependent project.
import { before, after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; dependencies: Record<string, string> };

const PATH = `${join(ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`;

/** For npm: this environment without the outer npm's variables (`npm test` sets them), Node 24 first on PATH as in npm scripts. */
function npmEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.toLowerCase().startsWith('npm_') && value !== undefined) env[key] = value;
  return { ...env, PATH, NO_UPDATE_NOTIFIER: '1' };
}

/** For switchboard: PATH alone, so no DATABASE_URL or SWITCHBOARD_* of the test run reaches it. */
const runEnv = { PATH };

const hasNpm = spawnSync('npm', ['--version'], { env: npmEnv() }).status === 0;
const hasTar = spawnSync('tar', ['--version']).status === 0;
const skip = !hasNpm || !hasTar ? 'needs npm and tar' : false;

/** A node older than 24 (on PATH, or /usr/bin/node), or null. */
function olderNode(): string | null {
  const candidates = [...(spawnSync('which', ['-a', 'node'], { encoding: 'utf8' }).stdout ?? '').split('\n'), '/usr/bin/node'];
  for (const path of candidates.map((p) => p.trim()).filter(Boolean)) {
    const major = Number(/^v(\d+)\./.exec(spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? '')?.[1]);
    if (major >= 18 && major < 24) return path;
  }
  return null;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('the npm package, installed in another project', { skip, timeout: 120_000 }, () => {
  let tmp = '';
  let project = '';
  let installed = '';
  let packed: string[] = [];

  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'switchboard-package-'));
    // The real pack, prepack build and all; its JSON lists the files as `npm pack --dry-run --json` would.
    const pack = spawnSync('npm', ['pack', '--json', '--offline', '--pack-destination', tmp], { cwd: ROOT, env: npmEnv(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.equal(pack.status, 0, `npm pack failed:\n${pack.stdout}\n${pack.stderr}`);
    const [result] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    packed = result!.files.map((file) => file.path);

    project = join(tmp, 'proj');
    installed = join(project, 'node_modules', manifest.name);
    mkdirSync(installed, { recursive: true });
    const untar = spawnSync('tar', ['-xzf', join(tmp, result!.filename), '-C', installed, '--strip-components=1'], { encoding: 'utf8' });
    assert.equal(untar.status, 0, untar.stderr);
    // Where npm would hoist them: the dependencies only.
    for (const name of Object.keys(manifest.dependencies)) {
      mkdirSync(dirname(join(project, 'node_modules', name)), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules', name), join(project, 'node_modules', name), 'dir');
    }
    // The team's repository: a flow and its tests, as in examples/.
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'team-flows', private: true, devDependencies: { [manifest.name]: `file:../${result!.filename}` } }));
    cpSync(join(ROOT, 'examples', 'flows'), join(project, 'flows'), { recursive: true });
    cpSync(join(ROOT, 'examples', 'tests'), join(project, 'tests'), { recursive: true });
  });

  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('holds the compiled CLI, the built console and the schemas, and no TypeScript, tests or benchmarks', () => {
    for (const needed of ['package.json', 'README.md', 'bin/switchboard.js', 'dist/cli/main.js', 'dist/store/sqlite/writer-worker.js', 'dist/store/sqlite/checkpointer-worker.js', 'web/dist/index.html', 'schemas/flow-test.schema.json']) {
      assert.ok(packed.includes(needed), `${needed} is in the package`);
    }
    assert.ok(packed.some((path) => /^web\/dist\/assets\/.+\.js$/.test(path)), 'the console bundle is in the package');
    assert.deepEqual(packed.filter((path) => /^(src|test|bench|scripts|node_modules)\//.test(path) || path.endsWith('.ts')), []);
  });

  it('its JavaScript names no .ts module: neither in an import nor in a Worker URL', () => {
    const offenders: string[] = [];
    for (const file of filesUnder(join(installed, 'dist'))) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/['"`]\.{1,2}\/[^'"`\s]*\.ts['"`]/g)) offenders.push(`${file.slice(installed.length + 1)}: ${match[0]}`);
    }
    assert.deepEqual(offenders, []);
  });

  it('runs `switchboard test` on the project\'s flow tests', () => {
    const run = spawnSync(process.execPath, [join(installed, 'bin', 'switchboard.js'), 'test', 'tests'], { cwd: project, env: runEnv, encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    const summary = /(\d+) tests: (\d+) passed, 0 failed/.exec(run.stdout);
    assert.ok(summary && Number(summary[1]) > 0 && summary[1] === summary[2], run.stdout);
  });

  it('serves the API and the console (threaded SQLite writer included) from the project directory', async () => {
    const child = spawn(process.execPath, [join(installed, 'bin', 'switchboard.js'), 'serve', '--port', '0', '--sqlite-writer', 'thread', '--log-level', 'warn'], {
      cwd: project,
      env: runEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve not ready in 30 s:\n${out}\n${err}`)), 30_000);
        child.stdout.on('data', () => {
          const found = /^Switchboard listening on (http:\/\/\S+)/m.exec(out);
          if (found && /^Point twilio-node at it/m.test(out)) {
            clearTimeout(timer);
            resolve(found[1]!);
          }
        });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`serve exited (${code}):\n${out}\n${err}`));
        });
      });
      const health = await fetch(`${url}/healthz`);
      assert.equal(health.status, 200);
      assert.equal(((await health.json()) as { status: string }).status, 'ok');

      const page = await fetch(`${url}/`);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.equal(html, readFileSync(join(installed, 'web', 'dist', 'index.html'), 'utf8'), 'the console\'s index.html, not the "not built" page');
      const script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      assert.ok(script, html);
      assert.equal((await fetch(`${url}${script}`)).status, 200);
      assert.deepEqual(readdirSync(join(project, 'data')).filter((name) => name.endsWith('.db')), ['switchboard.db']);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });

  const older = olderNode();
  it('on a Node older than 24 says to install Node.js 24, not to run npm install', { skip: older === null ? 'needs a Node older than 24' : false }, () => {
    const run = spawnSync(older!, [join(installed, 'bin', 'switchboard.js'), 'test', 'tests'], { cwd: project, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^switchboard needs Node\.js 24 or later \(this is v\d+\.\d+\.\d+\): install Node\.js 24 or later/);
    assert.doesNotMatch(run.stderr, /npm install/);
  });
});

describe('npm install in the checkout', { skip }, () => {
  // npm runs `prepare` on every install; the Dockerfile's `npm ci` runs it with only package.json and the
  // lockfile copied: it must do nothing there (building is for packing, see scripts/build-package.ts).
  it('runs a prepare that needs no other file of the checkout', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-prepare-'));
    try {
      cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
      const run = spawnSync('npm', ['run', 'prepare', '--if-present', '--offline'], { cwd: dir, env: npmEnv(), encoding: 'utf8' });
      assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
