// Conformance: the official twilio-node SDK drives the Executions API (v2, v1 and v1 Engagements)
// against a real listening Switchboard, only its base URL changed. Every response is also checked
// against the OpenAPI spec on the way in (specCheckingClient).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import twilio from 'twilio';
import { startTestServer, type TestServer } from '../support/server.ts';
import { SPECS_FOUND, specCheckingClient, type SpecCheckingRequestClient } from '../support/sdk.ts';

const smsEcho = JSON.parse(readFileSync(new URL('../fixtures/flows/sms-echo.json', import.meta.url), 'utf8'));
const askAndWait = JSON.parse(readFileSync(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url), 'utf8'));
const FROM = '+15005550006';

describe('twilio-node against Switchboard: Executions', () => {
  let t: TestServer;
  let client: twilio.Twilio;
  let contactSeq = 0;
  const nextContact = () => `+1555020${String(++contactSeq).padStart(4, '0')}`;

  before(async () => {
    t = await startTestServer({ listen: true });
    client = specCheckingClient(t.account.sid, t.account.authToken, t.baseUrl);
  });
  after(() => t.close());

  const createFlow = async (definition: object) =>
    (await client.studio.v2.flows.create({ friendlyName: 'SDK executions', status: 'published', definition })).sid;

  it('v2: create, fetch, Context, Steps, Step and Step Context; parameters arrive as flow.data', async () => {
    const flowSid = await createFlow(smsEcho);
    const to = nextContact();
    const execution = await client.studio.v2.flows(flowSid).executions.create({ to, from: FROM, parameters: { name: 'Zeke', tags: ['a', 'b'] } });
    assert.match(execution.sid, /^FN[0-9a-f]{32}$/);
    assert.equal(execution.flowSid, flowSid);
    assert.equal(execution.accountSid, t.account.sid);
    assert.equal(execution.contactChannelAddress, to);
    assert.equal(execution.flowVersion, 1);
    assert.match(execution.initiatedBy, /^RQ[0-9a-f]{32}$/);
    assert.ok(execution.dateCreated instanceof Date && !Number.isNaN(execution.dateCreated.getTime()));
    assert.equal(execution.url, `${t.baseUrl}/v2/Flows/${flowSid}/Executions/${execution.sid}`);
    await t.app.executions.idle();

    const fetched = await client.studio.v2.flows(flowSid).executions(execution.sid).fetch();
    assert.equal(fetched.status, 'ended');

    const context = await client.studio.v2.flows(flowSid).executions(execution.sid).executionContext().fetch();
    assert.equal(context.executionSid, execution.sid);
    assert.deepEqual((context.context as any).flow.data, { name: 'Zeke', tags: ['a', 'b'] });
    assert.equal((context.context as any).widgets.greet.outbound.Body, 'Hello Zeke');

    const steps = await client.studio.v2.flows(flowSid).executions(execution.sid).steps.list();
    assert.deepEqual(
      steps.map((s) => [s.name, s.transitionedFrom, s.transitionedTo]),
      [
        ['incomingRequest', 'Trigger', 'greet'],
        ['sent', 'greet', 'Ended'],
      ],
    );
    const step = await client.studio.v2.flows(flowSid).executions(execution.sid).steps(steps[1]!.sid).fetch();
    assert.equal(step.type, 'send-message');
    assert.equal(step.executionSid, execution.sid);
    const stepContext = await client.studio.v2.flows(flowSid).executions(execution.sid).steps(steps[1]!.sid).stepContext().fetch();
    assert.equal(stepContext.stepSid, steps[1]!.sid);
    assert.equal(typeof stepContext.context, 'object');
  });

  it('v2: a second execution for the same contact is a RestException 20409 naming the active one; update ends it; remove deletes it', async () => {
    const flowSid = await createFlow(askAndWait);
    const to = nextContact();
    const executions = client.studio.v2.flows(flowSid).executions;
    const first = await executions.create({ to, from: FROM });
    await t.app.executions.idle();
    await assert.rejects(executions.create({ to, from: FROM }), (error: any) => {
      assert.equal(error.constructor.name, 'RestException');
      assert.equal(error.status, 409);
      assert.equal(error.code, 20409);
      assert.equal(error.moreInfo, 'https://www.twilio.com/docs/errors/20409');
      assert.deepEqual(error.details, { conflicting_execution_sid: first.sid });
      assert.match(error.message, new RegExp(`Execution ${first.sid} is already active for this contact`));
      return true;
    });

    const ended = await executions(first.sid).update({ status: 'ended' });
    assert.equal(ended.status, 'ended');
    assert.ok(ended.dateUpdated instanceof Date);
    const second = await executions.create({ to, from: FROM });
    assert.notEqual(second.sid, first.sid);

    assert.equal(await executions(first.sid).remove(), true);
    await assert.rejects(executions(first.sid).fetch(), (error: any) => error.status === 404 && error.code === 20404);
    await assert.rejects(executions.create({ to: '', from: FROM }), (error: any) => {
      assert.equal(error.status, 400);
      assert.equal(error.code, 20001);
      return true;
    });
  });

  it('v2: list, each, filters and paging at page size 3', async () => {
    const flowSid = await createFlow(askAndWait);
    const executions = client.studio.v2.flows(flowSid).executions;
    const sids: string[] = [];
    for (let i = 0; i < 8; i++) sids.push((await executions.create({ to: nextContact(), from: FROM })).sid);
    await t.app.executions.idle();
    for (const sid of sids.slice(0, 3)) await executions(sid).update({ status: 'ended' });

    const listed = await executions.list({ pageSize: 3 });
    assert.deepEqual(listed.map((e) => e.sid), [...sids].reverse());

    const seen: string[] = [];
    await executions.each({ pageSize: 3 }, (execution) => {
      seen.push(execution.sid);
    });
    assert.deepEqual(seen, [...sids].reverse());

    // the SDK sends the lower-case `status` and follows next_page_url verbatim: the filter must be inside it
    const active = await executions.list({ status: 'active', pageSize: 2 });
    assert.deepEqual(active.map((e) => e.sid), sids.slice(3).reverse());
    const ended = await executions.list({ status: 'ended', pageSize: 2 });
    assert.deepEqual(ended.map((e) => e.sid), sids.slice(0, 3).reverse());

    const future = await executions.list({ dateCreatedFrom: new Date(Date.now() + 3_600_000) });
    assert.deepEqual(future, []);
    const past = await executions.list({ dateCreatedTo: new Date(Date.now() + 3_600_000), dateCreatedFrom: new Date(Date.now() - 3_600_000), pageSize: 5 });
    assert.equal(past.length, sids.length);

    const page = await executions.page({ pageSize: 3, status: 'active' });
    const next = await page.nextPage();
    assert.ok(next);
    assert.deepEqual(next.instances.map((e) => e.sid), sids.slice(3, 5).reverse());
    const previous = await next.previousPage();
    assert.deepEqual(previous?.instances.map((e) => e.sid), page.instances.map((e) => e.sid));
  });

  it('v1 Executions: create returns the active execution for the pair; fetch, list, Context, Steps, update', async () => {
    const flowSid = await createFlow(askAndWait);
    const to = nextContact();
    const executions = client.studio.v1.flows(flowSid).executions;
    const created = await executions.create({ to, from: FROM, parameters: { name: 'Vee' } });
    assert.match(created.sid, /^FN/);
    assert.match(created.contactSid, /^FC/);
    assert.equal(created.url, `${t.baseUrl}/v1/Flows/${flowSid}/Executions/${created.sid}`);
    await t.app.executions.idle();

    const again = await executions.create({ to, from: FROM });
    assert.equal(again.sid, created.sid);

    const fetched = await executions(created.sid).fetch();
    assert.equal(fetched.status, 'active');
    const listed = await executions.list();
    assert.deepEqual(listed.map((e) => e.sid), [created.sid]);

    const context = await executions(created.sid).executionContext().fetch();
    assert.equal((context.context as any).flow.data.name, 'Vee');
    const steps = await executions(created.sid).steps.list();
    assert.equal(steps[0]!.name, 'incomingRequest');
    const stepContext = await executions(created.sid).steps(steps[0]!.sid).stepContext().fetch();
    assert.equal(stepContext.executionSid, created.sid);

    const ended = await executions(created.sid).update({ status: 'ended' });
    assert.equal(ended.status, 'ended');
    assert.equal(await executions(created.sid).remove(), true);
  });

  it('v1 Engagements: create, fetch, list, Context, Steps, Step Context and remove', async () => {
    const flowSid = await createFlow(askAndWait);
    const to = nextContact();
    const engagements = client.studio.v1.flows(flowSid).engagements;
    const created = await engagements.create({ to, from: FROM, parameters: { name: 'Old' } });
    assert.match(created.sid, /^FN/);
    assert.equal(created.contactChannelAddress, to);
    assert.equal(created.url, `${t.baseUrl}/v1/Flows/${flowSid}/Engagements/${created.sid}`);
    await t.app.executions.idle();

    const again = await engagements.create({ to, from: FROM });
    assert.equal(again.sid, created.sid);

    assert.equal((await engagements(created.sid).fetch()).status, 'active');
    assert.deepEqual((await engagements.list()).map((e) => e.sid), [created.sid]);

    const context = await engagements(created.sid).engagementContext().fetch();
    assert.equal(context.engagementSid, created.sid);
    assert.equal((context.context as any).flow.data.name, 'Old');

    const steps = await engagements(created.sid).steps.list();
    assert.equal(steps.length, 1);
    assert.equal(steps[0]!.engagementSid, created.sid);
    const step = await engagements(created.sid).steps(steps[0]!.sid).fetch();
    assert.equal(step.transitionedTo, 'ask');
    const stepContext = await engagements(created.sid).steps(steps[0]!.sid).stepContext().fetch();
    assert.equal(stepContext.engagementSid, created.sid);

    assert.equal(await engagements(created.sid).remove(), true);
    await assert.rejects(engagements(created.sid).fetch(), (error: any) => error.status === 404 && error.code === 20404);
  });

  it('checked every successful response against the spec', { skip: SPECS_FOUND ? false : 'the OpenAPI specs in ../shared/spec are not there' }, () => {
    const checked = (client.httpClient as SpecCheckingRequestClient).checked;
    assert.ok(checked > 50, `only ${checked} responses checked`);
  });
});
