// The voice channel the runtime places calls through, per account: the Twilio carrier's Calls API
// (and Call Recordings API, for record-call) when the account is configured for it (../twilio), the
// simulator phone otherwise. The call is placed with callback URLs into the execution (answer → the
// widget's callback, final status → the status callback), signed like every other callback.
import type { JsonObject, OutboundCall } from '../../engine/types.ts';
import type { Store } from '../../runtime/ports/store.ts';
import type { VoiceChannel, VoiceContext, VoiceResult } from '../../runtime/ports/voice.ts';
import { loadCarrierConfig } from '../twilio/carrier-config.ts';
import type { OutboundGuard } from '../twilio/outbound-guard.ts';
import { placeCall, type CallLookupOptions, type FormParams } from '../twilio/rest-client.ts';
import { InflightLedger } from '../twilio/inflight.ts';
import type { CarrierLog } from '../twilio/twilio-channel.ts';
import { recordCallThroughTwilio } from '../twilio/recordings-client.ts';
import type { SimulatorPhone } from '../simulator/phone.ts';
import { callbackUrl, type CallbackSigner } from './callback-urls.ts';

export interface VoiceNetworkOptions {
  store: Store;
  /** Signs the callback URLs a placed call answers into. */
  calls: CallbackSigner;
  /** The outbound policy for account-set upstream URLs (the carrier's Calls and Recordings requests). */
  upstreamGuard?: OutboundGuard | undefined;
  /** Base URL of this server as the phone network reaches it. */
  base: (forTwilio: boolean) => string | null;
  /** How a call whose create Twilio did not confirm is looked up (tests shorten the wait). */
  callLookup?: Omit<CallLookupOptions, 'claim'>;
  /** Where a placed call found claimed by another step is reported (the server's pino logger fits). */
  log?: CarrierLog;
}

export function voiceNetwork(phone: SimulatorPhone, options: VoiceNetworkOptions): VoiceChannel {
  const urls = async (context: VoiceContext, base: string) => ({
    answerUrl: await callbackUrl(options.calls, base, context.accountSid, context.flowSid, context.executionSid, context.callbackId, 'a'),
    statusCallback: await callbackUrl(options.calls, base, context.accountSid, context.flowSid, context.executionSid, context.callbackId, 's'),
  });
  const ledger = new InflightLedger(options.store);
  return {
    name: 'voice-network',
    async placeCall(context: VoiceContext, call: OutboundCall): Promise<VoiceResult<'call'>> {
      const carrier = await loadCarrierConfig(options.store, context.accountSid);
      if (carrier.channel !== 'twilio') {
        return phone.placeCall({ ...context, ...(await urls(context, options.base(false)!)) }, call);
      }
      const base = carrier.twilio.statusCallbackBaseUrl ?? options.base(true);
      if (!base) return { ok: false, code: 21205, message: 'Placing calls through Twilio needs a public base URL (PUBLIC_BASE_URL) Twilio can call back' };
      const { answerUrl, statusCallback } = await urls(context, base.replace(/\/+$/, ''));
      const { MachineDetection, ...rest } = call.options;
      const extra: FormParams = Object.entries(rest);
      // Account-set upstream URLs obey the server's outbound policy, as the messaging channel's do.
      const guarded = options.upstreamGuard ? { guard: options.upstreamGuard } : {};
      const owner = { effectId: context.callbackId, executionSid: context.executionSid, accountSid: context.accountSid };
      const outcome = await placeCall(carrier.twilio, {
        to: call.to,
        from: call.from,
        url: answerUrl,
        method: 'POST',
        statusCallback,
        statusCallbackEvents: ['completed'],
        statusCallbackMethod: 'POST',
        timeout: call.timeout,
        record: call.record,
        ...(MachineDetection ? { machineDetection: MachineDetection } : {}),
        extra,
      }, guarded, {
        ...options.callLookup,
        // A call found upstream is claimed as it is taken, not after placeCall returns: of two steps
        // calling the same number whose creates both went unconfirmed, each takes a call of its own.
        claim: (callSid) => ledger.claimIfFree(callSid, owner),
      });
      if (outcome.kind === 'rejected') return { ok: false, code: outcome.code, message: outcome.message };
      if (outcome.kind === 'unknown') return { ok: false, code: 20500, message: `Twilio did not confirm the call (${outcome.reason}); it may or may not have been placed` };
      const r = outcome.resource;
      // Claimed for this step (a call the lookup found is already), so a lookup for another step's
      // unconfirmed call never takes it. One such lookup that took it first was wrong: that is
      // logged, and its claim left as it is rather than two steps owning the call.
      if (typeof r.sid === 'string' && !(await ledger.claimIfFree(r.sid, owner).catch(() => true))) {
        const holder = await ledger.claimOf(r.sid).catch(() => null);
        options.log?.warn({ callbackId: context.callbackId, executionSid: context.executionSid, callSid: r.sid, claimedBy: holder?.effectId }, 'call placed by this step is claimed by another step; claim left as it is');
      }
      const resource: JsonObject = { CallSid: r.sid ?? null, CallStatus: r.status ?? null, From: r.from ?? call.from, To: r.to ?? call.to, AccountSid: r.account_sid ?? null, Direction: r.direction ?? 'outbound-api', ApiVersion: '2010-04-01' };
      return { ok: true, call: resource };
    },
    async recordCall(context, callSid, start, recordOptions) {
      const carrier = await loadCarrierConfig(options.store, context.accountSid);
      if (carrier.channel === 'twilio') {
        return recordCallThroughTwilio(carrier.twilio, callSid, start, recordOptions, options.upstreamGuard ? { guard: options.upstreamGuard } : {});
      }
      return phone.recordCall(context, callSid, start, recordOptions);
    },
  };
}
