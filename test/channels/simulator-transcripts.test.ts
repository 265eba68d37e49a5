// The simulator keeps transcripts in memory for the console. A long-running server meets ever new
// contacts: transcripts are bounded (10,000, the least recently active go first), and so is each one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatorChannel } from '../../src/channels/simulator/simulator-channel.ts';

const ACCOUNT = 'AC' + '1'.repeat(32);
const FLOW = 'FW' + '2'.repeat(32);
const FLOW_ADDRESS = '+15550000000';
const contact = (n: number) => `+1444${String(n).padStart(7, '0')}`;

describe('simulator transcripts', () => {
  it('keeps the 10,000 most recently active conversations', () => {
    const simulator = new SimulatorChannel(() => 1_700_000_000_000);
    simulator.inbound(ACCOUNT, FLOW, contact(0), FLOW_ADDRESS, 'first');
    for (let n = 1; n <= 10_000; n++) simulator.inbound(ACCOUNT, FLOW, contact(n), FLOW_ADDRESS, `hello ${n}`);
    // The 10,001st conversation (contact 10,000) pushed out contact 0, the least recently active.
    assert.deepEqual(simulator.transcript(FLOW_ADDRESS, contact(0)), []);
    assert.equal(simulator.transcript(FLOW_ADDRESS, contact(1)).length, 1);
    // Activity counts, not age: contact 1 speaks again, so contacts 2 and 3 go before it.
    simulator.inbound(ACCOUNT, FLOW, contact(1), FLOW_ADDRESS, 'again');
    simulator.inbound(ACCOUNT, FLOW, contact(10_001), FLOW_ADDRESS, 'one more');
    simulator.inbound(ACCOUNT, FLOW, contact(10_002), FLOW_ADDRESS, 'and one more');
    assert.deepEqual(simulator.transcript(FLOW_ADDRESS, contact(1)).map((e) => e.body), ['hello 1', 'again']);
    assert.deepEqual(simulator.transcript(FLOW_ADDRESS, contact(2)), []);
    assert.deepEqual(simulator.transcript(FLOW_ADDRESS, contact(3)), []);
    assert.equal(simulator.transcript(FLOW_ADDRESS, contact(4)).length, 1);
    assert.equal(simulator.transcript(FLOW_ADDRESS, contact(10_002)).length, 1);
  });

  it('keeps the last 500 entries of one conversation', () => {
    const simulator = new SimulatorChannel(() => 1_700_000_000_000);
    for (let n = 0; n < 520; n++) simulator.inbound(ACCOUNT, FLOW, contact(1), FLOW_ADDRESS, `m${n}`);
    const bodies = simulator.transcript(FLOW_ADDRESS, contact(1)).map((e) => e.body);
    assert.equal(bodies.length, 500);
    assert.equal(bodies[0], 'm20');
    assert.equal(bodies.at(-1), 'm519');
  });
});
