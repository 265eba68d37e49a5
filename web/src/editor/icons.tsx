// One icon per widget type (inline SVG, 24×24, stroke-drawn), so the canvas reads like Studio's.
import type { WidgetType } from '../api/types.ts';

const PATHS = {
  bolt: 'M13 2 4 14h7l-1 8 9-12h-7l1-8z',
  split: 'M12 3v6M12 9l-6 6v6M12 9l6 6v6',
  variables: 'M8 4c-2 0-3 1-3 3v3l-2 2 2 2v3c0 2 1 3 3 3M16 4c2 0 3 1 3 3v3l2 2-2 2v3c0 2-1 3-3 3',
  speaker: 'M4 9h4l5-4v14l-5-4H4zM17 8a5 5 0 0 1 0 8M19.5 5.5a9 9 0 0 1 0 13',
  keypad: 'M6 5h.01M12 5h.01M18 5h.01M6 11h.01M12 11h.01M18 11h.01M6 17h.01M12 17h.01M18 17h.01',
  phone: 'M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2z',
  phoneOut: 'M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2zM15 3h6v6M21 3l-6 6',
  record: 'M12 7a5 5 0 1 0 0 10 5 5 0 0 0 0-10z',
  queue: 'M4 6h16M4 12h16M4 18h10',
  headset: 'M4 14v-2a8 8 0 0 1 16 0v2M4 14h3v6H4zM17 14h3v6h-3z',
  card: 'M3 6h18v12H3zM3 10h18',
  stream: 'M3 12h4l3-7 4 14 3-7h4',
  robot: 'M8 8h8a3 3 0 0 1 3 3v6H5v-6a3 3 0 0 1 3-3zM12 4v4M9 13h.01M15 13h.01',
  message: 'M4 5h16v11H8l-4 4z',
  messageWait: 'M4 5h16v11H8l-4 4zM12 8v3l2 1',
  code: 'M9 8l-4 4 4 4M15 8l4 4-4 4',
  globe: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM3 12h18M12 3c3 3 3 15 0 18M12 3c-3 3-3 15 0 18',
  redirect: 'M4 12h13M13 7l5 5-5 5M20 4v16',
  subflow: 'M4 4h7v7H4zM13 13h7v7h-7zM7.5 11v5.5H13',
  chat: 'M4 5h12v8H9l-3 3v-3H4zM18 9h2v8h-2v3l-3-3h-5',
  spark: 'M12 3v4M12 17v4M3 12h4M17 12h4M6 6l2.5 2.5M15.5 15.5 18 18M6 18l2.5-2.5M15.5 8.5 18 6',
} as const;

const ICON_OF: Record<WidgetType, keyof typeof PATHS> = {
  trigger: 'bolt',
  'split-based-on': 'split',
  'set-variables': 'variables',
  'say-play': 'speaker',
  'gather-input-on-call': 'keypad',
  'connect-call-to': 'phone',
  'make-outgoing-call-v2': 'phoneOut',
  'make-outgoing-call-v1': 'phoneOut',
  'record-voicemail': 'record',
  'record-call': 'record',
  'enqueue-call': 'queue',
  'send-to-flex': 'headset',
  'capture-payments': 'card',
  'fork-stream': 'stream',
  'connect-virtual-agent': 'robot',
  'connect-virtual-agent-v2': 'robot',
  'send-message': 'message',
  'send-and-wait-for-reply': 'messageWait',
  'run-function': 'code',
  'make-http-request': 'globe',
  'add-twiml-redirect': 'redirect',
  'run-subflow': 'subflow',
  'send-to-auto-pilot': 'robot',
  'add-member-to-chat-channel': 'chat',
  'create-chat-channel': 'chat',
  'start-conversation': 'chat',
  'resume-conversation': 'chat',
  'run-conversation-relay': 'robot',
  'run-model-inference': 'spark',
};

/** Colour family per widget kind, as Studio groups them. */
export function widgetFamily(type: string): 'flow' | 'messaging' | 'voice' | 'tools' | 'trigger' {
  if (type === 'trigger') return 'trigger';
  if (['split-based-on', 'set-variables', 'run-subflow', 'run-model-inference'].includes(type)) return 'flow';
  if (['send-message', 'send-and-wait-for-reply', 'add-member-to-chat-channel', 'create-chat-channel', 'start-conversation', 'resume-conversation', 'send-to-auto-pilot'].includes(type)) {
    return 'messaging';
  }
  if (['run-function', 'make-http-request', 'add-twiml-redirect', 'send-to-flex'].includes(type)) return 'tools';
  return 'voice';
}

export function WidgetIcon({ type, size = 18 }: { type: string; size?: number }) {
  const path = PATHS[ICON_OF[type as WidgetType] ?? 'spark'];
  return (
    <svg className="widget-icon" width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" data-icon={ICON_OF[type as WidgetType] ?? 'spark'}>
      <path d={path} />
    </svg>
  );
}
