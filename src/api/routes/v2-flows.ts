// Studio v2: Flows, Revisions, Validate and TestUsers.
import type { RevisionSelector } from '../../runtime/ports/store.ts';
import { isSid } from '../../runtime/ids.ts';
import { invalidDefinition } from '../../runtime/errors.ts';
import { NUL_MESSAGE, nulPath } from '../../lib/nul-path.ts';
import { FlowRevisionConflict } from '../../runtime/flows.ts';
import type { ApiContext } from '../context.ts';
import type { Routes } from '../server.ts';
import { publicBase, webhookBase } from '../wire/base-urls.ts';
import { errors } from '../wire/errors.ts';
import { enumValue, jsonField, optionalString, requiredString, stringItems, type Form } from '../wire/form.ts';
import { pageMeta, parsePaging } from '../wire/paging.ts';
import { readByteBoundedPage, sendSerialisedPage } from '../wire/byte-bounded-page.ts';
import { testUserAddress } from '../wire/addresses.ts';
import { flowSidParam } from '../wire/path-params.ts';
import { ifMatchRevisions, revisionETag, revisionMismatch } from '../wire/if-match.ts';
import { flowUrl, v2Flow, v2FlowListItem, v2Revision, v2RevisionListItem, v2TestUsers } from '../representations/flows.ts';

const FLOW_STATUSES = ['draft', 'published'] as const;

type RevisionParams = { Sid: string; Revision: string };

/** Definition is JSON inside a form field; broken JSON is reported like any invalid definition. */
function definitionField(form: Form, required: boolean): unknown {
  const field = jsonField(form, 'Definition');
  if (!field.present) {
    if (required) throw errors.missingParameter('Definition');
    return undefined;
  }
  if (!field.ok) throw invalidDefinition([{ property_path: '#', message: `Definition is ${field.error}` }]);
  // A \u0000 escape is valid JSON, but its NUL would reach TEXT columns (a widget's name becomes each
  // step's name), which PostgreSQL refuses.
  const nul = nulPath(field.value, '#');
  if (nul !== null) throw invalidDefinition([{ property_path: nul, message: NUL_MESSAGE }]);
  return field.value;
}

/**
 * AuthorSid is no parameter of Twilio's spec (which has only the author_sid it shows, a User SID);
 * kept for tools that record who saved a revision, but only as a User SID (US + 32 hex digits).
 */
function authorSidField(form: Form): string | undefined {
  const value = optionalString(form, 'AuthorSid');
  if (value !== undefined && !isSid('US', value)) throw errors.invalidParameter('AuthorSid', `'${value}' is not a User SID (US followed by 32 hexadecimal digits)`);
  return value;
}

export function registerV2Flows(routes: Routes, ctx: ApiContext): void {
  routes.add('POST', '/v2/Flows', async (request, reply) => {
    const form = request.form;
    const friendlyName = requiredString(form, 'FriendlyName');
    const status = enumValue(form, 'Status', FLOW_STATUSES, true);
    const definition = definitionField(form, true);
    const flow = await ctx.flows.create(request.account.sid, {
      friendlyName,
      status,
      definition,
      commitMessage: optionalString(form, 'CommitMessage'),
      authorSid: authorSidField(form),
    });
    reply.code(201).header('ETag', revisionETag(flow.revision));
    return v2Flow(publicBase(ctx, request), flow, definition, webhookBase(ctx, request));
  });

  // FriendlyName and CommitMessage have no length limit but the body's: the page is bounded by bytes as
  // well as rows (byte-bounded-page.ts), and written as the text its items were measured as.
  routes.add('GET', '/v2/Flows', async (request, reply) => {
    const paging = parsePaging(request.query as Record<string, unknown>, { accountSid: request.account.sid, path: '/v2/Flows', filters: {} });
    const base = publicBase(ctx, request);
    const hooks = webhookBase(ctx, request);
    const page = await readByteBoundedPage(
      (pageRequest) => ctx.store.listFlows(request.account.sid, pageRequest),
      paging.request,
      (flow) => JSON.stringify(v2FlowListItem(base, flow, hooks)),
    );
    return sendSerialisedPage(reply, pageMeta('flows', base, paging, { ...page, items: [] }), 'flows', page.items);
  });

  routes.add('POST', '/v2/Flows/Validate', async (request) => {
    const form = request.form;
    requiredString(form, 'FriendlyName');
    enumValue(form, 'Status', FLOW_STATUSES, true);
    const definition = definitionField(form, true);
    const result = ctx.flows.validate(definition);
    if (!result.valid) throw invalidDefinition(result.errors);
    return { valid: true };
  });
  // Validate takes POST only. Fastify would route GET and DELETE to /v2/Flows/:Sid (a 404 for the SID
  // 'Validate'): they get the 405 any other method does (the not-found handler, which names it Allow: POST).
  routes.app.route({ method: ['GET', 'DELETE'], url: '/v2/Flows/Validate', config: { auth: false }, handler: (_request, reply) => reply.callNotFound() });

  routes.add('GET', '/v2/Flows/:Sid', async (request, reply) => {
    const sid = flowSidParam(request);
    const flow = await ctx.store.getFlow(request.account.sid, sid);
    if (!flow) throw errors.notFound(`/v2/Flows/${sid}`);
    const head = await ctx.store.getRevision(request.account.sid, sid, flow.revision);
    // The revision an editor sends back in If-Match when it saves (wire/if-match.ts).
    reply.header('ETag', revisionETag(flow.revision));
    return v2Flow(publicBase(ctx, request), flow, head?.definition ?? {}, webhookBase(ctx, request));
  });

  routes.add('POST', '/v2/Flows/:Sid', async (request, reply) => {
    const sid = flowSidParam(request);
    const form = request.form;
    const status = enumValue(form, 'Status', FLOW_STATUSES, true);
    const friendlyName = optionalString(form, 'FriendlyName');
    if (friendlyName === '') throw errors.invalidParameter('FriendlyName', 'must not be empty');
    const expectedRevisions = ifMatchRevisions(request);
    const flow = await ctx.flows
      .update(request.account.sid, sid, {
        status,
        friendlyName,
        definition: definitionField(form, false),
        commitMessage: optionalString(form, 'CommitMessage'),
        authorSid: authorSidField(form),
        expectedRevisions,
      })
      .catch((error: unknown) => {
        if (error instanceof FlowRevisionConflict) throw revisionMismatch(sid, error.currentRevision, error.expectedRevisions);
        throw error;
      });
    reply.header('ETag', revisionETag(flow.revision));
    const head = await ctx.store.getRevision(request.account.sid, sid, flow.revision);
    return v2Flow(publicBase(ctx, request), flow, head?.definition ?? {}, webhookBase(ctx, request));
  });

  routes.add('DELETE', '/v2/Flows/:Sid', async (request, reply) => {
    const sid = flowSidParam(request);
    if (!(await ctx.executions.removeFlow(request.account.sid, sid))) throw errors.notFound(`/v2/Flows/${sid}`);
    return reply.code(204).send();
  });

  // Bounded by bytes as the flows list is (each revision's CommitMessage and FriendlyName are unbounded).
  routes.add('GET', '/v2/Flows/:Sid/Revisions', async (request, reply) => {
    const sid = flowSidParam(request);
    const paging = parsePaging(request.query as Record<string, unknown>, { accountSid: request.account.sid, path: `${flowUrl('', sid)}/Revisions`, filters: {} });
    if (!(await ctx.store.getFlow(request.account.sid, sid))) throw errors.notFound(`/v2/Flows/${sid}/Revisions`);
    const base = publicBase(ctx, request);
    const page = await readByteBoundedPage(
      (pageRequest) => ctx.store.listRevisions(request.account.sid, sid, pageRequest),
      paging.request,
      (revision) => JSON.stringify(v2RevisionListItem(base, revision)),
    );
    return sendSerialisedPage(reply, pageMeta('revisions', base, paging, { ...page, items: [] }), 'revisions', page.items);
  });

  routes.add('GET', '/v2/Flows/:Sid/Revisions/:Revision', async (request) => {
    const { Revision } = request.params as RevisionParams;
    const sid = flowSidParam(request);
    let selector: RevisionSelector;
    if (Revision === 'LatestPublished' || Revision === 'LatestRevision') selector = Revision;
    else if (/^\d{1,9}$/.test(Revision)) selector = Number(Revision);
    // An integer past any revision a flow can reach (2147483648) is an integer still: a revision not found.
    else if (/^\d+$/.test(Revision)) throw errors.notFound(`/v2/Flows/${sid}/Revisions/${Revision}`);
    else throw errors.invalidRevision(Revision);
    const revision = await ctx.store.getRevision(request.account.sid, sid, selector);
    if (!revision) throw errors.notFound(`/v2/Flows/${sid}/Revisions/${Revision}`);
    return v2Revision(publicBase(ctx, request), revision);
  });

  routes.add('GET', '/v2/Flows/:Sid/TestUsers', async (request) => {
    const sid = flowSidParam(request);
    const users = await ctx.store.getTestUsers(request.account.sid, sid);
    if (!users) throw errors.notFound(`/v2/Flows/${sid}/TestUsers`);
    return v2TestUsers(publicBase(ctx, request), sid, users);
  });

  routes.add('POST', '/v2/Flows/:Sid/TestUsers', async (request) => {
    const sid = flowSidParam(request);
    const users = stringItems(request.form, 'TestUsers', 'a phone number such as +15551230001');
    if (!users) throw errors.missingParameter('TestUsers');
    // Stored as executions know the contact (`+1 (555) 000-1111` as +15550001111, surrounding whitespace
    // gone), or it would never match; `TestUsers=+1555…` sent unencoded (' 1555…') is refused, as the
    // simulator refuses it. Empty items are dropped.
    const cleaned = [...new Set(users.map(testUserAddress).filter((u) => u !== ''))];
    if (!(await ctx.store.setTestUsers(request.account.sid, sid, cleaned))) throw errors.notFound(`/v2/Flows/${sid}/TestUsers`);
    return v2TestUsers(publicBase(ctx, request), sid, cleaned);
  });
}

