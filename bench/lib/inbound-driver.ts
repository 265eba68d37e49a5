// Offers inbound messages to a running app at a fixed rate and measures each one until the flow's
// reply reaches the simulator channel. Latency runs from the moment a message was *scheduled*, so a
// backlog counts against us (no coordinated omission). Used in-process (scenario 3) and inside
// server children (scenario 6, one share of the contacts per node).
import type { App } from '../../src/app.ts';
import { SIMULATOR_FLOW_ADDRESS } from '../../src/channels/simulator/simulator-channel.ts';

export interface InboundLoad {
  rate: number;
  seconds: number;
  contacts: number;
  /** This driver's share: contacts with index % parts === part. */
  part?: number;
  parts?: number;
  /** Digits after +1 that start every contact number, so separate runs use separate contacts. */
  contactPrefix?: string;
  drainMs?: number;
}

export interface InboundOutcome {
  total: number;
  offeredSeconds: number;
  latencies: number[];
  unanswered: number;
  failures: number;
  /** The first rejection's message, if any (for the report). */
  firstFailure?: string;
}

/**
 * How many of `total` messages offered at `rate` per second are due `elapsedMs` after the start: message i
 * is scheduled at i / rate s and goes once that moment has come (message 0 at once). Counting only the
 * whole intervals elapsed sent each message an interval after its own time, and that interval (1 ms at
 * 1,000 msg/s, 10 ms at 100) was counted in every latency.
 */
export function messagesDue(elapsedMs: number, rate: number, total: number): number {
  return Math.min(total, Math.floor((elapsedMs / 1000) * rate) + 1);
}

export async function driveInbound(app: App, accountSid: string, flowSid: string, load: InboundLoad): Promise<InboundOutcome> {
  const part = load.part ?? 0;
  const parts = load.parts ?? 1;
  // Every inbound message waits for the next message the flow sends to that contact.
  const waiting = new Map<string, number[]>();
  const latencies: number[] = [];
  const channel = app.simulator;
  // A reply counts when the simulator records it: the moment the contact would see it (after the sprint
  // that sent it was written).
  const unsubscribe = channel.onMessage((entry) => {
    if (entry.direction !== 'outbound-api') return;
    const scheduled = waiting.get(entry.to)?.shift();
    if (scheduled !== undefined) latencies.push(performance.now() - scheduled);
  });
  let failures = 0;
  let firstFailure: string | undefined;
  const total = Math.round((load.rate * load.seconds) / parts);
  const rate = load.rate / parts;
  const started = performance.now();
  let sent = 0;
  try {
    await new Promise<void>((resolve) => {
      const tick = () => {
        const due = messagesDue(performance.now() - started, rate, total);
        for (; sent < due; sent++) {
          const index = (sent * parts + part) % load.contacts;
          const contact = `+1${load.contactPrefix ?? '444'}${String(index).padStart(7, '0')}`;
          const queue = waiting.get(contact) ?? [];
          queue.push(started + (sent / rate) * 1000); // its scheduled moment: latency counts from here
          waiting.set(contact, queue);
          const params = channel.inbound(accountSid, flowSid, contact, SIMULATOR_FLOW_ADDRESS, `order ${sent}`);
          app.executions.inboundMessage(accountSid, flowSid, params).catch((error: unknown) => {
            failures++;
            firstFailure ??= (error as Error).message;
          });
        }
        if (sent >= total) resolve();
        else setTimeout(tick, 1);
      };
      tick();
    });
    const offeredSeconds = (performance.now() - started) / 1000;
    const unanswered = () => [...waiting.values()].reduce((n, q) => n + q.length, 0);
    // Wait for the last replies while they keep coming (a backlog drains), up to drainMs in all:
    // what is still unanswered after 20 s without any progress, or at the limit, counts as lost.
    const drainUntil = performance.now() + (load.drainMs ?? 15_000);
    let lastProgress = performance.now();
    let left = unanswered();
    while (left > 0 && performance.now() < drainUntil && performance.now() - lastProgress < 20_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const now = unanswered();
      if (now < left) lastProgress = performance.now();
      left = now;
    }
    return { total, offeredSeconds, latencies, unanswered: unanswered(), failures, ...(firstFailure ? { firstFailure } : {}) };
  } finally {
    unsubscribe();
  }
}
