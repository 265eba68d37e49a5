// Alerts for what Twilio's Debugger shows and Switchboard left out: a Send & Wait For Reply whose send
// the channel refuses raises Studio's 81011 "Failed to send Message", as Send Message does (kept in the
// widget's context as `error` and listed by /v1/Alerts), while a delivery failure reported later by a
// status callback stays the message's own. And /v1/Alerts takes all of Twilio's LogLevels: notice and
// debug, which Switchboard never writes, list an empty page rather than a 400.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerWithFlow, form, type InjectResponse, type TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';

describe('Send & Wait For Reply: a refused send', () => {
  let t: TestServer;
  let flowSid = '';
  let post: (url: string, payload: string) => Promise<InjectResponse>;
  before(async () => {
    const definition = triggerFlow('refused ask', 'incomingRequest', 'w', [
      {
        name: 'w',
        type: 'send-and-wait-for-reply',
        properties: { offset: { x: 0, y: 100 }, from: '{{flow.channel.address}}', to: '{{flow.data.to}}', body: 'Question?', timeout: '60' },
        transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
      },
    ]);
    ({ server: t, flowSid, post } = await startServerWithFlow(definition));
  });
  after(() => t.close());

  const get = (url: string) => t.app.server.inject({ method: 'GET', url, headers: { authorization: t.auth } });

  it("takes deliveryFailure with Studio's 81011 in the context and as an error alert, as Send Message does", async () => {
    const created = await post(`/v2/Flows/${flowSid}/Executions`, form({ To: '+15551230001', From: '+15005550006', Parameters: JSON.stringify({ to: 'not a number' }) }));
    assert.equal(created.statusCode, 201, created.body);
    const sid = created.json().sid as string;
    await t.app.executions.idle();
    const steps = (await get(`/v2/Flows/${flowSid}/Executions/${sid}/Steps`)).json().steps as { name: string; transitioned_from: string; transitioned_to: string }[];
    assert.deepEqual(steps.map((s) => `${s.transitioned_from} -${s.name}-> ${s.transitioned_to}`), ['Trigger -incomingRequest-> w', 'w -deliveryFailure-> Ended']);
    const message = "The 'To' number not a number is not a valid phone number.";
    const widget = (await get(`/v2/Flows/${flowSid}/Executions/${sid}/Context`)).json().context.widgets.w;
    assert.deepEqual(widget, { outbound: { ErrorCode: 21211, ErrorMessage: message }, error: { code: 81011, message } });
    const alerts = (await get(`/v1/Alerts?ResourceSid=${sid}`)).json().alerts as Record<string, string>[];
    assert.deepEqual(alerts.map((a) => [a.error_code, a.log_level, a.resource_sid, a.service_sid]), [['81011', 'error', sid, flowSid]]);
    assert.equal(new URLSearchParams(alerts[0]!.alert_text).get('widget'), 'w');
    assert.equal(new URLSearchParams(alerts[0]!.alert_text).get('Msg'), message);
  });

  it('a question sent to a valid number raises no alert', async () => {
    const created = await post(`/v2/Flows/${flowSid}/Executions`, form({ To: '+15551230002', From: '+15005550006', Parameters: JSON.stringify({ to: '+15551230002' }) }));
    assert.equal(created.statusCode, 201, created.body);
    const sid = created.json().sid as string;
    await t.app.executions.idle();
    assert.deepEqual((await get(`/v1/Alerts?ResourceSid=${sid}`)).json().alerts, []);
  });

  it("takes Twilio's four LogLevels: notice and debug list an empty page; anything else is still a 400", async () => {
    assert.ok((await get('/v1/Alerts?LogLevel=error')).json().alerts.length > 0, 'the refused send above left an error alert');
    for (const level of ['notice', 'debug']) {
      const res = await get(`/v1/Alerts?LogLevel=${level}&PageSize=5`);
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.deepEqual(body.alerts, []);
      assert.equal(body.meta.key, 'alerts');
      assert.equal(body.meta.next_page_url, null);
      assert.match(body.meta.url, new RegExp(`/v1/Alerts\\?LogLevel=${level}&PageSize=5&Page=0$`));
    }
    const bad = await get('/v1/Alerts?LogLevel=info');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 20001);
  });
});
