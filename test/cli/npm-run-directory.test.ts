// `npm run switchboard -- simulate flows/x.json` typed in a subfolder read flows/x.json from the checkout's root,
// where npm runs its scripts. npm names the directory it was typed in (INIT_CWD): run by the `switchboard`
// script, the CLI works from there. Other scripts (`npm start`) keep the directory npm gives them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { npmRunDirectory } from '../../src/cli/npm-run-directory.ts';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const pizzaFlow = fileURLToPath(new URL('../../examples/flows/pizza-order.json', import.meta.url));

/** `switchboard simulate flows/pizza.json` as npm runs a script: in `root`, with npm's variables; stdin at its end (quits at once). */
function simulateAsNpm(root: string, event: string, initCwd: string) {
  return spawnSync(process.execPath, [main, 'simulate', 'flows/pizza.json'], {
    cwd: root,
    input: '',
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', npm_lifecycle_event: event, INIT_CWD: initCwd, NO_COLOR: '1' },
    timeout: 60_000,
  });
}

describe('npm run switchboard from a subfolder', () => {
  it('reads relative paths from where it was typed (INIT_CWD), only for the switchboard script', () => {
    const root = mkdtempSync(join(tmpdir(), 'sb-npm-run-'));
    try {
      const sub = join(root, 'project');
      mkdirSync(join(sub, 'flows'), { recursive: true });
      copyFileSync(pizzaFlow, join(sub, 'flows', 'pizza.json'));
      const typedInSub = simulateAsNpm(root, 'switchboard', sub);
      assert.equal(typedInSub.status, 0, typedInSub.stdout + typedInSub.stderr);
      assert.match(typedInSub.stdout, /^Texting flow FW[0-9a-f]{32} as \+15551230001/m);
      // Another script (npm start runs serve from the root) keeps npm's directory: flows/pizza.json is not there.
      const otherScript = simulateAsNpm(root, 'start', sub);
      assert.notEqual(otherScript.status, 0);
      assert.match(otherScript.stderr, /flows\/pizza\.json/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('which directory, when', () => {
    assert.equal(npmRunDirectory({ npm_lifecycle_event: 'switchboard', INIT_CWD: '/home/me/proj/sub' }, '/home/me/proj'), '/home/me/proj/sub');
    assert.equal(npmRunDirectory({ npm_lifecycle_event: 'switchboard', INIT_CWD: '/home/me/proj' }, '/home/me/proj'), null);
    assert.equal(npmRunDirectory({ npm_lifecycle_event: 'start', INIT_CWD: '/home/me/proj/sub' }, '/home/me/proj'), null);
    assert.equal(npmRunDirectory({ INIT_CWD: '/home/me/proj/sub' }, '/home/me/proj'), null);
    assert.equal(npmRunDirectory({ npm_lifecycle_event: 'switchboard' }, '/home/me/proj'), null);
  });
});
