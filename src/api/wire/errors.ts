// The error catalogue: every failure the API reports, mapped to Twilio's code and HTTP status.
// Bodies follow the classic Twilio shape {code, message, more_info, status[, details]} — never
// RFC 9457 `type`/`title`, which would switch the official SDKs to another exception class.
import { BODY_TOO_LONG_CODE, BODY_TOO_LONG_MESSAGE } from '../../lib/sms-segments.ts';

export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
  details?: Record<string, unknown>;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: number;
  readonly details: Record<string, unknown> | undefined;
  readonly headers: Record<string, string>;

  constructor(status: number, code: number, message: string, details?: Record<string, unknown>, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    // A refusal that goes away by itself says when to come back (RFC 9110): load balancers and generic HTTP
    // clients honour it; the twilio SDKs' own 429 retry ignores it and is unaffected.
    this.headers = (status === 503 || status === 429) && !('Retry-After' in headers) ? { 'Retry-After': '1', ...headers } : headers;
  }

  toBody(): TwilioErrorBody {
    const body: TwilioErrorBody = {
      code: this.code,
      message: this.message,
      more_info: `https://www.twilio.com/docs/errors/${this.code}`,
      status: this.status,
    };
    if (this.details !== undefined) body.details = this.details;
    return body;
  }
}

/** A header value named in a message: quoted, and cut short (a header may be kilobytes long). */
function quoted(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}

export const errors = {
  missingParameter: (name: string) => new ApiError(400, 20001, `Missing required parameter ${name} in the post body`),
  missingQueryParameter: (name: string) => new ApiError(400, 20001, `Missing required parameter ${name} in the query string`),
  invalidParameter: (name: string, why: string) => new ApiError(400, 20001, `Invalid parameter ${name}: ${why}`),
  badRequest: (message: string) => new ApiError(400, 20001, message),
  authenticate: () => new ApiError(401, 20003, 'Authenticate', undefined, { 'WWW-Authenticate': 'Basic realm="Twilio API"' }),
  notFound: (path: string) => new ApiError(404, 20404, `The requested resource ${path} was not found`),
  methodNotAllowed: (method: string, path: string) => new ApiError(405, 20004, `Method ${method} not allowed for ${path}`),
  conflict: (message: string, details?: Record<string, unknown>) => new ApiError(409, 20409, message, details),
  payloadTooLarge: (limit: number) => new ApiError(413, 20001, `Request body exceeds the limit of ${limit} bytes`),
  tooManyParameters: (limit: number) => new ApiError(400, 20001, `Request body has more than ${limit} parameters`),
  /** A browser request from a page on another origin, refused so a cached login cannot be used against the account (CSRF). */
  crossSite: (method: string, origin: string) =>
    new ApiError(
      403,
      20403,
      `Cross-site request refused: a page on ${origin} may not send ${method} requests to this server. ` +
        'To allow a browser app on another origin, list it in --allowed-origins (SWITCHBOARD_ALLOWED_ORIGINS)',
    ),
  unsupportedMediaType: (type: string) =>
    new ApiError(415, 20001, `Content-Type ${type} is not supported; send application/x-www-form-urlencoded`),
  /** A compressed (or otherwise coded) request body: RFC 9110 §12.5.3 says to name the codings taken (only identity). */
  unsupportedContentEncoding: (coding: string) =>
    new ApiError(415, 20001, `Content-Encoding ${quoted(coding)} is not supported; send the body uncompressed`, undefined, { 'Accept-Encoding': 'identity' }),
  unsupportedCharset: (charset: string) =>
    new ApiError(415, 20001, `Charset ${quoted(charset)} is not supported for form bodies; send UTF-8 (or another ASCII-based charset such as ISO-8859-1)`),
  /** An Expect other than 100-continue (RFC 9110 §10.1.1), which Node alone answers with a bare 417. */
  expectationFailed: (expectation: string) =>
    new ApiError(417, 20001, `Expect ${quoted(expectation)} is not supported; only 100-continue is`),
  forbidden: (path: string) => new ApiError(403, 20403, `Access to ${path} is forbidden`),
  requestTimeout: (seconds: number) => new ApiError(408, 20001, `The request was not received in full within ${seconds} s`),
  headersTooLarge: () => new ApiError(431, 20001, 'Request headers are too large'),
  invalidPageToken: () => new ApiError(400, 21481, 'Invalid PageToken'),
  /** A message Body over Twilio's 1,600 characters (the Messages API refuses it the same way). */
  bodyTooLong: () => new ApiError(400, BODY_TOO_LONG_CODE, BODY_TOO_LONG_MESSAGE),
  /** Twilio's words for a REST create whose To and From exceed 300 bytes together. */
  contactPairTooLong: (bytes: number, limit: number) =>
    new ApiError(400, 81023, `Creating an Execution via REST API failed due to malformed contact parameters: To and From together are ${bytes} bytes (UTF-8); at most ${limit}`),
  invalidRevision: (value: string) =>
    new ApiError(400, 81021, `Flow revision must be an integer, LatestPublished or LatestRevision, got '${value}'`),
  invalidDefinition: (errorsList: unknown[]) =>
    new ApiError(400, 81022, 'Invalid Flow Definition', { errors: errorsList }),
  internal: () => new ApiError(500, 20500, 'Internal Server Error'),
  unavailable: (message: string) => new ApiError(503, 20503, message),
};
