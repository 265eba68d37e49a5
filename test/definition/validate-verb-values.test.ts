// Literal values the engine sends as written that Twilio's verbs document no meaning for: a warning, the
// flow still valid. Gather `timeout` 0: <Gather>'s timeout is a positive integer (warning 13313 for others;
// Studio's widget docs give 1–30 s in one version, 0–30 in another). Record Voicemail `finish_on_key` "":
// <Record>'s finishOnKey documents no empty value (unlike <Gather>'s), so it is left out (any key ends).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateDefinition } from '../../src/definition/validate.ts';
import { idx, state, variant, type Json } from './fixtures.ts';

const voicemail = (finishOnKey: unknown): Json =>
  variant((f) => {
    state(f, 'gather_1').transitions[2].next = 'vm_1';
    f.states.push({ name: 'vm_1', type: 'record-voicemail', transitions: [{ event: 'recordingComplete' }, { event: 'noAudio' }, { event: 'hangup' }], properties: { timeout: 5, finish_on_key: finishOnKey } });
  });

describe('validator: verb values Twilio does not document', () => {
  it('gather timeout 0 (and below): valid, one warning at its path naming 13313', () => {
    for (const timeout of [0, -1]) {
      const result = validateDefinition(variant((f) => void (state(f, 'gather_1').properties.timeout = timeout)));
      assert.equal(result.valid, true, JSON.stringify(result.errors));
      const warnings = result.warnings.filter((w) => w.property_path === `#/states/${idx('gather_1')}/properties/timeout`);
      assert.equal(warnings.length, 1, JSON.stringify(result.warnings));
      assert.match(warnings[0]!.message, new RegExp(`^Widget "gather_1" \\(gather-input-on-call\\): timeout ${timeout} is sent as written, but Twilio's <Gather> takes a positive number of seconds \\(warning 13313`));
    }
  });
  it('gather timeout 1 and 30: no warning', () => {
    for (const timeout of [1, 30]) {
      assert.deepEqual(validateDefinition(variant((f) => void (state(f, 'gather_1').properties.timeout = timeout))).warnings, [], `timeout ${timeout}`);
    }
  });
  it('record-voicemail finish_on_key "": valid, a warning that any key ends the recording', () => {
    const result = validateDefinition(voicemail(''));
    assert.equal(result.valid, true, JSON.stringify(result.errors));
    const path = `#/states/${voicemail('').states.length - 1}/properties/finish_on_key`;
    const warnings = result.warnings.filter((w) => w.property_path === path);
    assert.equal(warnings.length, 1, JSON.stringify(result.warnings));
    assert.match(warnings[0]!.message, /finish_on_key "" is left out: <Record> has no empty finishOnKey \(unlike <Gather>\), so any key ends the recording/);
  });
  it('record-voicemail finish_on_key "#" or absent: no warning', () => {
    assert.deepEqual(validateDefinition(voicemail('#')).warnings, []);
    assert.deepEqual(validateDefinition(voicemail(undefined)).warnings, []);
  });
});
