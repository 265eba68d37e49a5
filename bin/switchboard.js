#!/usr/bin/env node
// Runs the TypeScript CLI on Node 24 (type stripping). If this node is older, re-run with the
// Node 24 binary that the `node` devDependency installs, as a child that lives and dies with this
// process: the signals a supervisor sends here (a SIGTERM to stop) are passed on, and this process
// ends as the child did.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const major = Number(process.versions.node.split('.')[0]);
if (major >= 24) {
  await import(main);
} else {
  const node24 = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  if (!existsSync(node24)) {
    console.error(`switchboard needs Node.js 24 (this is ${process.version}); run npm install first`);
    process.exit(1);
  }
  const child = spawn(node24, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
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
