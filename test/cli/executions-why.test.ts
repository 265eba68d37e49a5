// `executions show` and `steps` could not tell why an execution ended ("status: ended" after an
// error, a manual end or its maximum age alike) nor where an active one waits. Against a Switchboard
// (its console API: /console/api/…/EndReason, and Monitor alerts by execution: /v1/Alerts?ResourceSid)
// show now says how it ended or the widget it waits at, and steps lists the execution's alerts by
// widget; against a server without those APIs (the real Twilio's Studio host) the output is as before,
// without a word. `list` says the same of each execution (a DETAIL column: completed, error 81001,
// ended manually, waiting at ask), so a failed one can be found among the ended. And a mistyped subcommand (`executions lst`) is named as such, not as a missing --flow.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { executionsCommand, waitingAt } from '../../src/cli/executions.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { FORM, form, startTestServer, type TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';
import { proxyWithout } from '../support/missing-paths-proxy.ts';

const at = (y: number) => ({ offset: { x: 0, y } });

/** Liquid that does not parse (alert 84003 on `w`), then a widget looping on itself until the engine stops it (81001). */
const failing = triggerFlow('failing', 'incomingRequest', 'w', [
  { name: 'w', type: 'send-message', properties: { ...at(100), from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: '{% if %}' }, transitions: [{ event: 'sent', next: 'loop' }, { event: 'failed', next: 'loop' }] },
  { name: 'loop', type: 'set-variables', properties: { ...at(200), variables: [{ key: 'n', value: '1' }] }, transitions: [{ event: 'next', next: 'loop' }] },
]);

/** Asks, then waits for the reply. */
const asking = triggerFlow('asking', 'incomingRequest', 'ask', [
  { name: 'ask', type: 'send-and-wait-for-reply', properties: { ...at(100), from: '{{flow.channel.address}}', body: 'Name?', timeout: '3600' }, transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure' }] },
]);

describe('executions show / steps: why it ended, where it waits, its alerts', () => {
  let s: TestServer;
  let twilio: { baseUrl: string; close: () => Promise<void> };
  let failingFlow = '';
  let failed = '';
  let askingFlow = '';
  let waiting = '';
  let ended = '';

  const start = async (flowSid: string, to: string) => {
    const res = await s.app.server.inject({ method: 'POST', url: `/v2/Flows/${flowSid}/Executions`, headers: { authorization: s.auth, ...FORM }, payload: form({ To: to, From: '+15005550006' }) });
    assert.equal(res.statusCode, 201, res.body);
    await s.app.executions.idle();
    return res.json().sid as string;
  };
  const cli = (args: string[], baseUrl = s.baseUrl) => runCliInProcess(executionsCommand, [...args, '--base-url', baseUrl, '--account-sid', s.account.sid, '--auth-token', s.account.authToken], process.cwd());

  before(async () => {
    s = await startTestServer({ listen: true });
    // Twilio's Studio host answers the Switchboard-only paths as any path it does not have.
    twilio = await proxyWithout(s.baseUrl, (path) => path.startsWith('/console/') || path.startsWith('/v1/Alerts'));
    failingFlow = (await s.app.flows.create(s.account.sid, { friendlyName: 'failing', status: 'published', definition: failing })).sid;
    askingFlow = (await s.app.flows.create(s.account.sid, { friendlyName: 'asking', status: 'published', definition: asking })).sid;
    failed = await start(failingFlow, '+15551230001');
    waiting = await start(askingFlow, '+15551230002');
    ended = await start(askingFlow, '+15551230003');
    const end = await cli(['end', ended, '--flow', askingFlow]);
    assert.equal(end.code, 0, end.stderr);
  });
  after(async () => {
    await twilio?.close();
    await s?.close();
  });

  it('show: an execution an error ended says the code and message', async () => {
    const show = await cli(['show', failed, '--flow', failingFlow]);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /^ {2}status: {3}ended\n {2}ended: {4}by error 81001: Widget 'loop' ran more than 10 times in a row\n/m);
    // Dates as the API gives them: to the second.
    assert.match(show.stdout, /^ {2}created: {2}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/m);
    const json = JSON.parse((await cli(['show', failed, '--flow', failingFlow, '--json'])).stdout);
    assert.deepEqual(json.endReason, { kind: 'error', code: 81001, message: "Widget 'loop' ran more than 10 times in a row" });
    assert.equal(json.waitingAt, null);
  });

  it('show: an active execution says the widget it waits at; one ended by hand says so', async () => {
    const show = await cli(['show', waiting, '--flow', askingFlow]);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /^ {2}status: {3}active\n {2}waiting: {2}at ask\n/m);
    // A date the API leaves null (date_updated of an execution nothing has updated) is '-', as in flows list, not blank.
    assert.match(show.stdout, /^ {2}updated: {2}(-|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$/m);
    const json = JSON.parse((await cli(['show', waiting, '--flow', askingFlow, '--json'])).stdout);
    assert.deepEqual(json.waitingAt, { widget: 'ask', subflowPath: [] });
    assert.equal(json.endReason, null);

    const manual = await cli(['show', ended, '--flow', askingFlow]);
    assert.match(manual.stdout, /^ {2}ended: {4}manually \(the End button or the API\)$/m);
  });

  it("steps: the execution's alerts after the steps, each widget's together", async () => {
    const steps = await cli(['steps', failed, '--flow', failingFlow]);
    assert.equal(steps.code, 0, steps.stderr);
    const [table, alerts] = steps.stdout.split('\n\nAlerts:\n');
    assert.match(table!, /Trigger\s+incomingRequest\s+w/);
    const rows = alerts!.trimEnd().split('\n');
    assert.match(rows[0]!, /^WIDGET\s+LEVEL\s+CODE\s+MESSAGE$/);
    assert.match(rows[1]!, /^w\s+error\s+84003\s+Liquid syntax error/);
    assert.match(rows[2]!, /^\(no widget\)\s+warning\s+81001\s+Widget 'loop' ran more than 10 times in a row$/);
    assert.equal(rows.length, 3);
    // An execution without alerts: the table alone, as before.
    const quiet = await cli(['steps', waiting, '--flow', askingFlow]);
    assert.doesNotMatch(quiet.stdout, /Alerts/);
    // --json stays the Steps list.
    assert.ok(Array.isArray(JSON.parse((await cli(['steps', failed, '--flow', failingFlow, '--json'])).stdout)));
  });

  it('against a server without those APIs (Twilio): the output as before, no warning', async () => {
    const show = await cli(['show', failed, '--flow', failingFlow], twilio.baseUrl);
    assert.equal(show.code, 0, show.stderr);
    assert.equal(show.stderr, '');
    assert.match(show.stdout, /^ {2}status: {3}ended\n {2}contact: {2}\+15551230001\n/m);
    assert.doesNotMatch(show.stdout, /ended: |waiting: /);
    const json = JSON.parse((await cli(['show', waiting, '--flow', askingFlow, '--json'], twilio.baseUrl)).stdout);
    assert.equal('endReason' in json, false);
    assert.equal('waitingAt' in json, false);
    const steps = await cli(['steps', failed, '--flow', failingFlow], twilio.baseUrl);
    assert.equal(steps.code, 0, steps.stderr);
    assert.equal(steps.stderr, '');
    assert.doesNotMatch(steps.stdout, /Alerts/);
    assert.match(steps.stdout, /loop\s+next\s+loop/);
  });

  it('list: says how each ended (an error by its code) or where it waits; --json as show has it', async () => {
    const failedList = await cli(['list', '--flow', failingFlow]);
    assert.equal(failedList.code, 0, failedList.stderr);
    assert.match(failedList.stdout, /^SID\s+STATUS\s+CONTACT\s+CREATED\s+DETAIL$/m);
    assert.match(failedList.stdout, new RegExp(`^${failed}\\s+ended\\s+\\+15551230001\\s+\\S+\\s+error 81001$`, 'm'));
    const askingList = await cli(['list', '--flow', askingFlow]);
    assert.match(askingList.stdout, new RegExp(`^${waiting}\\s+active\\s+\\+15551230002\\s+\\S+\\s+waiting at ask$`, 'm'));
    assert.match(askingList.stdout, new RegExp(`^${ended}\\s+ended\\s+\\+15551230003\\s+\\S+\\s+ended manually$`, 'm'));
    const json = JSON.parse((await cli(['list', '--flow', failingFlow, '--json'])).stdout);
    assert.deepEqual(json[0].endReason, { kind: 'error', code: 81001, message: "Widget 'loop' ran more than 10 times in a row" });
    assert.equal(json[0].waitingAt, null);
    const active = JSON.parse((await cli(['list', '--flow', askingFlow, '--status', 'active', '--json'])).stdout);
    assert.deepEqual(active.map((e: { waitingAt: unknown; endReason: unknown }) => [e.waitingAt, e.endReason]), [[{ widget: 'ask', subflowPath: [] }, null]]);
  });

  it('list against a server without those APIs (Twilio): no DETAIL column, no warning', async () => {
    const list = await cli(['list', '--flow', askingFlow], twilio.baseUrl);
    assert.equal(list.code, 0, list.stderr);
    assert.equal(list.stderr, '');
    assert.match(list.stdout, /^SID\s+STATUS\s+CONTACT\s+CREATED$/m);
    assert.doesNotMatch(list.stdout, /DETAIL|waiting at/);
    const json = JSON.parse((await cli(['list', '--flow', askingFlow, '--json'], twilio.baseUrl)).stdout);
    assert.equal('endReason' in json[0], false);
  });

  it('waitingAt: the last step, inside the subflow a Run Subflow widget runs', () => {
    const step = (sid: string, to: string, parent: string | null = null) => ({ sid, transitionedTo: to, parentStepSid: parent });
    assert.equal(waitingAt([]), null);
    assert.deepEqual(waitingAt([step('a', 'ask')]), { widget: 'ask', subflowPath: [] });
    assert.deepEqual(waitingAt([step('a', 'ask'), step('b', 'run_sub'), step('c', 'sub_ask', 'b')]), { widget: 'sub_ask', subflowPath: ['run_sub'] });
    // Back in the parent after the subflow: the parent's widget.
    assert.deepEqual(waitingAt([step('b', 'run_sub'), step('c', 'sub_ask', 'b'), step('d', 'after')]), { widget: 'after', subflowPath: [] });
  });
});

describe('executions: a mistyped subcommand', () => {
  it('is named as unknown before any option is asked for', async () => {
    const run = await runCliInProcess(executionsCommand, ['lst'], process.cwd());
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^switchboard executions: unknown command 'lst' \(did you mean 'list'\?\)\n\nUsage: switchboard executions/);
    assert.doesNotMatch(run.stderr, /--flow FW… is required/);
    const extra = await runCliInProcess(executionsCommand, ['shw', 'FN1', '--flow', `FW${'0'.repeat(32)}`], process.cwd());
    assert.match(extra.stderr, /^switchboard executions: unknown command 'shw'/);
  });
});
