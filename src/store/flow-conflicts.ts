// How both stores report a flow update that lost a race: the revision it numbered was taken by a
// concurrent update, or the flow was deleted meanwhile. Both are a StoreConflictError('version'):
// the runtime reads the flow again and either numbers the next revision or finds it gone (404).
import { StoreConflictError, type FlowRecord, type RevisionRecord } from '../runtime/ports/store.ts';

export function revisionTaken(revision: RevisionRecord): StoreConflictError {
  return new StoreConflictError('version', `revision ${revision.revision} of flow ${revision.flowSid} was saved by a concurrent update`);
}

export function flowGone(flow: FlowRecord): StoreConflictError {
  return new StoreConflictError('version', `flow ${flow.sid} does not exist (deleted meanwhile?)`);
}
