// Server-sent events over fetch, because EventSource cannot send the Authorization header and every
// API call the console makes uses Basic auth. Reconnects after a dropped connection.
import { consoleHeaders, type Credentials } from './client.ts';

export interface SseMessage {
  event: string;
  data: string;
}

/** Splits a text/event-stream into messages; returns what is left of an incomplete message. */
export function parseSse(buffer: string, emit: (message: SseMessage) => void): string {
  const blocks = buffer.split(/\r?\n\r?\n/);
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length > 0) emit({ event, data: data.join('\n') });
  }
  return rest;
}

/** `gone`: the stream answered 404, so what it follows is no more (an execution or flow deleted while it was away), and it gave up. */
export type StreamState = 'open' | 'reconnecting' | 'closed' | 'gone';

/**
 * Opens a stream; call the returned function to close it. A 401 (the credentials were refused when
 * it opened) or the server's `unauthorized` event (they stopped working while it was open: a rotated
 * token) calls `onUnauthorized`, as a refused API call does, and closes it: the same credentials
 * will not work again, and new ones open a new stream.
 */
export function openEventStream(
  path: string,
  credentials: Credentials,
  onMessage: (message: SseMessage) => void,
  onState: (state: StreamState) => void = () => undefined,
  onUnauthorized: () => void = () => undefined,
): () => void {
  const controller = new AbortController();
  let stopped = false;
  const refused = () => {
    if (stopped) return;
    stopped = true;
    controller.abort();
    onState('closed');
    onUnauthorized();
  };
  const run = async () => {
    while (!stopped) {
      try {
        const response = await fetch(path, {
          headers: { ...consoleHeaders(credentials), accept: 'text/event-stream' },
          signal: controller.signal,
        });
        if (!response.ok || !response.body) {
          if (response.status === 401) {
            refused();
            return;
          }
          // Any other 4xx will not get better by retrying, but a 429 (the account holds as many streams as the
          // server allows) will once another tab closes one.
          if (response.status >= 400 && response.status < 500 && response.status !== 429) {
            onState(response.status === 404 ? 'gone' : 'closed');
            return;
          }
          throw new Error(`stream answered ${response.status}`);
        }
        onState('open');
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer = parseSse(buffer + value, (message) => {
            if (message.event === 'unauthorized') refused();
            else if (!stopped) onMessage(message);
          });
          if (stopped) return;
        }
      } catch {
        if (stopped) return;
      }
      if (stopped) return;
      onState('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, 1500));
    }
  };
  void run();
  return () => {
    stopped = true;
    controller.abort();
    onState('closed');
  };
}
