// Flows as code between two real Switchboard servers (each listening on a local port): the CLI
// runs as a separate process and talks to them with the twilio SDK. pull from A, push to B, diff
// shows widget/transition changes, validate/export/import, executions and replay, --record.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '../support/server.ts';
import { runCliInProcess, type CliRun as Run } from '../support/cli-in-process.ts';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';
import { flowsCommand } from '../../src/cli/flows.ts';
import { executionsCommand } from '../../src/cli/executions.ts';
import { replayCommand } from '../../src/cli/replay.ts';
import { testCommand } from '../../src/cli/test.ts';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const pizzaFile = fileURLToPath(new URL('../../examples/flows/pizza-order.json', import.meta.url));
const surveyFile = fileURLToPath(new URL('../fixtures/flows/survey.json', import.meta.url));


const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = { flows: flowsCommand, executions: executionsCommand, replay: replayCommand, test: testCommand };

/**
 * Runs a command in this process (test/support/cli-in-process.ts). Spawning the real binary for every
 * call is slow under a loaded CI machine; `spawned` below proves the binary itself dispatches these commands.
 */
function cli(args: string[], cwd: string): Promise<Run> {
  return runCliInProcess(COMMANDS[args[0]!]!, args.slice(1), cwd);
}

/** The real binary, as a separate process. */
function spawned(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    const env = { ...process.env, TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '', SWITCHBOARD_URL: '', NO_COLOR: '1' };
    execFile(process.execPath, [main, ...args], { cwd, env, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const creds = (s: TestServer) => ['--base-url', s.baseUrl, '--account-sid', s.account.sid, '--auth-token', s.account.authToken];

describe('switchboard flows / executions / replay against two servers', () => {
  let a: TestServer;
  let b: TestServer;
  let dir: string;

  before(async () => {
    a = await startTestServer({ listen: true });
    b = await startTestServer({ listen: true });
    dir = mkdtempSync(join(tmpdir(), 'sb-flows-'));
    await a.app.flows.create(a.account.sid, { friendlyName: 'Pizza order', status: 'published', definition: JSON.parse(readFileSync(pizzaFile, 'utf8')) });
    await a.app.flows.create(a.account.sid, { friendlyName: 'Survey', status: 'published', definition: JSON.parse(readFileSync(surveyFile, 'utf8')) });
  });

  after(async () => {
    await a?.close();
    await b?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('pull writes every flow as a file with a manifest; push creates them on the other server; diff then finds nothing', async () => {
    const pull = await cli(['flows', 'pull', ...creds(a)], dir);
    assert.equal(pull.code, 0, pull.stderr);
    assert.match(pull.stdout, /pulled Pizza order \(FW[0-9a-f]{32}, revision 1, published\) → flows\/pizza-order\.json/);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'flows/pizza-order.json'), 'utf8')), JSON.parse(readFileSync(pizzaFile, 'utf8')));
    const manifest = JSON.parse(readFileSync(join(dir, 'flows/flows.manifest.json'), 'utf8'));
    assert.equal(manifest.flows['survey.json'].friendlyName, 'Survey');

    const dry = await cli(['flows', 'push', '--dry-run', ...creds(b)], dir);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /would be created: Pizza order/);
    assert.equal((await b.app.store.listFlows(b.account.sid, { pageSize: 50 })).items.length, 0);

    const push = await cli(['flows', 'push', '--status', 'published', '--message', 'from A', ...creds(b)], dir);
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stdout, /created: Pizza order \(FW[0-9a-f]{32}, revision 1\)/);
    assert.match(push.stdout, /created: Survey/);
    const onB = (await b.app.store.listFlows(b.account.sid, { pageSize: 50 })).items.map((f) => f.friendlyName).sort();
    assert.deepEqual(onB, ['Pizza order', 'Survey']);

    const diff = await cli(['flows', 'diff', ...creds(b)], dir);
    assert.equal(diff.code, 0, diff.stdout + diff.stderr);
    assert.match(diff.stdout, /no changes to widgets or transitions/);
    const again = await cli(['flows', 'push', ...creds(b)], dir);
    assert.match(again.stdout, /unchanged: Pizza order/);
  });

  it('diff shows changed widgets and transitions in words, and push updates the flow', async () => {
    const file = join(dir, 'flows/pizza-order.json');
    const definition = JSON.parse(readFileSync(file, 'utf8'));
    const confirm = definition.states.find((s: { name: string }) => s.name === 'confirm');
    confirm.properties.body = 'Thanks! Order {{widgets.place_order.parsed.id}} is on its way.';
    const ask = definition.states.find((s: { name: string }) => s.name === 'ask_size');
    ask.transitions.find((t: { event: string }) => t.event === 'timeout').next = 'apologise';
    definition.states = definition.states.filter((s: { name: string }) => s.name !== 'no_answer');
    definition.states.push({ name: 'log', type: 'set-variables', transitions: [{ event: 'next' }], properties: { variables: [] } });
    writeFileSync(file, JSON.stringify(definition, null, 2));

    const diff = await cli(['flows', 'diff', ...creds(b)], dir);
    assert.equal(diff.code, 1, 'diff exits 1 when something changed');
    assert.match(diff.stdout, /- no_answer \(send-message\)/);
    assert.match(diff.stdout, /\+ log \(set-variables\)\n {4}next → Ended/);
    assert.match(diff.stdout, /~ ask_size \(send-and-wait-for-reply\)\n {4}transition timeout: → no_answer now → apologise/);
    assert.match(diff.stdout, /~ confirm \(send-message\)\n {4}body: "Order \{\{widgets\.place_order\.parsed\.id\}\} confirmed: .* → "Thanks! Order/);
    assert.doesNotMatch(diff.stdout, /offset/);

    const json = await cli(['flows', 'diff', '--json', ...creds(b)], dir);
    const parsed = JSON.parse(json.stdout);
    assert.ok(parsed.some((d: { widgets: { kind: string; widget: string }[] }) => d.widgets?.some((w) => w.kind === 'removed' && w.widget === 'no_answer')));

    const push = await cli(['flows', 'push', 'flows/pizza-order.json', '--message', 'new copy', ...creds(b)], dir);
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stdout, /updated: Pizza order \(FW[0-9a-f]{32}, revision 2\)/);
    const sid = JSON.parse(readFileSync(join(dir, 'flows/flows.manifest.json'), 'utf8')).flows['pizza-order.json'].sid;
    await b.app.flows.create(b.account.sid, { friendlyName: 'Made on B', status: 'draft', definition: JSON.parse(readFileSync(surveyFile, 'utf8')) });
    // Someone else's flow on the account: listed, not a difference (unless --all).
    const remoteOnly = await cli(['flows', 'diff', ...creds(b)], dir);
    assert.equal(remoteOnly.code, 0, remoteOnly.stdout + remoteOnly.stderr);
    assert.match(remoteOnly.stdout, /1 flow on the server has no local file and no manifest entry, so it is not part of this check \(--all counts them; .*\): 'Made on B'/);
    const all = await cli(['flows', 'diff', '--all', ...creds(b)], dir);
    assert.equal(all.code, 1);
    assert.match(all.stdout, /--- Made on B \(FW[0-9a-f]{32} revision 1\)\n {2}only on the server: no local file/);
    const between = await cli(['flows', 'diff', `${sid}@1`, `${sid}@2`, ...creds(b)], dir);
    assert.equal(between.code, 1);
    assert.match(between.stdout, /--- Pizza order \(FW[0-9a-f]{32} revision 1\)\n\+\+\+ Pizza order \(FW[0-9a-f]{32} revision 2\)/);
  });

  it('validate checks files locally (and with --remote), export/import move a flow by file', async () => {
    writeFileSync(join(dir, 'broken.json'), JSON.stringify({ initial_state: 'Trigger', states: [{ name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'ghost' }], properties: {} }] }));
    const bad = await cli(['flows', 'validate', 'broken.json'], dir);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /✗ broken\.json\n {4}#\/states\/0\/transitions\/0\/next: .*ghost/);
    const good = await cli(['flows', 'validate', '--remote', ...creds(a)], dir);
    assert.equal(good.code, 0, good.stdout + good.stderr);
    assert.match(good.stdout, /✓ flows\/survey\.json/);

    const surveySid = (await a.app.store.listFlows(a.account.sid, { pageSize: 50 })).items.find((f) => f.friendlyName === 'Survey')!.sid;
    const exported = await cli(['flows', 'export', surveySid, '--out', 'survey-export.json', ...creds(a)], dir);
    assert.equal(exported.code, 0, exported.stderr);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'survey-export.json'), 'utf8')), JSON.parse(readFileSync(surveyFile, 'utf8')));
    const imported = await cli(['flows', 'import', 'survey-export.json', '--name', 'Survey copy', '--status', 'published', ...creds(b)], dir);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /imported survey-export\.json as Survey copy \(FW[0-9a-f]{32}, revision 1, published\)/);
    const refused = await cli(['flows', 'import', 'broken.json', ...creds(b)], dir);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /not a valid flow definition/);
  });

  it('import of a saved Flow resource (GET /v2/Flows/FW…) keeps its friendly_name; --name still wins', async () => {
    const survey = JSON.parse(readFileSync(surveyFile, 'utf8'));
    writeFileSync(join(dir, 'flowres.json'), JSON.stringify({ sid: `FW${'1'.repeat(32)}`, friendly_name: 'Survey from the API', revision: 3, definition: survey }));
    writeFileSync(join(dir, 'flowres-cli.json'), JSON.stringify({ sid: `FW${'1'.repeat(32)}`, friendlyName: 'Survey from twilio-cli', definition: survey }));
    const made: string[] = [];
    try {
      for (const [args, name] of [
        [['flowres.json'], 'Survey from the API'],
        [['flowres-cli.json'], 'Survey from twilio-cli'],
        [['flowres.json', '--name', 'Named here'], 'Named here'],
        [['survey-export.json'], 'survey-export'],
      ] as const) {
        const imported = await cli(['flows', 'import', ...args, '--json', ...creds(b)], dir);
        assert.equal(imported.code, 0, imported.stderr);
        const created = JSON.parse(imported.stdout);
        made.push(created.sid);
        assert.equal(created.friendlyName, name, args.join(' '));
      }
    } finally {
      for (const sid of made) await b.app.store.deleteFlow(b.account.sid, sid);
    }
  });

  it('errors are sentences with non-zero exit codes', async () => {
    // 2: a failure (1 is an answer: the flows differ, a definition is invalid); 3: the server unreachable.
    const noCreds = await cli(['flows', 'list', '--base-url', a.baseUrl], dir);
    assert.equal(noCreds.code, 2);
    assert.match(noCreds.stderr, /no credentials: pass --account-sid and --auth-token/);
    // An API key without the account it belongs to: said up front, not twilio-node's "accountSid must start with AC".
    const keyOnly = await cli(['flows', 'list', '--base-url', a.baseUrl, '--api-key', `SK${'0'.repeat(32)}`, '--api-secret', 'secret'], dir);
    assert.equal(keyOnly.code, 2);
    assert.equal(keyOnly.stderr, 'switchboard flows list: an API key needs the account SID too: pass --account-sid AC… (or set TWILIO_ACCOUNT_SID) with --api-key and --api-secret\n');
    const keyFromEnv = await runCliInProcess(
      (argv) => {
        Object.assign(process.env, { TWILIO_API_KEY: `SK${'0'.repeat(32)}`, TWILIO_API_SECRET: 'secret' });
        return flowsCommand(argv);
      },
      ['list', '--base-url', a.baseUrl],
      dir,
    );
    assert.equal(keyFromEnv.code, 2);
    assert.match(keyFromEnv.stderr, /an API key needs the account SID too/);
    // --account-sid/--auth-token given win over an API key the shell exports (say, for the real Twilio).
    const flagsOverEnvKey = await runCliInProcess(
      (argv) => {
        Object.assign(process.env, { TWILIO_API_KEY: `SK${'0'.repeat(32)}`, TWILIO_API_SECRET: 'secret for Twilio' });
        return flowsCommand(argv);
      },
      ['list', '--base-url', a.baseUrl, '--account-sid', a.account.sid, '--auth-token', a.account.authToken],
      dir,
    );
    assert.equal(flagsOverEnvKey.code, 0, flagsOverEnvKey.stderr);
    const wrong = await cli(['flows', 'list', '--base-url', a.baseUrl, '--account-sid', a.account.sid, '--auth-token', 'wrong'], dir);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /Authenticate.*check --account-sid/);
    // Refused API-key credentials name the key's options and variables, not the auth token's.
    const wrongKey = await cli(['flows', 'list', '--base-url', a.baseUrl, '--account-sid', a.account.sid, '--api-key', `SK${'0'.repeat(32)}`, '--api-secret', 'wrong'], dir);
    assert.equal(wrongKey.code, 2);
    assert.equal(
      wrongKey.stderr,
      'switchboard flows list: Authenticate (error 20003) (check --api-key/--api-secret/--account-sid or TWILIO_API_KEY, TWILIO_API_SECRET and TWILIO_ACCOUNT_SID)\n',
    );
    const down = await cli(['flows', 'list', '--base-url', 'http://127.0.0.1:9', '--account-sid', a.account.sid, '--auth-token', 'x'], dir);
    assert.equal(down.code, 3);
    assert.match(down.stderr, /could not connect to the server/);
    const usage = await cli(['flows', 'frobnicate'], dir);
    assert.equal(usage.code, 2);
    const binary = await spawned(['flows', 'list', ...creds(a), '--json'], dir);
    assert.equal(binary.code, 0, binary.stderr);
    assert.deepEqual(JSON.parse(binary.stdout).map((f: { friendlyName: string }) => f.friendlyName).sort(), ['Pizza order', 'Survey']);
    const unknownOption = await spawned(['flows', 'list', '--bogus'], dir);
    assert.equal(unknownOption.code, 2);
    assert.match(unknownOption.stderr, /bogus/);
    for (const command of [['flows'], ['executions'], ['replay'], ['test']]) {
      const help = await cli([...command, '--help'], dir);
      assert.equal(help.code, 0, `${command.join(' ')} --help`);
      assert.match(help.stdout, /^Usage: switchboard/);
    }
  });

  it('executions list/show/steps/end, replay against a changed draft, and --record into a test that passes', async () => {
    const pizzaSid = (await a.app.store.listFlows(a.account.sid, { pageSize: 50 })).items.find((f) => f.friendlyName === 'Survey')!.sid;
    // A conversation in the simulator: "hi", then a rating of 2 → the "sorry" branch.
    const text = async (body: string) => {
      const response = await a.app.server.inject({
        method: 'POST',
        url: `/simulator/Flows/${pizzaSid}/Messages`,
        headers: { authorization: a.auth, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ From: '+15550001234', Body: body }).toString(),
      });
      assert.equal(response.statusCode, 201, response.body);
      return JSON.parse(response.body).execution_sid as string;
    };
    const fn = await text('hi');
    await text('2');

    const list = await cli(['executions', 'list', '--flow', pizzaSid, ...creds(a)], dir);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^SID\s+STATUS\s+CONTACT\s+CREATED/m);
    assert.match(list.stdout, new RegExp(`${fn}\\s+ended\\s+\\+15550001234`));
    const steps = await cli(['executions', 'steps', fn, '--flow', pizzaSid, ...creds(a)], dir);
    assert.match(steps.stdout, /ask\s+incomingMessage\s+remember/);
    assert.match(steps.stdout, /check\s+match\s+sorry/);
    const show = await cli(['executions', 'show', fn, '--flow', pizzaSid, '--json', ...creds(a)], dir);
    assert.equal(String(JSON.parse(show.stdout).context.flow.variables.rating), '2');

    // The draft moves "low" ratings (< 3) to a new widget; replay shows where the path changes.
    const definition = JSON.parse(readFileSync(surveyFile, 'utf8'));
    definition.states.find((s: { name: string }) => s.name === 'check').transitions[1].next = 'thanks';
    await a.app.flows.update(a.account.sid, pizzaSid, { status: 'draft', definition });
    const replay = await cli(['replay', fn, '--flow', pizzaSid, ...creds(a)], dir);
    assert.equal(replay.code, 0, replay.stderr);
    assert.match(replay.stdout, /revision 1 → 2/);
    assert.match(replay.stdout, /paths diverge at step 4:\n {4}recorded: check -match-> sorry\n {4}replay: {3}check -match-> thanks/);
    assert.match(replay.stdout, /- "Sorry about the 2\."\n {4}\+ "Thanks for the 2!"/);
    const same = await cli(['replay', fn, '--flow', pizzaSid, '--revision', '1', '--json', '--fail-on-divergence', ...creds(a)], dir);
    assert.equal(same.code, 0, same.stdout);
    assert.equal(JSON.parse(same.stdout)[0].diverged, false);
    const gated = await cli(['replay', fn, '--flow', pizzaSid, '--fail-on-divergence', ...creds(a)], dir);
    assert.equal(gated.code, 1);

    // --record turns the same conversation into a test file; it passes against the revision that ran.
    const record = await cli(['test', '--record', '--flow', pizzaSid, '--contact', '+15550001234', '--out', 'tests/survey.test.yaml', '--flow-file', 'recorded/survey.json', ...creds(a)], dir);
    assert.equal(record.code, 0, record.stderr);
    // The flow file is the revision the execution ran (1), not the draft saved since (2).
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'recorded/survey.json'), 'utf8')), JSON.parse(readFileSync(surveyFile, 'utf8')));
    assert.match(record.stdout, /revision 1, the one the execution ran/);
    const recorded = readFileSync(join(dir, 'tests/survey.test.yaml'), 'utf8');
    assert.match(recorded, /# Recorded from execution FN/);
    assert.match(recorded, /- send: "2"/);
    const summary = runFiles([join(dir, 'tests/survey.test.yaml')]);
    assert.equal(summary.failed, 0, textReport(summary));
    const run = await cli(['test', 'tests', '--reporter', 'tap'], dir);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^ok 1 - tests\/survey\.test\.yaml › recorded FN/m);

    const end = await cli(['executions', 'end', fn, '--flow', pizzaSid, ...creds(a)], dir);
    assert.match(end.stdout, new RegExp(`execution ${fn} is ended`));
  });
});

// `flows list` as a user reads it: CREATED, and UPDATED a dash for a flow never updated (a creation date
// there read as an update --json did not have; "never (created …)" as a date that was not one).
// --json stays the API's data (date_updated null).
describe('switchboard flows list: the UPDATED column', () => {
  let s: TestServer;
  let dir: string;
  let updatedSid = '';
  let untouchedSid = '';
  const clock = { ms: Date.parse('2026-03-01T10:00:00Z') };

  before(async () => {
    s = await startTestServer({ listen: true, now: () => clock.ms });
    dir = mkdtempSync(join(tmpdir(), 'sb-flows-list-'));
    const definition = JSON.parse(readFileSync(surveyFile, 'utf8'));
    untouchedSid = (await s.app.flows.create(s.account.sid, { friendlyName: 'Never updated', status: 'published', definition })).sid;
    clock.ms = Date.parse('2026-03-02T11:00:00Z');
    updatedSid = (await s.app.flows.create(s.account.sid, { friendlyName: 'Updated', status: 'draft', definition })).sid;
    clock.ms = Date.parse('2026-03-03T12:30:00Z');
    await s.app.flows.update(s.account.sid, updatedSid, { status: 'published', definition });
  });

  after(async () => {
    await s?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows date_created, and date_updated or a dash for a flow never updated; --json both, date_updated null', async () => {
    const list = await cli(['flows', 'list', ...creds(s)], dir);
    assert.equal(list.code, 0, list.stderr);
    const lines = list.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^SID\s+NAME\s+STATUS\s+REVISION\s+CREATED\s+UPDATED$/);
    const row = (sid: string) => lines.find((line) => line.startsWith(sid))!;
    assert.match(row(untouchedSid), /\s2026-03-01T10:00:00Z\s+-$/);
    assert.match(row(updatedSid), /\s2026-03-02T11:00:00Z\s+2026-03-03T12:30:00Z$/);

    const json = await cli(['flows', 'list', ...creds(s), '--json'], dir);
    assert.equal(json.code, 0, json.stderr);
    const bySid = new Map((JSON.parse(json.stdout) as Record<string, unknown>[]).map((f) => [f.sid, f]));
    assert.deepEqual(bySid.get(untouchedSid), { sid: untouchedSid, friendlyName: 'Never updated', status: 'published', revision: 1, dateCreated: '2026-03-01T10:00:00Z', dateUpdated: null });
    assert.deepEqual(bySid.get(updatedSid), { sid: updatedSid, friendlyName: 'Updated', status: 'published', revision: 2, dateCreated: '2026-03-02T11:00:00Z', dateUpdated: '2026-03-03T12:30:00Z' });
  });
});

// `executions list --contact ADDRESS`: one contact's executions through ContactAddress (a Switchboard
// extension), with --since and --limit, across pages (a proxy makes the server's pages 2 long, as a
// server clamping PageSize would), a bad address as the server's error, and a server that ignores it.
describe('switchboard executions list --contact', () => {
  const CALLER = '+15550109999';
  const OTHER = 'whatsapp:+15550108888';
  const START = Date.parse('2026-03-01T10:00:00Z');
  const clock = { ms: START };
  let s: TestServer;
  let proxy: Server;
  let proxyUrl = '';
  /** What the proxy does to each request's query, and the requests it forwarded. */
  const rewrite = { pageSize: 0, dropContact: false };
  const forwarded: URL[] = [];
  let dir: string;
  let flowSid = '';
  const created: { sid: string; to: string; at: string }[] = [];

  before(async () => {
    s = await startTestServer({ listen: true, now: () => clock.ms });
    dir = mkdtempSync(join(tmpdir(), 'sb-executions-contact-'));
    const definition = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url)), 'utf8'));
    flowSid = (await s.app.flows.create(s.account.sid, { friendlyName: 'Contacts', status: 'published', definition })).sid;
    // Seven executions a minute apart: five the caller's (from different flow addresses, one active per pair), two the other's.
    for (let i = 0; i < 7; i++) {
      clock.ms = START + i * 60_000;
      const to = i === 1 || i === 4 ? OTHER : CALLER;
      const response = await fetch(`${s.baseUrl}/v2/Flows/${flowSid}/Executions`, {
        method: 'POST',
        headers: { authorization: s.auth, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ To: to, From: `+1500555000${i}` }),
      });
      assert.equal(response.status, 201, await response.clone().text());
      created.push({ sid: ((await response.json()) as { sid: string }).sid, to, at: new Date(clock.ms).toISOString() });
    }
    await s.app.executions.idle();
    proxy = createServer(async (request, response) => {
      const url = new URL(request.url!, s.baseUrl);
      if (rewrite.pageSize && url.searchParams.has('PageSize')) url.searchParams.set('PageSize', String(Math.min(rewrite.pageSize, Number(url.searchParams.get('PageSize')))));
      if (rewrite.dropContact) url.searchParams.delete('ContactAddress');
      // The list's pages only: not the DETAIL column's ExecutionSummaries (Switchboard's console API).
      if (url.pathname.endsWith('/Executions')) forwarded.push(url);
      const answer = await fetch(url, { headers: { authorization: request.headers.authorization ?? '' } });
      response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
      response.end(await answer.text());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise((resolve) => proxy?.close(resolve));
    await s?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const sidsOf = (to: string) => created.filter((e) => e.to === to).map((e) => e.sid).reverse();
  const list = (args: string[], server = s.baseUrl) =>
    cli(['executions', 'list', '--flow', flowSid, ...args, '--base-url', server, '--account-sid', s.account.sid, '--auth-token', s.account.authToken], dir);
  /** The SIDs a table lists, top to bottom. */
  const tableSids = (stdout: string) => [...stdout.matchAll(/^(FN[0-9a-f]{32})\s/gm)].map((m) => m[1]);

  it("lists only the contact's executions, in the table and as --json", async () => {
    const all = await list([]);
    assert.equal(all.code, 0, all.stderr);
    assert.equal(tableSids(all.stdout).length, 7);

    const caller = await list(['--contact', CALLER]);
    assert.equal(caller.code, 0, caller.stderr);
    assert.match(caller.stdout, /^SID\s+STATUS\s+CONTACT\s+CREATED/m);
    assert.deepEqual(tableSids(caller.stdout), sidsOf(CALLER));
    for (const sid of sidsOf(CALLER)) assert.match(caller.stdout, new RegExp(`${sid}\\s+active\\s+\\+15550109999\\s`));
    assert.doesNotMatch(caller.stdout, /whatsapp:/);
    // Written for people, the number is the contact the create kept (its E.164).
    const formatted = await list(['--contact', '+1 (555) 010-9999']);
    assert.equal(formatted.code, 0, formatted.stderr);
    assert.deepEqual(tableSids(formatted.stdout), sidsOf(CALLER));

    const other = await list(['--contact', OTHER, '--json']);
    assert.equal(other.code, 0, other.stderr);
    const parsed = JSON.parse(other.stdout) as { sid: string; contactChannelAddress: string; flowSid: string; dateCreated: string; status: string }[];
    assert.deepEqual(parsed.map((e) => e.sid), sidsOf(OTHER));
    for (const e of parsed) {
      assert.equal(e.contactChannelAddress, OTHER);
      assert.equal(e.flowSid, flowSid);
      assert.equal(e.status, 'active');
    }
    // The shape twilio's list gave: camelCase, dates as ISO strings.
    assert.equal(parsed[0]!.dateCreated, created[4]!.at);
  });

  it('combines --contact with --since and --limit', async () => {
    const since = await list(['--contact', CALLER, '--since', created[3]!.at, '--json']);
    assert.equal(since.code, 0, since.stderr);
    assert.deepEqual(JSON.parse(since.stdout).map((e: { sid: string }) => e.sid), [created[6]!.sid, created[5]!.sid, created[3]!.sid]);
    // Read as the API reads DateCreatedFrom: without a zone it is UTC, and a day its month lacks is no date.
    const zoneless = await list(['--contact', CALLER, '--since', created[3]!.at.replace(/Z$/, ''), '--json']);
    assert.equal(zoneless.code, 0, zoneless.stderr);
    assert.deepEqual(JSON.parse(zoneless.stdout).map((e: { sid: string }) => e.sid), [created[6]!.sid, created[5]!.sid, created[3]!.sid]);
    const impossible = await list(['--since', '2026-02-30']);
    assert.equal(impossible.code, 2);
    assert.match(impossible.stderr, /--since '2026-02-30' is not a date/);
    const limited = await list(['--contact', CALLER, '--limit', '2']);
    assert.equal(limited.code, 0, limited.stderr);
    assert.deepEqual(tableSids(limited.stdout), sidsOf(CALLER).slice(0, 2));
  });

  it('follows next_page_url with the filter until --limit, across pages', async () => {
    rewrite.pageSize = 2;
    try {
      forwarded.length = 0;
      const three = await list(['--contact', CALLER, '--limit', '3', '--json'], proxyUrl);
      assert.equal(three.code, 0, three.stderr);
      assert.deepEqual(JSON.parse(three.stdout).map((e: { sid: string }) => e.sid), sidsOf(CALLER).slice(0, 3));
      assert.equal(forwarded.length, 2, 'two pages of two for three executions');
      for (const url of forwarded) assert.equal(url.searchParams.get('ContactAddress'), CALLER, String(url));

      forwarded.length = 0;
      const every = await list(['--contact', CALLER, '--limit', '50'], proxyUrl);
      assert.equal(every.code, 0, every.stderr);
      assert.deepEqual(tableSids(every.stdout), sidsOf(CALLER));
      assert.equal(forwarded.length, 3, 'pages of 2, 2 and 1: the last has no next page');

      forwarded.length = 0;
      const since = await list(['--contact', CALLER, '--since', created[2]!.at, '--limit', '3', '--json'], proxyUrl);
      assert.deepEqual(JSON.parse(since.stdout).map((e: { sid: string }) => e.sid), [created[6]!.sid, created[5]!.sid, created[3]!.sid]);
      for (const url of forwarded) assert.equal(url.searchParams.get('DateCreatedFrom'), created[2]!.at.replace('.000Z', 'Z'), String(url));
    } finally {
      rewrite.pageSize = 0;
    }
  });

  it("a bad address is the server's error, exit 2", async () => {
    const unencoded = await list(['--contact', ' 15550109999']);
    assert.equal(unencoded.code, 2);
    assert.equal(unencoded.stdout, '');
    assert.match(unencoded.stderr, /^switchboard executions list: .*ContactAddress.*starts with a space.*\(error \d+\)\n$/);
    const empty = await list(['--contact', '']);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /^switchboard executions list: .*ContactAddress.*is empty.*\(error \d+\)\n$/);
    const long = await list(['--contact', '+1'.padEnd(5000, '5')]);
    assert.equal(long.code, 2);
    assert.match(long.stderr, /^switchboard executions list: .*ContactAddress.*\(error \d+\)\n$/);
  });

  it("on a server that ignores ContactAddress (Twilio), keeps only the contact's and says so", async () => {
    rewrite.dropContact = true;
    try {
      const run = await list(['--contact', OTHER], proxyUrl);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(tableSids(run.stdout), sidsOf(OTHER));
      assert.match(run.stderr, /warning: the server ignored --contact .*among the 7 newest only/);
    } finally {
      rewrite.dropContact = false;
    }
  });
});
