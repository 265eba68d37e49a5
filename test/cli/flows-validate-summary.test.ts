// `switchboard flows validate` on a folder of a hundred flows printed over a thousand lines with the one
// failure buried among them and no verdict at the end; an empty folder passed with no output at all (a CI
// job pointed at the wrong folder stayed green). Now: a summary line, --quiet, --max-warnings N, and
// "no flow files" (exit 2). The validator's own messages are not asserted here (they change on their own):
// the counts are checked against the --json report of the same files.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliInProcess, type CliRun } from '../support/cli-in-process.ts';
import { flowsCommand } from '../../src/cli/flows.ts';

function flows(args: string[], cwd: string): Promise<CliRun> {
  return runCliInProcess(flowsCommand, args, cwd);
}

const send = (name: string) => ({
  name,
  type: 'send-message',
  transitions: [{ event: 'sent' }, { event: 'failed' }],
  properties: { body: 'hi', from: '{{flow.channel.address}}', to: '{{contact.channel.address}}' },
});

/** A valid flow; `unreachable` widgets no transition leads to, each a warning. */
function flow(unreachable: string[], next = 'hello') {
  return {
    description: 'fixture',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next }], properties: {} },
      send('hello'),
      ...unreachable.map(send),
    ],
  };
}

interface JsonReport {
  files: { file: string; valid: boolean; errors: string[]; warnings: string[] }[];
  summary: { checked: number; valid: number; invalid: number; unreadable: number; warnings: number; maxWarnings: number | null; tooManyWarnings: boolean };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

describe('switchboard flows validate: summary, --quiet, --max-warnings, no flow files', () => {
  let work: string;
  /** The --json report of --dir flows, and its warnings on the valid files only. */
  let report: JsonReport;
  let validWarnings = 0;
  // No server is needed: push stops before connecting when a file is invalid.
  const nowhere = ['--base-url', 'http://127.0.0.1:9', '--account-sid', `AC${'0'.repeat(32)}`, '--auth-token', 'x'];

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'sb-flows-summary-'));
    mkdirSync(join(work, 'flows'));
    mkdirSync(join(work, 'empty'));
    writeFileSync(join(work, 'empty/flows.manifest.json'), '{"flows": {}}\n');
    writeFileSync(join(work, 'flows/clean.json'), JSON.stringify(flow([])));
    writeFileSync(join(work, 'flows/one-warning.json'), JSON.stringify(flow(['stray'])));
    writeFileSync(join(work, 'flows/warned.json'), JSON.stringify(flow(['stray_one', 'stray_two'])));
    // Invalid (a transition to no widget), and with a warning of its own that --quiet must not show.
    writeFileSync(join(work, 'flows/broken.json'), JSON.stringify(flow(['stray_three'], 'ghost_widget')));
    const run = await flows(['validate', '--json'], work);
    assert.equal(run.code, 1, run.stderr);
    report = JSON.parse(run.stdout);
    validWarnings = report.files.filter((f) => f.valid).reduce((sum, f) => sum + f.warnings.length, 0);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('--json: every file with its fields as before, and the summary as a field', () => {
    assert.deepEqual(report.files.map((f) => [f.file, f.valid]), [
      [join('flows', 'broken.json'), false],
      [join('flows', 'clean.json'), true],
      [join('flows', 'one-warning.json'), true],
      [join('flows', 'warned.json'), true],
    ]);
    for (const f of report.files) assert.deepEqual(Object.keys(f), ['file', 'valid', 'errors', 'warnings']);
    assert.ok(report.files[0]!.errors.some((e) => /ghost_widget/.test(e)), JSON.stringify(report.files[0]));
    assert.ok(report.files[3]!.warnings.length >= 2, 'two unreachable widgets warn');
    const warnings = report.files.reduce((sum, f) => sum + f.warnings.length, 0);
    assert.deepEqual(report.summary, { checked: 4, valid: 3, invalid: 1, unreadable: 0, warnings, maxWarnings: null, tooManyWarnings: false });
  });

  it('the text report ends with one summary line; a file with one warning says "1 warning"', async () => {
    const run = await flows(['validate'], work);
    assert.equal(run.code, 1);
    const lines = run.stdout.trimEnd().split('\n');
    assert.equal(lines.at(-1), `4 files checked: 3 valid, 1 invalid; ${plural(report.summary.warnings, 'warning')}`);
    assert.match(run.stdout, /^✗ flows\/broken\.json\n/);
    assert.match(run.stdout, /^ {4}warning: /m);
    const one = report.files.find((f) => f.file.endsWith('one-warning.json'))!.warnings.length;
    assert.ok(lines.includes(`✓ ${join('flows', 'one-warning.json')} (${plural(one, 'warning')})`), run.stdout);
    assert.doesNotMatch(run.stdout, /\(1 warnings\)/);
  });

  it('--quiet prints only the invalid files and their errors, and the same summary', async () => {
    const run = await flows(['validate', '--quiet'], work);
    assert.equal(run.code, 1);
    const broken = report.files[0]!;
    assert.equal(run.stdout, [
      `✗ ${broken.file}`,
      ...broken.errors.map((e) => `    ${e}`),
      `4 files checked: 3 valid, 1 invalid; ${plural(report.summary.warnings, 'warning')}`,
    ].join('\n') + '\n');
    assert.doesNotMatch(run.stdout, /warning:|✓/);
    const clean = await flows(['validate', '--quiet', join('flows', 'clean.json'), join('flows', 'warned.json')], work);
    assert.equal(clean.code, 0);
    assert.match(clean.stdout, /^2 files checked: 2 valid, 0 invalid; \d+ warnings?\n$/);
  });

  it('--max-warnings N: exit 1 when the warnings are more than N, saying so; N itself passes', async () => {
    const valid = [join('flows', 'clean.json'), join('flows', 'one-warning.json'), join('flows', 'warned.json')];
    const atLimit = await flows(['validate', ...valid, '--max-warnings', String(validWarnings)], work);
    assert.equal(atLimit.code, 0, atLimit.stderr);
    assert.equal(atLimit.stderr, '');
    const over = await flows(['validate', ...valid, '--max-warnings', String(validWarnings - 1)], work);
    assert.equal(over.code, 1);
    assert.match(over.stderr, new RegExp(`${validWarnings} warnings, more than --max-warnings ${validWarnings - 1}`));
    const json = await flows(['validate', ...valid, '--json', '--max-warnings', '0'], work);
    assert.equal(json.code, 1);
    const parsed = JSON.parse(json.stdout) as JsonReport;
    assert.equal(parsed.summary.maxWarnings, 0);
    assert.equal(parsed.summary.tooManyWarnings, true);
    // Invalid files still decide first, and too many warnings are said as well.
    const both = await flows(['validate', '--max-warnings', '0'], work);
    assert.equal(both.code, 1);
    assert.match(both.stderr, /more than --max-warnings 0/);
  });

  it('--max-warnings must be a whole number, and only validate takes it and --quiet', async () => {
    for (const bad of ['many', '1.5', '']) {
      const run = await flows(['validate', '--max-warnings', bad], work);
      assert.equal(run.code, 2, bad);
      assert.match(run.stderr, /--max-warnings takes a whole number/);
      assert.equal(run.stdout, '');
    }
    const push = await flows(['push', '--max-warnings', '3', ...nowhere], work);
    assert.equal(push.code, 2);
    assert.match(push.stderr, /flows push does not take --max-warnings/);
    const quiet = await flows(['diff', '--quiet', ...nowhere], work);
    assert.equal(quiet.code, 2);
    assert.match(quiet.stderr, /flows diff does not take --quiet/);
  });

  it('a --dir with no flow files is exit 2, "no flow files in DIR", also with --json', async () => {
    for (const args of [['validate', '--dir', 'empty'], ['validate', '--dir', 'empty', '--json']]) {
      const run = await flows(args, work);
      assert.equal(run.code, 2);
      assert.equal(run.stderr, 'switchboard flows validate: no flow files in empty\n');
      assert.equal(run.stdout, '');
    }
    // push too: a deployment from the wrong folder fails before connecting (nowhere is a server that is not there).
    const push = await flows(['push', '--dir', 'empty', ...nowhere], work);
    assert.equal(push.code, 2);
    assert.equal(push.stderr, 'switchboard flows push: no flow files in empty\n');
  });

  it('push: several files all refused end with a count too', async () => {
    writeFileSync(join(work, 'broken-too.json'), JSON.stringify(flow([], 'ghost_widget')));
    const run = await flows(['push', join('flows', 'broken.json'), 'broken-too.json', ...nowhere], work);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /\nnothing was pushed: none of the 2 files can be pushed\n$/);
  });

  it('a number too large for a double (1e400) makes the file invalid, as the server says; import sends nothing', async () => {
    // JSON.parse made it Infinity, validate passed it, and twilio-node sent null in its place.
    const dir = mkdtempSync(join(tmpdir(), 'sb-flows-overflow-'));
    try {
      writeFileSync(join(dir, 'huge.json'), JSON.stringify(flow([])).replace('"properties":{}', '"properties":{"offset":{"x":1e400,"y":0}}'));
      const validate = await flows(['validate', 'huge.json'], dir);
      assert.equal(validate.code, 1, validate.stderr);
      assert.match(validate.stdout, /^ {4}#: Flow definition is not valid JSON: the number at \/states\/0\/properties\/offset\/x is too large/m);
      assert.match(validate.stdout, /1 file checked: 0 valid, 1 invalid/);
      const imported = await flows(['import', 'huge.json', ...nowhere], dir);
      assert.equal(imported.code, 1, imported.stderr);
      assert.match(imported.stderr, /huge\.json is not a valid flow definition:\n {2}#: Flow definition is not valid JSON: the number at \/states\/0\/properties\/offset\/x is too large/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a NUL character (\\u0000) makes a file invalid, as the server says; push sends no file at all', async () => {
    // The server refuses such a Definition (81022): validate passed the file, and push created the flows
    // before it, then stopped at this one (exit 2) without writing the manifest.
    const dir = mkdtempSync(join(tmpdir(), 'sb-flows-nul-'));
    try {
      mkdirSync(join(dir, 'flows'));
      writeFileSync(join(dir, 'flows/a.json'), JSON.stringify(flow([])));
      writeFileSync(join(dir, 'flows/b.json'), JSON.stringify({ ...flow([]), description: 'PLACEHOLDER' }).replace('PLACEHOLDER', 'nul \\u0000 here'));
      const validate = await flows(['validate'], dir);
      assert.equal(validate.code, 1, validate.stderr);
      assert.match(validate.stdout, /^✗ flows\/b\.json\n {4}#\/description: must not contain a NUL character \(\\u0000\)$/m);
      assert.match(validate.stdout, /2 files checked: 1 valid, 1 invalid/);
      // `nowhere` is no server: exit 1 (not 3) shows nothing was sent.
      const push = await flows(['push', ...nowhere], dir);
      assert.equal(push.code, 1, push.stderr);
      assert.match(push.stderr, /^flows\/b\.json: not pushed, the definition is not valid:\n {2}#\/description: must not contain a NUL character/m);
      assert.match(push.stderr, /nothing was pushed: 1 of 2 files cannot be pushed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("warns of Liquid outside Studio's as the configured --liquid-version says, as the server would", async () => {
    const dir = join(work, 'dialect');
    mkdirSync(dir, { recursive: true });
    const summing = flow([]);
    (summing.states[1]!.properties as { body: string }).body = '{{ flow.data.prices | sum }}';
    writeFileSync(join(dir, 'sum.json'), JSON.stringify(summing));
    const warningsOf = async (extra: string[]) => {
      const run = await flows(['validate', '--dir', 'dialect', '--json', ...extra], work);
      assert.equal(run.code, 0, run.stderr);
      return (JSON.parse(run.stdout) as JsonReport).files[0]!.warnings.filter((w) => /'sum'/.test(w));
    };
    // sum came with Shopify's Liquid 5.5.0: under the default release it is warned about, under 5.5.0 not.
    assert.equal((await warningsOf([])).length, 1);
    assert.deepEqual(await warningsOf(['--liquid-version', '5.5.0']), []);
  });
});
