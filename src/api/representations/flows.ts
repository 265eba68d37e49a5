// JSON shapes of the Flow resources, exactly as ../shared/spec/twilio_studio_v{1,2}.json define them.
import type { FlowRecord, RevisionRecord } from '../../runtime/ports/store.ts';
import { formatDate } from '../wire/dates.ts';

export function flowUrl(base: string, flowSid: string): string {
  return `${base}/v2/Flows/${flowSid}`;
}

export function webhookUrl(base: string, accountSid: string, flowSid: string): string {
  return `${base}/v1/Accounts/${accountSid}/Flows/${flowSid}`;
}

/**
 * v2 Flow. In lists Twilio returns the heavy fields (definition, validation) as null. `hooks` is the
 * base of webhook_url, which may differ from the resource URLs' (see webhookBase in ../server.ts).
 */
export function v2Flow(base: string, flow: FlowRecord, definition: unknown | null, hooks: string = base) {
  const listed = definition === null;
  const url = flowUrl(base, flow.sid);
  return {
    sid: flow.sid,
    account_sid: flow.accountSid,
    author_sid: flow.authorSid,
    friendly_name: flow.friendlyName,
    definition,
    status: flow.status,
    revision: flow.revision,
    commit_message: flow.commitMessage,
    valid: listed ? null : flow.valid,
    errors: listed ? null : flow.errors,
    warnings: listed ? null : flow.warnings,
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

export function v2Revision(base: string, revision: RevisionRecord, withDefinition: boolean) {
  return {
    sid: revision.flowSid,
    account_sid: revision.accountSid,
    author_sid: revision.authorSid,
    friendly_name: revision.friendlyName,
    definition: withDefinition ? revision.definition : null,
    status: revision.status,
    revision: revision.revision,
    commit_message: revision.commitMessage,
    valid: withDefinition ? revision.valid : null,
    errors: withDefinition ? revision.errors : null,
    date_created: formatDate(revision.dateCreated),
    date_updated: formatDate(revision.dateUpdated),
    url: `${flowUrl(base, revision.flowSid)}/Revisions/${revision.revision}`,
  };
}

export function v2TestUsers(base: string, flowSid: string, users: string[]) {
  return { sid: flowSid, test_users: users, url: `${flowUrl(base, flowSid)}/TestUsers` };
}

/** v1 Flow: `version` instead of revision, no definition. */
export function v1Flow(base: string, flow: FlowRecord) {
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
