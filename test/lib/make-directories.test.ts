// makeDirectories: a folder with its missing parents, and an error, never a hang, where one cannot be made.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDirectories } from '../../src/lib/make-directories.ts';

describe('makeDirectories', () => {
  it('creates the folder and its missing parents with the mode given; an existing one is left as it is', (t) => {
    const root = mkdtempSync(join(tmpdir(), 'make-dirs-'));
    t.after(() => rmSync(root, { recursive: true, force: true }));
    const deep = join(root, 'a', 'b', 'c');
    makeDirectories(deep, 0o700);
    for (const dir of [join(root, 'a'), join(root, 'a', 'b'), deep]) {
      assert.ok(statSync(dir).isDirectory(), dir);
      assert.equal(statSync(dir).mode & 0o777, 0o700 & ~process.umask(), dir);
    }
    makeDirectories(deep, 0o755);
    assert.equal(statSync(deep).mode & 0o777, 0o700 & ~process.umask(), 'not changed');
    makeDirectories(join(root, 'plain'));
    assert.ok(statSync(join(root, 'plain')).isDirectory());
  });

  it('a file in the way is an error naming the path', (t) => {
    const root = mkdtempSync(join(tmpdir(), 'make-dirs-'));
    t.after(() => rmSync(root, { recursive: true, force: true }));
    writeFileSync(join(root, 'file'), 'x');
    assert.throws(() => makeDirectories(join(root, 'file', 'sub')), (error: NodeJS.ErrnoException) => error.code === 'ENOTDIR' && error.message.includes(join(root, 'file', 'sub')));
    assert.throws(() => makeDirectories(join(root, 'file')), { code: 'EEXIST' });
  });

  it('a path under /proc fails at once (Node\'s recursive mkdir spins for ever there)', { skip: process.platform !== 'linux' && 'needs /proc' }, () => {
    // In a child with a time limit: a regression would hang this test process otherwise.
    const child = spawnSync(process.execPath, ['-e', `import(${JSON.stringify(new URL('../../src/lib/make-directories.ts', import.meta.url).href)}).then((m) => { try { m.makeDirectories('/proc/switchboard-test/x'); console.log('made'); } catch (e) { console.log(e.code); } })`], { timeout: 20_000, encoding: 'utf8' });
    assert.equal(child.signal, null, 'finished in time');
    assert.equal(child.stdout.trim(), 'ENOENT');
  });
});
