// Maps every failure that can reach the HTTP edge to a Twilio error: our ApiErrors as they are,
// runtime DomainErrors by kind, Fastify's own errors by code; anything else is a logged 500.
import { DomainError } from '../../runtime/errors.ts';
import { databaseSchemaMissing, databaseUnavailableReason } from '../../runtime/ports/store-errors.ts';
import { AccountGoneError } from '../../runtime/ports/store.ts';
import { ApiError, errors } from './errors.ts';

const DOMAIN_STATUS: Record<DomainError['kind'], [number, number]> = {
  'not-found': [404, 20404],
  'invalid-parameter': [400, 20001],
  'invalid-definition': [400, 81022],
  'execution-conflict': [409, 20409],
  'rate-limited': [429, 20429],
};

const SQLITE_DISK_REASONS: Record<number, string> = {
  5: 'another connection holds its lock',
  6: 'another connection holds its lock',
  8: 'it is read-only',
  10: 'disk I/O error',
  13: 'disk full',
};

/** What a request meeting a database without Switchboard's tables is told (and /readyz). */
export const DATABASE_SCHEMA_MISSING =
  'The database has no Switchboard schema (its tables are missing: dropped, or recreated empty for a restore): restore it, or restart the node so that it creates the schema; try again later';

/** contentType: the request's, named in a 415 (Fastify's own message does not say which it was). */
export function toApiError(error: unknown, bodyLimit: number, contentType?: string): ApiError {
  if (error instanceof ApiError) return error;
  // A request that passed authentication (a node's read cache still held the account) raced the
  // account's deletion, and the store wrote nothing: answered as the deleted account's credentials are.
  if (error instanceof AccountGoneError) return errors.authenticate();
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
  // fails alike until an operator acts (SQLite's result codes FULL 13, READONLY 8, IOERR 10, and a damaged
  // file: CORRUPT 11, NOTADB 26; the low byte of an extended code). /readyz reports the same (src/store/sqlite/disk-errors.ts). Or another
  // process held the file's lock past the store's retries (BUSY 5, LOCKED 6; src/store/sqlite/busy.ts):
  // a retry later lands.
  if (fastifyCode === 'ERR_SQLITE_ERROR') {
    const errcode = ((error as { errcode?: number }).errcode ?? 0) & 0xff;
    if (errcode === 11 || errcode === 26) return errors.unavailable('The database is damaged: it cannot be used until an operator restores it; try again later');
    const reason = SQLITE_DISK_REASONS[errcode];
    if (reason) return errors.unavailable(`The database cannot be written (${reason}); try again later`);
  }
  // PostgreSQL unreachable, overloaded or timing out: as with the SQLite disk, not this request's fault
  // and /readyz says the same, so a load balancer or client retries (503) instead of giving up (500).
  const unavailable = databaseUnavailableReason(error);
  if (unavailable) return errors.unavailable(`The database is unavailable (${unavailable}); try again later`);
  // Its tables gone (the database dropped and recreated empty, a restore not yet run): no bug and not the
  // request's fault, so 503, though not an outage that passes by itself (store-errors.ts). /readyz says 503 too.
  if (databaseSchemaMissing(error)) return errors.unavailable(DATABASE_SCHEMA_MISSING);
  if (error instanceof SyntaxError) return errors.badRequest(`Malformed request body: ${error.message}`);
  const status = (error as { statusCode?: number }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ApiError(status, 20001, (error as Error).message || 'Bad Request');
  }
  return errors.internal();
}
