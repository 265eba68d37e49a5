#!/usr/bin/env node
// The `switchboard` command. In a checkout it runs the TypeScript sources (src/cli/main.ts) on Node 24 by
// type stripping; the npm package has no src/ but the compiled dist/cli/main.js (Node strips no types
// under node_modules; scripts/build-package.ts makes dist/ when packing). The sources win when both are
// there, so a dist/ left by `npm pack` in a checkout never shadows edits to src/.
// If this node is older than 24, re-run with the Node 24 binary that the checkout's `node` devDependency
// installs, as a child that lives and dies with this process: the signals a supervisor sends here (a
// SIGTERM to stop) are passed on, and this process ends as the child did.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const source = new URL('../src/cli/main.ts', import.meta.url);
const fromSource = existsSync(source);
const main = fromSource ? source : new URL('../dist/cli/main.js', import.meta.url);
const major = Number(process.versions.node.split('.')[0]);
if (major >= 24) {
  await import(main.href);
} else {
  const node24 = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  if (!existsSync(node24)) {
    // A dependent project never gets the `node` devDependency: only a checkout can bring its own Node 24.
    const remedy = fromSource ? 'run npm install in this checkout first (it installs Node 24 for it)' : 'install Node.js 24 or later and run switchboard with it';
    console.error(`switchboard needs Node.js 24 or later (this is ${process.version}): ${remedy}`);
    process.exit(1);
  }
  const child = spawn(node24, [fileURLToPath(main), ...process.argv.slice(2)], { stdio: 'inherit' });
  // Signals sent to this process alone (kill <pid>, a supervisor, a container runtime) reach only it:
  // they are forwarded. A Ctrl-C typed in a terminal reaches the child already (same process group);
  // sent again it would read as a second Ctrl-C, which stops the server without waiting: SIGINT is
  // forwarded only when this process has no terminal.
  const forwarded = ['SIGTERM', 'SIGINT', 'SIGHUP'];
  const fromTerminal = process.stdin.isTTY || process.stdout.isTTY;
  for (const signal of forwarded) {
    process.on(signal, () => {
      if (signal === 'SIGINT' && fromTerminal) return;
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
  }
  child.on('error', (error) => {
    console.error(`switchboard: could not start ${node24}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (code !== null) process.exit(code);
    // Ended by a signal: end the same way, so the caller sees it (exit status 128+n in a shell).
    for (const name of forwarded) process.removeAllListeners(name);
    process.kill(process.pid, signal ?? 'SIGTERM');
    // A signal whose default is not to end the process: the shell's 128+n.
    setTimeout(() => process.exit(128 + (signal ? constants.signals[signal] : 0)), 100);
  });
}
