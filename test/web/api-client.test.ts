// The console's API client (web/src/api/client.ts) on answers that are not the API's: a proxy's or
// gateway's HTML error page is said as its status ("The server answered 502 Bad Gateway"), never shown
// raw; the API's own Twilio error bodies still give their message and code.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiClient, ApiError, errorMessage, foreignAnswer } from '../../web/src/api/client.ts';

const realFetch = globalThis.fetch;
const client = new ApiClient({ accountSid: `AC${'0'.repeat(32)}`, authToken: 'token' });

/** The next fetch answers `body` with `status` (and `statusText`, which an HTTP/2 answer leaves empty). */
function answer(body: string, status: number, statusText = '', type = 'text/html') {
  globalThis.fetch = async () => new Response(body, { status, statusText, headers: { 'content-type': type } });
}

async function failure(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (caught) {
    return caught;
  }
  assert.fail('the call succeeded');
}

describe('API client: answers that are not the API’s', () => {
  afterEach(() => {
    globalThis.fetch = realFetch;
  });

  it("says a proxy's HTML error page as its status, without the page", async () => {
    answer('<html><body>Internal Server Error</body></html>', 500, 'Internal Server Error');
    const caught = await failure(() => client.get('/v2/Flows'));
    assert.ok(caught instanceof ApiError);
    assert.equal(caught.status, 500);
    const message = errorMessage(caught);
    assert.doesNotMatch(message, /<|html|body/i);
    assert.match(message, /^The server answered 500 Internal Server Error, without the API's error details/);
  });

  it('names the status of an answer without a reason phrase (HTTP/2), and says a gateway error may be a stopped server', async () => {
    answer('<html><center>502 Bad Gateway</center></html>', 502);
    const message = errorMessage(await failure(() => client.post('/v2/Flows/FW1', { Status: 'draft' })));
    assert.match(message, /^The server answered 502 Bad Gateway,/);
    assert.match(message, /may be stopped or restarting/);
    assert.doesNotMatch(message, /center/);
  });

  it('refuses a successful answer that is not JSON rather than handing the page on as data', async () => {
    answer('<!doctype html><title>Captive portal</title>', 200, 'OK');
    const caught = await failure(() => client.get('/v2/Flows'));
    assert.ok(caught instanceof Error);
    assert.match(caught.message, /^The server answered 200 OK with something other than the API's JSON/);
    assert.doesNotMatch(caught.message, /portal/);
  });

  it("still reads the API's own error bodies", async () => {
    answer(JSON.stringify({ code: 20404, message: 'The requested resource /v2/Flows/FW1 was not found', status: 404 }), 404, 'Not Found', 'application/json');
    const caught = await failure(() => client.get('/v2/Flows/FW1'));
    assert.ok(caught instanceof ApiError);
    assert.equal(caught.status, 404);
    assert.equal(errorMessage(caught), 'The requested resource /v2/Flows/FW1 was not found (20404)');
  });

  it('words other statuses without a reason phrase it does not know', () => {
    assert.match(foreignAnswer({ status: 599, statusText: '', ok: false }), /^The server answered 599, without/);
  });
});
