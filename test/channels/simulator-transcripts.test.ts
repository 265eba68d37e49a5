// The simulator keeps transcripts in memory for the console. A long-running server meets ever new
// contacts: transcripts are bounded (10,000 and up to a sixteenth more, the least recently active go first), and so is each one.
// So are the characters they hold in total (a budget, 32 M by default): else 10,000 × 500 long entries.
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

  describe('the character budget', () => {
    const BUDGET = 20_000;
    const kb = (n: number) => `${n}:`.padEnd(1000, 'x');
    /** Characters the simulator holds, counted as it counts them (bodies, addresses, keys, 160 an entry). */
    const held = (simulator: SimulatorChannel, contacts: number) => {
      let chars = 0;
      for (let n = 0; n < contacts; n++) {
        const entries = simulator.transcript(FLOW_ADDRESS, contact(n));
        if (entries.length) chars += `${FLOW_ADDRESS}|${contact(n)}`.length;
        for (const e of entries) chars += 160 + e.from.length + e.to.length + e.body.length;
      }
      return chars;
    };

    it('evicts the least recently active transcripts once the total is over it, and never exceeds it', () => {
      const simulator = new SimulatorChannel(() => 1_700_000_000_000, { maxTranscriptChars: BUDGET });
      for (let n = 0; n < 100; n++) {
        simulator.inbound(ACCOUNT, FLOW, contact(n), FLOW_ADDRESS, kb(n));
        assert.ok(held(simulator, 100) <= BUDGET, `after ${n}: ${held(simulator, 100)} characters held`);
      }
      const kept = Array.from({ length: 100 }, (_, n) => n).filter((n) => simulator.transcript(FLOW_ADDRESS, contact(n)).length > 0);
      assert.ok(kept.length >= 10 && kept.length < 20, `${kept.length} kept`);
      assert.deepEqual(kept, Array.from({ length: kept.length }, (_, k) => 100 - kept.length + k), 'the most recently active, none skipped');
      // Activity counts, not age: the oldest kept one speaks again and outlives those after it.
      simulator.inbound(ACCOUNT, FLOW, contact(kept[0]!), FLOW_ADDRESS, 'again');
      for (let n = 100; n < 110; n++) simulator.inbound(ACCOUNT, FLOW, contact(n), FLOW_ADDRESS, kb(n));
      assert.deepEqual(simulator.transcript(FLOW_ADDRESS, contact(kept[0]!)).map((e) => e.body.slice(0, 5)), [kb(kept[0]!).slice(0, 5), 'again']);
      assert.equal(simulator.transcript(FLOW_ADDRESS, contact(kept[1]!)).length, 0);
    });

    it('counts outbound messages too, and trims one transcript alone over it to its latest entries', async () => {
      const simulator = new SimulatorChannel(() => 1_700_000_000_000, { maxTranscriptChars: BUDGET });
      const context = { accountSid: ACCOUNT, flowSid: FLOW, executionSid: 'FN' + '3'.repeat(32) };
      for (let n = 0; n < 60; n++) {
        simulator.inbound(ACCOUNT, FLOW, contact(1), FLOW_ADDRESS, kb(n));
        assert.ok((await simulator.sendMessage(context as never, { from: FLOW_ADDRESS, to: contact(1), body: kb(1000 + n) })).ok);
      }
      await simulator.idle();
      const bodies = simulator.transcript(FLOW_ADDRESS, contact(1)).map((e) => e.body.split(':')[0]);
      assert.ok(held(simulator, 2) <= BUDGET, `${held(simulator, 2)} characters held`);
      assert.ok(bodies.length >= 10, `${bodies.length} entries kept`);
      assert.equal(bodies.at(-1), '1059', 'the latest entry stays');
      assert.equal(bodies.at(-2), '59');
    });

    it('an entry alone over it is kept (the transcript holds its latest message)', () => {
      const simulator = new SimulatorChannel(() => 1_700_000_000_000, { maxTranscriptChars: 500 });
      simulator.inbound(ACCOUNT, FLOW, contact(1), FLOW_ADDRESS, 'a'.repeat(1000));
      simulator.inbound(ACCOUNT, FLOW, contact(2), FLOW_ADDRESS, 'b'.repeat(1000));
      assert.equal(simulator.transcript(FLOW_ADDRESS, contact(1)).length, 0);
      assert.equal(simulator.transcript(FLOW_ADDRESS, contact(2)).length, 1);
    });
  });

  it('keeps at most 10,000 armed failures (and a sixteenth more), the oldest out first', async () => {
    const simulator = new SimulatorChannel(() => 1_700_000_000_000);
    const context = { accountSid: ACCOUNT, flowSid: FLOW, executionSid: 'FN' + '3'.repeat(32) };
    for (let n = 0; n < 10_700; n++) simulator.failNext(contact(n), 'send', ACCOUNT);
    const send = (n: number) => simulator.sendMessage(context as never, { from: FLOW_ADDRESS, to: contact(n), body: 'hi' });
    assert.equal((await send(0)).ok, true, 'the oldest armed failure was dropped');
    assert.equal((await send(10_699)).ok, false, 'the newest is kept');
    await simulator.idle();
  });
});
