// The writer thread's side (see writer.ts): one SqliteStore on the file, run inline. Sprint batches
// that arrive while a commit runs are merged into the next one: one fsync for all of them.
import { parentPort, workerData } from 'node:worker_threads';
import type { SprintWrite } from '../../runtime/ports/store.ts';
import type { SprintResult } from '../group-commit.ts';
import { SqliteStore } from './sqlite-store.ts';
import { serializeError, type SerializedError, type WriterRequest, type WriterResponse } from './writer.ts';

const port = parentPort!;
// The store that owns this thread checkpoints in the background; this connection never does. It
// commits the batches itself (commitSprintsInTurn), so it needs no group commit of its own.
const store = new SqliteStore({ path: (workerData as { path: string }).path, writer: 'inline', checkpoints: 'none', commits: 'direct' });
let batches: Extract<WriterRequest, { op: 'sprints' }>[] = [];
/** The group commit under way: one at a time (it waits, without blocking, while another process holds the lock). */
let committing: Promise<void> | null = null;

function reply(response: WriterResponse): void {
  port.postMessage(response);
}

function commitBatches(): Promise<void> {
  if (!committing && batches.length > 0) {
    committing = commitQueued().finally(() => {
      committing = null;
      if (batches.length) setImmediate(commitBatches);
    });
  }
  return committing ?? Promise.resolve();
}

async function commitQueued(): Promise<void> {
  const queued = batches;
  batches = [];
  const outcomes = await store.commitSprintsInTurn(queued.flatMap((batch) => JSON.parse(batch.writes) as SprintWrite[]));
  let at = 0;
  for (const batch of queued) {
    const mine: SprintResult<SerializedError>[] = outcomes
      .slice(at, at + batch.count)
      .map((outcome) => (outcome.ok ? outcome : { ok: false, error: serializeError(outcome.error) }));
    at += batch.count;
    reply({ id: batch.id, ok: true, value: mine });
  }
}

port.on('message', (request: WriterRequest) => {
  if (request.op === 'sprints') {
    batches.push(request);
    if (batches.length === 1 && !committing) setImmediate(commitBatches);
    return;
  }
  if (request.op === 'close') {
    void (async () => {
      while (committing || batches.length) await (committing ?? commitBatches());
      await store.close();
    })().then(() => {
      reply({ id: request.id, ok: true, value: null });
      port.close();
    });
    return;
  }
  const method = store[request.method] as (...args: unknown[]) => Promise<unknown>;
  method.apply(store, request.args).then(
    (value) => reply({ id: request.id, ok: true, value }),
    (error: unknown) => reply({ id: request.id, ok: false, error: serializeError(error) }),
  );
});
