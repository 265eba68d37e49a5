// `accounts delete` runs apart from the server, so the deletion takes the account's executions without a
// sprint or a node's channel. On the Twilio carrier a connector would go on answering in the real Conversations
// their virtual agents were handed: the CLI takes those back first, through the account's own carrier settings,
// as deleting a flow does on a server. Simulator sessions live in a server's memory and end with the account.
import type { SwitchboardConfig } from '../config.ts';
import { loadCarrierConfig } from '../channels/twilio/carrier-config.ts';
import { policyGuard } from '../channels/twilio/outbound-guard.ts';
import { outboundPolicy } from '../channels/http/outbound-policy.ts';
import { TwilioChannel } from '../channels/twilio/twilio-channel.ts';
import { releaseAccountAgents } from '../runtime/agent-release.ts';
import type { Store } from '../runtime/ports/store.ts';

/** How many virtual agent sessions of the account's executions were ended; `warn` hears of those Twilio did not confirm. */
export async function releaseCarrierAgents(store: Store, accountSid: string, config: SwitchboardConfig, warn: (line: string) => void): Promise<number> {
  const carrier = await loadCarrierConfig(store, accountSid);
  if (carrier.channel !== 'twilio') return 0;
  const twilio = new TwilioChannel(store, {
    guard: policyGuard(outboundPolicy(config)),
    publicBaseUrl: config.publicBaseUrl,
    log: {
      info: () => undefined,
      warn: (fields, message) => warn(`${message} (${Object.entries(fields).map(([key, value]) => `${key} ${String(value)}`).join(', ')})`),
    },
  });
  return releaseAccountAgents(store, accountSid, (context, session) => twilio.disconnectVirtualAgent(carrier.twilio, context, session));
}
