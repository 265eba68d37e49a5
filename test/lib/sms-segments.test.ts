// Twilio's SMS sizing: GSM-7 160/153 septets (extension characters take two), UCS-2 70/67 UTF-16 units,
// characters never split across segments; bodies over 1,600 characters are refused (21617).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BODY_TOO_LONG_CODE, bodyTooLong, smsEncoding, smsSegments } from '../../src/lib/sms-segments.ts';

describe('smsSegments', () => {
  it('GSM-7: 160 in one segment, then 153 per segment', () => {
    assert.equal(smsSegments(''), 1);
    assert.equal(smsSegments('a'.repeat(160)), 1);
    assert.equal(smsSegments('a'.repeat(161)), 2);
    assert.equal(smsSegments('a'.repeat(306)), 2);
    assert.equal(smsSegments('a'.repeat(307)), 3);
    assert.equal(smsSegments('a'.repeat(1600)), 11);
    assert.equal(smsEncoding('Hello @£$¥èé ÄÖÑÜ§¿ {€}'), 'GSM-7');
  });

  it('GSM-7 extension characters count two, and a pair is not split across segments', () => {
    assert.equal(smsSegments('€'.repeat(80)), 1);
    assert.equal(smsSegments('€'.repeat(81)), 2);
    assert.equal(smsSegments('a'.repeat(159) + '['), 2, '161 septets');
    // 152 septets then an escape pair: it moves whole into the second segment, so 306 septets need 3.
    assert.equal(smsSegments('a'.repeat(152) + '^' + 'a'.repeat(151)), 2);
    assert.equal(smsSegments('a'.repeat(152) + '^' + 'a'.repeat(152)), 3);
    assert.equal(smsSegments('a'.repeat(151) + '^' + 'a'.repeat(153)), 2);
  });

  it('UCS-2 when any character is outside GSM-7: 70 in one segment, then 67, in UTF-16 code units', () => {
    assert.equal(smsEncoding('naïve'), 'UCS-2', 'ï is not in GSM-7');
    assert.equal(smsEncoding('“quoted”'), 'UCS-2');
    assert.equal(smsSegments('ï'.repeat(70)), 1);
    assert.equal(smsSegments('ï'.repeat(71)), 2);
    assert.equal(smsSegments('ï'.repeat(134)), 2);
    assert.equal(smsSegments('ï'.repeat(135)), 3);
    assert.equal(smsSegments('a'.repeat(159) + 'é'), 1, 'é is GSM-7');
    assert.equal(smsSegments('a'.repeat(69) + 'ï'), 1);
    assert.equal(smsSegments('😀'.repeat(35)), 1, 'an emoji is two code units');
    assert.equal(smsSegments('😀'.repeat(36)), 2);
    // 66 units then a surrogate pair: it is not split, so it starts segment 2.
    assert.equal(smsSegments('ï'.repeat(66) + '😀' + 'ï'.repeat(66)), 3);
    assert.equal(smsSegments('ï'.repeat(65) + '😀' + 'ï'.repeat(67)), 2);
  });

  it('bodies over 1,600 UTF-16 code units are too long (21617)', () => {
    assert.equal(BODY_TOO_LONG_CODE, 21617);
    assert.equal(bodyTooLong('a'.repeat(1600)), false);
    assert.equal(bodyTooLong('a'.repeat(1601)), true);
    assert.equal(bodyTooLong('😀'.repeat(801)), true);
  });
});
