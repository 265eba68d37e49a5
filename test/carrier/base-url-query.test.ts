// Base URLs that paths are appended to (the server's --public-base-url, the carrier's ApiBaseUrl,
// StatusCallbackBaseUrl, …) were taken with a query or fragment: `https://hooks.example.com/?a=1` made
// StatusCallbacks like `https://hooks.example.com/?a=1/v1/Accounts/…/Status`, which Twilio posts to the host's root
// (signed over that URL), so deliveryFailure never fired and no error said why. Both are refused where given.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { CarrierConfigError, parseCarrierInput } from '../../src/channels/twilio/carrier-config.ts';

const TWILIO = { Channel: 'twilio', UpstreamAccountSid: 'AC' + 'a'.repeat(32), AuthToken: 'token' };

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof CarrierConfigError) return error.message;
    throw error;
  }
  assert.fail('accepted');
}

describe('base URLs with a query or fragment are refused', () => {
  it('--public-base-url / PUBLIC_BASE_URL: a configuration error naming it; a path prefix and a trailing slash still go', () => {
    assert.match(refusal(() => loadConfig({}, { PUBLIC_BASE_URL: 'https://sb.example.com/?x=1' }, { cwd: '/nonexistent' })), /PUBLIC_BASE_URL must be a base URL without a query or fragment/);
    assert.match(refusal(() => loadConfig({ 'public-base-url': 'https://sb.example.com/#top' }, {}, { cwd: '/nonexistent' })), /--public-base-url must be a base URL without a query or fragment/);
    assert.equal(loadConfig({}, { PUBLIC_BASE_URL: 'https://sb.example.com/prefix/' }, { cwd: '/nonexistent' }).publicBaseUrl, 'https://sb.example.com/prefix/');
  });

  it("the carrier's base URLs: a 400-style refusal naming the field; WebhookUrl and VirtualAgentUrl keep their query", () => {
    assert.match(refusal(() => parseCarrierInput({ ...TWILIO, StatusCallbackBaseUrl: 'https://hooks.example.com/?a=1' })), /StatusCallbackBaseUrl is a base URL .* cannot have a query or fragment/);
    assert.match(refusal(() => parseCarrierInput({ ...TWILIO, ApiBaseUrl: 'https://api.example.com#x' })), /ApiBaseUrl is a base URL/);
    assert.match(refusal(() => parseCarrierInput({ Channel: 'webhook', WebhookUrl: 'https://gw.example.com/sms', StatusCallbackBaseUrl: 'https://hooks.example.com?k=v' })), /StatusCallbackBaseUrl is a base URL/);
    const webhook = parseCarrierInput({ Channel: 'webhook', WebhookUrl: 'https://gw.example.com/sms?key=1', StatusCallbackBaseUrl: 'https://hooks.example.com/' });
    assert.deepEqual(webhook, { channel: 'webhook', webhook: { url: 'https://gw.example.com/sms?key=1', statusCallbackBaseUrl: 'https://hooks.example.com' } });
    const twilio = parseCarrierInput({ ...TWILIO, VirtualAgentUrl: 'https://va.example.com/hook?tenant=1' });
    assert.equal(twilio.channel === 'twilio' && twilio.twilio.virtualAgentUrl, 'https://va.example.com/hook?tenant=1');
  });
});
