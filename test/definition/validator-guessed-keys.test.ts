// Keys the engine reads that no export shows: Say/Play's and Gather's `say_type`/`mode` (which prompt plays when
// several are set) are named as guesses, not called ignored; a Set Variables with no pairs is warned about (it sets
// nothing; Studio's editor asks for one).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateDefinition } from '../../src/definition/validate.ts';
import { triggerFlow } from '../support/flows.ts';
import { startFlow } from '../engine/helpers.ts';

describe('validator: keys the engine reads, and an empty Set Variables', () => {
  for (const [type, events] of [['say-play', ['audioComplete']], ['gather-input-on-call', ['keypress', 'speech', 'timeout']]] as const) {
    for (const key of ['say_type', 'mode']) {
      it(`${type} "${key}" is a guess the engine honours, not ignored`, () => {
        const flow = triggerFlow('voice', 'incomingCall', 'w', [
          { name: 'w', type, properties: { say: 'hello', play: 'https://example.com/a.mp3', [key]: 'play' }, transitions: events.map((event) => ({ event })) },
        ]);
        const warning = validateDefinition(flow).warnings.find((x) => x.property_path === `#/states/1/properties/${key}`);
        assert.ok(warning, `${type} ${key}`);
        assert.doesNotMatch(warning.message, /ignored/);
        assert.match(warning.message, /UNCONFIRMED/);
        // And the engine does read it: the Play is what the call hears.
        const { result } = startFlow(flow, 'incomingCall', { call: { CallSid: 'CA' + '1'.repeat(32), From: '+15551230001', To: '+15005550006' } });
        assert.match(JSON.stringify(result.state), /a\.mp3/);
        assert.doesNotMatch(JSON.stringify(result.state.frames[0]!.wait ?? {}), /hello/);
      });
    }
  }

  it('a Set Variables with no variables is warned about; one with a pair is not', () => {
    const empty = triggerFlow('sv', 'incomingRequest', 'v', [{ name: 'v', type: 'set-variables', properties: { variables: [] }, transitions: [{ event: 'next' }] }]);
    const result = validateDefinition(empty);
    assert.equal(result.valid, true);
    const warning = result.warnings.find((x) => x.property_path === '#/states/1/properties/variables');
    assert.ok(warning, JSON.stringify(result.warnings));
    assert.match(warning.message, /variables is empty: the widget sets nothing/);
    const one = triggerFlow('sv', 'incomingRequest', 'v', [{ name: 'v', type: 'set-variables', properties: { variables: [{ key: 'k', value: 'v' }] }, transitions: [{ event: 'next' }] }]);
    assert.equal(validateDefinition(one).warnings.some((x) => x.property_path === '#/states/1/properties/variables'), false);
  });
});
