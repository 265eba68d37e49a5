// Widget type string → module. One module per widget type.
import type { WidgetHandler } from './widget.ts';
import { splitBasedOn } from './split-based-on.ts';
import { setVariables } from './set-variables.ts';
import { sendMessage } from './send-message.ts';
import { sendAndWaitForReply } from './send-and-wait-for-reply.ts';
import { makeHttpRequest } from './make-http-request.ts';
import { runFunction } from './run-function.ts';
import { runSubflow } from './run-subflow.ts';
import { startConversation } from './start-conversation.ts';
import { resumeConversation } from './resume-conversation.ts';
import { unsupported } from './unsupported.ts';
import { triggerEntered } from './trigger.ts';
import { sayPlay } from './say-play.ts';
import { gatherInputOnCall } from './gather-input-on-call.ts';
import { connectCallTo } from './connect-call-to.ts';
import { recordVoicemail } from './record-voicemail.ts';
import { recordCall } from './record-call.ts';
import { enqueueCall } from './enqueue-call.ts';
import { addTwimlRedirect } from './add-twiml-redirect.ts';
import { makeOutgoingCallV2 } from './make-outgoing-call-v2.ts';
import { makeOutgoingCallV1 } from './make-outgoing-call-v1.ts';
import { forkStream } from './fork-stream.ts';
import { capturePayments } from './capture-payments.ts';
import { connectVirtualAgentV2 } from './connect-virtual-agent-v2.ts';
import { connectVirtualAgent } from './connect-virtual-agent.ts';
import { runConversationRelay } from './run-conversation-relay.ts';
import { sendToFlexAnyChannel } from './send-to-flex-call.ts';
import { sendToAutoPilot } from './send-to-auto-pilot.ts';

const HANDLERS: Record<string, WidgetHandler> = {
  // Only reached through a transition into the Trigger (an invalid draft): see trigger.ts.
  trigger: triggerEntered,
  'split-based-on': splitBasedOn,
  'set-variables': setVariables,
  'send-message': sendMessage,
  'send-and-wait-for-reply': sendAndWaitForReply,
  'make-http-request': makeHttpRequest,
  'run-function': runFunction,
  'run-subflow': runSubflow,
  // Voice calls enqueue into the workflow; messages ask the channel for a TaskRouter task.
  'send-to-flex': sendToFlexAnyChannel,
  'start-conversation': startConversation,
  'resume-conversation': resumeConversation,
  // Retired product: runs its failure path (send-to-auto-pilot.ts).
  'send-to-auto-pilot': sendToAutoPilot,
  'say-play': sayPlay,
  'gather-input-on-call': gatherInputOnCall,
  'connect-call-to': connectCallTo,
  'record-voicemail': recordVoicemail,
  'record-call': recordCall,
  'enqueue-call': enqueueCall,
  'add-twiml-redirect': addTwimlRedirect,
  'make-outgoing-call-v2': makeOutgoingCallV2,
  'make-outgoing-call-v1': makeOutgoingCallV1,
  'fork-stream': forkStream,
  'capture-payments': capturePayments,
  'connect-virtual-agent-v2': connectVirtualAgentV2,
  'connect-virtual-agent': connectVirtualAgent,
  'run-conversation-relay': runConversationRelay,
};

export function widgetHandler(type: string): WidgetHandler {
  // Own keys only: a type such as "constructor" names no widget, not an Object.prototype member.
  return Object.hasOwn(HANDLERS, type) ? HANDLERS[type]! : unsupported(type);
}
