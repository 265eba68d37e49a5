// Liquid nested thousands deep: liquidjs parses and renders nested tags and brackets by recursion, so such a
// template overflowed the JS stack at a depth that depended on the caller (the validator passed what the engine
// refused) and failed with "Maximum call stack size exceeded". Nesting past Shopify's 100 levels is refused at
// parse time, the same way in the validator and the engine, wherever the template sits in a flow.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTemplate } from '../../src/engine/liquid.ts';
import { liquidSyntaxError } from '../../src/definition/liquid-syntax.ts';
import type { ExecutionState } from '../../src/engine/types.ts';
import { FORM, form, startTestServer, type TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';

const nest = (open: string, close: string, n: number, inner = 'x') => open.repeat(n) + inner + close.repeat(n);
const SHAPES: Record<string, (n: number) => string> = {
  if: (n) => nest('{% if true %}', '{% endif %}', n),
  unless: (n) => nest('{% unless false %}', '{% endunless %}', n),
  for: (n) => nest('{% for i in (1..1) %}', '{% endfor %}', n),
  capture: (n) => nest('{% capture c %}', '{% endcapture %}{{ c }}', n),
  case: (n) => nest('{% case 1 %}{% when 1 %}', '{% endcase %}', n),
  'liquid tag': (n) => `{% liquid\n${nest('if true\n', 'endif\n', n - 1, 'echo "x"\n')}%}`,
  brackets: (n) => `{{ a${nest('[a', ']', n, '')} }}x`,
};
const now = new Date('2026-01-01T00:00:00Z');
const DEEP = 3_000; // each shape stays under the 128 KB template limit

test('Liquid nested deeper than 100 levels is refused by the validator and the engine alike, with the reason', () => {
  for (const [shape, make] of Object.entries(SHAPES)) {
    const fine = renderTemplate(make(100), { a: 'a' }, { now });
    assert.deepEqual(fine, { ok: true, value: 'x' }, `${shape} at 100 levels`);
    assert.equal(liquidSyntaxError(make(100)), null, shape);
    for (const depth of [101, DEEP]) {
      const template = make(depth);
      assert.ok(template.length < 128 * 1024, `${shape}: ${template.length} chars`);
      assert.match(liquidSyntaxError(template) ?? '', /^Nesting too deep \(more than 100 levels of (tags|brackets)\)$/, `${shape} at ${depth}`);
      const result = renderTemplate(template, { a: 'a' }, { now });
      assert.equal(result.ok, false, `${shape} at ${depth}`);
      assert.equal(!result.ok && result.error.code, 84003);
      assert.match(!result.ok ? result.error.message : '', /^Liquid syntax error: Nesting too deep/, `${shape} at ${depth}`);
    }
  }
});

test('brackets inside a quoted string are text, not nesting; a *_exp expression\'s brackets count, literal or from a variable', () => {
  for (const template of [
    `{{ "${'('.repeat(150)}" | size }}`,
    `{{ '${'['.repeat(3_000)}' | size }}`,
    `{{ "a\\"${'('.repeat(150)}" | size }}`, // an escaped quote does not end the string (liquidjs' reading)
    `{% if x == "${'('.repeat(150)}" %}no{% else %}${'('.repeat(150).length}{% endif %}`,
  ]) {
    assert.equal(liquidSyntaxError(template), null, template.slice(0, 40));
    const result = renderTemplate(template, {}, { now });
    assert.equal(result.ok && /^\d+$/.test(result.value), true, `${template.slice(0, 40)}: ${JSON.stringify(result)}`);
  }
  assert.deepEqual(renderTemplate(`{{ "${'('.repeat(150)}" | append: "${')'.repeat(150)}" | size }}`, {}, { now }), { ok: true, value: '300' });
  // Brackets outside the string still count.
  assert.match(liquidSyntaxError(`{{ a${'[a'.repeat(101)}${']'.repeat(101)} | append: "(" }}`) ?? '', /^Nesting too deep/);
  const deepExpression = `x.b == ${'['.repeat(150)}0${']'.repeat(150)}`;
  const literal = `{{ a | where_exp: "x", "${deepExpression}" | size }}`;
  assert.equal(liquidSyntaxError(literal), 'Nesting too deep (more than 100 levels of brackets)');
  // where_exp is a liquidjs extra: the engine parses its expression only where it keeps it (--liquid-extras).
  const extras = { now, liquidExtras: true };
  const fromLiteral = renderTemplate(literal, { a: [{ b: 1 }] }, extras);
  assert.equal(!fromLiteral.ok && fromLiteral.error.message, 'Liquid syntax error: Nesting too deep (more than 100 levels of brackets)');
  const fromVariable = renderTemplate('{{ a | where_exp: "x", e | size }}', { a: [{ b: 1 }], e: `x.b == ${'['.repeat(20_000)}0${']'.repeat(20_000)}` }, extras);
  assert.match(!fromVariable.ok ? fromVariable.error.message : '', /^Liquid render error: Nesting too deep \(more than 100 levels of brackets\)/);
  assert.deepEqual(renderTemplate('{{ a | where_exp: "x", "x.b == 1" | size }}', { a: [{ b: 1 }, { b: 2 }] }, extras), { ok: true, value: '1' });
  // As Studio's Liquid, which has no where_exp: the filter returns its input and its expression is never read.
  assert.deepEqual(renderTemplate(literal, { a: [{ b: 1 }, { b: 2 }] }, { now }), { ok: true, value: '2' });
});

test('a long filter chain is not nesting: 53,000 filters render; 100,000 are over the template length', () => {
  assert.deepEqual(renderTemplate(`{{ a${'|f'.repeat(50_000)}${'|upcase'.repeat(3_000)} }}`, { a: 'b' }, { now }), { ok: true, value: 'B' });
  const long = renderTemplate(`{{ a${' | f'.repeat(100_000)} }}`, { a: 'b' }, { now });
  assert.equal(!long.ok && long.error.code, 84003);
});

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const post = (url: string, fields: Record<string, string>) =>
  server.app.server.inject({ method: 'POST', url, headers: { authorization: server.auth, ...FORM }, payload: form(fields) });

test('a flow with a 3,000-deep template in a Send Message body, a Split input or a Set Variables value is saved with a warning and its run fails with 84003', async () => {
  const deep = SHAPES.if!(DEEP);
  const send = { name: 'send', type: 'send-message', transitions: [{ event: 'sent', next: 'after' }, { event: 'failed', next: 'after' }], properties: { offset: { x: 0, y: 0 }, from: '+15005550006', to: '{{contact.channel.address}}', body: deep } };
  const split = { name: 'split', type: 'split-based-on', transitions: [{ event: 'noMatch', next: 'after' }, { event: 'match', next: 'after', conditions: [{ friendly_name: 'x', arguments: [deep], type: 'equal_to', value: 'x' }] }], properties: { offset: { x: 0, y: 0 }, input: deep } };
  const set = { name: 'set', type: 'set-variables', transitions: [{ event: 'next', next: 'after' }], properties: { offset: { x: 0, y: 0 }, variables: [{ key: 'v', value: deep }] } };
  const after = { name: 'after', type: 'set-variables', transitions: [{ event: 'next' }], properties: { offset: { x: 0, y: 0 }, variables: [{ key: 'done', value: 'yes' }] } };
  for (const widget of [send, split, set]) {
    const definition = JSON.stringify(triggerFlow('deep liquid', 'incomingRequest', widget.name, [widget, after]));
    const check = await post('/console/api/Validate', { Definition: definition });
    assert.equal(check.statusCode, 200, check.body);
    assert.ok(check.json().warnings.some((w: { message: string }) => /Nesting too deep/.test(w.message)), `${widget.type}: ${check.body.slice(0, 500)}`);
    const created = await post('/v2/Flows', { FriendlyName: 'deep', Status: 'published', Definition: definition });
    assert.equal(created.statusCode, 201, created.body.slice(0, 500));
    const execution = await post(`/v2/Flows/${created.json().sid}/Executions`, { To: '+15550001111', From: '+15005550006' });
    assert.equal(execution.statusCode, 201, execution.body);
    await server.app.executions.idle();
    const record = await server.app.store.getExecutionBySid(execution.json().sid);
    const state = record?.state as ExecutionState;
    assert.equal(state.status, 'ended', widget.type);
    const reason = JSON.stringify(state.endReason) + JSON.stringify(state.frames);
    assert.match(reason, /Nesting too deep/, `${widget.type}: ${reason.slice(0, 500)}`);
  }
});
