// Studio v1 Flows: read and delete only; v1 shows `version` and no definition.
import type { ApiContext } from '../context.ts';
import type { Routes } from '../server.ts';
import { publicBase } from '../wire/base-urls.ts';
import { errors } from '../wire/errors.ts';
import { pageMeta, parsePaging } from '../wire/paging.ts';
import { readByteBoundedPage, sendSerialisedPage } from '../wire/byte-bounded-page.ts';
import { v1Flow } from '../representations/flows.ts';
import { flowSidParam } from '../wire/path-params.ts';

export function registerV1Flows(routes: Routes, ctx: ApiContext): void {
  // Bounded by bytes as v2's list is (a FriendlyName has no length limit but the body's).
  routes.add('GET', '/v1/Flows', async (request, reply) => {
    const paging = parsePaging(request.query as Record<string, unknown>, { accountSid: request.account.sid, path: '/v1/Flows', filters: {} });
    const base = publicBase(ctx, request);
    const page = await readByteBoundedPage(
      (pageRequest) => ctx.store.listFlows(request.account.sid, pageRequest),
      paging.request,
      (flow) => JSON.stringify(v1Flow(base, flow)),
    );
    return sendSerialisedPage(reply, pageMeta('flows', base, paging, { ...page, items: [] }), 'flows', page.items);
  });

  routes.add('GET', '/v1/Flows/:Sid', async (request) => {
    const sid = flowSidParam(request);
    const flow = await ctx.store.getFlow(request.account.sid, sid);
    if (!flow) throw errors.notFound(`/v1/Flows/${sid}`);
    return v1Flow(publicBase(ctx, request), flow);
  });

  routes.add('DELETE', '/v1/Flows/:Sid', async (request, reply) => {
    const sid = flowSidParam(request);
    if (!(await ctx.executions.removeFlow(request.account.sid, sid))) throw errors.notFound(`/v1/Flows/${sid}`);
    return reply.code(204).send();
  });
}
