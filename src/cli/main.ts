// The `switchboard` command: Node's compile cache first (./compile-cache.ts), then the commands (./commands.ts),
// imported only once the cache is on so that every module a command loads is read back compiled on the next start.
import './compile-cache.ts';

await (await import('./commands.ts')).run();
