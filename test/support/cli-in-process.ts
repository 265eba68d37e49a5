// Runs a CLI command function in this process, as the binary would (the test servers keep answering
// while it awaits them): console output captured, the working directory set, the connection variables
// and configuration variables cleared (so a developer's TWILIO_* or CI's DATABASE_URL never reaches a test), colour off. Option-parsing errors are
// exit code 2, as main.ts makes them.
import { CONFIG_KEYS } from '../../src/config.ts';

const CONFIG_ENV = Object.values(CONFIG_KEYS).flatMap((spec) => (spec.env ? [spec.env] : []));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCliInProcess(command: (argv: string[]) => Promise<number>, args: string[], cwd: string): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  // Only console is captured: process.stdout carries the test runner's own reports.
  const saved = { log: console.log, error: console.error, cwd: process.cwd(), env: { ...process.env } };
  console.log = (...parts: unknown[]) => void out.push(parts.map(String).join(' ') + '\n');
  console.error = (...parts: unknown[]) => void err.push(parts.map(String).join(' ') + '\n');
  // Every command reads the configuration, so CI's DATABASE_URL (or a developer's PORT) must not reach it either.
  for (const name of [...CONFIG_ENV, 'TWILIO_API_KEY', 'TWILIO_API_SECRET', 'SWITCHBOARD_URL', 'SWITCHBOARD_CONFIG']) delete process.env[name];
  process.env.NO_COLOR = '1';
  process.chdir(cwd);
  try {
    const code = await command(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) return { code: 2, stdout: out.join(''), stderr: err.join('') + String(error) };
    throw error;
  } finally {
    console.log = saved.log;
    console.error = saved.error;
    process.chdir(saved.cwd);
    process.env = saved.env;
  }
}
