// The simulator keeps transcripts in memory for the console. A long-running server meets ever new
// contacts: transcripts are bounded (10,000 and up to a sixteenth more, the least recently active go first), and so is each one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatorChannel } from '../../src/channels/simulator/simulator-channel.ts';

const ACCOUNT = 'AC' + '1'.repeat(32);
const FLOW = 'FW' + '2'.repeat(32);
const FLOW_ADDRESS = '+15550000000';
const contact = (n: number) => `+1444${String(n).padStart(7, '0')}`;

describe('simulator transcripts', () => {
  it('keeps the most recently active conversations: at least 10,000, at most a sixteenth more', () => {
    const simulator = new SimulatorChannel(() => 1_700_000_000_000);
    const kept = (n: number) => simulator.transcript(FLOW_ADDRESS, contact(n)).length > 0;
    const total = 10_700;
    for (let n = 0; n < total; n++) simulator.inbound(ACCOUNT, FLOW, contact(n), FLOW_ADDRESS, `hello ${n}`);
    const survivors = Array.from({ length: total }, (_, n) => n).filter(kept);
    assert.ok(survivors.length >= 10_000 && survivors.length <= 10_625, `${survivors.length} kept`);
    assert.equal(kept(0), false, 'the least recently active went first');
    assert.deepEqual(survivors, Array.from({ length: survivors.length }, (_, k) => total - survivors.length + k), 'the newest, none skipped');
    // Activity counts, not age: the oldest one kept speaks again, and outlives those that came after it.
    const oldest = survivors[0]!;
    simulator.inbound(ACCOUNT, FLOW, contact(oldest), FLOW_ADDRESS, 'again');
    for (let n = total; n < total + 700; n++) simulator.inbound(ACCOUNT, FLOW, contact(n), FLOW_ADDRESS, `hello ${n}`);
    assert.deepEqual(simulator.transcript(FLOW_ADDRESS, contact(oldest)).map((e) => e.body), [`hello ${oldest}`, 'again']);
    assert.equal(kept(oldest + 1), false);
    assert.equal(kept(total + 699), true);
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
