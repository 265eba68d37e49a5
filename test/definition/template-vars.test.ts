// Deploy-time template variables (Terraform templatefile's `${…}`) substituted into a parsed flow file.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { substituteTemplateVars, substituteText } from '../../src/definition/template-vars.ts';

const vars = { serverless_url: 'https://fn.example.com', workflow_sids: { master: 'WW123' }, flow_vars: { from: '+15005550006', 'bot-language': 'en' }, list: ['a', 'b'], n: 30, on: true, attrs: { a: 1 }, nothing: null };

describe('template variables', () => {
  it('replaces references: names, .attr, ["key"], [0], several in a text', () => {
    assert.equal(substituteText('${serverless_url}/hook', vars), 'https://fn.example.com/hook');
    assert.equal(substituteText('${workflow_sids.master}|${workflow_sids["master"]}|${ workflow_sids [ "master" ] }', vars), 'WW123|WW123|WW123');
    assert.equal(substituteText('${flow_vars["bot-language"]}-${flow_vars.bot-language}-${list[1]}', vars), 'en-en-b');
    assert.equal(substituteText('${n}s ${on} ${attrs}', vars), '30s true {"a":1}');
  });

  it('leaves what it cannot resolve as written, and $${ is a literal ${', () => {
    const left = new Set<string>();
    assert.equal(substituteText('${missing} ${workflow_sids.other} ${list[5]} ${nothing} ${jsonencode(attrs)} ${a ? b : c}', vars, left), '${missing} ${workflow_sids.other} ${list[5]} ${nothing} ${jsonencode(attrs)} ${a ? b : c}');
    assert.deepEqual([...left], ['${missing}', '${workflow_sids.other}', '${list[5]}', '${nothing}', '${jsonencode(attrs)}', '${a ? b : c}']);
    assert.equal(substituteText('$${serverless_url} and {{flow.data.x}}', vars), '${serverless_url} and {{flow.data.x}}');
  });

  it('walks a whole definition, keys included, and says what it left and how many it replaced', () => {
    const definition = { states: [{ name: 'fn', properties: { url: '${serverless_url}/x', parameters: [{ key: '${flow_vars.from}', value: '${unknown}' }], timeout: 10 } }] };
    const result = substituteTemplateVars(definition, vars);
    assert.deepEqual(result.value, { states: [{ name: 'fn', properties: { url: 'https://fn.example.com/x', parameters: [{ key: '+15005550006', value: '${unknown}' }], timeout: 10 } }] });
    assert.deepEqual(result.left, ['${unknown}']);
    assert.equal(result.replaced, 2);
    assert.equal(definition.states[0]!.properties.url, '${serverless_url}/x', 'the input is not changed');
    const proto = substituteTemplateVars({ ['${k}']: 1 }, { k: '__proto__' }).value as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(proto), Object.prototype);
    assert.equal(Object.hasOwn(proto, '__proto__'), true, 'a key like any other');
  });
});
