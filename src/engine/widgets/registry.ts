// Widget type string → module. One module per widget type.
import type { WidgetHandler } from './widget.ts';
import { splitBasedOn } from './split-based-on.ts';
import { setVariables } from './set-variables.ts';
import { sendMessage } from './send-message.ts';
import { sendAndWaitForReply } from './send-and-wait-for-reply.ts';
import { makeHttpRequest } from './make-http-request.ts';
import { runFunction } from './run-function.ts';
import { runSubflow } from './run-subflow.ts';
import { sendToFlex } from './send-to-flex.ts';
import { startConversation } from './start-conversation.ts';
import { unsupported } from './unsupported.ts';

const HANDLERS: Record<string, WidgetHandler> = {
  'split-based-on': splitBasedOn,
  'set-variables': setVariables,
  'send-message': sendMessage,
  'send-and-wait-for-reply': sendAndWaitForReply,
  'make-http-request': makeHttpRequest,
  'run-function': runFunction,
  'run-subflow': runSubflow,
  'send-to-flex': sendToFlex,
  'start-conversation': startConversation,
};

export function widgetHandler(type: string): WidgetHandler {
  return HANDLERS[type] ?? unsupported(type);
}

export function supportedWidgetTypes(): string[] {
  return Object.keys(HANDLERS);
}
