// Maps every failure that can reach the HTTP edge to a Twilio error: our ApiErrors as they are,
// runtime DomainErrors by kind, Fastify's own errors by code; anything else is a logged 500.
import { DomainError } from '../../runtime/errors.ts';
import { ApiError, errors } from './errors.ts';

const DOMAIN_STATUS: Record<DomainError['kind'], [number, number]> = {
  'not-found': [404, 20404],
  'invalid-parameter': [400, 20001],
  'invalid-definition': [400, 81022],
  'execution-conflict': [409, 20409],
  'rate-limited': [429, 20429],
};

const SQLITE_DISK_REASONS: Record<number, string> = { 8: 'it is read-only', 10: 'disk I/O error', 13: 'disk full' };

/** Socket errors on the way to the database (the PostgreSQL store's pool reports them as they are). */
const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENOTFOUND', 'EAI_AGAIN']);

/** pg and pg-pool raise these without a code: their messages are all there is to go by. */
const PG_CLIENT_MESSAGES: [RegExp, string][] = [
  [/^timeout exceeded when trying to connect$/, 'no database connection became free in time'],
  [/^Connection terminated due to connection timeout$/, 'connecting to the database timed out'],
  [/^Connection terminated( unexpectedly)?$/, 'the database connection was lost'],
  [/^Client has encountered a connection error and is not queryable$/, 'the database connection was lost'],
  [/^Query read timeout$/, 'the database did not answer in time'],
  [/^Cannot use a pool after calling end on the pool$/, 'the node is shutting down'],
];

/**
 * Why the PostgreSQL database cannot serve this request now, if that is the failure: the connection
 * (socket errors, SQLSTATE class 08), the server going down or starting (57P01-57P03), the statement
 * timeout (57014), its resources (class 53: too many connections, disk full, out of memory), a
 * read-only server (25006, e.g. a standby after a failover), pg-pool's connect timeout, or the store
 * having failed to open (DatabaseStartupError). The error itself only: pg throws socket errors as
 * they are, while fetch wraps an upstream's in a cause, which is no database matter.
 */
export function databaseUnavailableReason(error: unknown): string | null {
  if (!(error instanceof Error)) return null;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (CONNECTION_ERRNOS.has(code)) return `cannot connect to the database: ${code}`;
    if (/^[0-9A-Z]{5}$/.test(code)) {
      if (code.startsWith('08')) return 'the database connection failed';
      if (code === '57014') return 'a statement ran past the statement timeout';
      if (code === '57P01' || code === '57P02' || code === '57P03') return 'the database server is shutting down or starting';
      if (code === '53300') return 'the database has too many connections';
      if (code === '53100') return 'the database disk is full';
      if (code.startsWith('53')) return 'the database is out of resources';
      if (code === '25006') return 'the database is read-only';
    }
  }
  if (error.name === 'DatabaseStartupError') return 'the database cannot be used';
  for (const [pattern, reason] of PG_CLIENT_MESSAGES) if (pattern.test(error.message)) return reason;
  return null;
}

/** contentType: the request's, named in a 415 (Fastify's own message does not say which it was). */
export function toApiError(error: unknown, bodyLimit: number, contentType?: string): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof DomainError) {
    const [status, code] = DOMAIN_STATUS[error.kind];
    if (error.kind === 'not-found') return errors.notFound(error.message);
    return new ApiError(status, code, error.message, error.details);
  }
  // Fastify's own codes, and SQLSTATEs PostgreSQL reports the same way.
  const fastifyCode = (error as { code?: string }).code;
  switch (fastifyCode) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errors.payloadTooLarge(bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return errors.unsupportedMediaType(contentType?.split(';')[0]?.trim() || 'unknown');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return errors.badRequest('Request body is not valid JSON');
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_INVALID_URL':
      return errors.badRequest('Malformed request URL');
  }
  // A value with a NUL character that PostgreSQL refused (or the PostgreSQL store refused for it): the
  // request's fault, and only its own (the HTTP edge refuses these first; this is defence in depth).
  if (fastifyCode === '22021' || fastifyCode === '22P05') return errors.badRequest('A value contains a NUL character (%00), which cannot be stored');
  // The SQLite store's disk is full, read-only or failing: not this request's fault, and every write
  // fails alike until an operator acts (SQLite's result codes FULL 13, READONLY 8, IOERR 10; the low
  // byte of an extended code). /readyz reports the same (src/store/sqlite/disk-errors.ts).
  if (fastifyCode === 'ERR_SQLITE_ERROR') {
    const reason = SQLITE_DISK_REASONS[((error as { errcode?: number }).errcode ?? 0) & 0xff];
    if (reason) return errors.unavailable(`The database cannot be written (${reason}); try again later`);
  }
  // PostgreSQL unreachable, overloaded or timing out: as with the SQLite disk, not this request's fault
  // and /readyz says the same, so a load balancer or client retries (503) instead of giving up (500).
  const unavailable = databaseUnavailableReason(error);
  if (unavailable) return errors.unavailable(`The database is unavailable (${unavailable}); try again later`);
  if (error instanceof SyntaxError) return errors.badRequest(`Malformed request body: ${error.message}`);
  const status = (error as { statusCode?: number }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ApiError(status, 20001, (error as Error).message || 'Bad Request');
  }
  return errors.internal();
}
