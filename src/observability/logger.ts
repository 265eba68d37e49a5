// The process logger: pino, JSON lines by default and pretty output in a terminal; every line
// written during a request or an engine sprint carries that work's ids (see context.ts).
import { pino, type Logger, type DestinationStream } from 'pino';
import pretty from 'pino-pretty';
import { workLogFields } from './context.ts';

export type LogFormat = 'auto' | 'json' | 'pretty';

export interface LoggerOptions {
  level: string;
  format: LogFormat;
  /** Where lines go; stdout by default (tests pass a stream to read them back). */
  destination?: DestinationStream;
  /** Whether stdout is a terminal (decides `auto`). */
  isTty?: boolean;
}

/** Never written to a log, wherever they appear in a logged object. */
const REDACT = [
  'req.headers.authorization',
  'req.headers["x-twilio-signature"]',
  'authToken',
  '*.authToken',
  'password',
  '*.password',
];

/**
 * Query parameters whose values are secrets: `sb`, the signed callback token Switchboard puts in every URL it
 * gives a call to come back on (src/channels/voice/callback-urls.ts), and the usual credential names, should
 * a client put one in a URL. A callback token keeps what it names (execution, callback, kind), not its MAC.
 */
const SECRET_QUERY_PARAMS = /^(sb|token|auth_?token|access_?token|secret|password|api_?key|signature)$/i;

/** A request URL as logged: the value of each secret-bearing query parameter redacted. */
export function redactedUrl(url: string): string {
  const query = url.indexOf('?');
  if (query < 0) return url;
  const hash = url.indexOf('#', query);
  const end = hash < 0 ? url.length : hash;
  const pairs = url.slice(query + 1, end).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    if (eq < 0) return pair;
    let name = pair.slice(0, eq);
    try {
      name = decodeURIComponent(name.replace(/\+/g, ' '));
    } catch {
      // Malformed percent-encoding: judged as written.
    }
    if (!SECRET_QUERY_PARAMS.test(name)) return pair;
    const value = pair.slice(eq + 1);
    // FN….<callback>.<kind>.<mac>: the MAC is the secret.
    const token = /^(FN[0-9a-f]{32}\.[A-Za-z0-9]{2,64}\.[afsc]\.)./.exec(value);
    return `${pair.slice(0, eq)}=${token ? token[1] : ''}[redacted]`;
  });
  return `${url.slice(0, query)}?${pairs.join('&')}${url.slice(end)}`;
}

/** Fastify's request serializer (the `req` of its `incoming request` lines), with the URL's secrets redacted. */
function serializeRequest(req: { method?: string; url?: string; headers?: Record<string, unknown>; host?: string; ip?: string; socket?: { remotePort?: number } }): Record<string, unknown> {
  return {
    method: req.method,
    url: typeof req.url === 'string' ? redactedUrl(req.url) : req.url,
    version: req.headers?.['accept-version'],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/** The keys each logger already binds (Fastify's request loggers bind requestId), read once per logger. */
const boundKeys = new WeakMap<Logger, ReadonlySet<string>>();

function keysBoundBy(logger: Logger): ReadonlySet<string> {
  let keys = boundKeys.get(logger);
  if (!keys) boundKeys.set(logger, (keys = new Set(Object.keys(logger.bindings()))));
  return keys;
}

/**
 * The work context's fields, less those the logger binds itself: pino writes bindings and mixin fields
 * side by side, so a key in both would appear twice on the line.
 */
function workFieldsFor(logger: Logger): Record<string, string> {
  const fields = workLogFields();
  const bound = keysBoundBy(logger);
  if (bound.size > 0) for (const key of Object.keys(fields)) if (bound.has(key)) delete fields[key];
  return fields;
}

export function createLogger(options: LoggerOptions): Logger {
  const isTty = options.isTty ?? process.stdout.isTTY === true;
  const prettyOutput = options.format === 'pretty' || (options.format === 'auto' && isTty && !options.destination);
  const base = {
    level: options.level,
    redact: { paths: REDACT, censor: '[redacted]' },
    // Fastify takes the logger's own serializers over its defaults.
    serializers: { req: serializeRequest },
    mixin: (_mergeObject: object, _level: number, logger: Logger) => workFieldsFor(logger),
  };
  if (prettyOutput) {
    // A synchronous pretty stream in-process (no worker thread): the terminal is for humans.
    return pino(base, pretty({ colorize: isTty, destination: options.destination ?? 1, sync: true, ignore: 'pid,hostname' }));
  }
  return options.destination ? pino(base, options.destination) : pino(base);
}
