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
    mixin: (_mergeObject: object, _level: number, logger: Logger) => workFieldsFor(logger),
  };
  if (prettyOutput) {
    // A synchronous pretty stream in-process (no worker thread): the terminal is for humans.
    return pino(base, pretty({ colorize: isTty, destination: options.destination ?? 1, sync: true, ignore: 'pid,hostname' }));
  }
  return options.destination ? pino(base, options.destination) : pino(base);
}
