// Cross-account isolation on EVERY route the server registers (read from Fastify's own route
// table, so a route added later is covered or makes this test fail until it is classified):
// account A naming account B's flow, execution, step or account gets 404 (403 on routes that
// authenticate by signature), B's data never appears in A's lists, and nothing changes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FORM_HEADERS, probe, startFuzzServer, storeWrites, type FuzzServer } from '../fuzz/support.ts';

let server: FuzzServer;
/** An alert (Monitor) of account B: raised by a Liquid error in one of B's executions. */
let alertOfB = 'NO' + '0'.repeat(32);
before(async () => {
  server = await startFuzzServer();
  const b = server.b;
  const failing = JSON.stringify({
    description: 'raises an alert',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall' }, { event: 'incomingConversationMessage' }, { event: 'incomingRequest', next: 'say' }, { event: 'incomingParent' }], properties: { offset: { x: 0, y: 0 } } },
      { name: 'say', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { body: '{% for %}', from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', offset: { x: 0, y: 0 } } },
    ],
  });
  const flow = await probe(server, { method: 'POST', url: '/v2/Flows', headers: FORM_HEADERS(b.auth), payload: new URLSearchParams({ FriendlyName: 'alerting', Status: 'published', Definition: failing }).toString() });
  assert.equal(flow.statusCode, 201, flow.body);
  await probe(server, { method: 'POST', url: `/v2/Flows/${flow.json().sid}/Executions`, headers: FORM_HEADERS(b.auth), payload: 'To=%2B15557778888&From=%2B15005550006' });
  await server.app.executions.idle();
  const alerts = await probe(server, { method: 'GET', url: '/v1/Alerts', headers: { authorization: b.auth } });
  const sid = alerts.statusCode === 200 ? (alerts.json().alerts?.[0]?.sid as string | undefined) : undefined;
  assert.ok(sid, `B's failing execution raised an alert: ${alerts.body.slice(0, 300)}`);
  alertOfB = sid;
});
after(() => server.close());

/** Parses `printRoutes({ commonPrefix: false })` into (method, path) pairs. */
function registeredRoutes(tree: string): { method: string; path: string }[] {
  const routes: { method: string; path: string }[] = [];
  const stack: { depth: number; path: string }[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([\s│]*)[└├]── (\S+)(?: \(([^)]*)\))?/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    // "/:Sid|:FlowSid": the same node under several parameter names; the first names it here.
    const segment = match[2]!.split('|')[0]!;
    while (stack.length && stack[stack.length - 1]!.depth >= depth) stack.pop();
    const parent = stack[stack.length - 1]?.path ?? '';
    const path = parent === '' ? segment : parent === '/' ? `/${segment.replace(/^\//, '')}` : parent + segment;
    stack.push({ depth, path });
    for (const method of (match[3] ?? '').split(',').map((m) => m.trim()).filter(Boolean)) {
      if (method !== 'HEAD') routes.push({ method, path });
    }
  }
  return routes;
}

/** B's identifier for each parameter, chosen by the segment before it. */
function foreignValue(path: string, param: string): string | undefined {
  const b = server.b;
  const before = path.slice(0, path.indexOf(`:${param}`)).split('/').filter(Boolean).pop();
  switch (before) {
    case 'Flows':
      return b.flowSid;
    case 'Executions':
    case 'Engagements':
      return b.executionSid;
    case 'Steps':
      return b.stepSid;
    case 'Accounts':
      return b.account.sid;
    case 'Revisions':
      return '1';
    case 'Messages':
    case 'VirtualAgent':
      return 'EF' + '0'.repeat(32);
    case 'Alerts':
      return alertOfB;
    case 'calls':
      return 'CA' + '0'.repeat(32);
    default:
      // /calls/:CallSid/:Action
      if (param === 'Action') return 'hangup';
      return undefined;
  }
}

/** Routes that authenticate by signature (or not at all) instead of Basic auth. */
const SIGNATURE_ROUTES = [/^\/v1\/Accounts\/:AccountSid\/Flows\/:FlowSid$/, /\/Carrier\/Executions\/.*\/Status$/];

test('every route naming a resource: another account gets 404 (403 where signatures authenticate) and changes nothing', async (t) => {
  const routes = registeredRoutes(server.app.server.printRoutes({ commonPrefix: false }));
  assert.ok(routes.length > 20, `parsed ${routes.length} routes`);
  const withParams = routes.filter((r) => r.path.includes('/:'));
  assert.ok(withParams.some((r) => r.path === '/v2/Flows/:Sid/Executions/:Sid/Steps/:Sid/Context' || r.path.endsWith('/Steps/:Sid/Context')), 'nested routes were parsed');
  const unclassified: string[] = [];
  const checked: string[] = [];
  // A body every route would accept, so only the ownership check can refuse the request.
  const bodyFor = (path: string) =>
    new URLSearchParams({ FriendlyName: 'x', Status: /\/(Executions|Engagements)\/:[A-Za-z]+$/.test(path) ? 'ended' : 'published', To: '+15551112222', From: '+15005550006', Body: 'hi', TestUsers: '+15551112222', Channel: 'simulator', MessageSid: 'SM' + '1'.repeat(32), MessageStatus: 'delivered' }).toString();
  for (const route of withParams) {
    let missing = false;
    const url = route.path.replace(/:([A-Za-z]+)/g, (_m, param: string) => {
      const value = foreignValue(route.path, param);
      if (value === undefined) missing = true;
      return value ?? '';
    });
    if (missing) {
      unclassified.push(`${route.method} ${route.path}`);
      continue;
    }
    const isSse = route.path.endsWith('/Events');
    const request = { method: route.method, url: url + (route.method === 'GET' ? '?Contact=%2B15551112222' : ''), headers: FORM_HEADERS(server.a.auth), ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: bodyFor(route.path) }) };
    const response = isSse ? await withTimeout(probe(server, request), `${route.method} ${url}`) : await probe(server, request);
    const expected = SIGNATURE_ROUTES.some((re) => re.test(route.path)) ? 403 : 404;
    assert.equal(response.statusCode, expected, `${route.method} ${route.path} with B's SIDs as A: ${response.statusCode} ${response.body.slice(0, 300)}`);
    checked.push(`${route.method} ${route.path}`);
  }
  assert.deepEqual(unclassified, [], 'routes whose parameters this test does not know how to fill: classify them');
  t.diagnostic(`${checked.length} routes checked: ${checked.join(', ')}`);
  assert.ok(checked.length >= 25, `${checked.length} routes checked`);
});

test("B's flows and executions never appear in A's lists", async () => {
  assert.match(alertOfB, /^NO[0-9a-f]{32}$/);
  for (const url of ['/v2/Flows', '/v1/Flows', `/v2/Flows/${server.a.flowSid}/Executions`, `/v1/Flows/${server.a.flowSid}/Engagements`, '/v1/Alerts']) {
    const response = await probe(server, { method: 'GET', url, headers: { authorization: server.a.auth } });
    assert.equal(response.statusCode, 200, url);
    assert.doesNotMatch(response.body, new RegExp(`${server.b.flowSid}|${server.b.executionSid}|${server.b.account.sid}|${alertOfB}`), url);
  }
});

test("A's credentials never act for B: an API key of A on B's resources, and B's token for A's webhook", async () => {
  const { key, secret } = await server.app.accounts.createKey(server.a.account.sid, 'A key');
  const keyAuth = 'Basic ' + Buffer.from(`${key.sid}:${secret}`).toString('base64');
  const mine = await probe(server, { method: 'GET', url: `/v2/Flows/${server.a.flowSid}`, headers: { authorization: keyAuth } });
  assert.equal(mine.statusCode, 200);
  const theirs = await probe(server, { method: 'GET', url: `/v2/Flows/${server.b.flowSid}`, headers: { authorization: keyAuth } });
  assert.equal(theirs.statusCode, 404);
  const before = storeWrites(server.store);
  const webhook = await probe(server, {
    method: 'POST',
    url: `/v1/Accounts/${server.a.account.sid}/Flows/${server.a.flowSid}`,
    headers: FORM_HEADERS(server.b.auth),
    payload: 'From=%2B15559990000&To=%2B15005550006&Body=hi',
  });
  assert.equal(webhook.statusCode, 403);
  assert.equal(storeWrites(server.store), before);
});

async function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<T>((_resolve, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not answer (streaming another account's events?)`)), 5_000)))]);
  } finally {
    clearTimeout(timer);
  }
}

test('the simulator is per account: A cannot fail B\'s messages or read B\'s conversation on the same addresses', async () => {
  const contact = '+15554443333';
  // A asks the simulator to fail the next message to this contact...
  const failed = await probe(server, { method: 'POST', url: '/simulator/Failures', headers: FORM_HEADERS(server.a.auth), payload: `To=${encodeURIComponent(contact)}&Kind=send` });
  assert.equal(failed.statusCode, 200);
  // ...B texts its own (echo) flow from the same contact on the same flow address: B's reply is not failed.
  const echo = readFileSync(new URL('../fixtures/flows/sms-echo.json', import.meta.url), 'utf8');
  const created = await probe(server, { method: 'POST', url: '/v2/Flows', headers: FORM_HEADERS(server.b.auth), payload: new URLSearchParams({ FriendlyName: 'echo', Status: 'published', Definition: echo }).toString() });
  const echoSid = created.json().sid as string;
  const fromB = await probe(server, { method: 'POST', url: `/simulator/Flows/${echoSid}/Messages`, headers: FORM_HEADERS(server.b.auth), payload: `From=${encodeURIComponent(contact)}&Body=secret-of-b` });
  assert.equal(fromB.statusCode, 201, fromB.body);
  // ...and A, texting its flow from that contact, sees none of B's conversation.
  const fromA = await probe(server, { method: 'POST', url: `/simulator/Flows/${server.a.flowSid}/Messages`, headers: FORM_HEADERS(server.a.auth), payload: `From=${encodeURIComponent(contact)}&Body=hello` });
  assert.equal(fromA.statusCode, 201, fromA.body);
  assert.doesNotMatch(fromA.body, /secret-of-b/);
  const listA = await probe(server, { method: 'GET', url: `/simulator/Flows/${server.a.flowSid}/Messages?Contact=${encodeURIComponent(contact)}`, headers: { authorization: server.a.auth } });
  assert.doesNotMatch(listA.body, /secret-of-b/);
  const listB = await probe(server, { method: 'GET', url: `/simulator/Flows/${echoSid}/Messages?Contact=${encodeURIComponent(contact)}`, headers: { authorization: server.b.auth } });
  assert.match(listB.body, /secret-of-b/);
  const outbound = (listB.json().messages as { direction: string; status: string }[]).filter((m) => m.direction === 'outbound-api');
  assert.equal(outbound.length, 1, listB.body);
  assert.notEqual(outbound[0]!.status, 'failed', "A's failure injection did not reach B");
});
