// Property suites over flow definitions: real flows (../shared/flows when present, else our
// fixtures) mutated at random, and random flows built from widget types. Each goes through
// Validate and, when the server accepts it as published, is run: a REST execution and an
// inbound message. Property: never a 5xx, never a crash or a hang, executions end or wait.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fcParams, FORM_HEADERS, probe, sampleFlows, startFuzzServer, type FuzzServer } from './support.ts';

let server: FuzzServer;
before(async () => {
  server = await startFuzzServer();
});
after(() => server.close());

const FLOWS = sampleFlows();
const WIDGET_TYPES = [
  'trigger', 'send-message', 'send-and-wait-for-reply', 'split-based-on', 'set-variables', 'make-http-request', 'run-function',
  'run-subflow', 'send-to-flex', 'say-play', 'gather-input-on-call', 'connect-call-to', 'add-twiml-redirect', 'make-outgoing-call-v2',
  'start-conversation', 'capture-payments', 'enqueue-call', 'no-such-widget',
];
const EVENTS = ['incomingMessage', 'incomingRequest', 'incomingCall', 'incomingParent', 'sent', 'failed', 'success', 'fail', 'noMatch', 'match', 'timeout', 'deliveryFailure', 'next', 'completed', 'keypress', 'speech'];

/** Every path in a JSON tree (as key lists). */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((item, i) => paths(item, [...prefix, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

type Mutation = { at: number; op: 'delete' | 'replace' | 'template' | 'duplicate' | 'rename'; value: unknown; text: string };

/** Applies mutations to a deep copy; each picks a node by index among the current paths. */
function mutate(definition: unknown, mutations: Mutation[]): unknown {
  let root = structuredClone(definition);
  for (const m of mutations) {
    const all = paths(root);
    const path = all[m.at % all.length]!;
    if (path.length === 0) {
      if (m.op === 'replace') root = m.value;
      continue;
    }
    const parent = path.slice(0, -1).reduce<any>((node, key) => node[key], root);
    const key = path[path.length - 1]!;
    switch (m.op) {
      case 'delete':
        if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else delete parent[key];
        break;
      case 'replace':
        parent[key] = m.value;
        break;
      case 'template':
        // Liquid where a string was: the engine renders it at run time.
        if (typeof parent[key] === 'string') parent[key] = m.text;
        break;
      case 'duplicate':
        if (Array.isArray(parent)) parent.splice(Number(key), 0, structuredClone(parent[Number(key)]));
        break;
      case 'rename':
        if (typeof parent[key] === 'string') parent[key] = m.text.slice(0, 20);
        break;
    }
  }
  return root;
}

const LIQUID_SNIPPETS = fc.constantFrom(
  '{{trigger.message.Body}}', '{{flow.data.x | upcase}}', '{{widgets.nope.parsed.a.b.c}}', '{% for i in (1..100000) %}x{% endfor %}',
  '{{ "a" | append: "b" }}', '{% if a %}', '{{', '{% raw %}', '{{ 1 | divided_by: 0 }}', '{{contact.channel.address}}', '{% assign x = "y" %}{{x}}',
);
const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('delete', 'replace', 'template', 'duplicate', 'rename'),
  value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(null, [], {}, '', 'ask', 'Trigger', 0, -1, 1e308)),
  text: fc.oneof(LIQUID_SNIPPETS, fc.string({ maxLength: 30 }), fc.constantFrom('Trigger', 'ask', 'thanks', 'send_message', 'split_1')),
});

let counter = 0;
/** Flows the server accepted and ran: the properties must have exercised the runtime, not only validation. */
let ran = 0;

/** Saves the definition as a published flow; when accepted, runs it over REST and by an inbound message. */
async function exercise(definition: unknown): Promise<void> {
  const a = server.a;
  const text = JSON.stringify(definition);
  const form = (fields: [string, string][]) => new URLSearchParams(fields).toString();
  await probe(server, { method: 'POST', url: '/v2/Flows/Validate', headers: FORM_HEADERS(a.auth), payload: form([['FriendlyName', 'v'], ['Status', 'published'], ['Definition', text]]) });
  const created = await probe(server, { method: 'POST', url: '/v2/Flows', headers: FORM_HEADERS(a.auth), payload: form([['FriendlyName', `fuzz ${++counter}`], ['Status', 'published'], ['Definition', text]]) });
  if (created.statusCode !== 201) return;
  ran++;
  const flowSid = created.json().sid as string;
  const contact = `+1555${String(counter).padStart(7, '0')}`;
  const execution = await probe(server, { method: 'POST', url: `/v2/Flows/${flowSid}/Executions`, headers: FORM_HEADERS(a.auth), payload: form([['To', contact], ['From', '+15005550006'], ['Parameters', '{"x":"1","n":2}']]) });
  await probe(server, { method: 'POST', url: `/v1/Accounts/${a.account.sid}/Flows/${flowSid}`, headers: FORM_HEADERS(a.auth), payload: form([['From', contact], ['To', '+15005550006'], ['Body', 'hello'], ['MessageSid', 'SM' + 'a'.repeat(32)]]) });
  // Never a hang: everything the flow started settles (HTTP is stubbed, timers are far away).
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    server.app.executions.idle().then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 10_000))),
  ]);
  clearTimeout(timer);
  assert.ok(settled, `the runtime did not settle for ${text.slice(0, 300)}`);
  if (execution.statusCode === 201) {
    const sid = execution.json().sid as string;
    const shown = await probe(server, { method: 'GET', url: `/v2/Flows/${flowSid}/Executions/${sid}/Steps`, headers: { authorization: a.auth } });
    assert.equal(shown.statusCode, 200);
  }
  // Tidy up so later cases start from a small store.
  await probe(server, { method: 'DELETE', url: `/v2/Flows/${flowSid}`, headers: { authorization: a.auth } });
}

test('real flows mutated at random validate, save and run without 5xx, crash or hang', async (t) => {
  assert.ok(FLOWS.length > 0);
  const ranBefore = ran;
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: FLOWS.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 6 }), async (index, mutations) => {
      await exercise(mutate(FLOWS[index]!.json, mutations));
    }),
    fcParams(0.12),
  );
  t.diagnostic(`${ran - ranBefore} mutated flows were accepted and run`);
  assert.ok(ran > ranBefore, 'some mutated flows must be accepted and run');
});

test('every real flow (unmutated) saves and runs without 5xx', async (t) => {
  const ranBefore = ran;
  for (const flow of FLOWS) await exercise(flow.json);
  t.diagnostic(`${ran - ranBefore} of ${FLOWS.length} flows were accepted and run`);
  assert.ok(ran - ranBefore > FLOWS.length / 2);
});

test('random flows built from widget types validate, save and run without 5xx, crash or hang', async () => {
  const name = fc.constantFrom('Trigger', 'a', 'b', 'c', 'd');
  const state = fc.record({
    name,
    type: fc.constantFrom(...WIDGET_TYPES),
    transitions: fc.array(fc.record({ event: fc.constantFrom(...EVENTS), next: fc.option(name, { nil: undefined }) }), { maxLength: 4 }),
    properties: fc.dictionary(
      fc.constantFrom('body', 'to', 'from', 'url', 'method', 'content_type', 'input', 'timeout', 'variables', 'parameters', 'flow_sid', 'offset', 'cases', 'service_sid', 'function_sid', 'channel', 'workflow'),
      fc.oneof(fc.jsonValue({ maxDepth: 2 }), LIQUID_SNIPPETS, fc.constantFrom('https://example.test/fail', 'http://127.0.0.1/', '5', 'POST', 'application/json')),
    ),
  });
  const flow = fc.record({
    description: fc.string({ maxLength: 10 }),
    states: fc.array(state, { minLength: 1, maxLength: 6 }),
    initial_state: fc.constantFrom('Trigger', 'a', 'missing'),
    flags: fc.constant({ allow_concurrent_calls: true }),
  });
  await fc.assert(fc.asyncProperty(flow, exercise), fcParams(0.08));
});
