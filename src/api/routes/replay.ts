// Replay (a Switchboard extension, not part of Twilio's API): re-runs a recorded execution's
// inputs against another revision on the pure engine and returns where the path and outputs
// diverge. GET …?Revision=LatestRevision|LatestPublished|N (default LatestRevision, the draft);
// POST with Definition (flow JSON) replays against a definition that is not saved anywhere.
import type { FastifyRequest } from 'fastify';
import type { FlowDefinition } from '../../definition/types.ts';
import { isLegacyDefinition, migrateDefinition } from '../../definition/migrate.ts';
import { validateDefinition } from '../../definition/validate.ts';
import type { ExecutionState, JsonObject } from '../../engine/types.ts';
import type { RecordedStep } from '../../flowtest/derive.ts';
import { replayExecution, type ReplayReport } from '../../flowtest/replay.ts';
import { contextOf } from '../../runtime/execution-context.ts';
import { isSid } from '../../runtime/ids.ts';
import type { RevisionSelector, StepRecord } from '../../runtime/ports/store.ts';
import type { ApiContext } from '../context.ts';
import type { Routes } from '../server.ts';
import { errors } from '../wire/errors.ts';
import { jsonField, optionalString, type Form } from '../wire/form.ts';
import { flowSidParam } from '../wire/path-params.ts';

const runnable = (d: FlowDefinition): FlowDefinition => (isLegacyDefinition(d) ? (migrateDefinition(d).definition as FlowDefinition) : d);

function revisionSelector(value: string | undefined): RevisionSelector {
  if (value === undefined || value === '' || value === 'LatestRevision') return 'LatestRevision';
  if (value === 'LatestPublished') return value;
  if (/^\d{1,9}$/.test(value)) return Number(value);
  throw errors.invalidRevision(value);
}

function reportBody(report: ReplayReport) {
  return {
    execution_sid: report.executionSid,
    flow_sid: report.flowSid,
    original: report.original,
    replay: report.replay,
    diverged: report.diverged,
    divergence: report.divergence,
    step_diff: report.stepDiff,
    message_diff: report.messageDiff,
    output_differences: report.outputDifferences,
    notes: report.notes,
  };
}

export function registerReplay(routes: Routes, ctx: ApiContext): void {
  const handler = async (request: FastifyRequest) => {
    const flowSid = flowSidParam(request, 'FlowSid');
    const executionSid = (request.params as Record<string, string>).Sid!;
    const path = request.url.split('?')[0]!;
    if (!isSid('FN', executionSid)) throw errors.notFound(path);
    const account = request.account.sid;
    const execution = await ctx.store.getExecution(account, flowSid, executionSid);
    if (!execution) throw errors.notFound(path);
    const form: Form = request.method === 'POST' ? request.form : (request.query as Form);

    let target: { revision: number | string; definition: FlowDefinition };
    const field = jsonField(form, 'Definition');
    if (field.present) {
      if (!field.ok) throw errors.invalidParameter('Definition', field.error);
      const checked = validateDefinition(field.value);
      if (!checked.valid || !checked.definition) throw errors.invalidDefinition(checked.errors);
      target = { revision: 'Definition', definition: checked.definition };
    } else {
      const selector = revisionSelector(optionalString(form, 'Revision'));
      const revision = await ctx.store.getRevision(account, flowSid, selector);
      if (!revision) throw errors.notFound(`/v2/Flows/${flowSid}/Revisions/${String(selector)}`);
      target = { revision: revision.revision, definition: runnable(revision.definition) };
    }

    const steps: StepRecord[] = [];
    let page = await ctx.store.listSteps(account, flowSid, executionSid, { pageSize: 1000 });
    steps.push(...page.items);
    while (page.hasMore && page.lastPosition) {
      page = await ctx.store.listSteps(account, flowSid, executionSid, { pageSize: 1000, cursor: { direction: 'after', position: page.lastPosition } });
      steps.push(...page.items);
    }

    // The engine is synchronous: load every subflow the target may run before replaying.
    const subflows = new Map<string, { revision: number; definition: FlowDefinition }>();
    for (const state of target.definition.states.filter((s) => s.type === 'run-subflow')) {
      const sid = String(state.properties.flow_sid ?? '');
      const rev = String(state.properties.flow_revision ?? 'LatestPublished');
      if (!isSid('FW', sid) || subflows.has(`${sid}@${rev}`)) continue;
      const selector: RevisionSelector = /^\d+$/.test(rev) ? Number(rev) : rev === 'LatestPublished' ? 'LatestPublished' : 'LatestRevision';
      const found = await ctx.store.getRevision(account, sid, selector);
      if (found) subflows.set(`${sid}@${rev}`, { revision: found.revision, definition: runnable(found.definition) });
    }

    const state = execution.state as ExecutionState | null;
    const recorded: RecordedStep[] = steps.map((s) => ({
      from: s.transitionedFrom,
      event: s.name,
      to: s.transitionedTo,
      type: s.type,
      context: s.context as JsonObject,
      parentStepSid: s.parentStepSid,
      // When each step happened: replies are replayed as late as they came.
      at: s.dateCreated,
    }));
    try {
      const report = replayExecution(
        {
          executionSid,
          flowSid,
          revision: execution.flowVersion,
          context: contextOf(execution),
          steps: recorded,
          endedManually: state?.endReason?.kind === 'manual',
          ended: execution.status === 'ended',
          startedAt: execution.dateCreated,
          // A send-and-wait still waiting keeps the question it sent here, not in a step.
          state: execution.state,
        },
        { ...target, loadSubflow: (sid, rev) => subflows.get(`${sid}@${rev}`) ?? null },
        // Under this server's rules (time zone, reply timeout, limits), as the execution ran.
        ctx.executions.rules,
      );
      return reportBody(report);
    } catch (error) {
      throw errors.badRequest(`This execution cannot be replayed: ${(error as Error).message}`);
    }
  };
  routes.add('GET', '/replay/Flows/:FlowSid/Executions/:Sid', handler);
  routes.add('POST', '/replay/Flows/:FlowSid/Executions/:Sid', handler);
}
