// JSON shapes of Executions, Steps and their Contexts (v2 and v1) and of the deprecated v1
// Engagements, exactly as ../shared/spec/twilio_studio_v{1,2}.json define them. An Engagement is an
// execution seen through the older shape: `engagement_sid` instead of `execution_sid`.
import { contextOf } from '../../runtime/execution-context.ts';
import type { ExecutionRecord, StepRecord } from '../../runtime/ports/store.ts';
import { formatDate } from '../wire/dates.ts';

/** Which collection an execution is shown through; it decides the URL and the key names. */
export type ExecutionView = 'v2' | 'v1' | 'v1-engagement';

export function executionsUrl(base: string, view: ExecutionView, flowSid: string): string {
  const version = view === 'v2' ? 'v2' : 'v1';
  const collection = view === 'v1-engagement' ? 'Engagements' : 'Executions';
  return `${base}/${version}/Flows/${flowSid}/${collection}`;
}

function executionUrl(base: string, view: ExecutionView, flowSid: string, executionSid: string): string {
  return `${executionsUrl(base, view, flowSid)}/${executionSid}`;
}

function stepUrl(base: string, view: ExecutionView, step: StepRecord): string {
  return `${executionUrl(base, view, step.flowSid, step.executionSid)}/Steps/${step.sid}`;
}

export function v2Execution(base: string, execution: ExecutionRecord) {
  const url = executionUrl(base, 'v2', execution.flowSid, execution.sid);
  return {
    sid: execution.sid,
    account_sid: execution.accountSid,
    flow_sid: execution.flowSid,
    contact_channel_address: execution.contactChannelAddress,
    contact_sid: execution.contactSid,
    flow_version: execution.flowVersion,
    context: contextOf(execution),
    status: execution.status,
    date_created: formatDate(execution.dateCreated),
    date_updated: formatDate(execution.dateUpdated),
    initiated_by: execution.initiatedBy,
    url,
    links: { steps: `${url}/Steps`, execution_context: `${url}/Context` },
  };
}

/** v1 Execution and v1 Engagement: no flow_version, no initiated_by; links named per collection. */
export function v1Execution(base: string, execution: ExecutionRecord, view: 'v1' | 'v1-engagement' = 'v1') {
  const url = executionUrl(base, view, execution.flowSid, execution.sid);
  const contextKey = view === 'v1-engagement' ? 'engagement_context' : 'execution_context';
  return {
    sid: execution.sid,
    account_sid: execution.accountSid,
    flow_sid: execution.flowSid,
    contact_sid: execution.contactSid,
    contact_channel_address: execution.contactChannelAddress,
    context: contextOf(execution),
    status: execution.status,
    date_created: formatDate(execution.dateCreated),
    date_updated: formatDate(execution.dateUpdated),
    url,
    links: { steps: `${url}/Steps`, [contextKey]: `${url}/Context` },
  };
}

export function executionContextBody(base: string, view: ExecutionView, execution: ExecutionRecord) {
  const url = `${executionUrl(base, view, execution.flowSid, execution.sid)}/Context`;
  if (view === 'v1-engagement') {
    return { account_sid: execution.accountSid, context: contextOf(execution), engagement_sid: execution.sid, flow_sid: execution.flowSid, url };
  }
  return { account_sid: execution.accountSid, context: contextOf(execution), flow_sid: execution.flowSid, execution_sid: execution.sid, url };
}

export function stepBody(base: string, view: ExecutionView, step: StepRecord) {
  const url = stepUrl(base, view, step);
  const owner = view === 'v1-engagement' ? { engagement_sid: step.executionSid } : { execution_sid: step.executionSid };
  return {
    sid: step.sid,
    account_sid: step.accountSid,
    flow_sid: step.flowSid,
    ...owner,
    parent_step_sid: step.parentStepSid,
    name: step.name,
    context: step.context,
    transitioned_from: step.transitionedFrom,
    transitioned_to: step.transitionedTo,
    type: step.type,
    date_created: formatDate(step.dateCreated),
    date_updated: formatDate(step.dateUpdated),
    url,
    links: { step_context: `${url}/Context` },
  };
}

export function stepContextBody(base: string, view: ExecutionView, step: StepRecord) {
  const url = `${stepUrl(base, view, step)}/Context`;
  const owner = view === 'v1-engagement' ? { engagement_sid: step.executionSid } : { execution_sid: step.executionSid };
  return { account_sid: step.accountSid, context: step.context, ...owner, flow_sid: step.flowSid, step_sid: step.sid, url };
}
