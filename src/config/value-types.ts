// Value types for configuration keys. Each one turns a raw value (a flag or environment string,
// or whatever a JSON/YAML config file holds) into a typed value, or throws a ConfigValueError
// whose message completes "must be …". The loader adds which key and which source was wrong.
import { resolve } from 'node:path';

export class ConfigValueError extends Error {}

export interface ValueType<T> {
  /** Shown by `switchboard config --help`-style listings and in the README table. */
  readonly name: string;
  parse(raw: unknown): T;
  /** Applied to every final value, the default included (e.g. making a path absolute). */
  normalize?(value: T): T;
  /** parseArgs type for the flag: booleans are switches, everything else takes a value. */
  readonly flagType: 'string' | 'boolean';
}

function text(raw: unknown, what: string): string {
  if (typeof raw === 'string') return raw.trim();
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  throw new ConfigValueError(`be ${what}, got ${JSON.stringify(raw)}`);
}

export const string: ValueType<string> = {
  name: 'string',
  flagType: 'string',
  parse(raw) {
    const value = text(raw, 'a string');
    if (value === '') throw new ConfigValueError('not be empty');
    return value;
  },
};

export function integer(options: { min?: number; max?: number; unit?: string } = {}): ValueType<number> {
  const { min = 0, max = Number.MAX_SAFE_INTEGER, unit } = options;
  const what = `a whole number${unit ? ` of ${unit}` : ''} between ${min} and ${max}`;
  return {
    name: unit ? `integer (${unit})` : 'integer',
    flagType: 'string',
    parse(raw) {
      const value = text(raw, what);
      if (!/^-?\d+$/.test(value)) throw new ConfigValueError(`be ${what}, got '${value}'`);
      const n = Number(value);
      if (n < min || n > max) throw new ConfigValueError(`be ${what}, got ${n}`);
      return n;
    },
  };
}

export const port: ValueType<number> = { ...integer({ min: 0, max: 65535 }), name: 'port' };

export const boolean: ValueType<boolean> = {
  name: 'boolean',
  flagType: 'boolean',
  parse(raw) {
    if (typeof raw === 'boolean') return raw;
    const value = text(raw, 'true or false').toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    throw new ConfigValueError(`be true or false, got '${value}'`);
  },
};

export function oneOf<const V extends string>(...values: V[]): ValueType<V> {
  return {
    name: values.join('|'),
    flagType: 'string',
    parse(raw) {
      const value = text(raw, `one of ${values.join(', ')}`);
      if (!(values as string[]).includes(value)) {
        throw new ConfigValueError(`be one of ${values.map((v) => `'${v}'`).join(', ')}, got '${value}'`);
      }
      return value as V;
    },
  };
}

/** An absolute URL whose scheme is one of `schemes`. */
export function url(...schemes: string[]): ValueType<string> {
  const what = `an absolute ${schemes.join('/')} URL`;
  return {
    name: 'url',
    flagType: 'string',
    parse(raw) {
      const value = text(raw, what);
      let parsed: URL;
      try {
        parsed = new URL(value);
      } catch {
        throw new ConfigValueError(`be ${what}, got '${value}'`);
      }
      if (!schemes.includes(parsed.protocol.replace(/:$/, '')) || !parsed.host) {
        throw new ConfigValueError(`be ${what}, got '${value}'`);
      }
      return value;
    },
  };
}

/**
 * An absolute URL that paths are appended to (the public base URL): a query or fragment would end up in the middle
 * of every URL made from it (`https://a.example/?x=1/v1/…`), so neither is taken.
 */
export function baseUrl(...schemes: string[]): ValueType<string> {
  const inner = url(...schemes);
  return {
    ...inner,
    parse(raw) {
      const value = inner.parse(raw);
      if (/[?#]/.test(value)) throw new ConfigValueError(`be a base URL without a query or fragment (paths are appended to it), got '${value}'`);
      return value;
    },
  };
}

/** Text of a fixed shape, e.g. a SID (`what` completes "be …"). */
export function matching(name: string, pattern: RegExp, what: string): ValueType<string> {
  return {
    name,
    flagType: 'string',
    parse(raw) {
      const value = text(raw, what);
      if (!pattern.test(value)) throw new ConfigValueError(`be ${what}, got '${value}'`);
      return value;
    },
  };
}

/** An IANA time zone name that this Node's ICU knows (Europe/Paris, UTC). */
export const timeZone: ValueType<string> = {
  name: 'IANA time zone',
  flagType: 'string',
  parse(raw) {
    const value = text(raw, 'an IANA time zone');
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: value });
    } catch {
      throw new ConfigValueError(`be an IANA time zone such as UTC or Europe/Paris, got '${value}'`);
    }
    return value;
  },
};

/** A filesystem path, made absolute against the working directory (':memory:' passes through). */
export const path: ValueType<string> = {
  name: 'path',
  flagType: 'string',
  parse: string.parse,
  normalize: (value) => (value === ':memory:' ? value : resolve(value)),
};

/** Makes any type optional: the key may be left unset (its default is then `undefined`). */
export function optional<T>(type: ValueType<T>): ValueType<T | undefined> {
  return type as ValueType<T | undefined>;
}

/** A list: an array in a config file, or comma/space separated text in a flag or variable. */
export function list(name: string, check?: (item: string) => string | undefined): ValueType<string[]> {
  return {
    name: `list of ${name}`,
    flagType: 'string',
    parse(raw) {
      const items = Array.isArray(raw) ? raw.map((item) => text(item, name)) : text(raw, `a list of ${name}`).split(/[\s,]+/);
      const values = items.map((item) => item.trim()).filter((item) => item !== '');
      for (const item of values) {
        const problem = check?.(item);
        if (problem) throw new ConfigValueError(`be a list of ${name}; ${problem}`);
      }
      return values;
    },
  };
}
