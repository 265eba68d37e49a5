// The voice port: what the runtime asks of a voice network (the simulator's phone, or Twilio's Calls
// API through the carrier channel). Calls place themselves back into the execution through callback
// URLs the adapter builds for `executionSid`/`callbackId` (src/runtime/call-tokens.ts).
import type { JsonObject, OutboundCall } from '../../engine/types.ts';

export interface VoiceContext {
  accountSid: string;
  flowSid: string;
  executionSid: string;
  /** The callback the placed call answers into (the make-outgoing-call widget's wait). */
  callbackId: string;
}

export type VoiceResult<T extends string> = { ok: true } & { [K in T]: JsonObject } | { ok: false; code: number; message: string };

export interface VoiceChannel {
  readonly name: string;
  /** Places an outbound call (Calls API); answered → the callback URL, final status → the status URL. */
  placeCall(context: VoiceContext, call: OutboundCall): Promise<VoiceResult<'call'>>;
  /** Starts or stops recording a live call (Call Recordings API). */
  recordCall(context: Omit<VoiceContext, 'callbackId'>, callSid: string, start: boolean, options: JsonObject): Promise<VoiceResult<'recording'>>;
}
