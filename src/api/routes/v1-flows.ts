// Studio v1 Flows: read and delete only; v1 shows `version` and no definition.
import type { ApiContext } from '../context.ts';
import type { Routes } from '../server.ts';
import { publicBase } from '../wire/base-urls.ts';
import { errors } from '../wire/errors.ts';
import { pageMeta, parsePaging } from '../wire/paging.ts';
import { v1Flow } from '../representations/flows.ts';
import { flowSidParam } from '../wire/path-params.ts';

export function registerV1Flows(routes: Routes, ctx: ApiContext): void {
  routes.add('GET', '/v1/Flows', async (request) => {
    const paging = parsePaging(request.query as Record<string, unknown>);
    const result = await ctx.store.listFlows(request.account.sid, paging.request);
    const base = publicBase(ctx, request);
    return {
      meta: pageMeta('flows', `${base}/v1/Flows`, {}, paging, result),
      flows: result.items.map((flow) => v1Flow(base, flow)),
    };
  });

  routes.add('GET', '/v1/Flows/:Sid', async (request) => {
    const sid = flowSidParam(request);
    const flow = await ctx.store.getFlow(request.account.sid, sid);
    if (!flow) throw errors.notFound(`/v1/Flows/${sid}`);
    return v1Flow(publicBase(ctx, request), flow);
  });

  routes.add('DELETE', '/v1/Flows/:Sid', async (request, reply) => {
    const sid = flowSidParam(request);
    if (!(await ctx.store.deleteFlow(request.account.sid, sid))) throw errors.notFound(`/v1/Flows/${sid}`);
    return reply.code(204).send();
  });
}
