// Studio v2 Executions, their Context, Steps and Step Contexts. The same collection, seen through
// the v1 shapes, serves v1 Executions and v1 Engagements (./v1-executions.ts): one builder, three views.
import { overflowingNumber, overflowReason } from '../../lib/json-overflow.ts';
import type { FastifyRequest } from 'fastify';
import type { ExecutionFilter, ExecutionRecord } from '../../runtime/ports/store.ts';
import type { CreateExecutionInput } from '../../runtime/executions.ts';
import type { JsonObject } from '../../engine/types.ts';
import { isSid } from '../../runtime/ids.ts';
import type { ApiContext } from '../context.ts';
import type { Routes } from '../server.ts';
import { publicBase } from '../wire/base-urls.ts';
import { errors } from '../wire/errors.ts';
import { enumValue, jsonField, optionalString, parseClientJson } from '../wire/form.ts';
import { checkContactAddress, restContactPair } from '../wire/addresses.ts';
import { withoutPhoneFormatting } from '../../lib/phone-format.ts';
import { singleQuotedToJson } from '../../lib/single-quoted-json.ts';
import { wellFormedJson } from '../wire/well-formed.ts';
import { readDateFilters, single } from '../wire/query.ts';
import { pageMeta, parsePaging } from '../wire/paging.ts';
import { readByteBoundedPage, sendSerialisedPage } from '../wire/byte-bounded-page.ts';
import {
  executionContextBody,
  executionsUrl,
  stepBody,
  stepContextBody,
  v1Execution,
  v2Execution,
  type ExecutionView,
} from '../representations/executions.ts';
import { flowSidParam } from '../wire/path-params.ts';

const EXECUTION_STATUSES = ['active', 'ended'] as const;

function requestPath(request: FastifyRequest): string {
  return request.url.split('?')[0]!;
}

/** A path parameter that must be a SID with the given prefix; anything else names nothing (404). */
function sidParam(request: FastifyRequest, prefix: 'FN' | 'FT', name: string): string {
  const sid = (request.params as Record<string, string>)[name]!;
  if (!isSid(prefix, sid)) throw errors.notFound(requestPath(request));
  return sid;
}

/**
 * To, From and the JSON-in-form Parameters (which must be a JSON object, and fit in the execution's
 * context: `checkParameters`, the runtime's rule, checked here too so that it answers before the flow's 404).
 */
function createInput(request: FastifyRequest, checkParameters: (parameters: JsonObject) => void): CreateExecutionInput {
  const form = request.form;
  // Not E.164 only (Studio takes any identifier): 300 bytes together, and no unencoded '+'.
  const { to, from } = restContactPair(form);
  const field = jsonField(form, 'Parameters');
  let parameters: JsonObject | undefined;
  if (field.present) {
    let value: unknown;
    if (field.ok) value = field.value;
    else {
      // Twilio's reference shows `{'name':'Zeke'}`: single-quoted strings are taken as JSON strings.
      const rewritten = singleQuotedToJson(optionalString(form, 'Parameters') ?? '');
      const parsed = rewritten === null ? null : parseClientJson(rewritten);
      if (!parsed?.ok) throw errors.invalidParameter('Parameters', `${field.error} (Parameters is a JSON object, e.g. {"name":"Zeke"})`);
      const overflow = overflowingNumber(rewritten!, parsed.value);
      if (overflow !== null) throw errors.invalidParameter('Parameters', `not valid JSON: ${overflowReason(overflow)}`);
      value = wellFormedJson(parsed.value); // as jsonField does
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw errors.invalidParameter('Parameters', 'must be a JSON object');
    parameters = value as JsonObject;
    checkParameters(parameters);
  }
  return { to, from, parameters, initiatedBy: request.id };
}

/**
 * ContactAddress, a Switchboard extension (Twilio ignores it and lists everything): the executions
 * whose contact (contact.channel.address) is exactly this address. Checked as To/From are: bounded,
 * and not empty or led by a space (a '+' sent unencoded); a phone number written for people is read as
 * the create keeps the To (its E.164), so the To an execution was created with finds it.
 */
function contactAddressFilter(query: Record<string, unknown>): string | undefined {
  const value = single(query.ContactAddress, 'ContactAddress');
  if (value === undefined) return undefined;
  if (value === '') throw errors.invalidParameter('ContactAddress', 'is empty; give the address as stored, e.g. ContactAddress=%2B15551234567');
  return withoutPhoneFormatting(checkContactAddress('ContactAddress', value));
}

/**
 * List filters: v2 has the lower-case `status`; v2 and v1 Executions have DateCreatedFrom/To and
 * ContactAddress; Engagements have none. Returns the store filter and the raw values to repeat in every page URL.
 */
function listFilters(query: Record<string, unknown>, view: ExecutionView): { filter: ExecutionFilter; filters: Record<string, string> } {
  const filter: ExecutionFilter = {};
  const filters: Record<string, string> = {};
  if (view === 'v1-engagement') return { filter, filters };
  if (view === 'v2') {
    const status = single(query.status, 'status');
    if (status !== undefined) {
      if (!(EXECUTION_STATUSES as readonly string[]).includes(status)) {
        throw errors.invalidParameter('status', `'${status}' is not one of ${EXECUTION_STATUSES.join(', ')}`);
      }
      filter.status = status as ExecutionFilter['status'];
      filters.status = status;
    }
  }
  readDateFilters(query, [['DateCreatedFrom', 'dateCreatedFrom'], ['DateCreatedTo', 'dateCreatedTo']] as const, filter, filters);
  const contact = contactAddressFilter(query);
  if (contact !== undefined) {
    filter.contactAddress = contact;
    filters.ContactAddress = contact;
  }
  return { filter, filters };
}

/**
 * Registers one view of the executions collection. `collection` is the path segment
 * (Executions or Engagements); v2 creates answer 201 and refuse a second active execution for a
 * contact (409), v1 creates answer 200 with the existing one; Engagements cannot be updated.
 */
export function registerExecutionCollection(routes: Routes, ctx: ApiContext, view: ExecutionView): void {
  const version = view === 'v2' ? 'v2' : 'v1';
  const collection = view === 'v1-engagement' ? 'Engagements' : 'Executions';
  const owner = view === 'v1-engagement' ? 'EngagementSid' : 'ExecutionSid';
  const root = `/${version}/Flows/:FlowSid/${collection}`;
  const show = (base: string, execution: ExecutionRecord) =>
    view === 'v2' ? v2Execution(base, execution) : v1Execution(base, execution, view);

  const requireFlow = async (request: FastifyRequest, flowSid: string) => {
    const flow = await ctx.store.getFlow(request.account.sid, flowSid);
    if (!flow) throw errors.notFound(requestPath(request));
    return flow;
  };
  const loadExecution = async (request: FastifyRequest, name: string): Promise<ExecutionRecord> => {
    const flowSid = flowSidParam(request, 'FlowSid');
    const sid = sidParam(request, 'FN', name);
    const execution = await ctx.store.getExecution(request.account.sid, flowSid, sid);
    if (!execution) throw errors.notFound(requestPath(request));
    return execution;
  };
  const loadStep = async (request: FastifyRequest, name: string) => {
    const flowSid = flowSidParam(request, 'FlowSid');
    const executionSid = sidParam(request, 'FN', owner);
    const stepSid = sidParam(request, 'FT', name);
    const step = await ctx.store.getStep(request.account.sid, flowSid, executionSid, stepSid);
    if (!step) throw errors.notFound(requestPath(request));
    return step;
  };

  routes.add('POST', root, async (request, reply) => {
    const flowSid = flowSidParam(request, 'FlowSid');
    const input = createInput(request, (parameters) => ctx.executions.checkParameters(parameters));
    const flow = await requireFlow(request, flowSid);
    const { execution } = await ctx.executions.create(request.account.sid, flowSid, input, view === 'v2' ? 'error' : 'return-existing', flow);
    reply.code(view === 'v2' ? 201 : 200);
    return show(publicBase(ctx, request), execution);
  });

  // Each item carries its execution's whole context: the page is bounded by bytes as well as rows
  // (byte-bounded-page.ts), and written as the text its items were measured as.
  routes.add('GET', root, async (request, reply) => {
    const flowSid = flowSidParam(request, 'FlowSid');
    const query = request.query as Record<string, unknown>;
    const { filter, filters } = listFilters(query, view);
    const paging = parsePaging(query, { accountSid: request.account.sid, path: executionsUrl('', view, flowSid), filters });
    await requireFlow(request, flowSid);
    const base = publicBase(ctx, request);
    const page = await readByteBoundedPage(
      (pageRequest) => ctx.store.listExecutions(request.account.sid, flowSid, filter, pageRequest),
      paging.request,
      (execution) => JSON.stringify(show(base, execution)),
    );
    const key = view === 'v1-engagement' ? 'engagements' : 'executions';
    const meta = pageMeta(key, base, paging, { ...page, items: [] });
    return sendSerialisedPage(reply, meta, key, page.items);
  });

  routes.add('GET', `${root}/:Sid`, async (request) => show(publicBase(ctx, request), await loadExecution(request, 'Sid')));

  if (view !== 'v1-engagement') {
    routes.add('POST', `${root}/:Sid`, async (request) => {
      const execution = await loadExecution(request, 'Sid');
      enumValue(request.form, 'Status', ['ended'] as const, true);
      const ended = await ctx.executions.end(request.account.sid, execution.flowSid, execution.sid);
      return show(publicBase(ctx, request), ended);
    });
  }

  routes.add('DELETE', `${root}/:Sid`, async (request, reply) => {
    const flowSid = flowSidParam(request, 'FlowSid');
    const sid = sidParam(request, 'FN', 'Sid');
    if (!(await ctx.executions.remove(request.account.sid, flowSid, sid))) throw errors.notFound(requestPath(request));
    return reply.code(204).send();
  });

  routes.add('GET', `${root}/:${owner}/Context`, async (request) =>
    executionContextBody(publicBase(ctx, request), view, await loadExecution(request, owner)),
  );

  // A step carries its widget's outputs: bounded by bytes as the executions list is.
  routes.add('GET', `${root}/:${owner}/Steps`, async (request, reply) => {
    // The list's path from the path's own SIDs, read before they are checked: a bad PageSize stays a 400 first.
    const params = request.params as Record<string, string>;
    const paging = parsePaging(request.query as Record<string, unknown>, {
      accountSid: request.account.sid,
      path: `${executionsUrl('', view, params.FlowSid!)}/${params[owner]}/Steps`,
      filters: {},
    });
    const execution = await loadExecution(request, owner);
    const base = publicBase(ctx, request);
    const page = await readByteBoundedPage(
      (pageRequest) => ctx.store.listSteps(request.account.sid, execution.flowSid, execution.sid, pageRequest),
      paging.request,
      (step) => JSON.stringify(stepBody(base, view, step)),
    );
    const meta = pageMeta('steps', base, paging, { ...page, items: [] });
    return sendSerialisedPage(reply, meta, 'steps', page.items);
  });

  routes.add('GET', `${root}/:${owner}/Steps/:Sid`, async (request) => stepBody(publicBase(ctx, request), view, await loadStep(request, 'Sid')));

  routes.add('GET', `${root}/:${owner}/Steps/:StepSid/Context`, async (request) =>
    stepContextBody(publicBase(ctx, request), view, await loadStep(request, 'StepSid')),
  );
}

export function registerV2Executions(routes: Routes, ctx: ApiContext): void {
  registerExecutionCollection(routes, ctx, 'v2');
}
