// Property suites over the HTTP API: forms, JSON-in-form fields, webhook parameters, paging
// tokens, SIDs in every path, huge and deeply nested bodies, invalid UTF-8. Every response obeys
// the wire properties of support.ts (never 5xx, Twilio error body on 4xx, store untouched by a
// rejected request); requests naming another account's resources are always 404.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ASK_FLOW, fcParams, FORM_HEADERS, probe, startFuzzServer, type FuzzServer, type Tenant } from './support.ts';

let server: FuzzServer;
before(async () => {
  server = await startFuzzServer();
});
after(() => server.close());

type SidKind = 'FW' | 'FN' | 'FT' | 'AC' | 'EF' | 'NO';

/** Every route, with the SIDs it names as placeholders. */
const ROUTES: { method: string; path: string }[] = [
  { method: 'GET', path: '/v2/Flows' },
  { method: 'POST', path: '/v2/Flows' },
  { method: 'POST', path: '/v2/Flows/Validate' },
  { method: 'GET', path: '/v2/Flows/{FW}' },
  { method: 'POST', path: '/v2/Flows/{FW}' },
  { method: 'DELETE', path: '/v2/Flows/{FW}' },
  { method: 'GET', path: '/v2/Flows/{FW}/Revisions' },
  { method: 'GET', path: '/v2/Flows/{FW}/Revisions/{REV}' },
  { method: 'GET', path: '/v2/Flows/{FW}/TestUsers' },
  { method: 'POST', path: '/v2/Flows/{FW}/TestUsers' },
  { method: 'GET', path: '/v2/Flows/{FW}/Executions' },
  { method: 'POST', path: '/v2/Flows/{FW}/Executions' },
  { method: 'GET', path: '/v2/Flows/{FW}/Executions/{FN}' },
  { method: 'POST', path: '/v2/Flows/{FW}/Executions/{FN}' },
  { method: 'DELETE', path: '/v2/Flows/{FW}/Executions/{FN}' },
  { method: 'GET', path: '/v2/Flows/{FW}/Executions/{FN}/Context' },
  { method: 'GET', path: '/v2/Flows/{FW}/Executions/{FN}/Steps' },
  { method: 'GET', path: '/v2/Flows/{FW}/Executions/{FN}/Steps/{FT}' },
  { method: 'GET', path: '/v2/Flows/{FW}/Executions/{FN}/Steps/{FT}/Context' },
  { method: 'GET', path: '/v1/Flows' },
  { method: 'GET', path: '/v1/Flows/{FW}' },
  { method: 'DELETE', path: '/v1/Flows/{FW}' },
  { method: 'GET', path: '/v1/Flows/{FW}/Executions' },
  { method: 'POST', path: '/v1/Flows/{FW}/Executions' },
  { method: 'GET', path: '/v1/Flows/{FW}/Executions/{FN}' },
  { method: 'GET', path: '/v1/Flows/{FW}/Executions/{FN}/Steps' },
  { method: 'GET', path: '/v1/Flows/{FW}/Engagements' },
  { method: 'POST', path: '/v1/Flows/{FW}/Engagements' },
  { method: 'GET', path: '/v1/Flows/{FW}/Engagements/{FN}' },
  { method: 'GET', path: '/v1/Flows/{FW}/Engagements/{FN}/Steps' },
  { method: 'POST', path: '/v1/Accounts/{AC}/Flows/{FW}' },
  { method: 'GET', path: '/v1/Accounts/{AC}/Carrier' },
  { method: 'POST', path: '/simulator/Flows/{FW}/Messages' },
  { method: 'GET', path: '/simulator/Flows/{FW}/Messages' },
  { method: 'POST', path: '/simulator/Failures' },
  { method: 'GET', path: '/simulator/Tasks' },
  { method: 'POST', path: '/v1/Accounts/{AC}/Carrier' },
  { method: 'POST', path: '/v1/Accounts/{AC}/Carrier/Executions/{FN}/Messages/{EF}/Status' },
  { method: 'GET', path: '/v1/Alerts' },
  { method: 'GET', path: '/v1/Alerts/{NO}' },
  { method: 'POST', path: '/console/api/Validate' },
  { method: 'GET', path: '/replay/Flows/{FW}/Executions/{FN}' },
  { method: 'POST', path: '/replay/Flows/{FW}/Executions/{FN}' },
];

const hex32 = fc.stringMatching(/^[0-9a-f]{32}$/);
/** Path segments: well-formed unknown SIDs, wrong prefixes, junk, encodings, very long ones. */
const junkSegment = fc.oneof(
  hex32.map((h) => 'FW' + h),
  hex32.map((h) => 'FN' + h),
  hex32.map((h) => 'XX' + h),
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.constantFrom('%FF', '%00', '%C3%28', '..', '%2e%2e', 'FW', 'LatestPublished', '0', '-1', '99999999999999999999', 'a'.repeat(300)),
);

function fill(path: string, choose: (kind: SidKind | 'REV') => string): string {
  return path.replace(/\{(FW|FN|FT|AC|EF|NO|REV)\}/g, (_m, kind: SidKind | 'REV') => choose(kind));
}

const ownSid = (t: Tenant, kind: SidKind | 'REV') =>
  kind === 'FW' ? t.flowSid : kind === 'FN' ? t.executionSid : kind === 'FT' ? t.stepSid : kind === 'AC' ? t.account.sid : kind === 'REV' ? '1' : kind + '0'.repeat(32);

/** A form: arbitrary keys (Twilio's and random ones), values of every sort, repeated keys. */
const formValue = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', 'published', 'draft', 'ended', '+15550001111', '+15005550006', 'LatestPublished', 'null', '{}', '[]', '{"a":', '\u0000', '\uD800'),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
);
const formKey = fc.oneof(
  fc.constantFrom('FriendlyName', 'Status', 'Definition', 'CommitMessage', 'To', 'From', 'Parameters', 'TestUsers', 'Body', 'MessageSid', 'PageSize', 'Channel', 'WebhookUrl', '__proto__', 'constructor'),
  fc.string({ maxLength: 12 }),
);
const formEntries = fc.array(fc.tuple(formKey, formValue), { maxLength: 8 });
const encodeForm = (entries: [string, string][]) => {
  const params = new URLSearchParams();
  for (const [k, v] of entries) params.append(k, v);
  return params.toString();
};

test('any route, random SIDs and random forms: never 5xx, Twilio errors, rejected requests change nothing', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...ROUTES),
      fc.array(fc.oneof(fc.constant('own'), fc.constant('foreign'), junkSegment), { minLength: 4, maxLength: 4 }),
      formEntries,
      fc.constantFrom('form', 'json', 'none', 'text'),
      async (route, segments, entries, encoding) => {
        let i = 0;
        // A DELETE never names the caller's own fixtures (it would succeed and remove them).
        const url = fill(route.path, (kind) => {
          const choice = segments[i++ % segments.length]!;
          if (choice === 'own') return route.method === 'DELETE' ? server.b.flowSid : ownSid(server.a, kind);
          if (choice === 'foreign') return ownSid(server.b, kind);
          return choice;
        });
        const headers: Record<string, string> = { authorization: server.a.auth };
        let payload: string | undefined;
        if (route.method !== 'GET' && encoding !== 'none') {
          if (encoding === 'form') payload = encodeForm(entries);
          else if (encoding === 'json') payload = JSON.stringify(Object.fromEntries(entries));
          else payload = entries.map(([k, v]) => `${k}:${v}`).join('\n');
          headers['content-type'] = encoding === 'form' ? 'application/x-www-form-urlencoded' : encoding === 'json' ? 'application/json' : 'text/plain';
        }
        const query = route.method === 'GET' ? '?' + encodeForm(entries) : '';
        await probe(server, { method: route.method, url: url + query, headers, ...(payload !== undefined ? { payload } : {}) });
      },
    ),
    fcParams(0.3),
  );
});

/** Another account's SID of the same kind, or an unknown one: a caller must not tell them apart. */
// The webhook's account is its address (public), so it stays; everything else is unknown.
const unknownSid = (kind: SidKind | 'REV') => (kind === 'REV' ? '1' : kind === 'AC' ? server.b.account.sid : kind + 'f'.repeat(32));

test("another account's SIDs answer exactly as unknown SIDs do, and change nothing", async () => {
  const named = ROUTES.filter((r) => /\{(FW|FN|FT|AC)\}/.test(r.path));
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...named), formEntries, async (route, entries) => {
      const send = (url: string) =>
        probe(server, { method: route.method, url, headers: FORM_HEADERS(server.a.auth), ...(route.method === 'GET' ? {} : { payload: encodeForm(entries) }) });
      const foreign = await send(fill(route.path, (kind) => ownSid(server.b, kind)));
      const unknown = await send(fill(route.path, unknownSid));
      assert.equal(foreign.statusCode, unknown.statusCode, `${route.method} ${route.path}: foreign ${foreign.body} vs unknown ${unknown.body}`);
      assert.equal(foreign.json().code, unknown.json().code);
    }),
    fcParams(0.03),
  );
});

test("every route naming a resource answers 404 for another account's SID (403 on its flow webhook)", async () => {
  // A form every route would accept, so only the ownership check can refuse it.
  const validFor = (route: { path: string }) =>
    encodeForm([['FriendlyName', 'x'], ['Status', /Executions\/\{FN\}$/.test(route.path) ? 'ended' : 'published'], ['Definition', ASK_FLOW], ['To', '+15551112222'], ['From', '+15005550006'], ['TestUsers', '+15551112222'], ['Body', 'hi'], ['Channel', 'simulator']]);
  // Routes naming only this suite's made-up SIDs (EF, NO) are covered by test/hostile/isolation.test.ts.
  const named = ROUTES.filter((r) => /\{(FW|FN|FT|AC)\}/.test(r.path) && !/\{(EF|NO)\}/.test(r.path));
  for (const route of named) {
    const url = fill(route.path, (kind) => ownSid(server.b, kind)) + (route.method === 'GET' ? '?Contact=%2B15551112222' : '');
    const valid = validFor(route);
    const response = await probe(server, { method: route.method, url, headers: FORM_HEADERS(server.a.auth), ...(route.method === 'GET' ? {} : { payload: valid }) });
    const expected = route.path.startsWith('/v1/Accounts/{AC}/Flows') ? 403 : 404;
    assert.equal(response.statusCode, expected, `${route.method} ${url}: ${response.body}`);
    // The same request with the owner's credentials is not refused (the check is ownership, not shape).
    const owner = await probe(server, { method: route.method === 'DELETE' ? 'GET' : route.method, url, headers: FORM_HEADERS(server.b.auth), ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: valid }) });
    assert.ok(owner.statusCode < 400 || owner.statusCode === 405 || owner.statusCode === 409, `${route.method} ${url} as its owner: ${owner.statusCode} ${owner.body}`);
  }
});

test('JSON-in-form fields (Definition, Parameters): arbitrary, broken and deeply nested JSON', async () => {
  const nested = fc.integer({ min: 1, max: 5000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth));
  const nestedObject = fc.integer({ min: 1, max: 3000 }).map((depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth));
  const jsonText = fc.oneof(
    fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 50 }),
    nested,
    nestedObject,
    fc.constantFrom('{"states":[]}', '{"initial_state":"Trigger","states":null}', '{"__proto__":{"polluted":true}}', '1e309', '"\\ud800"'),
  );
  await fc.assert(
    fc.asyncProperty(jsonText, fc.constantFrom('create', 'update', 'validate', 'execution', 'execution-v1'), async (text, target) => {
      const a = server.a;
      const request =
        target === 'create'
          ? { method: 'POST', url: '/v2/Flows', payload: encodeForm([['FriendlyName', 'f'], ['Status', 'draft'], ['Definition', text]]) }
          : target === 'update'
            ? { method: 'POST', url: `/v2/Flows/${a.flowSid}`, payload: encodeForm([['Status', 'draft'], ['Definition', text]]) }
            : target === 'validate'
              ? { method: 'POST', url: '/v2/Flows/Validate', payload: encodeForm([['FriendlyName', 'f'], ['Status', 'draft'], ['Definition', text]]) }
              : { method: 'POST', url: `/${target === 'execution' ? 'v2' : 'v1'}/Flows/${a.flowSid}/Executions`, payload: encodeForm([['To', '+15557770000'], ['From', '+15005550006'], ['Parameters', text]]) };
      await probe(server, { ...request, headers: FORM_HEADERS(a.auth) });
      assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
    }),
    fcParams(0.15),
  );
});

test('flow webhook parameters: random inbound forms, signatures and auth', async () => {
  await fc.assert(
    fc.asyncProperty(
      formEntries,
      fc.option(fc.tuple(fc.constantFrom('+15551230000', '+15551230001', '', 'not a number'), fc.constantFrom('+15005550006', ''))),
      fc.constantFrom('basic', 'signature', 'none', 'wrong'),
      async (entries, contact, auth) => {
        const all = contact ? [...entries, ['From', contact[0]] as [string, string], ['To', contact[1]] as [string, string]] : entries;
        const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
        if (auth === 'basic') headers.authorization = server.a.auth;
        if (auth === 'signature') headers['x-twilio-signature'] = 'bm90IGEgc2lnbmF0dXJl';
        if (auth === 'wrong') headers.authorization = server.b.auth;
        const response = await probe(server, { method: 'POST', url: `/v1/Accounts/${server.a.account.sid}/Flows/${server.a.flowSid}`, headers, payload: encodeForm(all) });
        if (auth !== 'basic') assert.equal(response.statusCode, 403, 'unauthenticated webhooks are refused');
      },
    ),
    fcParams(0.1),
  );
});

test('paging parameters: random PageToken, Page and PageSize on every list', async () => {
  const lists = ['/v2/Flows', `/v2/Flows/{FW}/Revisions`, `/v2/Flows/{FW}/Executions`, `/v2/Flows/{FW}/Executions/{FN}/Steps`, '/v1/Flows', '/v1/Flows/{FW}/Engagements'];
  const token = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.bigInt({ min: 0n, max: 10n ** 20n }).map((n) => `PA${n}`),
    fc.bigInt({ min: 0n, max: 10n ** 20n }).map((n) => `PB${n}`),
    fc.constantFrom('PA', 'PB-1', 'PA1e9', 'PA0x10', 'PT1', '%00'),
  );
  const number = fc.oneof(fc.integer({ min: -5, max: 5000 }).map(String), fc.string({ maxLength: 8 }), fc.constantFrom('1e3', '0x10', '99999999999999999999999', ''));
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...lists), fc.option(token), fc.option(number), fc.option(number), async (list, pageToken, page, pageSize) => {
      const params = new URLSearchParams();
      if (pageToken !== null) params.set('PageToken', pageToken);
      if (page !== null) params.set('Page', page);
      if (pageSize !== null) params.set('PageSize', pageSize);
      const url = fill(list, (kind) => ownSid(server.a, kind)) + '?' + params.toString();
      const response = await probe(server, { method: 'GET', url, headers: { authorization: server.a.auth } });
      if (response.statusCode === 200) {
        const meta = response.json().meta;
        assert.ok(meta.page_size >= 1 && meta.page_size <= 1000, `page_size ${meta.page_size}`);
      }
    }),
    fcParams(0.1),
  );
});

test('raw bodies: invalid UTF-8, binary, any content type', async () => {
  const bodies = fc.oneof(
    fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
    fc.constantFrom(Buffer.from([0xff, 0xfe, 0xfd]), Buffer.from('FriendlyName=%FF%FE&Status=%C3%28&Definition=%ED%A0%80'), Buffer.from([0xc3, 0x28, 0x3d, 0x61])),
  );
  const types = fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'application/x-www-form-urlencoded; charset=latin1', 'text/xml', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', '');
  const targets = fc.constantFrom('/v2/Flows', '/v2/Flows/Validate', '/v2/Flows/{FW}/Executions', '/v1/Accounts/{AC}/Flows/{FW}', '/v2/Flows/{FW}/TestUsers');
  await fc.assert(
    fc.asyncProperty(targets, types, bodies, async (target, type, body) => {
      const headers: Record<string, string> = { authorization: server.a.auth };
      if (type) headers['content-type'] = type;
      await probe(server, { method: 'POST', url: fill(target, (kind) => ownSid(server.a, kind)), headers, payload: body });
    }),
    fcParams(0.1),
  );
});

test('huge and deeply nested bodies are refused cleanly', async () => {
  const a = server.a;
  const limit = server.app.server.initialConfig.bodyLimit ?? 1024 * 1024;
  const huge = 'FriendlyName=x&Status=draft&Definition=' + 'a'.repeat(limit + 10);
  const tooLarge = await probe(server, { method: 'POST', url: '/v2/Flows', headers: FORM_HEADERS(a.auth), payload: huge });
  assert.equal(tooLarge.statusCode, 413);
  const hugeJson = await probe(server, { method: 'POST', url: '/v2/Flows', headers: { authorization: a.auth, 'content-type': 'application/json' }, payload: '{"a":"' + 'b'.repeat(limit) + '"}' });
  assert.equal(hugeJson.statusCode, 413);
  const manyKeys = await probe(server, { method: 'POST', url: `/v2/Flows/${a.flowSid}/Executions`, headers: FORM_HEADERS(a.auth), payload: Array.from({ length: 40_000 }, (_, i) => `k${i}=v`).join('&') });
  assert.ok(manyKeys.statusCode === 400, `many keys: ${manyKeys.statusCode}`);
  const deepJsonBody = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
  await probe(server, { method: 'POST', url: '/v2/Flows/Validate', headers: { authorization: a.auth, 'content-type': 'application/json' }, payload: deepJsonBody.slice(0, limit - 1) });
  const deepParameters = '['.repeat(200_000) + ']'.repeat(200_000);
  await probe(server, { method: 'POST', url: `/v2/Flows/${a.flowSid}/Executions`, headers: FORM_HEADERS(a.auth), payload: encodeForm([['To', '+15558889999'], ['From', '+15005550006'], ['Parameters', deepParameters]]) });
  const deepDefinition = '{"states":['.repeat(50_000) + ']}'.repeat(50_000);
  await probe(server, { method: 'POST', url: '/v2/Flows/Validate', headers: FORM_HEADERS(a.auth), payload: encodeForm([['FriendlyName', 'x'], ['Status', 'draft'], ['Definition', deepDefinition]]) });
  const longUrl = await probe(server, { method: 'GET', url: '/v2/Flows/' + 'F'.repeat(100_000), headers: { authorization: a.auth } });
  assert.equal(longUrl.statusCode, 404);
});
