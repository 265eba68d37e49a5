// Counts the units of work a node does (engine sprints, API requests) so that idle-time chores can
// tell an idle node from a lightly loaded one. The event loop's utilisation cannot: on a virtual
// machine the first work after an idle second runs 100-250 times slower than warm (SELECT 1: 1.3 ms
// instead of 5 µs), so a node doing nothing but its once-a-second timer poll read 2-4% busy.
export class ActivityCounter {
  #count = 0;

  tick(): void {
    this.#count++;
  }

  /** The work done since the last call. */
  takeCount(): number {
    const count = this.#count;
    this.#count = 0;
    return count;
  }
}
