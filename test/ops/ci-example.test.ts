// examples/ci/github-actions.yml is the CI workflow the README gives teams to copy. Each switchboard
// command in its `run:` steps is run here as the workflow would run it, in a copy of examples/ (the
// layout it expects: flows/ and tests/): validate and test for real, the deploy job's push against a
// listening test server with the secrets' values. A renamed command or option fails this test.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { main } from '../../src/cli/commands.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { startTestServer } from '../support/server.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const WORKFLOW = join(EXAMPLES, 'ci/github-actions.yml');
const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const PACKAGE = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { bin: Record<string, string>; engines: { node: string } };

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string;
  if?: string;
  steps: Step[];
}
const workflow = parse(readFileSync(WORKFLOW, 'utf8')) as { on: unknown; jobs: Record<string, Job> };

/** A `run:` line split into words as a shell would (double and single quotes; no other expansion is used). */
function words(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

/** `${{ … }}` expressions filled in with `values` (an unknown one fails the test: the workflow reads something new). */
function expand(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expression: string) => {
    assert.ok(expression in values, `the workflow reads \${{ ${expression} }}, which this test does not give`);
    return values[expression]!;
  });
}

/** Each switchboard command of a job's `run:` steps, with the step's env; any other command is only `npm ci`. */
function commands(job: Job): { args: string[]; env: Record<string, string> }[] {
  const found = [];
  for (const step of job.steps) {
    if (step.run === undefined) continue;
    for (const line of step.run.split('\n').map((l) => l.trim()).filter(Boolean)) {
      if (line === 'npm ci') continue;
      const [npx, bin, ...args] = words(line);
      assert.equal(`${npx} ${bin}`, 'npx switchboard', `a run: line this test does not know how to check: ${line}`);
      found.push({ args, env: step.env ?? {} });
    }
  }
  return found;
}

describe('examples/ci/github-actions.yml', () => {
  const work = mkdtempSync(join(tmpdir(), 'sb-ci-example-'));
  after(() => rmSync(work, { recursive: true, force: true }));
  cpSync(join(EXAMPLES, 'flows'), join(work, 'flows'), { recursive: true });
  cpSync(join(EXAMPLES, 'tests'), join(work, 'tests'), { recursive: true });
  cpSync(join(EXAMPLES, 'deploy.yaml'), join(work, 'deploy.yaml'));

  it('runs the package binary on the Node.js it needs, and the README points to it', () => {
    assert.ok(PACKAGE.bin.switchboard, 'npx switchboard runs the bin of that name');
    const major = Number(/\d+/.exec(PACKAGE.engines.node)![0]);
    for (const job of Object.values(workflow.jobs)) {
      const node = job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
      assert.ok(node && Number(node.with?.['node-version']) >= major, 'setup-node with the Node.js version package.json needs');
      const installs = job.steps.findIndex((s) => s.run === 'npm ci');
      assert.ok(installs >= 0 && installs < job.steps.findIndex((s) => s.run?.includes('switchboard')), 'npm ci before the first switchboard command');
    }
    assert.ok(readFileSync(README, 'utf8').includes('](examples/ci/github-actions.yml)'), 'the README links to the workflow');
  });

  it('the test job: flows validate and switchboard test with a JUnit report pass on examples/', async () => {
    const run = commands(workflow.jobs.test!);
    assert.deepEqual(run.map((c) => c.args.slice(0, c.args[0] === 'flows' ? 2 : 1).join(' ')), ['flows validate', 'test']);
    for (const { args } of run) {
      const result = await runCliInProcess(main, args, work);
      assert.equal(result.code, 0, `switchboard ${args.join(' ')}: ${result.stdout}${result.stderr}`);
    }
    const junit = run[1]!.args[run[1]!.args.indexOf('--junit') + 1]!;
    assert.match(readFileSync(join(work, junit), 'utf8'), /<testsuites[^>]* failures="0"/);
    const upload = workflow.jobs.test!.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    assert.equal(upload?.with?.path, junit, 'the report uploaded is the one written');
  });

  it('the deploy job: on main only, after the tests, with the full history, flows push with the secrets', async () => {
    const deploy = workflow.jobs.deploy!;
    assert.equal(deploy.needs, 'test');
    assert.match(deploy.if ?? '', /github\.ref == 'refs\/heads\/main'/);
    const checkout = deploy.steps.find((s) => s.uses?.startsWith('actions/checkout@'));
    assert.equal(checkout?.with?.['fetch-depth'], 0, "push's drift check reads the git history: a shallow clone lacks it");
    const run = commands(deploy);
    assert.deepEqual(run.map((c) => c.args.slice(0, 2).join(' ')), ['flows push']);

    const server = await startTestServer({ listen: true });
    try {
      const secrets = { 'secrets.SWITCHBOARD_URL': server.baseUrl, 'secrets.TWILIO_ACCOUNT_SID': server.account.sid, 'secrets.TWILIO_AUTH_TOKEN': server.account.authToken, 'github.sha': '0123abcd' };
      const { args, env } = run[0]!;
      const vars = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, expand(v, secrets)]));
      assert.deepEqual(Object.keys(vars).sort(), ['SWITCHBOARD_URL', 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN']);
      // runCliInProcess clears the connection variables: the step's env is set inside, as the runner sets it.
      const withEnv = (argv: string[]) => (Object.assign(process.env, vars), main(argv));
      // Without its --vars the template examples/flows/opening-hours.json would be published with its placeholders
      // unfilled (a request to the URL `${hours_api}/now…`): the push refuses it, and sends nothing.
      const at = args.indexOf('--vars');
      assert.ok(at > 0 && args[at + 1] === 'deploy.yaml', 'the push fills in the templates from deploy.yaml');
      const bare = await runCliInProcess(withEnv, args.filter((_, i) => i !== at && i !== at + 1).map((a) => expand(a, secrets)), work);
      assert.equal(bare.code, 1, bare.stdout + bare.stderr);
      assert.match(bare.stderr, /opening-hours\.json: not pushed, .*\$\{hours_api\}.*--vars FILE/);
      assert.equal((await server.app.store.listFlows(server.account.sid, { pageSize: 50 })).items.length, 0);
      const push = await runCliInProcess(withEnv, args.map((a) => expand(a, secrets)), work);
      assert.equal(push.code, 0, push.stdout + push.stderr);
      const flows = (await server.app.store.listFlows(server.account.sid, { pageSize: 50 })).items;
      assert.deepEqual(flows.map((f) => f.friendlyName).sort(), ['ivr', 'opening-hours', 'pizza-order']);
      assert.ok(flows.every((f) => f.status === 'published'));
      // The flow published is the template filled in: no placeholder is left for the run to fail on.
      const hours = flows.find((f) => f.friendlyName === 'opening-hours')!;
      const published = JSON.stringify((await server.app.store.getRevision(server.account.sid, hours.sid, hours.revision))!.definition);
      assert.doesNotMatch(published, /\$\{/);
      assert.match(published, /https:\/\/hours\.example\.com\/now\?team=support/);
      assert.ok(existsSync(join(work, 'flows/flows.manifest.json')), 'push records the flows in the manifest');
      // The next run (nothing changed) pushes nothing new.
      const again = await runCliInProcess(withEnv, args.map((a) => expand(a, secrets)), work);
      assert.equal(again.code, 0, again.stdout + again.stderr);
      assert.doesNotMatch(again.stdout, /^(created|updated):/m);
    } finally {
      await server.close();
    }
  });
});
