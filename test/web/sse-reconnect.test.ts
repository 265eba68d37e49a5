// The console's event stream client (web/src/api/sse.ts) under Node: a stream refused 429 (the account
// holds as many streams as the server allows) is tried again, and opens once a slot is free; a 404 is
// not (it will not get better).
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openEventStream, type SseMessage } from '../../web/src/api/sse.ts';

const credentials = { accountSid: 'AC00000000000000000000000000000000', authToken: 'token' };
const realFetch = globalThis.fetch;

const refusal = (status: number) =>
  new Response(JSON.stringify({ code: status === 429 ? 20429 : 20404, message: 'refused', more_info: '', status }), { status, headers: { 'content-type': 'application/json' } });
const events = () => new Response('event: message\ndata: {"sid":"SM1"}\n\n', { status: 200, headers: { 'content-type': 'text/event-stream' } });

/** Resolves once `check` holds; fails with `what` after `ms`. */
async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('console event stream client: refusals', () => {
  afterEach(() => {
    globalThis.fetch = realFetch;
  });

  it('tries a 429 again and delivers once the server takes the stream', async () => {
    const answers = [refusal(429), events()];
    let calls = 0;
    globalThis.fetch = async () => answers[Math.min(calls++, answers.length - 1)]!;
    const received: SseMessage[] = [];
    const states: string[] = [];
    const close = openEventStream('/console/api/Flows/FW1/Simulator/Events?Contact=x', credentials, (m) => received.push(m), (s) => states.push(s));
    try {
      await until(() => received.length > 0, 'the event after the 429');
      assert.deepEqual(received, [{ event: 'message', data: '{"sid":"SM1"}' }]);
      assert.ok(calls >= 2);
      assert.ok(!states.includes('closed'), `gave up: ${states.join(', ')}`);
    } finally {
      close();
    }
  });

  it('gives up on a 404', async () => {
    let calls = 0;
    globalThis.fetch = async () => (calls++, refusal(404));
    const states: string[] = [];
    const close = openEventStream('/console/api/Flows/FW1/Executions/FN1/Events', credentials, () => undefined, (s) => states.push(s));
    await until(() => states.includes('gone'), 'gone after the 404');
    assert.equal(calls, 1);
    close();
  });
});
