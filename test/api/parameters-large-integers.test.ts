// Integers beyond a double's precision (±2^53, 64-bit IDs) in JSON-in-form fields: an execution's
// Parameters and a flow's Definition keep them exactly, as their digits, the way an HTTP widget's
// response does (src/lib/json-depth.ts exactLargeIntegers), instead of rounding them in JSON.parse.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { form, startServerWithFlow, type InjectResponse, type TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';

const ID = '1234567890123456789'; // rounds to 1234567890123456800 as a double
const NEGATIVE = '-9007199254740993'; // -(2^53 + 1)

const flow = triggerFlow('large ids', 'incomingRequest', 'keep', [
  {
    name: 'keep',
    type: 'set-variables',
    properties: { offset: { x: 0, y: 200 }, variables: [{ key: 'order', value: '{{flow.data.order_id}}' }] },
    transitions: [{ event: 'next', next: 'say' }],
  },
  {
    name: 'say',
    type: 'send-message',
    properties: { offset: { x: 0, y: 400 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Order {{flow.data.order_id}} ({{flow.variables.order}}) {{flow.data.nested.ids[0]}} {{flow.data.small}}' },
    transitions: [{ event: 'sent' }, { event: 'failed' }],
  },
]);

describe('large integers in Parameters', () => {
  let t: TestServer;
  let flowSid = '';
  let post: (url: string, payload: string) => Promise<InjectResponse>;
  before(async () => {
    ({ server: t, flowSid, post } = await startServerWithFlow(flow));
  });
  after(() => t.close());

  const get = (url: string) => t.app.server.inject({ method: 'GET', url, headers: { authorization: t.auth } });
  const parameters = `{"order_id":${ID},"nested":{"ids":[${NEGATIVE}]},"small":9007199254740991,"ratio":1.5}`;

  for (const version of ['v2', 'v1']) {
    it(`${version}: are kept exact in flow.data, trigger.request.parameters and what Liquid prints; safe integers and fractions stay numbers`, async () => {
      const created = await post(`/${version}/Flows/${flowSid}/Executions`, form({ To: '+15551230001', From: '+15005550006', Parameters: parameters }));
      assert.equal(created.statusCode, version === 'v2' ? 201 : 200, created.body);
      await t.app.executions.idle();
      const context = await get(`/${version}/Flows/${flowSid}/Executions/${created.json().sid}/Context`);
      assert.equal(context.statusCode, 200, context.body);
      const expected = { order_id: ID, nested: { ids: [NEGATIVE] }, small: 9007199254740991, ratio: 1.5 };
      assert.deepEqual(context.json().context.flow.data, expected);
      assert.deepEqual(context.json().context.trigger.request.parameters, expected);
      assert.equal(context.json().context.flow.variables.order, ID);
      assert.equal(context.json().context.widgets.say.outbound.Body, `Order ${ID} (${ID}) ${NEGATIVE} 9007199254740991`);
    });
  }

  it('a JSON request body keeps them exact too', async () => {
    const created = await t.app.server.inject({
      method: 'POST',
      url: `/v2/Flows/${flowSid}/Executions`,
      headers: { authorization: t.auth, 'content-type': 'application/json' },
      payload: `{"To":"+15551230002","From":"+15005550006","Parameters":${parameters}}`,
    });
    assert.equal(created.statusCode, 201, created.body);
    await t.app.executions.idle();
    const context = await get(`/v2/Flows/${flowSid}/Executions/${created.json().sid}/Context`);
    assert.deepEqual(context.json().context.flow.data, { order_id: ID, nested: { ids: [NEGATIVE] }, small: 9007199254740991, ratio: 1.5 });
  });

  it("Twilio's single-quoted form keeps them exact too", async () => {
    const created = await post(`/v2/Flows/${flowSid}/Executions`, form({ To: '+15551230003', From: '+15005550006', Parameters: `{'order_id':${ID},'name':'Zeke'}` }));
    assert.equal(created.statusCode, 201, created.body);
    await t.app.executions.idle();
    const context = await get(`/v2/Flows/${flowSid}/Executions/${created.json().sid}/Context`);
    assert.deepEqual(context.json().context.flow.data, { order_id: ID, name: 'Zeke' });
  });

  it('1e400 is still refused', async () => {
    const res = await post(`/v2/Flows/${flowSid}/Executions`, form({ To: '+15551230001', From: '+15005550006', Parameters: `{"order_id":${ID},"n":1e400}` }));
    assert.equal(res.statusCode, 400, res.body);
    assert.match(res.json().message, /^Invalid parameter Parameters: not valid JSON: the number at \/n is too large/);
  });
});

describe('large integers in a Definition', () => {
  let t: TestServer;
  let post: (url: string, payload: string) => Promise<InjectResponse>;
  before(async () => {
    ({ server: t, post } = await startServerWithFlow(flow));
  });
  after(() => t.close());

  it('are kept as their digits, as in Parameters, not stored rounded', async () => {
    const definition = JSON.stringify(flow).replace('"value":"{{flow.data.order_id}}"', `"value":${ID}`);
    assert.notEqual(definition, JSON.stringify(flow));
    const created = await post('/v2/Flows', form({ FriendlyName: 'literal id', Status: 'published', Definition: definition }));
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().definition.states[1].properties.variables[0].value, ID);
    const execution = await post(`/v2/Flows/${created.json().sid}/Executions`, form({ To: '+15551230001', From: '+15005550006', Parameters: `{"order_id":${ID}}` }));
    assert.equal(execution.statusCode, 201, execution.body);
    await t.app.executions.idle();
    const context = await t.app.server.inject({ method: 'GET', url: `/v2/Flows/${created.json().sid}/Executions/${execution.json().sid}/Context`, headers: { authorization: t.auth } });
    assert.equal(context.json().context.flow.variables.order, ID);
  });
});
