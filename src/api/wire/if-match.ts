// Optimistic concurrency for flow updates, a Switchboard extension the Twilio SDKs never see: GET and
// POST answer an ETag naming the flow's revision ("3"); an update may send it back in If-Match, and is
// refused if someone saved another revision meanwhile. Twilio's own APIs with If-Match (Sync,
// TaskRouter) refuse a stale one with 412 and error 20412; so does this one.
import type { FastifyRequest } from 'fastify';
import { ApiError, errors } from './errors.ts';

/** The ETag of a flow at `revision`. */
export function revisionETag(revision: number): string {
  return `"${revision}"`;
}

/**
 * The revisions an If-Match header allows, or undefined when there is no condition (no header, or `*`:
 * any current flow, which a missing flow already fails with 404). Takes `"3"`, `W/"3"` and a bare `3`,
 * and lists of them (`"3", "4"`); anything else is a 400.
 */
export function ifMatchRevisions(request: FastifyRequest): number[] | undefined {
  const header = request.headers['if-match'];
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value.trim() === '*') return undefined;
  const revisions = value.split(',').map((tag) => {
    const match = /^\s*(?:W\/)?("?)(\d{1,9})\1\s*$/.exec(tag);
    if (!match) throw errors.invalidParameter('If-Match', `'${value}' names no flow revision; send the ETag of the revision you edited, such as "3"`);
    return Number(match[2]);
  });
  return revisions;
}

/** The refusal of an update whose If-Match names a revision the flow has moved on from. */
export function revisionMismatch(flowSid: string, currentRevision: number, expected: readonly number[]): ApiError {
  return new ApiError(
    412,
    20412,
    `Precondition failed: flow ${flowSid} is at revision ${currentRevision}, but If-Match names revision ${expected.join(' or ')}. ` +
      'Someone saved the flow since; fetch it again and reapply your changes, or update without If-Match to overwrite it',
    { current_revision: currentRevision, expected_revisions: [...expected] },
    { ETag: revisionETag(currentRevision) },
  );
}
