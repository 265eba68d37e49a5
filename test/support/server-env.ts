// How tests start `switchboard` processes: by absolute path, from `/` (so no
// switchboard.config.* lying in some working directory applies) and with an environment free of
// Switchboard's own configuration variables (a DATABASE_URL in the test run's environment must not
// turn a SQLite test into a PostgreSQL one). What a test needs it passes explicitly.
export const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
export const SERVER_CWD = '/';

const CONFIG_VARIABLES = /^(DATABASE_URL|SWITCHBOARD_.*|PORT|HOST|PUBLIC_BASE_URL|LOG_LEVEL|TWILIO_.*|OTEL_.*)$/;

export function serverEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!CONFIG_VARIABLES.test(key)) env[key] = value;
  return { ...env, NODE_NO_WARNINGS: '1', ...extra };
}
