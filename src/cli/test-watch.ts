// `switchboard test --watch`: runs the tests, then again each time a test file or a flow file changes, until
// stopped (Ctrl-C). Watched: the folders named, the folders holding the test files and the flow files the last run
// read (not whole trees: a project's `.` would take node_modules along), so a new test file in any of them is found.
// Only YAML and JSON files count, and never a report the run itself writes (--junit, --tap, --coverage-json), which
// would start it again. Changes that come together (an editor's save, a `git checkout`) make one run.
import { statSync, watch, type FSWatcher } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

const WATCHED_FILE = /\.(ya?ml|json)$/i;

export interface WatchOptions {
  /** The paths the command was given (test files or folders). */
  paths: string[];
  /** Files the run writes: their changes are its own. */
  writes: string[];
  /** Runs the tests once and prints the report; the test and flow files it read, and its exit code. */
  run: () => { code: number; read: string[] };
}

/** How long to wait for more changes before running (ms): an editor's save or a checkout comes as several events. */
const QUIET_MS = 150;
const log = (line: string): void => console.log(line);

/** Runs, watches and runs again until stopped (SIGINT, SIGTERM); resolves with the last run's exit code. */
export function watchTests(options: WatchOptions): Promise<number> {
  const writes = new Set(options.writes.map((file) => resolve(file)));
  const watchers = new Map<string, FSWatcher>();
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let code = 0;

  const onChange = (dir: string, name: string | Buffer | null): void => {
    if (name === null) return;
    const file = resolve(dir, name.toString());
    if (!WATCHED_FILE.test(file) || writes.has(file)) return;
    changed.add(file);
    clearTimeout(timer);
    timer = setTimeout(runAgain, QUIET_MS);
  };
  const watchFolder = (dir: string): void => {
    if (watchers.has(dir)) return;
    try {
      const watcher = watch(dir, (_event, name) => onChange(dir, name));
      watcher.on('error', () => undefined); // a folder removed while watched: its files are gone from the run too
      watchers.set(dir, watcher);
    } catch {
      // A folder that does not exist (yet): the next run says what is missing.
    }
  };
  const runAndWatch = (): void => {
    const result = options.run();
    code = result.code;
    for (const path of options.paths) {
      const absolute = resolve(path);
      watchFolder(statSync(absolute, { throwIfNoEntry: false })?.isDirectory() === true ? absolute : dirname(absolute));
    }
    for (const file of result.read) watchFolder(dirname(resolve(file)));
    log('\nWatching for changes to test and flow files (Ctrl-C to stop)');
  };
  function runAgain(): void {
    const names = [...changed].map((file) => relative(process.cwd(), file) || file).sort();
    changed.clear();
    log(`\n${names.join(', ')} changed: running the tests again\n`);
    runAndWatch();
  }

  runAndWatch();
  return new Promise((done) => {
    const stop = (): void => {
      clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done(code);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
