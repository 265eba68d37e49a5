// Replay (a Switchboard extension, not part of Twilio's API): re-runs a recorded execution's
// inputs against another revision on the pure engine and returns where the path and outputs
// diverge. GET …?Revision=LatestRevision|LatestPublished|N (default LatestRevision, the draft);
// POST with Definition (flow JSON) replays against a definition that is not saved anywhere.
// Both runs of a replay (the target and the execution's own revision) share one budget
// (flowtest/replay-budget.ts): past it the answer is 400/20001 "replay too costly: … exceeded",
// never a partial report. A second replay for an account while one runs is 429/20429.
import type { FastifyRequest } from 'fastify';
import type { FlowDefinition } from '../../definition/types.ts';
import { validateDefinition } from '../../definition/validate.ts';
import type { ExecutionState, JsonObject } from '../../engine/types.ts';
import type { RecordedStep } from '../../flowtest/derive.ts';
import { ReplayBudget, ReplayTooCostly, replayExecutionInterleaved, type ReplayReport } from '../../flowtest/replay.ts';
import { contextOf } from '../../runtime/execution-context.ts';
// Revisions read as the runtime runs them: migrated, and an invalid draft (which test users run) in the
// shape the engine relies on, or replaying its execution would crash on its JSON (a null widget: a 500).
import { runnable } from '../../runtime/sprints.ts';
import { isSid } from '../../runtime/ids.ts';
import type { ExecutionRecord, RevisionSelector, StepRecord } from '../../runtime/ports/store.ts';
import type { ApiContext } from '../context.ts';
import type { Routes } from '../server.ts';
import { ApiError, errors } from '../wire/errors.ts';
import { jsonField, optionalString, type Form } from '../wire/form.ts';
import { flowSidParam } from '../wire/path-params.ts';

type ReplayTarget = { revision: number | string; definition: FlowDefinition };

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
    effect_differences: report.effectDifferences,
    effects_compared: report.effectsCompared,
    notes: report.notes,
  };
}

/** A replay past its budget (both runs together): refused whole, never a partial report. */
function tooCostly(error: ReplayTooCostly, budget: ReplayBudget): ApiError {
  const { liquid, limits } = budget;
  return new ApiError(400, 20001, error.message, {
    limit: error.limit,
    liquid_nodes: Math.min(liquid.nodes, liquid.maxNodes + 1),
    liquid_nodes_limit: liquid.maxNodes,
    liquid_memory: Math.min(liquid.memory, liquid.maxMemory + 1),
    liquid_memory_limit: liquid.maxMemory,
    busy_ms: Math.round(budget.busyMs),
    busy_ms_limit: limits.busyMs,
  });
}

/**
 * A replay runs on the event loop (giving it up between recorded inputs) within one budget; and one at a
 * time per account on this node, so an account cannot multiply that budget by sending many at once.
 */
export function registerReplay(routes: Routes, ctx: ApiContext): void {
  const running = new Set<string>();
  const handler = async (request: FastifyRequest) => {
    const flowSid = flowSidParam(request, 'FlowSid');
    const executionSid = (request.params as Record<string, string>).Sid!;
    const path = request.url.split('?')[0]!;
    if (!isSid('FN', executionSid)) throw errors.notFound(path);
    const account = request.account.sid;
    const execution = await ctx.store.getExecution(account, flowSid, executionSid);
    if (!execution) throw errors.notFound(path);
    const form: Form = request.method === 'POST' ? request.form : (request.query as Form);

    let target: ReplayTarget;
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

    // One at a time per account (on this node): held until the replay has answered or failed.
    if (running.has(account)) throw new ApiError(429, 20429, 'a replay is already running for this account');
    running.add(account);
    try {
      return await replay(account, flowSid, executionSid, execution, target);
    } finally {
      running.delete(account);
    }
  };

  /** The replay itself, in the account's slot: the recorded steps, the revisions it needs, both runs. */
  const replay = async (account: string, flowSid: string, executionSid: string, execution: ExecutionRecord, target: ReplayTarget) => {
    const steps: StepRecord[] = [];
    let page = await ctx.store.listSteps(account, flowSid, executionSid, { pageSize: 1000 });
    steps.push(...page.items);
    while (page.hasMore && page.lastPosition) {
      page = await ctx.store.listSteps(account, flowSid, executionSid, { pageSize: 1000, cursor: { direction: 'after', position: page.lastPosition } });
      steps.push(...page.items);
    }

    // The revision the execution ran: replayed on the same answers, the baseline for what its
    // widgets requested and said (missing only when that revision is gone).
    const ran = target.revision === execution.flowVersion ? { definition: target.definition } : await ctx.store.getRevision(account, flowSid, execution.flowVersion);
    const original = ran ? runnable(ran.definition) : null;

    // The engine is synchronous: load every subflow the target (and the original) may run before replaying.
    const subflows = new Map<string, { revision: number; definition: FlowDefinition }>();
    /** Subflows run by their latest revision that were saved since the execution started: the replay runs them as they are now. */
    const newerSubflows = new Map<string, string>();
    for (const state of [...target.definition.states, ...(original?.states ?? [])].filter((s) => s.type === 'run-subflow')) {
      const sid = String(state.properties.flow_sid ?? '');
      const rev = String(state.properties.flow_revision ?? 'LatestPublished');
      if (!isSid('FW', sid) || subflows.has(`${sid}@${rev}`)) continue;
      const selector: RevisionSelector = /^\d+$/.test(rev) ? Number(rev) : rev === 'LatestPublished' ? 'LatestPublished' : 'LatestRevision';
      const found = await ctx.store.getRevision(account, sid, selector);
      if (found) subflows.set(`${sid}@${rev}`, { revision: found.revision, definition: runnable(found.definition) });
      if (found && typeof selector === 'string' && found.dateCreated > execution.dateCreated) {
        newerSubflows.set(sid, `subflow ${sid} ('${found.friendlyName}') is replayed at revision ${found.revision}, its ${selector} now, saved after the execution started: what it does may differ from the run because of that revision, not this flow's`);
      }
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
    const budget = new ReplayBudget();
    try {
      const report = await replayExecutionInterleaved(
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
          ...(original ? { original: { definition: original, loadSubflow: (sid: string, rev: string) => subflows.get(`${sid}@${rev}`) ?? null } } : {}),
        },
        { ...target, loadSubflow: (sid, rev) => subflows.get(`${sid}@${rev}`) ?? null },
        // Under this server's rules (time zone, reply timeout, limits), as the execution ran.
        ctx.executions.rules,
        budget,
      );
      // Only for a subflow the execution ran (a Run Subflow widget it reached), in the revision it ran or, that gone, the target.
      const ranWith = original ?? target.definition;
      const ranSubflows = new Set(
        steps
          .filter((step) => step.parentStepSid === null)
          .flatMap((step) => ranWith.states.filter((state) => (state.name === step.transitionedFrom || state.name === step.transitionedTo) && state.type === 'run-subflow').map((state) => String(state.properties.flow_sid ?? ''))),
      );
      // And only when the target runs it too: a revision without that Run Subflow widget replays none of it.
      const targetSubflows = new Set(target.definition.states.filter((state) => state.type === 'run-subflow').map((state) => String(state.properties.flow_sid ?? '')));
      for (const [sid, note] of newerSubflows) if (ranSubflows.has(sid) && targetSubflows.has(sid)) report.notes.push(note);
      return reportBody(report);
    } catch (error) {
      if (error instanceof ReplayTooCostly) throw tooCostly(error, budget);
      throw errors.badRequest(`This execution cannot be replayed: ${(error as Error).message}`);
    }
  };
  routes.add('GET', '/replay/Flows/:FlowSid/Executions/:Sid', handler);
  routes.add('POST', '/replay/Flows/:FlowSid/Executions/:Sid', handler);
}
