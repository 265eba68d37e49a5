// The `outage` script step: time passes with the server down (or its timer loop behind), so nothing
// fires during it; when it is over, what fell due meanwhile (reply timeouts, TwiML Redirect timers,
// the age cap) fires then, late, in the order it fell due, as a restarted server or a backlogged timer
// loop fires it. A sprint renders the time it runs at, so a timeout branch that prints the time prints
// the end of the outage. Replay and `test --record` use it for a timeout whose step ran after the
// timer was due (the recorded step's time), so the replay prints what the live run printed.
import type { Simulation } from './simulation.ts';

/** Moves the clock `ms` on, then fires everything due by then, at that time. */
export function outage(sim: Simulation, ms: number): void {
  sim.now += ms;
  // advance fires each due timer at max(now, its due time): with the clock already moved, at now.
  sim.advance(0);
}
