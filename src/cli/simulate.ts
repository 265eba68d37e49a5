// `switchboard simulate <FlowSid|flow.json> --from +1555…`: chat with a flow in the terminal.
// A flow file runs on an in-memory store; a FlowSid runs against the data directory's store.
// Each outbound message and each step is printed as it happens (a reply timeout's too, while nobody
// types), a failure with its reason. A local developer tool, it runs in dev mode like `npm start`
// (`serve --dev`): flows may call localhost and private addresses. --strict-outbound (or --no-dev)
// applies the server's default policy.
import { createInterface } from 'node:readline/promises';
import { stdin, stdout } from 'node:process';
import { localToolFlags, openSimulation } from './flow-file.ts';
import { SimulationOutput } from './simulate-output.ts';
import { textFlow, UNPUBLISHED_NOTICE, UNWIRED_NOTICE } from '../channels/simulator/texting.ts';

type Flags = Record<string, string | boolean | undefined>;

export async function simulateCommand(target: string | undefined, flags: Flags): Promise<number> {
  const opened = await openSimulation('simulate', target, localToolFlags(flags));
  if (typeof opened === 'number') return opened;
  const { app, account, flowSid, from, to } = opened;
  const output = new SimulationOutput(app, account.sid, flowSid, { contact: from, flowAddress: to });
  const rl = createInterface({ input: stdin, output: stdout, terminal: stdin.isTTY });
  // Ctrl-C quits as Ctrl-D does: the app closes, so the executions' pending timers are handed to the store.
  const quit = () => rl.close();
  process.once('SIGINT', quit);
  rl.on('SIGINT', quit);
  try {
    console.log(`Texting flow ${flowSid} as ${from} (flow address ${to}). Empty line or Ctrl-D to quit.`);
    for await (const line of rl) {
      if (line.trim() === '') break;
      const flow = await app.store.getFlow(account.sid, flowSid);
      if (!flow) {
        console.error(`switchboard simulate: flow ${flowSid} no longer exists`);
        return 1;
      }
      await output.print(); // up to date first: where the reply goes depends on what has ended
      // As the console's Chat does: a Conversations-only Trigger gets the text as a conversation message.
      // A reply to a conversation the flow writes in goes to it (its proxy number), as from the phone.
      const { executionSid, start } = await textFlow(
        { store: app.store, simulator: app.simulator, inbound: (accountSid, sid, params, trigger) => app.executions.inboundMessage(accountSid, sid, params, trigger) },
        flow,
        from,
        output.replyAddress,
        line,
      );
      output.follow(executionSid);
      await app.executions.idle();
      await output.print();
      if (start === 'unwired') console.log(`    ✗ ${UNWIRED_NOTICE}`);
      if (start === 'unpublished' && !executionSid) console.log(`    ✗ ${UNPUBLISHED_NOTICE}`);
    }
    return 0;
  } finally {
    process.removeListener('SIGINT', quit);
    rl.close();
    await output.close();
    await app.close();
  }
}
