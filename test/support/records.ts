// Store records for tests that write to a store directly (past the services): a published flow at its
// first revision, that revision, and an active execution, each filled in but for what a test names.
import type { ExecutionRecord, FlowRecord, RevisionRecord } from '../../src/runtime/ports/store.ts';

/** A valid flow, published at revision 1, never updated. */
export function flowRecord(fields: Pick<FlowRecord, 'sid' | 'accountSid' | 'friendlyName' | 'dateCreated'>): FlowRecord {
  return {
    ...fields,
    status: 'published',
    revision: 1,
    publishedRevision: 1,
    commitMessage: null,
    authorSid: null,
    valid: true,
    errors: [],
    warnings: [],
    dateUpdated: null,
  };
}

/** The revision `flow` is at, holding `definition`. */
export function revisionRecord(flow: FlowRecord, definition: unknown): RevisionRecord {
  return {
    flowSid: flow.sid,
    accountSid: flow.accountSid,
    revision: flow.revision,
    friendlyName: flow.friendlyName,
    definition: definition as RevisionRecord['definition'],
    status: flow.status,
    commitMessage: flow.commitMessage,
    authorSid: flow.authorSid,
    valid: flow.valid,
    errors: [...flow.errors],
    warnings: [...flow.warnings],
    dateCreated: flow.dateCreated,
    dateUpdated: flow.dateUpdated,
  };
}

/** An active execution of the flow's revision 1, started by the API, between +15550001111 and +15559990000. */
export function executionRecord(
  fields: Pick<ExecutionRecord, 'sid' | 'accountSid' | 'flowSid' | 'contactSid' | 'dateCreated'> & Partial<ExecutionRecord>,
): ExecutionRecord {
  return {
    flowVersion: 1,
    contactChannelAddress: '+15550001111',
    channelAddress: '+15559990000',
    status: 'active',
    initiatedBy: 'API',
    state: {},
    dateUpdated: null,
    ...fields,
  };
}
