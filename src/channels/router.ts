// Picks the channel each account's flows send through, from its carrier configuration
// (carrier-config.ts): the built-in simulator (the default), the real Twilio carrier or a plain
// webhook. The runtime sees one MessageChannel. A failed read of the configuration is a
// StoreUnavailableError: nothing was sent or requested, and the runtime tries again.
import type { ConversationRequest, ConversationResumeRequest, FlexTaskRequest, OutboundMessage, VirtualAgentRequest, VirtualAgentSession } from '../engine/types.ts';
import type { ConversationResult, InlineSend, MessageChannel, SendContext, SendResult, TaskResult, TwilioCredentials, VirtualAgentResult } from '../runtime/ports/channel.ts';
import type { Store } from '../runtime/ports/store.ts';
import { storeUnavailable } from '../runtime/ports/store-errors.ts';
import { loadCarrierConfig, type CarrierConfig, type TwilioUpstream, type WebhookTarget } from './twilio/carrier-config.ts';
import type { TwilioChannel } from './twilio/twilio-channel.ts';
import { signForm } from './webhook/webhook-channel.ts';
import { HostRules } from './http/outbound-policy.ts';

/** Where Twilio serves Functions: the only hosts run-function requests are signed for by default. */
export const DEFAULT_FUNCTION_HOSTS: readonly string[] = ['*.twil.io'];

/** A carrier the router sends through with the account's configuration of it (the router is the MessageChannel). */
interface CarrierChannel<Config> {
  send(config: Config, context: SendContext, message: OutboundMessage): Promise<SendResult>;
}

export interface RoutedChannels {
  simulator: MessageChannel;
  twilio: CarrierChannel<TwilioUpstream> & Pick<TwilioChannel, 'createConversation' | 'resumeConversation' | 'createFlexTask' | 'connectVirtualAgent' | 'disconnectVirtualAgent'>;
  webhook: CarrierChannel<WebhookTarget>;
}

export class ChannelRouter implements MessageChannel {
  readonly name = 'router';
  readonly #store: Store;
  readonly #channels: RoutedChannels;
  readonly #functionHosts: HostRules;

  constructor(store: Store, channels: RoutedChannels, options: { functionHosts?: readonly string[] } = {}) {
    this.#store = store;
    this.#channels = channels;
    this.#functionHosts = new HostRules(options.functionHosts ?? DEFAULT_FUNCTION_HOSTS, 'function-hosts');
  }

  async sendMessage(context: SendContext, message: OutboundMessage): Promise<SendResult> {
    const config = await this.#config(context.accountSid);
    switch (config.channel) {
      case 'twilio':
        return this.#channels.twilio.send(config.twilio, context, message);
      case 'webhook':
        return this.#channels.webhook.send(config.webhook, context, message);
      case 'simulator':
        return this.#channels.simulator.sendMessage(context, message);
    }
  }

  /** Only the simulator completes sends in memory; the carriers' go through the outbox (they do I/O). */
  async sendInline(context: SendContext, message: OutboundMessage): Promise<InlineSend | null> {
    const config = await this.#config(context.accountSid);
    return config.channel === 'simulator' ? ((await this.#channels.simulator.sendInline?.(context, message)) ?? null) : null;
  }

  async startConversation(context: SendContext, request: ConversationRequest): Promise<ConversationResult> {
    const config = await this.#config(context.accountSid);
    if (config.channel === 'twilio') return this.#channels.twilio.createConversation(config.twilio, context, request);
    if (config.channel === 'simulator' && this.#channels.simulator.startConversation) return this.#channels.simulator.startConversation(context, request);
    return { ok: false, code: 50000, message: `The ${config.channel} channel cannot create Conversations` };
  }

  async resumeConversation(context: SendContext, request: ConversationResumeRequest): Promise<ConversationResult> {
    const config = await this.#config(context.accountSid);
    if (config.channel === 'twilio') return this.#channels.twilio.resumeConversation(config.twilio, context, request);
    if (config.channel === 'simulator' && this.#channels.simulator.resumeConversation) return this.#channels.simulator.resumeConversation(context, request);
    return { ok: false, code: 50000, message: `The ${config.channel} channel cannot resume Conversations` };
  }

  async connectVirtualAgent(context: SendContext, request: VirtualAgentRequest): Promise<VirtualAgentResult> {
    const config = await this.#config(context.accountSid);
    if (config.channel === 'twilio') return this.#channels.twilio.connectVirtualAgent(config.twilio, context, request);
    if (config.channel === 'simulator' && this.#channels.simulator.connectVirtualAgent) return this.#channels.simulator.connectVirtualAgent(context, request);
    return { ok: false, code: 50000, message: `The ${config.channel} channel cannot connect a virtual agent to a Conversation` };
  }

  async disconnectVirtualAgent(context: SendContext, session: VirtualAgentSession): Promise<void> {
    const config = await this.#config(context.accountSid);
    if (config.channel === 'twilio') return this.#channels.twilio.disconnectVirtualAgent(config.twilio, context, session);
    if (config.channel === 'simulator') return this.#channels.simulator.disconnectVirtualAgent?.(context, session);
  }

  async createTask(context: SendContext, task: FlexTaskRequest): Promise<TaskResult> {
    const config = await this.#config(context.accountSid);
    if (config.channel === 'twilio') return this.#channels.twilio.createFlexTask(config.twilio, context, task);
    if (config.channel === 'simulator' && this.#channels.simulator.createTask) return this.#channels.simulator.createTask(context, task);
    return { ok: false, code: 20500, message: `The ${config.channel} channel cannot create TaskRouter tasks` };
  }

  async signFunctionRequest(accountSid: string, url: string, parameters: { key: string; value: string }[]): Promise<string | null> {
    const config = await this.#config(accountSid);
    // Functions live in the upstream account: only its auth token makes a signature they accept.
    if (config.channel !== 'twilio') return null;
    // A flow author picks the URL: signing any of them would make this server a signing oracle for the
    // upstream token (forged webhooks to every other app that trusts it). Functions live on *.twil.io.
    if (!this.#functionHosts.matchesUrl(url)) return null;
    return signForm(config.twilio.authToken, url, parameters.map(({ key, value }) => [key, value]));
  }

  async twilioCredentials(accountSid: string): Promise<TwilioCredentials | null> {
    const config = await this.#config(accountSid);
    if (config.channel !== 'twilio') return null;
    const t = config.twilio;
    const bases = [t.apiBaseUrl, t.conversationsBaseUrl, t.taskrouterBaseUrl, t.flexApiBaseUrl].filter((base): base is string => typeof base === 'string');
    const apiHosts = bases.map((base) => new URL(base).host.toLowerCase());
    return { username: t.apiKey?.sid ?? t.accountSid, password: t.apiKey?.secret ?? t.authToken, apiHosts };
  }

  #config(accountSid: string): Promise<CarrierConfig> {
    return loadCarrierConfig(this.#store, accountSid).catch(storeUnavailable);
  }

  // The carrier channels keep no reports of their own to wait for: only the simulator does.
  busy(): boolean {
    return this.#channels.simulator.busy?.() ?? false;
  }

  async idle(): Promise<void> {
    await this.#channels.simulator.idle?.();
  }
}
