// The benchmarks' Switchboard server (./switchboard-node.ts), started as `switchboard serve` starts (src/cli/main.ts):
// Node's compile cache first, then the server's modules, so restarts load them compiled.
import '../../src/cli/compile-cache.ts';

await import('./switchboard-node.ts');
