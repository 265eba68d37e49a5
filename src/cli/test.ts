// `switchboard test [paths…]`: runs flow test files in-process on the pure engine with a simulated
// clock. Exit code 0 when every test passes, 1 when any fails, 2 for usage errors.
import { existsSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { coverageText } from '../flowtest/coverage.ts';
import { LoadError } from '../flowtest/load.ts';
import { movedFlowFile } from './flows/rename.ts';
import { REPORTERS, report, textFailures, type ReporterName } from '../flowtest/reporters.ts';
import { discover, runFiles } from '../flowtest/runner.ts';
import { relative } from 'node:path';
import { recordCommand } from './record.ts';
import { updateExpectations } from '../flowtest/update-expectations.ts';
import { simulationOptionsFrom, type ConfiguredRules, type SimulationOptions } from '../flowtest/simulation.ts';
import { CONFIG_KEYS, ConfigError, configFlagOptions } from '../config.ts';
import { resolveConfig, type Flags } from '../config/model.ts';
import { booleanWithValue, parseStrict, switchWithWord } from './stray-arguments.ts';
import { usageFailure } from './remote.ts';
import { watchTests } from './test-watch.ts';
import { makeDirectories } from '../lib/make-directories.ts';
import { readVarsFile } from './vars-file.ts';
import type { JsonObject } from '../engine/types.ts';

export const TEST_USAGE = `Usage: switchboard test [paths…] [options]

Runs flow tests (*.test.yaml|yml|json anywhere, any YAML file under tests/) on the engine with a
simulated clock. Paths default to ./tests (or . when there is no tests folder).

Options:
  --reporter text|tap|junit|json   what to print (default text)
  --junit FILE                     also write a JUnit XML report to FILE
  --tap FILE                       also write a TAP report to FILE
  --coverage                       print widget and transition coverage per flow whose tests ran (in the
                                   JSON report with --reporter json, only then)
  --coverage-json FILE             write coverage as JSON to FILE
  --update                         rewrite the failing expectations with what the flows did now (only the
                                   failing fields; passing tests are left as they are), then re-run and say
                                   how many changed and whether every test now passes
  --grep PATTERN                   only tests whose name matches PATTERN (a regular expression)
  --vars FILE                      values (a JSON or YAML mapping) for deploy-time \${…} placeholders in
                                   the flow files, as a Terraform template has them; a test file's own
                                   \`vars:\` win over them
  --watch                          run again each time a test file or a flow file changes, until Ctrl-C
                                   (watched: the folders given, and those of the test files and of the flows
                                   they read)
  --no-color                       plain output
  --record                         turn a simulator conversation into a test file (see --record --help)
  -h, --help                       this help

The flows run under the project's configuration, as 'switchboard serve' would run them: the time zone
(--timezone), the default reply timeout (--default-reply-timeout), the step limits (--max-steps,
--max-same-widget), the size limits (--max-context-bytes, --max-step-bytes), the execution age cap
(--execution-max-age), how Liquid prints objects (--liquid-object-format), how its date filters read
03/10/2026 (--liquid-slash-dates), which filters and tags it has (--liquid-version, --liquid-extras: by
default a filter Studio's Liquid lacks returns its input, as on Twilio), how Set Variables types values
(--set-variables-typing) and the outbound HTTP policy (--dev, --http-allow, --http-deny; by default serve's,
not in dev mode, though npm start runs serve --dev: a mocked request to an address the server would refuse,
such as a private or loopback one outside dev mode, fails the widget as it would there, and the test notes
why), from the flags, the environment or switchboard.config.json/.yaml (--config FILE). Every configuration
flag is accepted.
A test's clock starts at the file's or the test's \`clock\` (default 2030-01-07T09:00:00Z, a Monday).

Exit codes: 0 all passed, 1 a test failed, 2 bad usage, no test files found, no test matching --grep,
or a report file that cannot be written; with --record, 2 also for a request the server refused (credentials,
no such flow or execution), 3 the server could not be reached.`;

function write(file: string, text: string): void {
  const dir = dirname(file);
  if (!existsSync(dir)) makeDirectories(dir);
  writeFileSync(file, text.endsWith('\n') ? text : text + '\n');
}

/**
 * Studio's runtime rules as this project's configuration sets them (flags, environment,
 * switchboard.config.json/.yaml), so tests run under what `serve` runs executions under. Every key
 * must be valid (a bad value anywhere in the configuration is an error, as in every command), but the
 * rules across keys are not applied: a half-set TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN pair is no
 * reason to refuse to run tests.
 */
export function engineRules(flags: Flags, env: NodeJS.ProcessEnv = process.env): ConfiguredRules {
  // resolveConfig checks the time zone (and every other key) per source.
  return resolveConfig(CONFIG_KEYS, flags, env).values;
}

function writeProblem(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  const reasons: Record<string, string> = { EACCES: 'permission denied', EPERM: 'permission denied', EISDIR: 'it is a directory', ENOTDIR: 'a part of the path is not a directory', EROFS: 'read-only file system', ENOSPC: 'no space left on the device', ENOENT: 'no such directory' };
  return (e.code && reasons[e.code]) ?? e.message;
}

export async function testCommand(argv: string[]): Promise<number> {
  if (argv.includes('--record')) return recordCommand(argv.filter((a) => a !== '--record'));
  const options = {
    // Every configuration key's flag and --config FILE, as every command takes them: the engine's rules come from there.
    ...configFlagOptions(),
    reporter: { type: 'string', default: 'text' },
    junit: { type: 'string' },
    tap: { type: 'string' },
    coverage: { type: 'boolean', default: false },
    'coverage-json': { type: 'string' },
    update: { type: 'boolean', default: false },
    grep: { type: 'string' },
    vars: { type: 'string' },
    watch: { type: 'boolean', default: false },
    'no-color': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  } as const;
  // `--coverage false` would run with coverage on and look for tests in a path named 'false'.
  const early = booleanWithValue(argv, options);
  if (early) return usageFailure(early);
  const { values, positionals, tokens } = parseStrict({ args: argv, allowPositionals: true, strict: true, allowNegative: true /* --no-dev, --no-color */, tokens: true, options });
  const word = switchWithWord(tokens, options);
  if (word) return usageFailure(word);
  if (values.help) {
    console.log(TEST_USAGE);
    return 0;
  }
  let simulation: SimulationOptions;
  try {
    simulation = simulationOptionsFrom(engineRules(values));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`switchboard test: ${error.message}`);
    return 2;
  }
  const reporter = values.reporter as ReporterName;
  if (!REPORTERS.includes(reporter)) {
    console.error(`switchboard test: --reporter must be one of ${REPORTERS.join(', ')}`);
    return 2;
  }
  let grep: RegExp | undefined;
  if (values.grep !== undefined) {
    try {
      grep = new RegExp(values.grep);
    } catch (error) {
      console.error(`switchboard test: --grep is not a valid regular expression: ${(error as Error).message}`);
      return 2;
    }
  }
  let vars: JsonObject | undefined;
  if (values.vars !== undefined) {
    const read = readVarsFile(values.vars);
    if ('problem' in read) return usageFailure(read.problem);
    vars = read.vars;
  }
  // --update rewrites test files, which --watch would take for edits and run again, and again.
  if (values.watch && values.update) return usageFailure('--watch and --update do not go together: --update rewrites the test files --watch watches');
  const paths = positionals.length ? positionals : [existsSync('tests') ? 'tests' : '.'];
  const run = (): { code: number; read: string[] } => {
    const read: string[] = [];
    const code = runOnce(read);
    return { code, read };
  };
  if (values.watch) {
    const writes = [values.junit, values.tap, values['coverage-json']].filter((file): file is string => file !== undefined);
    return watchTests({ paths, writes, run });
  }
  return run().code;

  /** Discovers, runs and reports once; `read` gets the test files and the flow files they read. The exit code. */
  function runOnce(read: string[]): number {
    let files: string[];
    try {
      files = discover(paths);
    } catch (error) {
      console.error(`switchboard test: ${error instanceof LoadError ? error.message : (error as Error).message}`);
      return 2;
    }
    if (files.length === 0) {
      console.error(`switchboard test: no test files found in ${paths.join(', ')} (looked for *.test.yaml, *.test.json and YAML files under tests/)`);
      return 2;
    }
    const summary = runFiles(files, { ...(grep ? { grep } : {}), simulation, ...(vars ? { vars } : {}), movedFlow: movedFlowFile });
    read.push(...files, ...summary.coverage.map((c) => c.flow), ...(values.vars !== undefined ? [values.vars] : []));
    if (grep && summary.results.length === 0) {
      // A typo in --grep must not pass CI as "0 tests".
      console.error(`switchboard test: no test name matches --grep ${values.grep} in ${files.length} test file${files.length === 1 ? '' : 's'}`);
      return 2;
    }
    // --update edits the failing expectations in place (src/flowtest/update-expectations.ts); what it did is said after the report.
    const updated = values.update ? updateExpectations(files, summary.results, grep) : [];
    const color = !values['no-color'] && (values as Flags).color !== false && process.stdout.isTTY === true && !process.env.NO_COLOR;
    console.log(report(reporter, summary, { color, coverage: values.coverage }));
    if (values.coverage && reporter !== 'json') {
      const text = coverageText(summary.coverage, (p) => relative(process.cwd(), p) || p, grep ? `Coverage (flows with a test matching --grep ${values.grep})` : 'Coverage');
      // The JSON report holds it; after TAP it is comment lines; JUnit XML on stdout stays XML (the text goes to stderr).
      if (reporter === 'text') console.log('\n' + text);
      else if (reporter === 'tap') console.log(text.split('\n').map((line) => `# ${line}`).join('\n'));
      else console.error(text);
    }
    const outputs: [string, string | undefined, () => string][] = [
      ['--junit', values.junit, () => report('junit', summary)],
      ['--tap', values.tap, () => report('tap', summary)],
      ['--coverage-json', values['coverage-json'], () => JSON.stringify({ flows: summary.coverage.map((c) => ({ ...c, flow: relative(process.cwd(), c.flow) || c.flow })) }, null, 2)],
    ];
    for (const [flag, file, text] of outputs) {
      if (file === undefined) continue;
      try {
        write(file, text());
      } catch (error) {
        // CI reads the file: a report that could not be written is a failed run, said in one line.
        console.error(`switchboard test: cannot write ${flag} ${file}: ${writeProblem(error)}`);
        return 2;
      }
    }
    // With --update, failures that were rewritten no longer count against the run: the re-run decides, and says so.
    if (values.update && summary.failed > 0) {
      const say = reporter === 'text' ? (line: string) => console.log(line) : (line: string) => console.error(line);
      if (updated.length === 0) {
        say(`--update changed nothing: none of the ${summary.failed} failing test${summary.failed === 1 ? '' : 's'} has an expectation it can rewrite (see the failures above)`);
        return 1;
      }
      for (const u of updated) say(`updated ${u.expectations} expectation${u.expectations === 1 ? '' : 's'} in ${relative(process.cwd(), u.path) || u.path}`);
      const rerun = runFiles(files, { ...(grep ? { grep } : {}), simulation, ...(vars ? { vars } : {}), movedFlow: movedFlowFile });
      const ran = rerun.results.length - rerun.skipped;
      if (rerun.failed === 0) say(`re-ran: all pass (${ran} test${ran === 1 ? '' : 's'})`);
      else {
        say(`re-ran: ${rerun.failed} of ${ran} test${ran === 1 ? '' : 's'} still failing:`);
        // Only the failures: the tests that pass were listed above.
        say(textFailures(rerun.results, { color }));
      }
      return rerun.failed > 0 ? 1 : 0;
    }
    return summary.failed > 0 ? 1 : 0;
  }
}
