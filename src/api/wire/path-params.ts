// SIDs in a route's path, shared by the routes that name a flow (here, not in a route module, so
// routes do not import each other).
import type { FastifyRequest } from 'fastify';
import { isSid } from '../../runtime/ids.ts';
import { errors } from './errors.ts';

/** A malformed SID can name nothing, so it is a 404 like any unknown resource. */
export function flowSidParam(request: FastifyRequest, name = 'Sid'): string {
  const sid = (request.params as Record<string, string>)[name]!;
  if (!isSid('FW', sid)) throw errors.notFound(request.url.split('?')[0]!);
  return sid;
}
