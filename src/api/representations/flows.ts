// JSON shapes of the Flow resources, exactly as ../shared/spec/twilio_studio_v{1,2}.json define them.
import type { FlowListItem, FlowRecord, RevisionListItem, RevisionRecord } from '../../runtime/ports/store.ts';
import { formatDate } from '../wire/dates.ts';

export function flowUrl(base: string, flowSid: string): string {
  return `${base}/v2/Flows/${flowSid}`;
}

export function webhookUrl(base: string, accountSid: string, flowSid: string): string {
  return `${base}/v1/Accounts/${accountSid}/Flows/${flowSid}`;
}

/** What a fetched flow or revision shows and a list shows as null (Twilio's heavy fields). */
interface FlowDetail {
  definition: unknown;
  valid: boolean | null;
  errors: unknown;
  warnings: unknown;
}

const LISTED: FlowDetail = { definition: null, valid: null, errors: null, warnings: null };

/**
 * v2 Flow, fetched, created or updated: with its definition and validation report. `hooks` is the base
 * of webhook_url, which may differ from the resource URLs' (see webhookBase in ../server.ts).
 */
export function v2Flow(base: string, flow: FlowRecord, definition: unknown, hooks: string = base) {
  return v2FlowBody(base, flow, { definition, valid: flow.valid, errors: flow.errors, warnings: flow.warnings }, hooks);
}

/** v2 Flow in a list: Twilio returns the heavy fields (definition, validation) as null. */
export function v2FlowListItem(base: string, flow: FlowListItem, hooks: string = base) {
  return v2FlowBody(base, flow, LISTED, hooks);
}

function v2FlowBody(base: string, flow: FlowListItem, detail: FlowDetail, hooks: string) {
  const url = flowUrl(base, flow.sid);
  return {
    sid: flow.sid,
    account_sid: flow.accountSid,
    author_sid: flow.authorSid,
    friendly_name: flow.friendlyName,
    definition: detail.definition,
    status: flow.status,
    revision: flow.revision,
    commit_message: flow.commitMessage,
    valid: detail.valid,
    errors: detail.errors,
    warnings: detail.warnings,
    webhook_url: webhookUrl(hooks, flow.accountSid, flow.sid),
    date_created: formatDate(flow.dateCreated),
    date_updated: formatDate(flow.dateUpdated),
    url,
    links: {
      test_users: `${url}/TestUsers`,
      revisions: `${url}/Revisions`,
      executions: `${url}/Executions`,
    },
  };
}

/** v2 Flow Revision, fetched: with its definition and validity. */
export function v2Revision(base: string, revision: RevisionRecord) {
  return v2RevisionBody(base, revision, { definition: revision.definition, valid: revision.valid, errors: revision.errors });
}

/** v2 Flow Revision in a list: definition, valid and errors are null. */
export function v2RevisionListItem(base: string, revision: RevisionListItem) {
  return v2RevisionBody(base, revision, LISTED);
}

function v2RevisionBody(base: string, revision: RevisionListItem, detail: Omit<FlowDetail, 'warnings'>) {
  return {
    sid: revision.flowSid,
    account_sid: revision.accountSid,
    author_sid: revision.authorSid,
    friendly_name: revision.friendlyName,
    definition: detail.definition,
    status: revision.status,
    revision: revision.revision,
    commit_message: revision.commitMessage,
    valid: detail.valid,
    errors: detail.errors,
    date_created: formatDate(revision.dateCreated),
    date_updated: formatDate(revision.dateUpdated),
    url: `${flowUrl(base, revision.flowSid)}/Revisions/${revision.revision}`,
  };
}

export function v2TestUsers(base: string, flowSid: string, users: string[]) {
  return { sid: flowSid, test_users: users, url: `${flowUrl(base, flowSid)}/TestUsers` };
}

/** v1 Flow, fetched or listed alike: `version` instead of revision, no definition. */
export function v1Flow(base: string, flow: FlowListItem) {
  const url = `${base}/v1/Flows/${flow.sid}`;
  return {
    sid: flow.sid,
    account_sid: flow.accountSid,
    friendly_name: flow.friendlyName,
    status: flow.status,
    version: flow.revision,
    date_created: formatDate(flow.dateCreated),
    date_updated: formatDate(flow.dateUpdated),
    url,
    links: {
      engagements: `${url}/Engagements`,
      executions: `${url}/Executions`,
    },
  };
}
