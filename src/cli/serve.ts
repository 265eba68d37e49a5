// `switchboard serve`: start the server and print how to reach it.
import { createApp } from '../app.ts';
import { loadConfig } from '../config.ts';

export async function serveCommand(flags: Record<string, string | boolean | undefined>): Promise<number> {
  const config = loadConfig(flags);
  const app = await createApp(config, { logger: { level: config.logLevel } });
  const { account, generated } = await app.accounts.ensureStartupAccount(config.account);
  await app.server.listen({ port: config.port, host: config.host });
  const base = config.publicBaseUrl ?? `http://${config.host}:${config.port}`;
  console.log(`Switchboard listening on ${base} (data: ${config.dataDir}, store: ${app.store.kind})`);
  console.log(`${generated ? 'Dev account' : 'Account'}: ${account.sid}`);
  console.log(`Auth token: ${account.authToken}`);
  console.log(`Point twilio-node at it: client.studio.baseUrl = '${base}'`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`${signal}: shutting down`);
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  return 0;
}
