// Runs the switchboard CLI (src/cli/main.ts) as a child process on a data directory, feeding it stdin as a piped
// script does, for tests of the interactive commands (simulate, call).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface SpawnedRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `switchboard <args>` on `dataDir` with `input` on stdin, no Twilio credentials from the caller's environment
 * (`env` adds or overrides variables); killed after 60 s so a hang fails the test instead of stalling the run.
 */
export function spawnCli(args: string[], dataDir: string, input: string, env: Record<string, string> = {}): Promise<SpawnedRun> {
  const childEnv = { ...process.env, SWITCHBOARD_DATA_DIR: dataDir, TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '', ...env };
  const child = spawn(process.execPath, [main, ...args], { env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(input);
  const timer = setTimeout(() => child.kill(), 60_000);
  return new Promise((resolve) => child.on('close', (code) => (clearTimeout(timer), resolve({ code, stdout, stderr }))));
}
