// Rotating the secrets that key a call's callback URLs (?sb=) while calls are in progress: the
// account's callback secret (`accounts rotate-callback-secret`, with a grace period) and the server's
// (SWITCHBOARD_CALLBACK_SECRET, the one replaced listed in SWITCHBOARD_CALLBACK_SECRET_PREVIOUS). A
// live call goes on across either; a URL keyed by a secret no longer accepted is refused (403/20003)
// and changes nothing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type SwitchboardConfig } from '../../src/config.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { fixture, phone, serverWithFlow, stepsOf, type Verb } from './support.ts';
import { answerOf, flowWebhookUrl, twilioPost, type WebhookAnswer } from './twilio-webhook.ts';

const CALL_SID = 'CA' + 'e'.repeat(32);
const HOUR = 3_600_000;

function callParams(server: TestServer, extra: Record<string, string> = {}): Record<string, string> {
  return { AccountSid: server.account.sid, ApiVersion: '2010-04-01', CallSid: CALL_SID, CallStatus: 'in-progress', Direction: 'inbound', From: '+15551238101', To: '+15005550006', ...extra };
}

const actionOf = (verb: Verb) => verb.attributes.action ?? verb.text ?? '';

async function post(server: TestServer, url: string, extra: Record<string, string> = {}): Promise<WebhookAnswer> {
  return answerOf(await twilioPost(server, url, callParams(server, extra)));
}

/** Calls the IVR flow up to its menu: the Gather whose action URL the caller's keys go to. */
async function atMenu(server: TestServer, flowSid: string): Promise<string> {
  const first = await post(server, flowWebhookUrl(server, flowSid), { CallStatus: 'ringing' });
  const menu = await post(server, actionOf(first.twiml![1]!));
  assert.equal(menu.twiml![0]!.verb, 'Gather');
  return actionOf(menu.twiml![0]!);
}

/** Pressing 2 at the menu: accepted, the call goes on to the voicemail's Record (its action URL returned). */
async function pressTwo(server: TestServer, menuAction: string): Promise<string> {
  const next = await post(server, menuAction, { Digits: '2' });
  assert.equal(next.status, 200, next.body);
  assert.equal(next.twiml![0]!.verb, 'Record');
  return actionOf(next.twiml![0]!);
}

/** The URL is refused as a forged one is, and the call stays where it was. */
async function assertRefused(server: TestServer, url: string, extra: Record<string, string> = {}): Promise<void> {
  const refused = await post(server, url, extra);
  assert.equal(refused.status, 403, refused.body);
  assert.equal(JSON.parse(refused.body).code, 20003);
}

async function finishVoicemail(server: TestServer, recordAction: string): Promise<void> {
  const thanks = await post(server, recordAction, { RecordingUrl: 'https://api.twilio.com/RE1', RecordingDuration: '3', RecordingSid: 'RE' + '1'.repeat(32), Digits: '#' });
  assert.equal(thanks.status, 200, thanks.body);
  assert.equal(thanks.twiml![0]!.text, 'Thanks, we got 3 seconds.');
}

describe("rotating an account's callback secret", () => {
  it('a live call goes on across the rotation, its next URLs keyed by the new secret; past the grace the old URLs are refused', async () => {
    let now = Date.UTC(2025, 0, 1);
    const { server, flowSid } = await serverWithFlow(fixture('ivr-menu.json'), { now: () => now });
    try {
      const menuAction = await atMenu(server, flowSid);
      const rotated = await server.app.accounts.rotateCallbackSecret(server.account.sid, 2 * HOUR);
      assert.deepEqual(rotated, { acceptedUntil: now + 2 * HOUR });
      const account = (await server.app.store.getAccount(server.account.sid))!;
      assert.notEqual(account.callbackSecret, account.previousCallbackSecret?.secret, 'a new secret');
      // The caller presses a key an hour later: the URL of before the rotation is taken.
      now += HOUR;
      const recordAction = await pressTwo(server, menuAction);
      // Past the grace, the URL handed out after the rotation still works: it was keyed by the new secret.
      now += 2 * HOUR;
      await finishVoicemail(server, recordAction);
    } finally {
      await server.close();
    }
  });

  it('a URL keyed by the replaced secret is refused once the grace is over', async () => {
    let now = Date.UTC(2025, 0, 1);
    const { server, flowSid } = await serverWithFlow(fixture('ivr-menu.json'), { now: () => now });
    try {
      const menuAction = await atMenu(server, flowSid);
      await server.app.accounts.rotateCallbackSecret(server.account.sid, HOUR);
      now += HOUR; // the grace ends here
      await assertRefused(server, menuAction, { Digits: '2' });
    } finally {
      await server.close();
    }
  });

  it('with no grace, a URL of the call in progress is refused at once and the call stays at its menu', async () => {
    const { server, flowSid } = await serverWithFlow(fixture('ivr-menu.json'));
    try {
      const menuAction = await atMenu(server, flowSid);
      assert.deepEqual(await server.app.accounts.rotateCallbackSecret(server.account.sid, 0), { acceptedUntil: null });
      assert.equal((await server.app.store.getAccount(server.account.sid))!.previousCallbackSecret, undefined);
      const [execution] = (await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 5 })).items;
      const before = await stepsOf(server, flowSid, execution!.sid);
      await assertRefused(server, menuAction, { Digits: '2' });
      assert.equal((await server.app.store.getExecutionBySid(execution!.sid))!.status, 'active');
      assert.deepEqual(await stepsOf(server, flowSid, execution!.sid), before, 'no step taken');
    } finally {
      await server.close();
    }
  });

  it("the simulator phone's call in progress is still its own after a rotation with a grace, a stranger after one without", async () => {
    const { server, flowSid } = await serverWithFlow(fixture('outbound-reminder.json'));
    try {
      const res = await server.app.server.inject({
        method: 'POST',
        url: `/v2/Flows/${flowSid}/Executions`,
        headers: { authorization: server.auth, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ To: '+15551238102', From: '+15005550006', Parameters: JSON.stringify({ name: 'Ada' }) }).toString(),
      });
      assert.equal(res.statusCode, 201, res.body);
      await server.app.executions.idle();
      const { calls } = (await phone(server, `/simulator/calls?FlowSid=${flowSid}`, {}, 'GET')) as unknown as { calls: { sid: string }[] };
      const callSid = calls[0]!.sid;
      const whereabouts = () => server.app.phone.whereabouts(callSid, server.account.sid);
      assert.equal(await whereabouts(), 'here');
      await server.app.accounts.rotateCallbackSecret(server.account.sid, HOUR);
      assert.equal(await whereabouts(), 'here', 'the rotated-out key still recognises it');
      await server.app.accounts.rotateCallbackSecret(server.account.sid, 0);
      assert.equal(await whereabouts(), null, 'keyed by a secret no longer accepted: taken for a carrier call');
    } finally {
      await server.close();
    }
  });
});

describe('rotating SWITCHBOARD_CALLBACK_SECRET', () => {
  /** Servers started one after another on one SQLite file, as a restart with a new configuration. */
  async function restarts(fn: (start: (env: Record<string, string>) => Promise<TestServer>) => Promise<void>): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'sb-callback-rotation-'));
    try {
      await fn(async (env) => {
        const config: Partial<SwitchboardConfig> = loadConfig({}, env);
        const { callbackSecret, callbackSecretPrevious } = config;
        return startTestServer({ store: new SqliteStore({ path: join(dir, 'switchboard.db') }), config: { callbackSecret, callbackSecretPrevious } });
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('a live call goes on when the secret it was keyed by is listed as previous; without it its URL is refused', async () => {
    await restarts(async (start) => {
      let server = await start({ SWITCHBOARD_CALLBACK_SECRET: 'old-server-secret' });
      const flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'ivr', status: 'published', definition: fixture('ivr-menu.json') as never })).sid;
      const menuAction = await atMenu(server, flowSid);
      await server.close();

      // The new secret alone: the URL keyed by the old one is no longer accepted.
      server = await start({ SWITCHBOARD_CALLBACK_SECRET: 'new-server-secret' });
      await assertRefused(server, menuAction, { Digits: '2' });
      await server.close();

      // The old one listed as previous: the caller's key goes through, and the next URL is keyed by the new one ...
      server = await start({ SWITCHBOARD_CALLBACK_SECRET: 'new-server-secret', SWITCHBOARD_CALLBACK_SECRET_PREVIOUS: 'older-still, old-server-secret' });
      const recordAction = await pressTwo(server, menuAction);
      await server.close();

      // ... so it works once the old secret is dropped from the list.
      server = await start({ SWITCHBOARD_CALLBACK_SECRET: 'new-server-secret' });
      try {
        await finishVoicemail(server, recordAction);
      } finally {
        await server.close();
      }
    });
  });

  it("'none' keeps the URLs handed out before any SWITCHBOARD_CALLBACK_SECRET was set", async () => {
    await restarts(async (start) => {
      let server = await start({});
      const flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'ivr', status: 'published', definition: fixture('ivr-menu.json') as never })).sid;
      const menuAction = await atMenu(server, flowSid);
      await server.close();
      server = await start({ SWITCHBOARD_CALLBACK_SECRET: 'first-server-secret' });
      await assertRefused(server, menuAction, { Digits: '2' });
      await server.close();
      server = await start({ SWITCHBOARD_CALLBACK_SECRET: 'first-server-secret', SWITCHBOARD_CALLBACK_SECRET_PREVIOUS: 'none' });
      try {
        await pressTwo(server, menuAction);
      } finally {
        await server.close();
      }
    });
  });
});
