// A contact's SID is derived from its account and address, and stored with every execution: it must
// never change for the same pair, whatever computes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { contactSid } from '../../src/runtime/sprints.ts';

test('the contact SID of an account and address is FC and the first 32 hex digits of their SHA-256', () => {
  const account = 'AC' + 'ab'.repeat(16);
  assert.equal(contactSid(account, '+15550001111'), 'FC' + createHash('sha256').update(`${account}:+15550001111`).digest('hex').slice(0, 32));
  // Pinned: the SID executions already stored carry for this pair.
  assert.equal(contactSid(account, '+15550001111'), 'FC0c384ba56052534ef46f8044eba7b896');
  assert.notEqual(contactSid(account, '+15550001112'), contactSid(account, '+15550001111'));
  assert.match(contactSid(account, 'whatsapp:+15550001111'), /^FC[0-9a-f]{32}$/);
});
