// A real Switchboard server (the same createApp as `switchboard serve`) on a data directory,
// for the benchmarks. Flags: --data-dir DIR (required), --flow FILE (publish this definition as a
// new flow). Announces {port, accountSid, authToken, flowSid}; answers IPC 'memory' and 'idle'.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { announce, serveChild } from '../lib/child.ts';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, flow: { type: 'string' } } });
if (!values['data-dir']) throw new Error('--data-dir is required');

const config = { ...loadConfig({ 'data-dir': values['data-dir'] }, {}), port: 0 };
const app = await createApp(config, { logger: false });
const { account } = await app.accounts.ensureStartupAccount();
let flowSid: string;
if (values.flow) {
  const flow = await app.flows.create(account.sid, {
    friendlyName: 'benchmark',
    status: 'published',
    definition: JSON.parse(readFileSync(values.flow, 'utf8')),
    commitMessage: undefined,
    authorSid: undefined,
  });
  flowSid = flow.sid;
} else {
  const page = await app.store.listFlows(account.sid, { pageSize: 1 });
  flowSid = page.items[0]?.sid ?? '';
}
await app.server.listen({ port: 0, host: '127.0.0.1' });
announce({ port: (app.server.server.address() as AddressInfo).port, accountSid: account.sid, authToken: account.authToken, flowSid });
serveChild(
  {
    memory: () => ({ rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed }),
    // How late a plain setTimeout due at `at` fires in this process: the floor of any timer lag.
    timerLag: (message) =>
      new Promise((resolve) => {
        const at = Number(message.at);
        setTimeout(() => resolve({ lagMs: Date.now() - at }), Math.max(0, at - Date.now()));
      }),
    idle: async () => {
      await app.executions.idle();
      return {};
    },
  },
  () => app.close(),
);
