// The configuration model: a declarative table of keys (see src/config.ts) resolved from, in order
// of precedence, command-line flags, environment variables, a config file and defaults. Every
// value is validated at start; all problems are reported together, each naming the key and where
// the bad value came from.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigValueError, type ValueType } from './value-types.ts';
import { maskUrlSecrets } from '../lib/url-secrets.ts';
import { whereJsonBreaks } from '../lib/json-error.ts';

export class ConfigError extends Error {}

export interface KeySpec<T> {
  /** Long flag without the dashes (`port` → `--port`); omit for keys that only come from env/file. */
  flag?: string;
  /** Environment variable; an empty value counts as unset. */
  env?: string;
  /** Key in switchboard.config.json / .yaml; defaults to the key's own (camelCase) name. */
  file?: string;
  type: ValueType<T>;
  default: NoInfer<T>;
  /** Masked by `switchboard config` and never logged. */
  secret?: boolean;
  description: string;
}

/** Identity helper so TypeScript infers each key's value type from its `type`. */
export function key<T>(spec: KeySpec<T>): KeySpec<T> {
  return spec;
}

// `any` here only widens the constraint; each key's own type is recovered by ConfigValues.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KeyTable = Record<string, KeySpec<any>>;
export type ConfigValues<K extends KeyTable> = { -readonly [N in keyof K]: K[N] extends KeySpec<infer T> ? T : never };

export type Source = 'flag' | 'env' | 'file' | 'default';

export interface ResolvedKey {
  name: string;
  value: unknown;
  source: Source;
  /** Human description of the source: `--port`, `PORT`, `port in /etc/switchboard.config.yaml`, `default`. */
  origin: string;
  spec: KeySpec<unknown>;
}

export interface Resolved<K extends KeyTable> {
  values: ConfigValues<K>;
  keys: ResolvedKey[];
  /** The config file that was read, if any. */
  file: string | undefined;
  /**
   * Problems that do not change the result: a bad value in a variable or the file that a flag or variable
   * overrides (e.g. PORT=eighty with --port 5000). Each names the bad source and what is used instead.
   */
  warnings: string[];
}

export type Flags = Record<string, string | boolean | undefined>;

export interface ResolveOptions {
  /** Where switchboard.config.{json,yaml,yml} is looked for when no file is named. */
  cwd?: string;
}

/** Names a config file explicitly; otherwise one in the working directory is used if present. */
export const CONFIG_FILE_FLAG = 'config';
export const CONFIG_FILE_ENV = 'SWITCHBOARD_CONFIG';
export const CONFIG_FILE_NAMES = ['switchboard.config.json', 'switchboard.config.yaml', 'switchboard.config.yml'];

function fileKey(name: string, spec: KeySpec<unknown>): string {
  return spec.file ?? name;
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(`config file ${file} is not valid ${file.endsWith('.json') ? `JSON${whereJsonBreaks(text, error)}` : `YAML: ${(error as Error).message}`}`);
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new ConfigError(`config file ${file} must hold an object of settings`);
  return data as Record<string, unknown>;
}

function locateConfigFile(flags: Flags, env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  const named = typeof flags[CONFIG_FILE_FLAG] === 'string' ? (flags[CONFIG_FILE_FLAG] as string) : env[CONFIG_FILE_ENV] || undefined;
  if (named !== undefined) {
    const file = resolve(cwd, named);
    if (!existsSync(file)) throw new ConfigError(`config file ${file} does not exist (from ${typeof flags[CONFIG_FILE_FLAG] === 'string' ? '--config' : CONFIG_FILE_ENV})`);
    return file;
  }
  const found = CONFIG_FILE_NAMES.map((name) => resolve(cwd, name)).filter((file) => existsSync(file));
  // Picking one silently would leave the other's settings ignored without a word.
  if (found.length > 1) throw new ConfigError(`two config files in ${cwd}: ${found.join(' and ')}; remove one, or name the one to use with --config (or ${CONFIG_FILE_ENV})`);
  return found[0];
}

/** A rule involving several keys: a problem naming them, or undefined. Skipped when one of its keys is itself bad. */
export interface CrossCheck<K extends KeyTable> {
  keys: (keyof K & string)[];
  check(values: ConfigValues<K>): string | undefined;
}

export function resolveConfig<K extends KeyTable>(
  table: K,
  flags: Flags,
  env: NodeJS.ProcessEnv,
  options: ResolveOptions = {},
  crossChecks: CrossCheck<K>[] = [],
): Resolved<K> {
  const cwd = options.cwd ?? process.cwd();
  const file = locateConfigFile(flags, env, cwd);
  const fileData = file ? readConfigFile(file) : {};
  const problems: string[] = [];

  const known = new Map(Object.entries(table).map(([name, spec]) => [fileKey(name, spec), name]));
  for (const name of Object.keys(fileData)) {
    if (!known.has(name)) problems.push(`unknown key '${name}' in ${file} (known keys: ${[...known.keys()].join(', ')})`);
  }

  const keys: ResolvedKey[] = [];
  const values: Record<string, unknown> = {};
  const bad = new Set<string>();
  const warnings: string[] = [];
  for (const [name, spec] of Object.entries(table) as [string, KeySpec<unknown>][]) {
    const flagValue = spec.flag ? flags[spec.flag] : undefined;
    const envValue = spec.env ? env[spec.env] : undefined;
    const fk = fileKey(name, spec);
    // Every source that sets the key, strongest first: the first is used, the others are checked too.
    const given: { raw: unknown; source: Source; origin: string }[] = [];
    if (flagValue !== undefined) given.push({ raw: flagValue, source: 'flag', origin: flagValue === false ? `--no-${spec.flag}` : `--${spec.flag}` });
    if (envValue !== undefined && envValue !== '') given.push({ raw: envValue, source: 'env', origin: spec.env as string });
    if (Object.hasOwn(fileData, fk) && fileData[fk] !== null) given.push({ raw: fileData[fk], source: 'file', origin: `'${fk}' in ${file}` });
    /** The parsed value, or "must …" for a value the key's type refuses (a secret's value is not echoed). */
    const parse = (raw: unknown): { value: unknown } | { problem: string } => {
      try {
        return { value: spec.type.parse(raw) };
      } catch (error) {
        if (!(error instanceof ConfigValueError)) throw error;
        return { problem: `must ${spec.secret ? error.message.replace(/, got .*$/, '') : error.message}` };
      }
    };
    const [used, ...shadowed] = given;
    const source: Source = used?.source ?? 'default';
    const origin = used?.origin ?? 'default';
    const usedParsed = used ? parse(used.raw) : undefined;
    for (const other of shadowed) {
      const parsed = parse(other.raw);
      if ('problem' in parsed) warnings.push(`${other.origin} ${parsed.problem} (not used: ${origin} overrides it)`);
      // A variable set for every process (a container image's ENV) silently beating the file someone just
      // edited is the surprise worth a word; a flag on the command line is deliberate, and equal values change nothing.
      // A variable that is itself invalid is the error reported below, not a value that overrides anything.
      else if (used?.source === 'env' && other.source === 'file' && usedParsed && 'value' in usedParsed && !sameValue(usedParsed, parsed)) {
        warnings.push(`${other.origin} is not used: the environment variable ${origin} overrides it${spec.secret ? '' : ` (${displayValue(spec, usedParsed.value)})`}`);
      }
    }
    let value: unknown = spec.default;
    if (used) {
      const parsed = parse(used.raw);
      if ('problem' in parsed) {
        problems.push(`${origin} ${parsed.problem}`);
        bad.add(name);
        continue;
      }
      value = parsed.value;
    }
    if (value !== undefined && spec.type.normalize) value = spec.type.normalize(value);
    values[name] = value;
    keys.push({ name, value, source, origin, spec });
  }
  // With the per-key problems, so one fix-up round sees everything (a rule over a bad key would only guess).
  for (const rule of crossChecks) {
    if (rule.keys.some((k) => bad.has(k))) continue;
    const problem = rule.check(values as ConfigValues<K>);
    if (problem) problems.push(problem);
  }
  // Refused anyway: the overridden bad values are listed too, so one fix-up round sees everything.
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  ${[...problems, ...warnings.map((w) => `warning: ${w}`)].join('\n  ')}`);
  return { values: values as ConfigValues<K>, keys, file, warnings };
}

function sameValue(a: { value: unknown } | { problem: string }, b: { value: unknown }): boolean {
  return 'value' in a && JSON.stringify(a.value) === JSON.stringify(b.value);
}

/** parseArgs option declarations for every key that has a flag, plus --config. */
export function flagOptions(table: KeyTable): Record<string, { type: 'string' | 'boolean' }> {
  const options: Record<string, { type: 'string' | 'boolean' }> = { [CONFIG_FILE_FLAG]: { type: 'string' } };
  for (const spec of Object.values(table)) if (spec.flag) options[spec.flag] = { type: spec.type.flagType };
  return options;
}

const MASK = '********';

/** No value; for a secret also an empty list (no previous secrets), which a mask would show as one set. */
export function isUnset(spec: KeySpec<unknown>, value: unknown): boolean {
  return value === undefined || (spec.secret === true && Array.isArray(value) && value.length === 0);
}

/** How a value is shown to people: secrets masked, and passwords inside URLs masked whatever the key. */
export function displayValue(spec: KeySpec<unknown>, value: unknown): string {
  if (isUnset(spec, value)) return '(unset)';
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  if (typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    // user:password@ and, in a PostgreSQL URL, ?password=…/?sslpassword=… (not a URL after all: fall through).
    const masked = maskUrlSecrets(value);
    if (masked !== null && masked !== new URL(value).toString()) return masked;
  }
  return spec.secret ? MASK : shown;
}
