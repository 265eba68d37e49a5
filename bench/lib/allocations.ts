// What a piece of work allocates, from V8's sampling heap profiler with collected objects kept in the
// sample: the bytes the young generation has to take, which set how often the scavenger runs. Unlike
// times, the figure moves little with the machine's speed (only through how writes batch), so it
// compares across runs and machines.
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';

/** One sample per this many bytes allocated, on average (V8 picks each point at random). */
const SAMPLING_INTERVAL = 4096;

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

export interface AllocationSample<T> {
  result: T;
  /** Bytes allocated while `work` ran, estimated from the samples. */
  bytes: number;
  /** The project's own functions nearest to where the bytes were allocated, largest share first. */
  top: { frame: string; share: number }[];
}

/**
 * Runs `work` with allocation sampling on and attributes every sampled byte to the innermost function
 * of the project's own (src/) on its stack, so a liquidjs or SQLite allocation counts for the call that
 * caused it. `profilePath`: also write the raw profile there (open it in DevTools' Memory tab).
 */
export async function sampleAllocations<T>(work: () => Promise<T>, options: { topCount?: number; profilePath?: string } = {}): Promise<AllocationSample<T>> {
  const session = new Session();
  session.connect();
  try {
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: SAMPLING_INTERVAL,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    let result: T;
    let profile: { head: ProfileNode };
    try {
      result = await work();
    } finally {
      ({ profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: ProfileNode } });
    }
    if (options.profilePath) writeFileSync(options.profilePath, JSON.stringify(profile));
    const byFrame = new Map<string, number>();
    let bytes = 0;
    const walk = (node: ProfileNode, own: string) => {
      const here = isOwn(node.callFrame.url) ? frameName(node.callFrame) : own;
      if (node.selfSize > 0) {
        bytes += node.selfSize;
        byFrame.set(here, (byFrame.get(here) ?? 0) + node.selfSize);
      }
      for (const child of node.children) walk(child, here);
    };
    walk(profile.head, '(outside src/)');
    const top = [...byFrame]
      .sort((a, b) => b[1] - a[1])
      .slice(0, options.topCount ?? 5)
      .map(([frame, size]) => ({ frame, share: bytes > 0 ? size / bytes : 0 }));
    return { result, bytes, top };
  } finally {
    session.disconnect();
  }
}

function isOwn(url: string): boolean {
  return url.includes('/src/') && !url.includes('/node_modules/');
}

function frameName(frame: ProfileNode['callFrame']): string {
  const path = frame.url.slice(frame.url.lastIndexOf('/src/') + 1);
  return `${frame.functionName || '(anonymous)'} (${path}:${frame.lineNumber + 1})`;
}
