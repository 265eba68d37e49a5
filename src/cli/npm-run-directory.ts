// `npm run switchboard -- simulate flows/x.json` from a subfolder: npm runs the script in the checkout's root,
// so the relative path was read from there. npm says where the user ran it in INIT_CWD; the CLI run by that
// script works from there, as the `switchboard` binary would. `npm start` (and any other script) is left as it is.

/** The directory to work from when run by the `switchboard` npm script from another one; null otherwise. */
export function npmRunDirectory(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string | null {
  if (env.npm_lifecycle_event !== 'switchboard' || !env.INIT_CWD || env.INIT_CWD === cwd) return null;
  return env.INIT_CWD;
}
