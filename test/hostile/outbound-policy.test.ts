// The outbound policy as a pure decision: defaults, allow/deny rules, their precedence, parsing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutboundPolicy, PolicyRuleError } from '../../src/channels/http/outbound-policy.ts';

const allowed = (policy: OutboundPolicy, host: string, ip = host) => policy.check(host, ip).allowed;

test('the default policy refuses link-local, cloud metadata, loopback and private addresses', () => {
  const policy = new OutboundPolicy();
  for (const ip of ['169.254.169.254', '169.254.1.1', 'fe80::1', '100.100.100.200', 'fd00:ec2::254', '127.0.0.1', '127.9.9.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1', '0.0.0.0', '::1', '::', 'fc00::1', 'fd12:3456::1', '::ffff:127.0.0.1', '::ffff:169.254.169.254', '224.0.0.1', '255.255.255.255']) {
    assert.equal(allowed(policy, ip), false, `${ip} should be refused`);
  }
  assert.equal(allowed(policy, 'metadata.google.internal', '8.8.8.8'), false, 'metadata host names are refused whatever they resolve to');
  assert.equal(allowed(policy, 'localhost', '127.0.0.1'), false, 'the resolved address decides, not the name');
});

test('IPv6 forms that embed an IPv4 address are judged as that address (mapped, NAT64, 6to4, compatible)', () => {
  const policy = new OutboundPolicy();
  for (const ip of ['::ffff:a9fe:a9fe', '64:ff9b::a9fe:a9fe', '64:ff9b::169.254.169.254', '64:ff9b:1::7f00:1', '2002:a9fe:a9fe::1', '2002:0a00:0001::', '::127.0.0.1', '::a00:1']) {
    assert.equal(allowed(policy, ip), false, `${ip} should be refused`);
  }
  for (const ip of ['64:ff9b::808:808', '2002:808:808::1', '::ffff:1.1.1.1']) {
    assert.equal(allowed(policy, ip), true, `${ip} should be allowed`);
  }
  assert.equal(allowed(new OutboundPolicy({ allowPrivate: true }), '64:ff9b::a9fe:a9fe'), false, 'metadata through NAT64 stays refused in dev mode');
  assert.equal(allowed(new OutboundPolicy({ deny: ['64:ff9b::/96'] }), '64:ff9b::808:808'), false, 'an IPv6 rule still matches the address as written');
});

test('the default policy allows public addresses', () => {
  const policy = new OutboundPolicy();
  for (const ip of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '172.15.255.255', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
    assert.equal(allowed(policy, ip), true, `${ip} should be allowed`);
  }
  assert.equal(allowed(policy, 'api.example.com', '93.184.216.34'), true);
});

test('dev mode (allowPrivate) opens loopback and private ranges but never link-local or metadata', () => {
  const policy = new OutboundPolicy({ allowPrivate: true });
  assert.equal(allowed(policy, '127.0.0.1'), true);
  assert.equal(allowed(policy, '10.0.0.5'), true);
  assert.equal(allowed(policy, '::1'), true);
  assert.equal(allowed(policy, '169.254.169.254'), false);
  assert.equal(allowed(policy, 'fe80::1'), false);
  assert.equal(allowed(policy, 'metadata.google.internal', '169.254.169.254'), false);
});

test('--http-allow opens addresses, CIDRs and hosts; --http-deny closes them', () => {
  const policy = new OutboundPolicy({ allow: ['10.0.0.0/8', '127.0.0.1', 'internal.example', '*.corp.example'], deny: ['10.6.6.6', 'evil.example.com', '*.blocked.example', '203.0.113.0/24'] });
  assert.equal(allowed(policy, '10.2.3.4'), true);
  assert.equal(allowed(policy, '127.0.0.1'), true);
  assert.equal(allowed(policy, '127.0.0.2'), false, 'only the listed address');
  assert.equal(allowed(policy, 'internal.example', '192.168.5.5'), true, 'an allowed host may resolve to a private address');
  assert.equal(allowed(policy, 'api.corp.example', '10.9.9.9'), true);
  assert.equal(allowed(policy, 'corp.example', '192.168.0.1'), false, '*.corp.example does not match corp.example itself');
  assert.equal(allowed(policy, '10.6.6.6'), false, 'a deny beats an allow at the same level');
  assert.equal(allowed(policy, 'evil.example.com', '8.8.8.8'), false);
  assert.equal(allowed(policy, 'x.blocked.example', '8.8.8.8'), false);
  assert.equal(allowed(policy, 'site.example', '203.0.113.9'), false, 'a denied CIDR applies to what a name resolves to');
  assert.equal(allowed(policy, 'INTERNAL.example.', '192.168.5.5'), true, 'host names compare case-insensitively, trailing dot ignored');
});

test('host rules are more specific than address rules: an exclusive allow-list is deny-all plus allowed hosts', () => {
  const policy = new OutboundPolicy({ deny: ['0.0.0.0/0', '::/0'], allow: ['api.partner.example'] });
  assert.equal(allowed(policy, 'api.partner.example', '198.51.100.7'), true);
  assert.equal(allowed(policy, 'other.example', '198.51.100.7'), false);
  assert.equal(allowed(policy, '8.8.8.8'), false);
});

test('an explicit allow can open a link-local address (for operators who really mean it)', () => {
  assert.equal(allowed(new OutboundPolicy({ allow: ['169.254.169.254'] }), '169.254.169.254'), true);
});

test('malformed rules are refused with a message naming the flag', () => {
  assert.throws(() => new OutboundPolicy({ allow: ['10.0.0.0/33'] }), (e: unknown) => e instanceof PolicyRuleError && /http-allow/.test(e.message));
  assert.throws(() => new OutboundPolicy({ deny: ['not a host!'] }), (e: unknown) => e instanceof PolicyRuleError && /http-deny/.test(e.message));
  assert.throws(() => new OutboundPolicy({ deny: ['300.1.1.1/8'] }), PolicyRuleError);
});

test('configuration: --http-allow/--http-deny lists and --dev build the policy; bad rules are refused at start', async () => {
  const { loadConfig, ConfigError } = await import('../../src/config.ts');
  const { outboundPolicy } = await import('../../src/channels/http/outbound-policy.ts');
  const config = loadConfig({ 'http-allow': '10.0.0.0/8, api.internal', 'http-deny': '10.9.0.0/16' }, {}, { cwd: '/nonexistent' });
  assert.deepEqual(config.httpAllow, ['10.0.0.0/8', 'api.internal']);
  assert.equal(config.dev, false, 'the server is not in dev mode unless asked');
  const policy = outboundPolicy(config);
  assert.equal(allowed(policy, '10.1.1.1'), true);
  assert.equal(allowed(policy, '10.9.1.1'), false);
  assert.equal(allowed(policy, '127.0.0.1'), false);
  assert.equal(allowed(outboundPolicy(loadConfig({ dev: true }, {}, { cwd: '/nonexistent' })), '127.0.0.1'), true);
  assert.equal(allowed(outboundPolicy(loadConfig({}, { SWITCHBOARD_DEV: 'true', SWITCHBOARD_HTTP_DENY: '127.0.0.1' }, { cwd: '/nonexistent' })), '127.0.0.1'), false);
  assert.throws(() => loadConfig({ 'http-allow': '10.0.0.0/99' }, {}, { cwd: '/nonexistent' }), (e: unknown) => e instanceof ConfigError && /--http-allow/.test(e.message));
});
